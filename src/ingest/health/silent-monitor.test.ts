import { describe, expect, it } from 'vitest';
import type { Bus } from '../../bus/ports.js';
import { SilentSourceMonitor, type SourceDetection } from './silent-monitor.js';
import { SourceHealth } from './source-health.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const MIN = 60_000;

function fakeBus(failFirst = 0) {
  const published: Array<{ subject: string; data: SourceDetection }> = [];
  let failures = failFirst;
  const bus: Bus = {
    publish: async <T>(subject: string, data: T) => {
      if (failures-- > 0) throw new Error('bus down');
      published.push({ subject, data: data as SourceDetection });
    },
    consume: async () => ({ stop: async () => undefined }),
    close: async () => undefined,
  };
  return { bus, published };
}

function setup(failFirst = 0) {
  let now = T0;
  const health = new SourceHealth({ now: () => now });
  health.register({ input: 'syslog-udp', tenant: 'acme', silentAfterMinutes: 10 });
  const { bus, published } = fakeBus(failFirst);
  const monitor = new SilentSourceMonitor(health, bus);
  const send = (host: string) => health.record('syslog-udp', host, { received: 1, parsed: 1, failed: 0 }, now);
  const advance = (minutes: number) => (now += minutes * MIN);
  return { health, monitor, published, send, advance, now: () => now };
}

describe('SilentSourceMonitor', () => {
  it('reports nothing for an input that never sent', async () => {
    const s = setup();
    s.advance(120);
    expect(await s.monitor.check()).toEqual([]);
  });

  it('publishes one silent_source when a host stays quiet past the threshold, then one source_resumed', async () => {
    const s = setup();
    s.send('10.1.1.1');
    s.advance(10);
    expect(await s.monitor.check()).toEqual([]); // exactly at the threshold: not yet
    s.advance(1);
    const [silent] = await s.monitor.check();
    expect(silent).toMatchObject({
      kind: 'silent_source', ruleId: 'vigil-silent-source', title: 'Source went silent', level: 'medium',
      tenant: 'acme', input: 'syslog-udp', host: '10.1.1.1', lastSeen: new Date(T0).toISOString(), silentForSeconds: 11 * 60,
      detectedAt: new Date(T0 + 11 * MIN).toISOString(),
    });
    expect(s.published.map((p) => p.subject)).toEqual(['detections.acme']);

    for (let i = 0; i < 5; i++) {
      s.advance(30);
      expect(await s.monitor.check()).toEqual([]); // still silent: no repeat
    }

    s.send('10.1.1.1');
    const [resumed] = await s.monitor.check();
    expect(resumed).toMatchObject({ kind: 'source_resumed', level: 'informational', host: '10.1.1.1', lastSeen: new Date(T0).toISOString() });
    expect(resumed!.silentForSeconds).toBe((s.now() - T0) / 1000);
    expect(await s.monitor.check()).toEqual([]);

    // A second silence is a new episode and is reported again.
    s.advance(11);
    expect((await s.monitor.check()).map((d) => d.kind)).toEqual(['silent_source']);
    expect(s.published).toHaveLength(3);
  });

  it('only reports the hosts that went quiet', async () => {
    const s = setup();
    s.send('quiet');
    s.send('chatty');
    for (let m = 0; m < 15; m++) {
      s.advance(1);
      s.send('chatty');
      await s.monitor.check();
    }
    expect(s.published.map((p) => [p.data.kind, p.data.host])).toEqual([['silent_source', 'quiet']]);
  });

  it('reports resumed and silent again when both happened between two checks', async () => {
    const s = setup();
    s.send('h');
    s.advance(11);
    await s.monitor.check();
    s.send('h');
    s.advance(11);
    expect((await s.monitor.check()).map((d) => d.kind)).toEqual(['source_resumed', 'silent_source']);
    expect(await s.monitor.check()).toEqual([]);
  });

  it('retries a detection the bus refused on the next check', async () => {
    const s = setup(1);
    s.send('h');
    s.advance(11);
    expect(await s.monitor.check()).toEqual([]);
    expect((await s.monitor.check()).map((d) => d.kind)).toEqual(['silent_source']);
    expect(await s.monitor.check()).toEqual([]);
  });

  it('checks every 60 s by default, sooner when a threshold is shorter', () => {
    const s = setup();
    expect(s.monitor.intervalMs()).toBe(60_000);
    s.health.register({ input: 'fast', tenant: 'acme', silentAfterMinutes: 0.01 });
    expect(s.monitor.intervalMs()).toBe(300);
    expect(new SilentSourceMonitor(s.health, fakeBus().bus, { intervalMs: 5000 }).intervalMs()).toBe(5000);
  });

  it('start is idempotent and stop clears the timer', async () => {
    const s = setup();
    s.monitor.start();
    s.monitor.start();
    await s.monitor.stop();
    await s.monitor.stop();
    s.send('h');
    s.advance(11);
    expect(await s.monitor.check()).toHaveLength(1);
  });
});
