/**
 * `vigil demo` end to end: the built CLI as a child process on free ports plays every scenario
 * through its own listeners, and within a minute the built-in pack has detected each of them,
 * and nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/detect/sigma/loader.js';
import { SCENARIOS } from '../../src/demo/scenarios/index.js';
import { CLI, ROOT, loginCookie, startServer, tempDataDir } from '../support/server-process.js';
import path from 'node:path';

const PASSWORD = 'e2e-demo-admin-password';

interface Detection {
  kind: string;
  ruleId: string;
  title: string;
}

describe('vigil demo', () => {
  let child: ChildProcess;
  let out = '';
  let base = '';
  let exited: Promise<number | null>;
  const dataDir = tempDataDir();

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, 'demo'], {
      env: {
        ...process.env,
        VIGIL_DATA_DIR: dataDir,
        VIGIL_HTTP_PORT: '0',
        VIGIL_SYSLOG_PORT: '0',
        VIGIL_NETFLOW_PORT: '0',
        VIGIL_ADMIN_PASSWORD: PASSWORD,
        VIGIL_LOG_LEVEL: 'warn',
        VIGIL_RULES: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    exited = new Promise((r) => child.on('exit', (code) => r(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not start:\n${out}`)), 30_000);
      const check = () => {
        const m = /listening http=(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on('data', check);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`demo exited with ${code}:\n${out}`));
      });
    });
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('detects every scenario with the built-in pack within 60 seconds, and nothing unrelated', async () => {
    const started = Date.now();
    const { cookie } = await loginCookie(base, 'admin', PASSWORD);
    const expected = new Set(SCENARIOS.flatMap((s) => s.detectedBy));
    let fired = new Map<string, Detection>();
    while (Date.now() - started < 60_000) {
      const r = await fetch(`${base}/api/v1/detections?limit=1000`, { headers: { cookie } });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { detections: Detection[] };
      fired = new Map(
        body.detections
          .filter((d) => d.kind === 'sigma' || d.kind === 'correlation')
          .map((d) => [d.ruleId, d]),
      );
      if ([...expected].every((id) => fired.has(id))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const elapsed = Date.now() - started;
    for (const s of SCENARIOS) {
      const missing = s.detectedBy.filter((id) => !fired.has(id));
      expect(missing, `${s.name} not detected after ${elapsed} ms:\n${out}`).toEqual([]);
    }
    // Only the rules the scenarios are meant to trigger fired.
    const unrelated = [...fired.values()].filter((d) => !expected.has(d.ruleId)).map((d) => d.title);
    expect(unrelated).toEqual([]);
    expect(elapsed).toBeLessThan(60_000);
    // The console told what was played.
    for (const s of SCENARIOS) expect(out).toContain(`demo: [${s.name}]`);
    expect(out).toMatch(/listening http=\d+ syslog=\d+ netflow=\d+/);
  }, 90_000);

  it('raises alerts for every scenario when the alerts API is there', async () => {
    const { cookie } = await loginCookie(base, 'admin', PASSWORD);
    const pack = loadRules(path.join(ROOT, 'rules', 'vigil'));
    const packIds = new Set([...pack.rules.map((r) => r.id), ...pack.correlations.map((c) => c.id)]);
    const started = Date.now();
    let alerts: Array<{ kind: string; ruleId: string }> = [];
    for (;;) {
      const r = await fetch(`${base}/api/v1/alerts`, { headers: { cookie } });
      if (r.status === 404) return; // alerting not built into this version yet
      expect(r.status).toBe(200);
      alerts = ((await r.json()) as { alerts: Array<{ kind: string; ruleId: string }> }).alerts ?? [];
      const covered = SCENARIOS.every((s) => alerts.some((a) => s.detectedBy.includes(a.ruleId)));
      if (covered || Date.now() - started > 30_000) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (alerts.length === 0) return; // the route answers but raises no alerts yet
    // Rule alerts come from the pack only (derived alerts, such as risk thresholds, may join them).
    const fromRules = alerts.filter((a) => a.kind === 'sigma' || a.kind === 'correlation');
    expect(fromRules.filter((a) => !packIds.has(a.ruleId))).toEqual([]);
    for (const s of SCENARIOS)
      expect(
        alerts.some((a) => s.detectedBy.includes(a.ruleId)),
        s.name,
      ).toBe(true);
  }, 60_000);

  it('stops gracefully on SIGTERM and revokes its ingest token', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).not.toMatch(/shutdown failed/);
    // The audit trail of the same data directory shows the demo's token created and then revoked.
    const srv = await startServer(dataDir, { VIGIL_ADMIN_PASSWORD: PASSWORD });
    try {
      const { cookie } = await loginCookie(srv.base, 'admin', PASSWORD);
      const audit = (await (
        await fetch(`${srv.base}/api/v1/audit?limit=1000`, { headers: { cookie } })
      ).json()) as { records: Array<{ actor: string; action: string; target: string }> };
      const demo = audit.records.filter((r) => r.actor === 'vigil-demo');
      const created = demo.find((r) => r.action === 'token.create');
      expect(created).toBeDefined();
      expect(demo.some((r) => r.action === 'token.revoke' && r.target === created!.target)).toBe(true);
    } finally {
      await srv.stop();
    }
  }, 30_000);
});
