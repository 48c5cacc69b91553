import http from 'node:http';
/**
 * The walking skeleton, end to end: the built server as a child process on random ports, driven
 * over real HTTP and through the real CLI, against a real SQLite file.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginCookie, runCli, startServer, tempDataDir, type ServerProcess } from '../support/server-process.js';

describe('walking skeleton', () => {
  const dataDir = tempDataDir();
  const env = { VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: 'e2e-admin-password' };
  let srv: ServerProcess;
  let ingestToken: string;
  beforeAll(async () => {
    srv = await startServer(dataDir);
    const t = runCli(['token', 'create', '--role', 'ingest', '--name', 'shipper'], env);
    expect(t.code).toBe(0);
    ingestToken = t.stdout.trim();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('answers health without auth', async () => {
    const r = await fetch(`${srv.base}/api/v1/health`);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('logs in, posts events, finds them by search, and records it all in the audit trail', async () => {
    const { cookie, csrf } = await loginCookie(srv.base, 'admin', 'e2e-admin-password');
    const marker = `m${Date.now()}`;
    const body = [
      { '@timestamp': '2026-11-01T10:00:00Z', message: `ssh login ${marker}`, host: { name: 'bastion' }, user: { name: 'root' } },
      { '@timestamp': '2026-11-01T10:00:01Z', message: `other ${marker}`, host: { name: 'web' } },
    ];
    const post = await fetch(`${srv.base}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(await post.json()).toEqual({ accepted: 2, rejected: [] });

    const search = await fetch(`${srv.base}/api/v1/events/search?q=${encodeURIComponent(`host.name:bastion ${marker}`)}`, { headers: { cookie } });
    const found = (await search.json()) as { total: number; events: Array<Record<string, unknown>> };
    expect(found.total).toBe(1);
    expect(found.events[0]).toMatchObject({ message: `ssh login ${marker}`, user: { name: 'root' }, organization: { id: 'default' } });

    const audit = await fetch(`${srv.base}/api/v1/audit?limit=1000`, { headers: { cookie } });
    const actions = ((await audit.json()) as { records: Array<{ action: string }> }).records.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['tenant.create', 'user.create', 'token.create', 'auth.login']));
    const verify = await fetch(`${srv.base}/api/v1/audit/verify`, { headers: { cookie, 'x-csrf-token': csrf } });
    expect(await verify.json()).toMatchObject({ ok: true });
  });

  it('rejects bad input with the right error, stores nothing, and keeps running', async () => {
    const auth = { authorization: `Bearer ${ingestToken}` };
    const count = async () => {
      const { cookie } = await loginCookie(srv.base, 'admin', 'e2e-admin-password');
      return ((await (await fetch(`${srv.base}/api/v1/events/search?limit=1`, { headers: { cookie } })).json()) as { total: number }).total;
    };
    const before = await count();
    const malformed = await fetch(`${srv.base}/api/v1/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"unterminated' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    // The server answers 413 from the declared length alone, before reading the body; a client that
    // kept writing 17 MB would race the closing socket (EPIPE), so this one declares and waits.
    const oversize = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${srv.base}/api/v1/events`,
        { method: 'POST', headers: { ...auth, 'content-length': String(17 * 1024 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (e) => setTimeout(() => reject(e), 1000));
      req.write('x'.repeat(1024));
    });
    expect(oversize).toBe(413);
    const noAuth = await fetch(`${srv.base}/api/v1/events`, { method: 'POST', body: '{}' });
    expect(noAuth.status).toBe(401);
    const wrongRole = await fetch(`${srv.base}/api/v1/events/search`, { headers: auth });
    expect(wrongRole.status).toBe(403);
    expect(await count()).toBe(before);
    expect((await fetch(`${srv.base}/api/v1/health`)).status).toBe(200);
    expect(srv.child.exitCode).toBeNull();
  });

  it('counts ingest in the Prometheus metrics', async () => {
    const { cookie } = await loginCookie(srv.base, 'admin', 'e2e-admin-password');
    const text = await (await fetch(`${srv.base}/metrics`, { headers: { cookie } })).text();
    expect(text).toMatch(/vigil_events_stored_total\{input="http"\} [1-9]/);
    expect(text).toMatch(/vigil_events_rejected_total\{input="http"\} [1-9]/);
    expect(text).toMatch(/vigil_http_request_duration_seconds_bucket/);
  });
});

describe('durability: kill -9 loses nothing that was acknowledged', () => {
  it('keeps every acknowledged event, once, across a kill -9 and restart', async () => {
    const dataDir = tempDataDir();
    const env = { VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: 'e2e-admin-password' };
    let srv = await startServer(dataDir);
    const token = runCli(['token', 'create', '--role', 'ingest'], env).stdout.trim();
    const acked: string[] = [];
    let seq = 0;
    // Several concurrent senders; kill -9 lands while requests are in flight.
    const sender = async () => {
      for (;;) {
        const ids = Array.from({ length: 50 }, () => `k-${seq++}`);
        try {
          const r = await fetch(`${srv.base}/api/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
            body: ids.map((id) => JSON.stringify({ event: { id }, message: 'durable' })).join('\n'),
          });
          if (r.status !== 200) return;
          acked.push(...ids);
        } catch {
          return;
        }
      }
    };
    const senders = [sender(), sender(), sender()];
    while (acked.length < 2000) await new Promise((r) => setTimeout(r, 5));
    await srv.stop('SIGKILL');
    await Promise.all(senders);
    srv = await startServer(dataDir);
    const { cookie } = await loginCookie(srv.base, 'admin', 'e2e-admin-password');
    const r = await fetch(`${srv.base}/api/v1/events/search?q=durable&limit=1`, { headers: { cookie } });
    const total = ((await r.json()) as { total: number }).total;
    await srv.stop();
    const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
    const stored = new Set((db.prepare('SELECT id FROM events').all() as Array<{ id: string }>).map((x) => x.id));
    db.close();
    const missing = acked.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    expect(total).toBe(stored.size);
    expect(total).toBeGreaterThanOrEqual(acked.length);
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests on SIGTERM, exits 0, and keeps what it acknowledged', async () => {
    const dataDir = tempDataDir();
    const env = { VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: 'e2e-admin-password' };
    const srv = await startServer(dataDir);
    const token = runCli(['token', 'create', '--role', 'ingest'], env).stdout.trim();
    const body = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ event: { id: `g-${i}` }, message: 'graceful' })).join('\n');
    const inFlight = fetch(`${srv.base}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
    await new Promise((r) => setTimeout(r, 20));
    const code = await srv.stop('SIGTERM');
    const res = await inFlight.then((r) => r.status, () => 0);
    expect(code).toBe(0);
    const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
    const n = (db.prepare("SELECT count(*) AS n FROM events WHERE id LIKE 'g-%'").get() as { n: number }).n;
    db.close();
    // Either the request was answered (then all of it is stored) or it was refused before being read.
    if (res === 200) expect(n).toBe(20_000);
    else expect([0, 20_000]).toContain(n);
  });
});

describe('vigil CLI', () => {
  it('adds users from stdin, lists them, and refuses a password on the command line', () => {
    const dataDir = tempDataDir();
    const env = { VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: 'e2e-admin-password' };
    const add = runCli(['user', 'add', 'alice', '--role', 'analyst', '--password-stdin'], env, 'alice-password-1\n');
    expect(add.code).toBe(0);
    expect(runCli(['user', 'add', 'bob', '--role', 'analyst'], env).code).toBe(2);
    expect(runCli(['user', 'add', 'bob', '--role', 'wizard', '--password-stdin'], env, 'x').code).toBe(2);
    const list = runCli(['user', 'list'], env);
    expect(list.stdout).toMatch(/^alice\tanalyst\tdefault$/m);
    expect(list.stdout).toMatch(/^admin\tadmin\t\*$/m);
  });

  it('stops with exit code 2 and names key, value and expectation on a bad config', () => {
    const r = runCli(['config', 'check'], { VIGIL_HTTP_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('http.port = "eighty"');
    expect(r.stderr).toMatch(/expected number/);
  });

  it('detects an edited, a deleted and a reordered audit record', () => {
    const base = tempDataDir();
    for (const tamper of ['edit', 'delete', 'reorder'] as const) {
      const dataDir = path.join(base, tamper);
      const env = { VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: 'e2e-admin-password' };
      for (const n of ['u1', 'u2', 'u3']) runCli(['user', 'add', n, '--role', 'analyst', '--password-stdin'], env, 'long enough password');
      expect(runCli(['audit', 'verify'], env)).toMatchObject({ code: 0 });
      const db = new Database(path.join(dataDir, 'vigil.db'));
      // An attacker with file access can drop the append-only triggers; the chain must still tell.
      db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
      if (tamper === 'edit') db.prepare("UPDATE audit SET after = '{\"role\":\"admin\"}' WHERE seq = 3").run();
      if (tamper === 'delete') db.prepare('DELETE FROM audit WHERE seq = 3').run();
      if (tamper === 'reorder') {
        const rows = db.prepare('SELECT * FROM audit WHERE seq IN (3,4) ORDER BY seq').all() as Array<Record<string, unknown>>;
        db.prepare('DELETE FROM audit WHERE seq IN (3,4)').run();
        const ins = db.prepare('INSERT INTO audit (seq, ts, actor, tenant, action, target, ip, before, after, prev_hash, hash) VALUES (@seq, @ts, @actor, @tenant, @action, @target, @ip, @before, @after, @prev_hash, @hash)');
        ins.run({ ...rows[1], seq: 3 });
        ins.run({ ...rows[0], seq: 4 });
      }
      db.close();
      const v = runCli(['audit', 'verify'], env);
      expect(v.code, tamper).toBe(1);
      expect(v.stdout, tamper).toMatch(/BROKEN at record [34]/);
    }
  });
});
