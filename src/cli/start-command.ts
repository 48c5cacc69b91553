import type { Command } from 'commander';
import { listeningLine, startVigil } from '../app.js';
import { loadConfig } from '../config/load.js';
import { PROCESS_ROLES, parseRole, RoleConfigError, type ProcessRole } from '../cluster/roles.js';
import { CliError, configOption } from './io.js';

/** `--role` wins over VIGIL_ROLE, which wins over `cluster.role` in the file. */
function roleFrom(flag: string | undefined, env: string | undefined, fromFile: ProcessRole): ProcessRole {
  try {
    if (flag !== undefined) return parseRole(flag, '--role');
    if (env) return parseRole(env, 'VIGIL_ROLE');
    return fromFile;
  } catch (e) {
    throw e instanceof RoleConfigError ? new CliError(e.message) : e;
  }
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start Vigil: API and web UI, listeners, detection (embedded SQLite by default)')
    .addOption(configOption())
    .option(
      '--role <role>',
      `what this process does in a cluster: ${PROCESS_ROLES.join('|')} (default: VIGIL_ROLE, cluster.role, all)`,
    )
    .action(async (opts: { config?: string; role?: string }) => {
      const loaded = loadConfig({ configPath: opts.config });
      const role = roleFrom(opts.role, process.env.VIGIL_ROLE, loaded.cluster.role);
      const config = { ...loaded, cluster: { ...loaded.cluster, role } };
      const app = await startVigil(config, { adminPassword: process.env.VIGIL_ADMIN_PASSWORD || undefined });
      process.stdout.write(`${listeningLine(app.ports)}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          app.log.info({ signal }, 'shutting down');
          app.close().then(resolve, (e: unknown) => {
            app.log.error({ err: e }, 'shutdown failed');
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        // Reload rules (SigmaHQ install, config paths, uploads) without a restart.
        process.on(
          'SIGHUP',
          () => void app.bus.publish('control.rules.changed.all', { reload: true, reason: 'SIGHUP' }),
        );
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });

  program
    .command('config')
    .description('configuration tools')
    .command('check')
    .description('validate the configuration (file + environment) and print the effective values')
    .addOption(configOption())
    .action((opts: { config?: string }) => {
      const config = loadConfig({ configPath: opts.config });
      process.stdout.write(`configuration is valid\n${JSON.stringify(config, null, 2)}\n`);
    });
}
