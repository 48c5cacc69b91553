import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'vigil-e2e-'));
}

export interface ServerProcess {
  child: ChildProcess;
  ports: Record<string, number>;
  output: () => string;
  base: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the built server as a real child process and waits for its `listening` line. */
export async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, 'start'], {
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
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening ((?:\w+=\d+ ?)+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Object.fromEntries(m[1]!.trim().split(' ').map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])])));
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

export function runCli(args: string[], env: Record<string, string>, input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function loginCookie(base: string, username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as { csrfToken: string };
  return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: body.csrfToken };
}
