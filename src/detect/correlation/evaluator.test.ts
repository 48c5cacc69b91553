import { describe, expect, it } from 'vitest';
import { loadRulesFromText } from '../sigma/loader.js';
import { CorrelationEngine, type CorrelationInput } from './evaluator.js';

const BASE = `title: failed logon
id: aaaaaaaa-0000-4000-8000-000000000001
name: failed_logon
logsource:
  product: windows
  service: security
detection:
  sel:
    EventID: 4625
  condition: sel
---
title: success logon
id: aaaaaaaa-0000-4000-8000-000000000002
name: success_logon
logsource:
  product: windows
  service: security
detection:
  sel:
    EventID: 4624
  condition: sel
`;

function setup(correlation: string, opts = {}): CorrelationEngine {
  const r = loadRulesFromText(`${BASE}---\n${correlation}`, 'c.yml');
  if (r.rejected.length) throw new Error(JSON.stringify(r.rejected));
  return new CorrelationEngine(r.correlations, r.rules, opts);
}

const at = (s: number): string => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
const fail = (s: number, user: string, extra: Record<string, unknown> = {}): CorrelationInput => ({
  ruleId: 'aaaaaaaa-0000-4000-8000-000000000001',
  event: { '@timestamp': at(s), Channel: 'Security', EventID: 4625, TargetUserName: user, ...extra },
});
const success = (s: number, user: string): CorrelationInput => ({
  ruleId: 'aaaaaaaa-0000-4000-8000-000000000002',
  event: { '@timestamp': at(s), Channel: 'Security', EventID: 4624, TargetUserName: user },
});

const EVENT_COUNT = `title: brute force
id: bbbbbbbb-0000-4000-8000-000000000001
name: brute
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 1m
  condition:
    gte: 3
level: high
`;

