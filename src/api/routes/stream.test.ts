/**
 * The live-update stream over a real socket (fetch reading text/event-stream), fed by the real
 * pipeline: ingested events → detection → alert → bus → SSE; plus the coverage and validate routes.
 */
import { connect } from 'node:net';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { bearer, startTestApp, tokenFor } from '../../test-support/app.js';
import { installAuthorization } from '../authorize.js';
import type { ApiContext } from '../context.js';
import { streamRoutes } from './stream.js';

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Opens the stream and collects its events; `next` waits for the first event that satisfies `pred`. */
async function openStream(url: string, token: string) {
  const ctl = new AbortController();
  const res = await fetch(url, {
    headers: { ...bearer(token), accept: 'text/event-stream' },
    signal: ctl.signal,
  });
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  if (res.ok && res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buf = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
          }
          for (const w of waiters.splice(0)) w();
        }
      } catch {
        // aborted
      }
      ended = true;
      for (const w of waiters.splice(0)) w();
    })();
  }
  const next = async (pred: (e: SseEvent) => boolean, what: string): Promise<SseEvent> => {
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (ended) throw new Error(`stream ended before ${what}; got ${events.map((e) => e.event).join(', ')}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { res, events, next, close: () => ctl.abort(), ended: () => ended };
}

describe('GET /api/v1/stream (Server-Sent Events)', () => {
  let app: VigilApp;
  let base: string;
  let analyst: string;
  let acmeAnalyst: string;
  let ingest: string;

  beforeAll(async () => {
    app = await startTestApp();
    base = `http://127.0.0.1:${app.ports.http}`;
    await app.auth.createTenant({ name: 'test', ip: null }, 'acme', 'Acme');
    analyst = await tokenFor(app, 'analyst');
    acmeAnalyst = await tokenFor(app, 'analyst', 'acme');
    ingest = await tokenFor(app, 'ingest');
  });
  afterAll(async () => app?.close());

  it('refuses roles that may follow nothing and unknown topics', async () => {
    const s = await openStream(`${base}/api/v1/stream`, ingest);
    expect(s.res.status).toBe(403);
    const bad = await fetch(`${base}/api/v1/stream?topics=alerts,passwords`, { headers: bearer(analyst) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      'unknown topic passwords',
    );
    const anon = await fetch(`${base}/api/v1/stream`);
    expect(anon.status).toBe(401);
  });

  it('relays a new alert, with its title, to the tenant’s streams only; and new cases', async () => {
    const mine = await openStream(`${base}/api/v1/stream`, analyst);
    const other = await openStream(`${base}/api/v1/stream`, acmeAnalyst);
    expect(mine.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect((await mine.next((e) => e.event === 'ready', 'ready')).data).toMatchObject({
      topics: ['alerts', 'cases', 'playbooks'],
      tenants: ['default'],
    });
    await other.next((e) => e.event === 'ready', 'ready');

    const now = Date.now();
    const r = await fetch(`${base}/api/v1/events`, {
      method: 'POST',
      headers: { ...bearer(ingest), 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          '@timestamp': new Date(now).toISOString(),
          message: 'Failed password for root from 198.51.100.23 port 40001 ssh2',
          event: { module: 'system', dataset: 'system.auth' },
          host: { name: 'stream-host' },
          source: { ip: '198.51.100.23' },
          user: { name: 'root' },
          process: { name: 'sshd' },
        },
      ]),
    });
    expect(r.status).toBe(200);
    const created = await mine.next((e) => e.event === 'alert.created', 'alert.created');
    expect(created.data.tenant).toBe('default');
    const alerts = created.data.alerts as Array<{ id: string; title: string; severity: string }>;
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]!.title).toMatch(/SSH/i);
    expect(created.data.alertIds).toContain(alerts[0]!.id);

    const c = await fetch(`${base}/api/v1/cases`, {
      method: 'POST',
      headers: { ...bearer(analyst), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'stream test case' }),
    });
    expect(c.status).toBe(201);
    const caseId = ((await c.json()) as { id: string }).id;
    const cc = await mine.next((e) => e.event === 'case.created', 'case.created');
    expect(cc.data).toMatchObject({ tenant: 'default', caseId });

    // acme's stream saw neither (it got its ready event, and the same bus messages went past it).
    expect(other.events.map((e) => e.event)).toEqual(['ready']);
    mine.close();
    other.close();
  });

  it('relays playbook run progress to roles that read playbooks, without step inputs or outputs', async () => {
    const s = await openStream(`${base}/api/v1/stream?topics=playbooks`, analyst);
    await s.next((e) => e.event === 'ready', 'ready');
    await app.bus.publish('playbooks.runs.acme', { run: 'run-elsewhere', status: 'running' });
    await app.bus.publish('playbooks.runs.default', {
      run: 'run-1',
      playbook: 'pb-1',
      dryRun: false,
      status: 'waiting',
      error: null,
      at: new Date().toISOString(),
      step: { path: 'steps.0', stepId: 'approve', action: null, status: 'waiting', attempts: 1, error: null },
    });
    const e = await s.next((x) => x.event === 'playbook.run', 'playbook.run');
    expect(e.data).toMatchObject({
      tenant: 'default',
      run: 'run-1',
      status: 'waiting',
      step: { stepId: 'approve' },
    });
    expect(s.events.filter((x) => x.event === 'playbook.run')).toHaveLength(1);
    s.close();
  });

  it('a topics filter narrows the stream', async () => {
    const s = await openStream(`${base}/api/v1/stream?topics=cases`, analyst);
    expect((await s.next((e) => e.event === 'ready', 'ready')).data.topics).toEqual(['cases']);
    s.close();
  });

  it('ATT&CK coverage counts enabled rules and recent alerts per technique, by tactic', async () => {
    const r = await fetch(`${base}/api/v1/attack/coverage`, { headers: bearer(analyst) });
    expect(r.status).toBe(200);
    const cov = (await r.json()) as {
      tactics: Array<{
        shortname: string;
        techniques: Array<{ id: string; rules: number; titles: string[]; alerts: number }>;
      }>;
      totals: { techniques: number; covered: number; rules: number; alerted: number };
      rulesAvailable: boolean;
      alertsAvailable: boolean;
    };
    expect(cov.rulesAvailable).toBe(true);
    expect(cov.tactics).toHaveLength(14);
    expect(cov.tactics[0]!.shortname).toBe('reconnaissance');
    // The built-in pack detects SSH brute force: T1110 under credential access.
    const brute = cov.tactics
      .find((t) => t.shortname === 'credential-access')!
      .techniques.find((t) => t.id === 'T1110')!;
    expect(brute.rules).toBeGreaterThan(0);
    expect(brute.titles.length).toBe(Math.min(20, brute.rules));
    // The SSH failure alert raised earlier in this file is T1110.001: it counts for T1110.
    expect(cov.alertsAvailable).toBe(true);
    expect(brute.alerts).toBeGreaterThanOrEqual(1);
    expect(cov.totals.alerted).toBeGreaterThanOrEqual(1);
    expect(cov.tactics[0]!.techniques.every((t) => t.alerts === 0)).toBe(true);
    expect(cov.totals.covered).toBeGreaterThan(0);
    expect(cov.totals.covered).toBeLessThanOrEqual(cov.totals.techniques);
    const denied = await fetch(`${base}/api/v1/attack/coverage`, { headers: bearer(ingest) });
    expect(denied.status).toBe(403);
  });

  it('validates playbook YAML without saving it, naming the line', async () => {
    const post = (yaml: string) =>
      app.http.inject({
        method: 'POST',
        url: '/api/v1/playbooks/validate',
        headers: { ...bearer(analyst), 'content-type': 'application/json' },
        payload: { yaml },
      });
    const bad = await post(
      'id: x\nname: X\ntriggers: [{ manual: true }]\nsteps:\n  - { id: a, action: log }\n  - { id: b, nope: 1 }\n',
    );
    expect(bad.statusCode).toBe(200);
    const b = bad.json<{ valid: boolean; errors: Array<{ line: number; message: string }> }>();
    expect(b.valid).toBe(false);
    expect(b.errors[0]!.line).toBe(6);
    const good = await post(
      'id: x\nname: X\ntriggers: [{ manual: true }]\nsteps:\n  - { id: a, action: log }\n',
    );
    expect(good.json()).toMatchObject({ valid: true, id: 'x', triggers: ['manual'] });
    const list = await app.http.inject({ method: 'GET', url: '/api/v1/playbooks', headers: bearer(analyst) });
    expect(list.json<{ playbooks: Array<{ id: string }> }>().playbooks.some((p) => p.id === 'x')).toBe(false);
  });

  it('a reader that stops reading gets a bounded queue and then resync, not unbounded memory', async () => {
    // A raw socket that does not read: the kernel buffers fill, then the server's queue, then it overflows.
    const sock = connect(app.ports.http, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(
      `GET /api/v1/stream?topics=cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${analyst}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    let received = '';
    sock.on('data', (b: Buffer) => (received += b.toString('latin1')));
    await new Promise<void>((r) => {
      const check = () => (received.includes('event: ready') ? r() : setTimeout(check, 20));
      check();
    });
    sock.pause();
    const pad = 'x'.repeat(64 * 1024);
    const published = 600;
    // 600 × 64 KiB ≈ 38 MiB: more than loopback socket buffers plus the 256-event queue.
    for (let i = 0; i < published; i++)
      await app.bus.publish('cases.status.default', { caseId: `no-such-case-${i}`, status: 'open', pad });
    sock.resume();
    const waitFor = (text: string) =>
      new Promise<void>((r) => {
        const check = () => (received.includes(text) ? r() : setTimeout(check, 50));
        check();
      });
    await waitFor('event: resync');
    // After the resync the stream flows again: a later update arrives.
    await app.bus.publish('cases.status.default', { caseId: 'final-case', status: 'closed' });
    await waitFor('final-case');
    sock.destroy();
    const statusEvents = received.match(/event: case\.status/g)?.length ?? 0;
    expect(received).toContain('event: resync');
    expect(statusEvents).toBeLessThan(published);
    expect(statusEvents).toBeGreaterThan(0);
  });

  it('checks the credential again at each heartbeat: a revoked token stops receiving', async () => {
    // A server of its own with a short heartbeat, on the same auth, bus and storage.
    const mini = Fastify();
    await mini.register(cookie);
    installAuthorization(mini, app.auth);
    const ctx = { bus: app.bus, storage: app.storage, auth: app.auth } as unknown as ApiContext;
    streamRoutes(mini, ctx, { heartbeatMs: 50, group: 'ui-stream-heartbeat-test' });
    await mini.listen({ port: 0, host: '127.0.0.1' });
    const addr = mini.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const actor = { name: 'test', ip: null };
    const { token, record } = await app.auth.createToken(actor, {
      name: 'short-lived',
      role: 'analyst',
      tenant: 'default',
    });
    const s = await openStream(`http://127.0.0.1:${port}/api/v1/stream`, token);
    await s.next((e) => e.event === 'ready', 'ready');
    await app.auth.revokeToken(actor, record.id);
    const end = await s.next((e) => e.event === 'end', 'end');
    expect(end.data.reason).toBe('session ended');
    await mini.close();
  });

  it('ends open streams when the server shuts down', async () => {
    const s = await openStream(`${base}/api/v1/stream`, analyst);
    await s.next((e) => e.event === 'ready', 'ready');
    await app.close();
    await s.next((e) => e.event === 'end', 'end');
    expect(s.events.find((e) => e.event === 'end')!.data.reason).toBe('server shutting down');
  });
});
