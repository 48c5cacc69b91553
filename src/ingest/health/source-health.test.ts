import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../metrics/registry.js';
import { countItems, SourceHealth } from './source-health.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const MIN = 60_000;

describe('SourceHealth', () => {
  it('lists a registered input that never sent as `never`', () => {
    const h = new SourceHealth({ now: () => T0 });
    h.register({ input: 'syslog-udp', tenant: 'acme', silentAfterMinutes: 5 });
    const [inp] = h.snapshot();
    expect(inp).toMatchObject({ input: 'syslog-udp', tenant: 'acme', state: 'never', lastSeen: null, received: 0, hosts: [] });
  });

  it('sums counts per host and keeps first and last seen', () => {
    const h = new SourceHealth({ now: () => T0 + 3 * MIN });
    h.register({ input: 'syslog-tcp', tenant: 'default', silentAfterMinutes: 10 });
    h.record('syslog-tcp', '10.0.0.1', { received: 3, parsed: 2, failed: 1 }, T0);
    h.record('syslog-tcp', '10.0.0.1', { received: 1, parsed: 1, failed: 0 }, T0 + 2 * MIN);
    h.record('syslog-tcp', '10.0.0.2', { received: 5, parsed: 5, failed: 0 }, T0 + MIN);
    const [inp] = h.snapshot();
    expect(inp).toMatchObject({ state: 'active', received: 9, parsed: 8, failed: 1, hostCount: 2, lastSeen: new Date(T0 + 2 * MIN).toISOString() });
    const one = inp!.hosts.find((x) => x.host === '10.0.0.1');
    expect(one).toMatchObject({ received: 4, parsed: 3, failed: 1, firstSeen: new Date(T0).toISOString(), lastSeen: new Date(T0 + 2 * MIN).toISOString(), state: 'active' });
    // Most recently seen first.
    expect(inp!.hosts.map((x) => x.host)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('marks hosts and inputs silent once quiet longer than the threshold', () => {
    const h = new SourceHealth();
    h.register({ input: 'netflow', tenant: 'default', silentAfterMinutes: 5 });
    h.record('netflow', 'a', { received: 1, parsed: 1, failed: 0 }, T0);
    h.record('netflow', 'b', { received: 1, parsed: 1, failed: 0 }, T0 + 4 * MIN);
    const at = (m: number) => h.snapshot(T0 + m * MIN)[0]!;
    expect(at(5).state).toBe('active');
    expect(at(6).hosts.find((x) => x.host === 'a')!.state).toBe('silent');
    expect(at(6).state).toBe('active'); // b still within its window
    expect(at(9.5).state).toBe('silent');
  });

  it('keeps at most maxHostsPerInput hosts, evicting the least recently seen', () => {
    const h = new SourceHealth({ maxHostsPerInput: 3 });
    for (const [i, host] of ['a', 'b', 'c'].entries()) h.record('in', host, { received: 1, parsed: 1, failed: 0 }, T0 + i);
    h.record('in', 'a', { received: 1, parsed: 1, failed: 0 }, T0 + 10); // a is now the most recent; b the oldest
    h.record('in', 'd', { received: 1, parsed: 1, failed: 0 }, T0 + 11);
    h.record('in', 'e', { received: 1, parsed: 1, failed: 0 }, T0 + 12);
    const [inp] = h.snapshot(T0 + 20);
    expect(inp!.hosts.map((x) => x.host).sort()).toEqual(['a', 'd', 'e']);
    expect(inp!.evictedHosts).toBe(2);
    expect(inp!.hostCount).toBe(3);
  });

  it('creates unregistered inputs on first record, with a per-call tenant kept apart', () => {
    const h = new SourceHealth({ defaultSilentAfterMinutes: 30 });
    h.record('http', '192.0.2.1', { received: 2, parsed: 2, failed: 0 }, T0, 'acme');
    h.record('http', '192.0.2.1', { received: 1, parsed: 0, failed: 1 }, T0, 'globex');
    const [inp] = h.snapshot(T0);
    expect(inp!.silentAfterMinutes).toBe(30);
    expect(inp!.hosts.map((x) => [x.tenant, x.received]).sort()).toEqual([['acme', 2], ['globex', 1]]);
  });

  it('exposes vigil_source_last_seen_seconds per input', () => {
    const registry = new MetricsRegistry();
    const h = new SourceHealth({ registry });
    h.register({ input: 'syslog-udp', tenant: 'default', silentAfterMinutes: 5 });
    h.record('syslog-udp', 'x', { received: 1, parsed: 1, failed: 0 }, T0);
    expect(registry.render()).toContain(`vigil_source_last_seen_seconds{input="syslog-udp"} ${T0 / 1000}`);
  });

  it('countItems splits a batch into parsed and failed', () => {
    expect(countItems([{ ok: true }, { ok: false }, { ok: true }])).toEqual({ received: 3, parsed: 2, failed: 1 });
  });
});
