import { InvalidArgumentError, Option, type Command } from 'commander';
import { listeningLine, startVigil, type VigilApp } from '../app.js';
import { loadConfig } from '../config/load.js';
import { CliError, configOption } from '../cli/io.js';
import { playOnce, sleep } from './player.js';
import { SCENARIOS, scenarioNamed } from './scenarios/index.js';
import type { Scenario } from './scenario.js';
import { ListenerSink, httpBase, localAddress } from './transport.js';

const ACTOR = { name: 'vigil-demo', ip: null };

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 5 || n > 86_400)
    throw new InvalidArgumentError('a number of seconds between 5 and 86400');
  return n;
}

function pickScenarios(names: string[] | undefined): Scenario[] {
  if (!names || names.length === 0) return [...SCENARIOS];
  return names.map((n) => {
    const s = scenarioNamed(n);
    if (!s)
      throw new CliError(`unknown scenario '${n}'; choose from ${SCENARIOS.map((x) => x.name).join(', ')}`);
    return s;
  });
}

/** The ingest token the demo sends with, in the tenant the syslog input stores into. */
async function demoToken(app: VigilApp, tenant: string): Promise<{ token: string; id: string }> {
  const { token, record } = await app.auth.createToken(ACTOR, {
    name: 'vigil demo (revoked on exit)',
    role: 'ingest',
    tenant,
  });
  return { token, id: record.id };
}

/** `vigil demo`: starts like `vigil start` and plays built-in attack scenarios through the real listeners. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start Vigil like `vigil start` and play built-in attack scenarios through its listeners')
    .addOption(configOption())
    .addOption(
      new Option('--scenario <name...>', 'scenarios to play (default: all)').choices(
        SCENARIOS.map((s) => s.name),
      ),
    )
    .option('--loop', 'replay the scenarios every --interval seconds')
    .option('--interval <seconds>', 'seconds between replays with --loop', seconds, 300)
    .action(async (opts: { config?: string; scenario?: string[]; loop?: boolean; interval: number }) => {
      const scenarios = pickScenarios(opts.scenario);
      const config = loadConfig({ configPath: opts.config });
      const app = await startVigil(config, { adminPassword: process.env.VIGIL_ADMIN_PASSWORD || undefined });
      process.stdout.write(`${listeningLine(app.ports)}\n`);
      const print = (line: string) => process.stdout.write(`${line}\n`);

      const stopping = new AbortController();
      const stopped = new Promise<string>((resolve) => {
        const stop = (signal: string) => {
          stopping.abort();
          resolve(signal);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });

      const { token, id } = await demoToken(app, config.syslog.tenant);
      const syslogPort = app.ports[config.syslog.id];
      const sink = new ListenerSink({
        httpBase: httpBase(config.http.host, app.ports.http),
        token,
        syslog:
          config.syslog.enabled && syslogPort !== undefined
            ? {
                host: localAddress(config.syslog.host),
                port: syslogPort,
                protocol: config.syslog.protocols.includes('tcp') ? 'tcp' : 'udp',
              }
            : undefined,
      });

      const playing = (async () => {
        do {
          const began = Date.now();
          const r = await playOnce(scenarios, {
            sink,
            print,
            syslogTimeZone: config.syslog.timezone,
            signal: stopping.signal,
          });
          if (stopping.signal.aborted) return;
          print(
            `demo: played ${scenarios.length} scenario(s), ${r.records} records sent${r.failures ? `, ${r.failures} step(s) failed` : ''}; ` +
              (opts.loop
                ? `next run in ${Math.max(0, Math.round(opts.interval - (Date.now() - began) / 1000))} s`
                : 'detections appear at /api/v1/detections; Ctrl-C stops'),
          );
          if (opts.loop) await sleep(opts.interval * 1000 - (Date.now() - began), stopping.signal);
        } while (opts.loop && !stopping.signal.aborted);
      })();

      const signal = await stopped;
      app.log.info({ signal }, 'shutting down');
      await playing;
      try {
        await app.auth.revokeToken(ACTOR, id);
        await app.close();
      } catch (e) {
        app.log.error({ err: e }, 'shutdown failed');
      }
    });
}
