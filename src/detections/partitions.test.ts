import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { loadRulesFromText } from '../detect/sigma/loader.js';
import type { VigilEvent } from '../schema/ecs.js';
import { LiveDetection, partitionOf, type CorrelationBatch } from './live.js';

const RULES = `
title: Failed SSH password
id: 11111111-0000-4000-8000-000000000001
name: t_ssh_failed
status: test
logsource: { product: linux, service: auth }
detection:
  selection: { message|contains: 'Failed password' }
  condition: selection
level: low
---
title: Three failures from one address
id: 11111111-0000-4000-8000-000000000002
name: t_bruteforce
status: test
correlation:
  generate: true
  type: event_count
  rules: [t_ssh_failed]
  group-by: [source.ip]
  timespan: 5m
  condition: { gte: 3 }
level: high
---
title: Accepted SSH password
id: 11111111-0000-4000-8000-000000000003
name: t_ssh_accepted
status: test
logsource: { product: linux, service: auth }
detection:
  selection: { message|contains: 'Accepted password' }
  condition: selection
level: low
---
title: Login after brute force
id: 11111111-0000-4000-8000-000000000004
name: t_after
status: test
correlation:
  generate: true
  type: temporal_ordered
  rules: [t_bruteforce, t_ssh_accepted]
  group-by: [source.ip]
  timespan: 30m
level: critical
`;
const BRUTE = '11111111-0000-4000-8000-000000000002';
const AFTER = '11111111-0000-4000-8000-000000000004';

let seq = 0;
const ev = (ip: string, message: string, second: number): VigilEvent => ({
  '@timestamp': new Date(Date.UTC(2026, 10, 28, 9, 0, second)).toISOString(),
  event: {
    id: `e${++seq}`,
    ingested: '2026-11-28T09:00:00.000Z',
    kind: 'event',
    module: 'system',
    dataset: 'system.auth',
  },
  organization: { id: 'default' },
  message,
  source: { ip },
});

const node = () =>
  new LiveDetection(new MemoryBus(4), loadRulesFromText(RULES), pino({ level: 'silent' }), {
    correlationPartitions: 8,
  });

describe('correlation partitions', () => {
  it('spreads keys over every partition, the same way on every node', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 4000; i++)
      counts[partitionOf(`default\ncorr\n{"source.ip":"10.0.${i >> 8}.${i & 255}"}`, 16)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(partitionOf('a key', 16)).toBe(partitionOf('a key', 16));
  });

  it('routes matches instead of correlating locally; the partition owner fires once, and chains route on', () => {
    const router = node();
    const owner = node();
    const batches: CorrelationBatch[] = [];
    // Failures arrive on a node that does not correlate: it only routes them.
    for (let s = 0; s < 3; s++) {
      const r = router.evaluateBatch([
        ev('203.0.113.5', 'Failed password for root', s),
        ev('198.51.100.8', 'Failed password for bob', s),
      ]);
      expect(r.records.every((d) => d.kind === 'sigma')).toBe(true);
      batches.push(...r.routed);
    }
    expect(new Set(batches.map((b) => b.partition)).size).toBeGreaterThanOrEqual(1);
    const results = batches.map((b) => owner.correlatePartition(b));
    const fired = results.flatMap((r) => r.records);
    expect(fired.map((d) => [d.ruleId, d.details['group']])).toEqual(
      expect.arrayContaining([
        [BRUTE, { 'source.ip': '203.0.113.5' }],
        [BRUTE, { 'source.ip': '198.51.100.8' }],
      ]),
    );
    expect(fired).toHaveLength(2);
    // Each brute force feeds "login after brute force": routed on, to that correlation's partitions.
    const chained = results.flatMap((r) => r.routed).flatMap((b) => b.items);
    expect(chained.map((i) => [i.correlationId, i.ruleId]).sort()).toEqual([
      [AFTER, BRUTE],
      [AFTER, BRUTE],
    ]);
  });

  it('a new owner restored from the checkpoint continues the window, and the chained correlation fires', () => {
    const router = node();
    const first = node();
    const ip = '192.0.2.44';
    const route = (msg: string, s: number) => router.evaluateBatch([ev(ip, msg, s)]).routed;
    const [b1] = route('Failed password for root', 10);
    const [b2] = route('Failed password for root', 11);
    expect(first.correlatePartition(b1!).records).toEqual([]);
    expect(first.correlatePartition(b2!).records).toEqual([]);
    const checkpoint = first.partitionSnapshot(b1!.partition);
    // The first owner is gone; the next one starts from its checkpoint.
    const next = node();
    expect(next.restorePartition(b1!.partition, checkpoint)).toBe(true);
    const [b3] = route('Failed password for root', 12);
    const third = next.correlatePartition(b3!);
    expect(third.records.map((d) => d.ruleId)).toEqual([BRUTE]);
    expect(third.routed).toHaveLength(1);
    // The chain goes to the partition of (login-after correlation, this address), wherever that is.
    const chainOwner = node();
    expect(chainOwner.correlatePartition(third.routed[0]!).records).toEqual([]);
    const [accepted] = route('Accepted password for root', 20);
    expect(accepted!.partition).toBe(third.routed[0]!.partition);
    expect(chainOwner.correlatePartition(accepted!).records.map((d) => d.ruleId)).toEqual([AFTER]);
  });
});
