/**
 * The built server as a child process, for benches: like test/support/server-process.ts, plus
 * - VIGIL_BENCH_CLI: another build's cli.js (a private build, while others rebuild dist/);
 * - VIGIL_BENCH_NODE_ARGS: extra node flags for the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`);
 * - the server's CPU time (/proc/<pid>/stat), which a loaded machine distorts far less than
 *   wall-clock throughput.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, type ServerProcess } from '../test/support/server-process.js';

export const BENCH_CLI = process.env.VIGIL_BENCH_CLI ?? path.join(ROOT, 'dist', 'cli.js');
const NODE_ARGS = (process.env.VIGIL_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const CLK_TCK = 100;

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

export async function startBenchServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  if (BENCH_CLI === path.join(ROOT, 'dist', 'cli.js') && NODE_ARGS.length === 0)
    return startServer(dataDir, env);
  const child = spawn(process.execPath, [...NODE_ARGS, BENCH_CLI, 'start'], {
    env: {
      ...process.env,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_HTTP_PORT: '0',
      VIGIL_SYSLOG_PORT: '0',
      VIGIL_NETFLOW_PORT: '0',
      VIGIL_ADMIN_PASSWORD: 'e2e-admin-password',
      VIGIL_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // VIGIL_BENCH_SERVER_LOG=file: the server's output, for when a bench stalls.
  const logTo = process.env.VIGIL_BENCH_SERVER_LOG;
  if (logTo)
    for (const s of [child.stdout, child.stderr]) s.on('data', (d: Buffer) => appendFileSync(logTo, d));
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening ((?:[\w-]+=\d+ ?)+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(
          Object.fromEntries(
            m[1]!
              .trim()
              .split(' ')
              .map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]),
          ),
        );
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    ports,
    output: () => out,
    base: `http://127.0.0.1:${ports.http}`,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/** The CLI of the same build as the server (tokens must be made by the schema the server runs). */
export function benchCli(args: string[], env: Record<string, string>): string {
  const r = spawnSyncCli(args, env);
  if (r.status !== 0) throw new Error(`vigil ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function spawnSyncCli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BENCH_CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}
