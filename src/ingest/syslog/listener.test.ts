import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { startTestApp } from '../../test-support/app.js';

const haveLogger = spawnSync('logger', ['--help']).status === 0;
if (!haveLogger && process.env.VIGIL_REQUIRE_SERVICES) throw new Error('util-linux logger is required (VIGIL_REQUIRE_SERVICES is set)');
if (!haveLogger) console.warn('skipping syslog real-client tests: util-linux `logger` is not installed');

async function until<T>(f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!haveLogger)('syslog listeners with the real logger client', () => {
  let app: VigilApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app.close());

  const find = (word: string) =>
    until(async () => {
      const r = await app.storage.events.search({ tenants: ['default'], text: [word], limit: 10 });
      return r.total > 0 ? r.events : undefined;
    });

  const send = (args: string[], msg: string) =>
    execFileSync('logger', ['-n', '127.0.0.1', '-P', String(app.ports.syslog), '-t', 'vigiltest', '-p', 'auth.warning', ...args, msg]);

  for (const [name, args] of [
    ['udp rfc5424', ['-d', '--rfc5424']],
    ['udp rfc3164', ['-d', '--rfc3164']],
    ['tcp rfc5424 lf framing', ['-T', '--rfc5424']],
    ['tcp rfc5424 octet counting', ['-T', '--rfc5424', '--octet-count']],
    ['tcp rfc3164', ['-T', '--rfc3164']],
  ] as const) {
    it(`stores what logger sends over ${name}`, async () => {
      const word = `w${Math.random().toString(36).slice(2)}`;
      send([...args], `hello ${word} from logger`);
      const [ev] = await find(word);
      expect(ev!.message).toContain(`hello ${word} from logger`);
      expect(ev!.process).toMatchObject({ name: 'vigiltest' });
      expect(ev!.log).toMatchObject({ syslog: { facility: { code: 4 }, severity: { code: 4 } } });
      expect(String(ev!.event.original)).toContain(word);
      expect(ev!.organization.id).toBe('default');
    });
  }

  it('keeps structured data from RFC 5424', async () => {
    const word = `sd${Math.random().toString(36).slice(2)}`;
    send(['-T', '--rfc5424', '--sd-id', 'vigil@32473', '--sd-param', 'case="42"', '--msgid', 'MSG7'], `structured ${word}`);
    const [ev] = await find(word);
    expect(ev!.log).toMatchObject({ syslog: { msgid: 'MSG7', structured_data: { 'vigil@32473': { case: '42' } } } });
  });

  it('dead-letters an oversize TCP frame and keeps the connection usable', async () => {
    const word = `after${Math.random().toString(36).slice(2)}`;
    const sock = net.connect(app.ports.syslog!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const huge = 'x'.repeat(app.config.syslog.maxMessageBytes + 10);
    sock.write(`<13>Nov 28 10:00:00 host app: ${huge}\n<13>Nov 28 10:00:01 host app: ${word}\n`);
    sock.end();
    await find(word);
    const dl = await until(async () => {
      const l = await app.storage.deadLetters.list(['default'], { limit: 10, input: 'syslog-tcp' });
      return l.length > 0 ? l : undefined;
    });
    expect(dl[0]!.reason).toMatch(/oversize frame/);
  });

  it('stores every message sent over one TCP connection before it closes', async () => {
    const word = `bulk${Math.random().toString(36).slice(2)}`;
    const n = 5000;
    const sock = net.connect(app.ports.syslog!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let body = '';
    for (let i = 0; i < n; i++) body += `<134>1 2026-11-28T10:00:00.${String(i % 1000).padStart(3, '0')}Z web-1 nginx 12 - - ${word} request ${i}\n`;
    sock.end(body);
    await until(async () => {
      const r = await app.storage.events.search({ tenants: ['default'], text: [word], limit: 1 });
      return r.total === n ? r : undefined;
    }, 30_000);
  });
});