describe('correlations', () => {
  it('event_count fires per group when the count is reached inside the timespan', () => {
    const c = setup(EVENT_COUNT);
    expect(c.process([fail(0, 'bob'), fail(10, 'alice'), fail(20, 'bob')])).toEqual([]);
    const out = c.process([fail(30, 'bob')]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      correlationId: 'bbbbbbbb-0000-4000-8000-000000000001',
      group: { TargetUserName: 'bob' },
      value: 3,
      level: 'high',
    });
    // three failures spread over more than a minute do not fire
    const d = setup(EVENT_COUNT);
    expect(d.process([fail(0, 'x'), fail(40, 'x'), fail(100, 'x')])).toEqual([]);
  });

  it('value_count counts distinct values', () => {
    const c = setup(`title: spray
id: bbbbbbbb-0000-4000-8000-000000000002
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 5m
  condition:
    field: TargetUserName
    gte: 3
`);
    const ip = { IpAddress: '10.0.0.9' };
    expect(c.process([fail(0, 'a', ip), fail(1, 'a', ip), fail(2, 'b', ip)])).toEqual([]);
    expect(c.process([fail(3, 'c', ip)])).toMatchObject([{ value: 3, group: { IpAddress: '10.0.0.9' } }]);
  });

  it('temporal_ordered needs the rules in order; aliases map group fields per rule', () => {
    const c = setup(`title: fail then success
id: bbbbbbbb-0000-4000-8000-000000000003
correlation:
  type: temporal_ordered
  rules: [failed_logon, success_logon]
  group-by: [user]
  aliases:
    user:
      failed_logon: TargetUserName
      success_logon: TargetUserName
  timespan: 1m
`);
    expect(c.process([success(0, 'bob'), fail(5, 'bob')])).toEqual([]);
    expect(c.process([success(10, 'bob')])).toMatchObject([
      { group: { user: 'bob' }, ruleIds: ['failed_logon', 'success_logon'] },
    ]);
  });

  it('keeps a bounded number of occurrences per rule in a temporal group, and still fires', () => {
    const c = setup(`title: fail then success
id: bbbbbbbb-0000-4000-8000-000000000005
correlation:
  type: temporal_ordered
  rules: [failed_logon, success_logon]
  group-by: [TargetUserName]
  timespan: 10m
`);
    // A building block that fires all day within one window: its group must not grow with it.
    for (let i = 0; i < 5_000; i++) expect(c.process([success(i % 60, 'bob')])).toEqual([]);
    const state = JSON.parse(c.snapshot()) as {
      groups: Record<string, Record<string, { entries: unknown[] }>>;
    };
    const groups = Object.values(state.groups['bbbbbbbb-0000-4000-8000-000000000005']!);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.entries.length).toBeLessThanOrEqual(16);
    // The order still counts: a failure, then the next success, fires.
    expect(c.process([fail(100, 'bob')])).toEqual([]);
    expect(c.process([success(101, 'bob')])).toMatchObject([{ group: { TargetUserName: 'bob' } }]);
  });

  it('lt conditions are judged when the window closes', () => {
    const c = setup(
      `title: few
id: bbbbbbbb-0000-4000-8000-000000000004
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 10s
  condition:
    lt: 2
`,
      { latenessMs: 0 },
    );
    expect(c.process([fail(0, 'bob')])).toEqual([]);
    expect(c.process([fail(30, 'other')])).toMatchObject([{ group: { TargetUserName: 'bob' }, value: 1 }]);
  });

  it('value_sum / value_avg / value_percentile aggregate a numeric field', () => {
    const mk = (type: string, cond: string): CorrelationEngine =>
      setup(`title: agg
id: bbbbbbbb-0000-4000-8000-00000000000${type.length}
correlation:
  type: ${type}
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 1m
  condition:
    field: Bytes
${cond}`);
    const evs = [fail(0, 'u', { Bytes: 10 }), fail(1, 'u', { Bytes: 20 }), fail(2, 'u', { Bytes: 90 })];
    expect(mk('value_sum', '    gte: 120\n').process(evs)).toMatchObject([{ value: 120 }]);
    expect(mk('value_avg', '    gt: 39\n').process(evs)).toMatchObject([{ value: 40 }]);
    expect(mk('value_percentile', '    percentile: 50\n    gte: 20\n').process(evs.slice(0, 1))).toEqual([]);
  });

  it('chains: a correlation can reference another correlation by name', () => {
    const c = setup(`${EVENT_COUNT}---
title: repeated brute force
id: bbbbbbbb-0000-4000-8000-000000000009
correlation:
  type: event_count
  rules: [brute]
  group-by: [TargetUserName]
  timespan: 10m
  condition:
    gte: 2
`);
    const first = c.process([fail(0, 'bob'), fail(1, 'bob'), fail(2, 'bob')]);
    expect(first.map((a) => a.correlationId)).toEqual(['bbbbbbbb-0000-4000-8000-000000000001']);
    const second = c.process([fail(3, 'bob'), fail(4, 'bob'), fail(5, 'bob')]);
    expect(second.map((a) => a.correlationId)).toEqual([
      'bbbbbbbb-0000-4000-8000-000000000001',
      'bbbbbbbb-0000-4000-8000-000000000009',
    ]);
  });

  it('drops events later than the lateness bound and bounds groups', () => {
    const c = setup(EVENT_COUNT, { latenessMs: 5000, maxGroups: 2 });
    c.process([fail(100, 'a'), fail(10, 'b')]);
    expect(c.dropped).toBe(1);
    c.process([fail(101, 'c'), fail(102, 'd')]);
    expect(c.evicted).toBe(1);
  });

  it('snapshot and restore carry state across a restart', () => {
    const a = setup(EVENT_COUNT);
    a.process([fail(0, 'bob'), fail(1, 'bob')]);
    const saved = a.snapshot();
    const b = setup(EVENT_COUNT);
    expect(b.restore(saved)).toEqual({ ok: true, value: undefined });
    expect(b.process([fail(2, 'bob')])).toHaveLength(1);
    expect(b.restore('not json').ok).toBe(false);
    expect(b.restore('{"version":2}').ok).toBe(false);
  });

  it('counts late events apart from untimed ones; an event just inside the bound still counts', () => {
    const c = setup(EVENT_COUNT, { latenessMs: 5000 });
    c.process([fail(100, 'a'), fail(95, 'a'), fail(94, 'a')]);
    expect(c.late).toBe(1);
    c.process([
      { ruleId: 'aaaaaaaa-0000-4000-8000-000000000001', event: { EventID: 4625, TargetUserName: 'a' } },
    ]);
    expect(c.dropped).toBe(2);
    expect(c.late).toBe(1);
    expect(JSON.parse(c.snapshot())).toMatchObject({ late: 1, dropped: 2 });
  });

  it('restore keeps only the correlations `keep` accepts, and at most maxGroups of them (the newest)', () => {
    const a = setup(EVENT_COUNT);
    a.process([fail(0, 'u1'), fail(1, 'u2'), fail(2, 'u3')]);
    expect(a.groupCount).toBe(3);
    const saved = a.snapshot();
    const none = setup(EVENT_COUNT);
    expect(none.restore(saved, () => false).ok).toBe(true);
    expect(none.groupCount).toBe(0);
    const small = setup(EVENT_COUNT, { maxGroups: 2 });
    expect(small.restore(saved).ok).toBe(true);
    expect(small.groupCount).toBe(2);
    expect(small.evicted).toBe(1);
    // u1, the oldest group, is the one evicted: two more u1 failures do not reach the threshold of 3.
    expect(small.process([fail(3, 'u1'), fail(4, 'u1')])).toHaveLength(0);
    expect(small.process([fail(5, 'u3'), fail(6, 'u3')])).toHaveLength(1);
  });
});
