import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import type { NotificationChannelConfig } from '../config/schema.js';
import { Counter } from '../metrics/registry.js';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqliteNotificationOutbox } from '../store/sqlite/notifications.js';
import { backoffMs, channelsFor, NotificationDispatcher } from './dispatcher.js';
import type { Notification } from './ports.js';
import { verifyWebhook } from './signature.js';

const log = pino({ level: 'silent' });

function note(over: Partial<Notification> = {}): Notification {
  return {
    id: `alert-1:created`,
    kind: 'alert.created',
    tenant: 'default',
    severity: 'high',
    title: 'SSH brute force from 203.0.113.7',
    subject: { type: 'alert', id: 'alert-1' },
    assignee: null,
    at: '2026-11-28T10:00:00.000Z',
    details: { rule: 'vigil-ssh-bruteforce', host: 'bastion' },
    ...over,
  };
}

const base = {
  on: [
    'alert.created',
    'alert.assigned',
    'case.assigned',
    'case.sla_breached',
  ] as NotificationChannelConfig['on'],
  minSeverity: 'high' as const,
};

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver that answers the statuses it is told to, in order, then 200. */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function until(f: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('notification routing', () => {
  const channels: NotificationChannelConfig[] = [
    { ...base, id: 'pager', type: 'webhook', url: 'http://x.invalid/', minSeverity: 'critical' },
    { ...base, id: 'soc', type: 'slack', url: 'http://x.invalid/', tenants: ['acme'] },
    { ...base, id: 'sla', type: 'teams', url: 'http://x.invalid/', on: ['case.sla_breached'] },
  ];
  it('honours severity floors for new alerts, tenant lists and event kinds', () => {
    expect(channelsFor(note({ severity: 'high' }), channels)).toEqual([]);
    expect(channelsFor(note({ severity: 'critical' }), channels)).toEqual(['pager']);
    expect(channelsFor(note({ severity: 'high', tenant: 'acme' }), channels)).toEqual(['soc']);
    // Assignments go out whatever the severity.
    expect(channelsFor(note({ kind: 'alert.assigned', severity: 'low' }), channels)).toEqual(['pager']);
    expect(channelsFor(note({ kind: 'case.sla_breached', severity: 'low' }), channels)).toEqual([
      'pager',
      'sla',
    ]);
  });

  it('backs off exponentially with jitter and a ceiling', () => {
    expect(backoffMs(1, () => 0.5)).toBe(5000);
    expect(backoffMs(3, () => 0.5)).toBe(20_000);
    expect(backoffMs(30, () => 0.5)).toBe(3_600_000);
    expect(backoffMs(2, () => 0)).toBe(8000);
  });
});

describe('notification dispatcher (real SQLite outbox, real bus, real receivers)', () => {
  let dir: string;
  let db: Db;
  let outbox: SqliteNotificationOutbox;
  let bus: MemoryBus;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-notify-'));
    db = openDatabase(path.join(dir, 'vigil.db'));
    outbox = new SqliteNotificationOutbox(db);
    bus = new MemoryBus();
  });
  afterEach(async () => {
    await bus.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs webhooks, formats Slack and Teams messages, and delivers a redelivered notification once', async () => {
    const hook = await receiver();
    const slack = await receiver();
    const teams = await receiver();
    const secret = 'webhook-secret-0123456789';
    const counter = new Counter('n', 'n');
    const d = new NotificationDispatcher({
      bus,
      outbox,
      log,
      counter,
      ratePerMinute: 100,
      maxAttempts: 3,
      pumpMs: 50,
      channels: [
        { ...base, id: 'hook', type: 'webhook', url: hook.url, secret },
        { ...base, id: 'slack', type: 'slack', url: slack.url },
        { ...base, id: 'teams', type: 'teams', url: teams.url },
      ],
    });
    await d.start();
    await bus.publish('notifications.default', note());
    await bus.publish('notifications.default', note());
    await until(() => hook.got.length + slack.got.length + teams.got.length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    await d.stop();

    expect(hook.got).toHaveLength(1);
    const h = hook.got[0]!;
    const ts = Number(h.headers['x-vigil-timestamp']);
    expect(
      verifyWebhook(
        secret,
        ts,
        h.body,
        String(h.headers['x-vigil-signature']),
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(true);
    expect(JSON.parse(h.body)).toMatchObject({
      type: 'alert.created',
      notification: { subject: { id: 'alert-1' } },
    });
    expect(JSON.parse(slack.got[0]!.body).text).toContain(
      '[Vigil HIGH] New alert: SSH brute force from 203.0.113.7',
    );
    expect(JSON.parse(teams.got[0]!.body)).toMatchObject({ '@type': 'MessageCard', themeColor: 'E67E22' });
    expect(counter.get({ channel: 'hook', status: 'sent' })).toBe(1);
    const rows = await outbox.list(['default'], { limit: 10 });
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    await Promise.all([hook.close(), slack.close(), teams.close()]);
  });

  it('retries a failing receiver with backoff, then gives up after maxAttempts and records why', async () => {
    const hook = await receiver([500, 503, 502, 500]);
    let now = new Date('2026-11-28T10:00:00Z');
    const d = new NotificationDispatcher({
      bus,
      outbox,
      log,
      ratePerMinute: 100,
      maxAttempts: 3,
      pumpMs: 1_000_000,
      now: () => now,
      channels: [{ ...base, id: 'hook', type: 'webhook', url: hook.url }],
    });
    await d.start();
    await bus.publish('notifications.default', note());
    await until(async () => (await outbox.list(['default'], { limit: 1 }))[0]?.attempts === 1);
    let [row] = await outbox.list(['default'], { limit: 1 });
    expect(row).toMatchObject({ status: 'pending', lastError: expect.stringContaining('HTTP 500') });
    // Not due yet: a pump now sends nothing.
    await d.kick();
    expect(hook.got).toHaveLength(1);
    now = new Date(now.getTime() + 10_000);
    await d.kick();
    now = new Date(now.getTime() + 3_600_000);
    await d.kick();
    [row] = await outbox.list(['default'], { limit: 1 });
    expect(hook.got).toHaveLength(3);
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: expect.stringContaining('HTTP 502'),
    });
    await d.stop();
    await hook.close();
  });

  it('rate-limits per channel: the excess waits in the outbox instead of being sent or lost', async () => {
    const hook = await receiver();
    const now = new Date('2026-11-28T10:00:00Z');
    const d = new NotificationDispatcher({
      bus,
      outbox,
      log,
      ratePerMinute: 2,
      maxAttempts: 3,
      pumpMs: 1_000_000,
      now: () => now,
      channels: [{ ...base, id: 'hook', type: 'webhook', url: hook.url }],
    });
    for (let i = 0; i < 5; i++) await outbox.enqueue(note({ id: `a${i}` }), ['hook'], now);
    await d.kick();
    expect(hook.got).toHaveLength(2);
    const pending = await outbox.list(['default'], { limit: 10, status: 'pending' });
    expect(pending).toHaveLength(3);
    expect(pending.every((p) => Date.parse(p.nextAttemptAt) > now.getTime() && p.attempts === 0)).toBe(true);
    await d.stop();
    await hook.close();
  });

  it('ignores a notification of the wrong shape without stopping', async () => {
    const hook = await receiver();
    const d = new NotificationDispatcher({
      bus,
      outbox,
      log,
      ratePerMinute: 100,
      maxAttempts: 3,
      pumpMs: 50,
      channels: [{ ...base, id: 'hook', type: 'webhook', url: hook.url }],
    });
    await d.start();
    await bus.publish('notifications.default', { kind: 'nonsense' });
    await bus.publish('notifications.default', note({ id: 'good' }));
    await until(() => hook.got.length === 1);
    await d.stop();
    await hook.close();
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A real SMTP server: Python's smtpd DebuggingServer prints every message it receives. */
describe('email over SMTP to a real local sink', () => {
  let sink: ChildProcess | undefined;
  let out = '';
  afterAll(() => sink?.kill());

  it('sends the alert as a mail the sink receives', async () => {
    const port = await freePort();
    sink = spawn(
      'python3',
      ['-W', 'ignore', '-u', '-m', 'smtpd', '-n', '-c', 'DebuggingServer', `127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    sink.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    sink.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    await until(async () => {
      const s = net.connect(port, '127.0.0.1');
      return new Promise<boolean>((r) => {
        s.once('connect', () => (s.destroy(), r(true)));
        s.once('error', () => r(false));
      });
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-smtp-'));
    const db = openDatabase(path.join(dir, 'vigil.db'));
    const bus = new MemoryBus();
    const outbox = new SqliteNotificationOutbox(db);
    const d = new NotificationDispatcher({
      bus,
      outbox,
      log,
      ratePerMinute: 100,
      maxAttempts: 3,
      pumpMs: 50,
      channels: [
        {
          ...base,
          id: 'mail',
          type: 'email',
          smtp: { host: '127.0.0.1', port, secure: false },
          from: 'vigil@example.org',
          to: ['soc@example.org'],
        },
      ],
    });
    await d.start();
    await bus.publish(
      'notifications.default',
      note({ kind: 'alert.assigned', assignee: 'alice', severity: 'medium' }),
    );
    await until(() => out.includes('X-Vigil-Delivery'), 15_000);
    await d.stop();
    expect(out).toContain('Subject: [Vigil MEDIUM] Alert assigned: SSH brute force');
    expect(out).toContain('-> alice');
    expect(out).toContain('soc@example.org');
    expect((await outbox.list(['default'], { limit: 1 }))[0]?.status).toBe('sent');
    await bus.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
