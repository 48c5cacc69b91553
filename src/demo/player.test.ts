/**
 * The player and the sink against a real Vigil (SQLite in a temp dir, real sockets): records sent
 * over syslog UDP/TCP, `_bulk` and `/api/v1/events` are stored; refusals are reported, not hidden;
 * a stop signal ends playback before the next step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../app.js';
import { ADMIN_PASSWORD, bearer, startTestApp, tokenFor } from '../test-support/app.js';
import { playOnce } from './player.js';
import type { Scenario, Step } from './scenario.js';
import { ListenerSink, httpBase, localAddress } from './transport.js';

function scenario(name: string, steps: (start: number) => Step[]): Scenario {
  return {
    name,
    title: name,
    techniques: [],
    detectedBy: [],
    attack: ({ start }) => steps(start),
    benign: () => [],
  };
}

describe('demo player', () => {
  let app: VigilApp;
  let analyst: string;
  let ingest: string;
  const lines: string[] = [];
  beforeAll(async () => {
    app = await startTestApp();
    analyst = await tokenFor(app, 'analyst');
    ingest = await tokenFor(app, 'ingest');
  });
  afterAll(async () => app.close());

  const sink = (protocol: 'tcp' | 'udp', withSyslog = true) =>
    new ListenerSink({
      httpBase: httpBase('127.0.0.1', app.ports.http),
      token: ingest,
      syslog: withSyslog ? { host: '127.0.0.1', port: app.ports.syslog!, protocol } : undefined,
    });

  async function count(q: string): Promise<number> {
    const r = await app.http.inject({
      method: 'GET',
      url: `/api/v1/events/search?q=${encodeURIComponent(q)}`,
      headers: bearer(analyst),
    });
    return (r.json() as { total: number }).total;
  }

  async function eventually(q: string, n: number): Promise<void> {
    const end = Date.now() + 10_000;
    while ((await count(q)) < n) {
      if (Date.now() > end) throw new Error(`${q}: fewer than ${n} events`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  for (const protocol of ['tcp', 'udp'] as const) {
    it(`delivers syslog over ${protocol}, _bulk and /api/v1/events`, async () => {
      const marker = `m${protocol}${Date.now()}`;
      const s = scenario('mixed', (start) => [
        {
          at: 0,
          what: 'syslog',
          delivery: {
            via: 'syslog',
            lines: [`<38>Nov 28 10:00:00 host-${marker} sshd[1]: Connection closed by 10.0.0.1 port 22`],
          },
        },
        {
          at: 50,
          what: 'bulk',
          delivery: {
            via: 'bulk',
            index: 'logs-winlogbeat-default',
            docs: [
              {
                '@timestamp': new Date(start).toISOString(),
                winlog: {
                  channel: 'Security',
                  event_id: '4624',
                  computer_name: `bulk-${marker}`,
                  event_data: { LogonType: '3' },
                },
              },
            ],
          },
        },
        {
          at: 100,
          what: '',
          delivery: {
            via: 'events',
            docs: [{ '@timestamp': new Date(start).toISOString(), message: `event-${marker}` }],
          },
        },
      ]);
      const r = await playOnce([s], {
        sink: sink(protocol),
        print: (l) => lines.push(l),
        syslogTimeZone: 'UTC',
      });
      expect(r).toEqual({ records: 3, failures: 0 });
      await eventually(`host-${marker}`, 1);
      await eventually(`event-${marker}`, 1);
      await eventually(`winlog.computer_name:bulk-${marker}`, 1);
      expect(lines).toContain('demo: [mixed] syslog');
    });
  }

  it('reports a refused record instead of hiding it, and goes on with the next step', async () => {
    const printed: string[] = [];
    const s = scenario('refused', () => [
      {
        at: 0,
        what: 'bad',
        delivery: { via: 'events', docs: [{ '@timestamp': 'not a time at all', message: 'x' }] },
      },
      {
        at: 10,
        what: 'good',
        delivery: { via: 'events', docs: [{ message: `after-refusal-${Date.now()}` }] },
      },
    ]);
    const r = await playOnce([s], {
      sink: sink('tcp'),
      print: (l) => printed.push(l),
      syslogTimeZone: 'UTC',
    });
    expect(r).toEqual({ records: 1, failures: 1 });
    // A batch refused whole is a 400 whose reason names the field.
    expect(printed).toContainEqual(
      expect.stringMatching(
        /^demo: \[refused\] could not send a step: \/api\/v1\/events answered 400: .*@timestamp: not a valid time/,
      ),
    );
  });

  it('skips scenarios that need syslog when the syslog input is off', async () => {
    const printed: string[] = [];
    const s = scenario('needs-syslog', () => [
      { at: 0, what: 'x', delivery: { via: 'syslog', lines: ['<38>hello'] } },
    ]);
    const r = await playOnce([s], {
      sink: sink('tcp', false),
      print: (l) => printed.push(l),
      syslogTimeZone: 'UTC',
    });
    expect(r).toEqual({ records: 0, failures: 0 });
    expect(printed).toEqual(['demo: [needs-syslog] skipped: it needs the syslog input, which is disabled']);
  });

  it('stops before the next step when the signal aborts', async () => {
    const stop = new AbortController();
    const n = Date.now();
    const s = scenario('stopped', () => [
      { at: 0, what: 'first', delivery: { via: 'events', docs: [{ message: `first${n}` }] } },
      { at: 5_000, what: 'never', delivery: { via: 'events', docs: [{ message: `never${n}` }] } },
    ]);
    const began = Date.now();
    setTimeout(() => stop.abort(), 300);
    const r = await playOnce([s], {
      sink: sink('tcp'),
      print: () => undefined,
      syslogTimeZone: 'UTC',
      signal: stop.signal,
    });
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(r.records).toBe(1);
    expect(await count(`first${n}`)).toBe(1);
    expect(await count(`never${n}`)).toBe(0);
  });

  it('connects to loopback when a listener is bound to every interface', () => {
    expect(localAddress('0.0.0.0')).toBe('127.0.0.1');
    expect(localAddress('::')).toBe('::1');
    expect(localAddress('10.1.2.3')).toBe('10.1.2.3');
    expect(httpBase('::', 8080)).toBe('http://[::1]:8080');
    expect(ADMIN_PASSWORD.length).toBeGreaterThan(0);
  });
});
