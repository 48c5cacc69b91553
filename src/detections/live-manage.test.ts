import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { loadRulesFromText } from '../detect/sigma/loader.js';
import { MetricsRegistry } from '../metrics/registry.js';
import type { VigilEvent } from '../schema/ecs.js';
import { LiveDetection } from './live.js';
import { RulePolicy } from './policy.js';
import type { BuiltRuleSet } from './rule-set.js';

const RULE = `title: failed logon
id: aaaaaaaa-0000-4000-8000-000000000001
name: failed_logon
logsource:
  product: windows
  service: security
detection:
  sel:
    EventID: 4625
  condition: sel
level: low
`;
const corr = (gte: number) => `title: brute
id: bbbbbbbb-0000-4000-8000-000000000001
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 10m
  condition:
    gte: ${gte}
  generate: true
level: high
`;

function built(text: string): BuiltRuleSet {
  const loaded = loadRulesFromText(text, 'r.yml');
  if (loaded.rejected.length) throw new Error(JSON.stringify(loaded.rejected));
  return { loaded, missing: [], origin: new Map() };
}

let n = 0;
const event = (tenant: string, second: number, user = 'bob', host = 'dc1'): VigilEvent =>
  ({
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    event: { id: `e${n++}` },
    organization: { id: tenant },
    host: { name: host },
    winlog: { channel: 'Security', event_id: 4625, event_data: { TargetUserName: user } },
    Channel: 'Security',
    EventID: 4625,
    TargetUserName: user,
  }) as unknown as VigilEvent;

const log = pino({ level: 'silent' });

describe('LiveDetection rule management', () => {
  it('a reload keeps the state of unchanged correlations and drops that of changed ones', () => {
    const bus = new MemoryBus();
    const live = new LiveDetection(bus, built(`${RULE}---\n${corr(3)}`), log);
    live.evaluate([event('t', 1), event('t', 2)]);
    expect(live.correlationGroups).toBe(1);
    live.swap(built(`${RULE}---\n${corr(3)}`));
    const fired = live.evaluate([event('t', 3)]).filter((d) => d.kind === 'correlation');
    expect(fired).toHaveLength(1);

    live.evaluate([event('t', 4, 'eve'), event('t', 5, 'eve')]);
    live.swap(built(`${RULE}---\n${corr(2)}`));
    expect(live.correlationGroups).toBe(0);
    // Under the new definition two events fire; the two before the reload no longer count.
    expect(live.evaluate([event('t', 6, 'eve')]).filter((d) => d.kind === 'correlation')).toHaveLength(0);
    expect(live.evaluate([event('t', 7, 'eve')]).filter((d) => d.kind === 'correlation')).toHaveLength(1);
  });

  it('applies per-tenant disable and exceptions, counts suppressions, and feeds correlations only what is kept', () => {
    const registry = new MetricsRegistry();
    const suppressed = registry.counter('s', 's');
    const late = registry.counter('l', 'l');
    const live = new LiveDetection(new MemoryBus(), built(`${RULE}---\n${corr(2)}`), log, {
      counters: { suppressed, late },
      latenessMs: 60_000,
    });
    const ruleId = 'aaaaaaaa-0000-4000-8000-000000000001';
    live.setPolicy(
      new RulePolicy(
        [{ ruleId, tenant: 'off', enabled: false, updatedBy: 'a', updatedAt: 't' }],
        [
          {
            id: 'x',
            tenant: 'quiet',
            ruleId,
            match: [{ field: 'host.name', value: 'DC1' }],
            reason: 'r',
            createdBy: 'a',
            createdAt: 't',
            expiresAt: null,
          },
        ],
      ),
    );
    expect(live.evaluate([event('on', 1), event('on', 2)]).map((d) => d.kind)).toEqual([
      'sigma',
      'sigma',
      'correlation',
    ]);
    expect(live.evaluate([event('off', 1), event('off', 2)])).toEqual([]);
    expect(
      live
        .evaluate([event('quiet', 1), event('quiet', 2), event('quiet', 3, 'bob', 'dc2')])
        .map((d) => d.kind),
    ).toEqual(['sigma']);
    expect(suppressed.get({ kind: 'sigma' })).toBe(2);
    // Event time: a match more than the lateness bound behind the newest one is not correlated.
    live.evaluate([event('on', 600, 'zed'), event('on', 100, 'zed')]);
    expect(late.get()).toBe(1);
  });

  it('snapshots correlation state per tenant and restores it into a new instance', () => {
    const a = new LiveDetection(new MemoryBus(), built(`${RULE}---\n${corr(3)}`), log);
    a.evaluate([event('t1', 1), event('t1', 2)]);
    a.evaluate([event('t2', 1)]);
    expect(a.dirty).toBe(true);
    const snap = a.snapshot();
    expect(a.dirty).toBe(false);
    expect(snap.map((s) => s.tenant)).toEqual(['t1', 't2']);
    const b = new LiveDetection(new MemoryBus(), built(`${RULE}---\n${corr(3)}`), log);
    expect(b.restore(snap)).toBe(2);
    expect(b.evaluate([event('t1', 3)]).filter((d) => d.kind === 'correlation')).toHaveLength(1);
    expect(b.evaluate([event('t2', 3)]).filter((d) => d.kind === 'correlation')).toHaveLength(0);
  });
});
