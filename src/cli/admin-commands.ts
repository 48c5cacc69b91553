import type { Command } from 'commander';
import { Option } from 'commander';
import { openStorage } from '../app.js';
import { verifyAuditChain } from '../auth/audit-chain.js';
import { ROLES, TOKEN_ROLES, type Role, type TokenRole } from '../auth/roles.js';
import { AuthError, AuthService } from '../auth/service.js';
import { loadConfig } from '../config/load.js';
import type { Storage } from '../store/ports.js';
import { CliError, EXIT, configOption, readStdin } from './io.js';

const cliActor = { name: `cli:${process.env.USER ?? 'local'}`, ip: null };

async function withAuth<T>(configPath: string | undefined, fn: (auth: AuthService, storage: Storage) => Promise<T>): Promise<T> {
  const config = loadConfig({ configPath });
  const storage = await openStorage(config);
  try {
    const auth = new AuthService(storage.identity, storage.audit, config.auth);
    await auth.bootstrap(process.env.VIGIL_ADMIN_PASSWORD || undefined);
    return await fn(auth, storage);
  } catch (e) {
    if (e instanceof AuthError) throw new CliError(e.message, EXIT.failed);
    throw e;
  } finally {
    await storage.close();
  }
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerAdminCommands(program: Command): void {
  const user = program.command('user').description('manage users');
  user
    .command('add <name>')
    .description('create a user; the password is read from standard input')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .option('--tenant <tenant>', 'tenant the user belongs to (repeatable; default: default)', collect, [])
    .option('--password-stdin', 'read the password from standard input')
    .addOption(configOption())
    .action(async (name: string, opts: { role: Role; tenant: string[]; passwordStdin?: boolean; config?: string }) => {
      if (!opts.passwordStdin) throw new CliError('user add: --password-stdin is required (passwords never go on the command line)');
      const password = await readStdin();
      await withAuth(opts.config, async (auth) => {
        const u = await auth.createUser(cliActor, { username: name, password, role: opts.role, tenants: opts.tenant.length ? opts.tenant : ['default'] });
        process.stdout.write(`created user ${u.username} (${u.role}; tenants ${u.tenants.join(', ')})\n`);
      });
    });
  user
    .command('list')
    .description('list users')
    .addOption(configOption())
    .action(async (opts: { config?: string }) => {
      await withAuth(opts.config, async (_auth, storage) => {
        for (const u of await storage.identity.listUsers()) {
          process.stdout.write(`${u.username}\t${u.role}\t${u.tenants.join(',')}${u.disabled ? '\tdisabled' : ''}\n`);
        }
      });
    });
  user
    .command('passwd <name>')
    .description('set a user\'s password (read from standard input); ends its sessions and lifts a lockout')
    .option('--password-stdin', 'read the password from standard input')
    .addOption(configOption())
    .action(async (name: string, opts: { passwordStdin?: boolean; config?: string }) => {
      if (!opts.passwordStdin) throw new CliError('user passwd: --password-stdin is required');
      const password = await readStdin();
      await withAuth(opts.config, async (auth) => {
        await auth.updateUser(cliActor, name, { password });
        process.stdout.write(`password changed for ${name}\n`);
      });
    });

  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .description('create an API token and print it once (role `ingest` can only send events)')
    .addOption(new Option('--role <role>', 'role').choices(TOKEN_ROLES).makeOptionMandatory())
    .option('--tenant <tenant>', 'tenant', 'default')
    .option('--name <name>', 'a label for the token', 'cli')
    .addOption(configOption())
    .action(async (opts: { role: TokenRole; tenant: string; name: string; config?: string }) => {
      await withAuth(opts.config, async (auth) => {
        const { token: secret, record } = await auth.createToken(cliActor, { name: opts.name, role: opts.role, tenant: opts.tenant });
        process.stderr.write(`token ${record.id} (${record.role}, tenant ${record.tenant}); it is shown only now:\n`);
        process.stdout.write(`${secret}\n`);
      });
    });
  token
    .command('revoke <id>')
    .description('revoke an API token by id')
    .addOption(configOption())
    .action(async (id: string, opts: { config?: string }) => {
      await withAuth(opts.config, async (auth) => {
        await auth.revokeToken(cliActor, id);
        process.stdout.write(`revoked ${id}\n`);
      });
    });
  token
    .command('list')
    .description('list API tokens (never their secrets)')
    .addOption(configOption())
    .action(async (opts: { config?: string }) => {
      await withAuth(opts.config, async (_auth, storage) => {
        for (const t of await storage.identity.listTokens()) {
          process.stdout.write(`${t.id}\t${t.name}\t${t.role}\t${t.tenant}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'active'}\n`);
        }
      });
    });

  program
    .command('audit')
    .description('audit trail tools')
    .command('verify')
    .description('verify the audit hash chain: exit 0 when intact, 1 and the first bad record when not')
    .addOption(configOption())
    .action(async (opts: { config?: string }) => {
      const config = loadConfig({ configPath: opts.config });
      const storage = await openStorage(config);
      try {
        const v = await verifyAuditChain(storage.audit.all());
        if (v.ok) {
          process.stdout.write(`audit trail intact: ${v.records} records\n`);
        } else {
          process.stdout.write(`audit trail BROKEN at record ${v.seq}: ${v.problem}\n`);
          process.exitCode = EXIT.failed;
        }
      } finally {
        await storage.close();
      }
    });
}
