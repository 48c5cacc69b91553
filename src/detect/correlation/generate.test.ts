import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory/memory-bus.js';
import { LiveDetection } from '../../detections/live.js';
import type { VigilEvent } from '../../schema/ecs.js';
import { loadRulesFromText } from '../sigma/loader.js';
import { silencedByCorrelations } from './generate.js';

const BASE = `title: Failed login
id: 6f1d1c52-0000-4000-8000-000000000001
name: failed_login
logsource: { product: test }
detection:
  selection: { event.outcome: failure }
  condition: selection
level: low
`;
const OTHER = `title: Odd port
id: 6f1d1c52-0000-4000-8000-000000000002
name: odd_port
logsource: { product: test }
detection:
  selection: { destination.port: 31337 }
  condition: selection
level: medium
`;
const correlation = (id: string, name: string, rules: string[], generate?: boolean) => `title: Many ${name}
id: ${id}
name: ${name}
correlation:
  type: event_count
  rules: [${rules.join(', ')}]
  group-by: [source.ip]
  timespan: 5m
  condition: { gte: 3 }${generate === undefined ? '' : `\n  generate: ${generate}`}
level: high
`;

const rules = (...docs: string[]) => {
  const l = loadRulesFromText(docs.join('---\n'));
  expect(l.rejected).toEqual([]);
  return l;
};

const events = (n: number): VigilEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    '@timestamp': new Date(Date.UTC(2026, 10, 28, 9, 0, i)).toISOString(),
    event: { id: `e${i}`, outcome: 'failure', module: 'test' },
    organization: { id: 'default' },
    source: { ip: '203.0.113.7' },
    destination: { port: 31337 },
  })) as unknown as VigilEvent[];

const A = '6f1d1c52-0000-4000-8000-0000000000a1';
const B = '6f1d1c52-0000-4000-8000-0000000000b1';

describe('Sigma correlation generate', () => {
  it('by default a referenced rule only feeds its correlation; an unreferenced rule stays loud', () => {
    const l = rules(BASE, OTHER, correlation(A, 'many_failed', ['failed_login']));
    expect([...silencedByCorrelations(l)]).toEqual(['6f1d1c52-0000-4000-8000-000000000001']);
    const live = new LiveDetection(new MemoryBus(), l, pino({ level: 'silent' }));
    const out = live.evaluate(events(3));
    expect(out.filter((d) => d.kind === 'sigma').map((d) => d.ruleId)).toEqual([
      '6f1d1c52-0000-4000-8000-000000000002',
      '6f1d1c52-0000-4000-8000-000000000002',
      '6f1d1c52-0000-4000-8000-000000000002',
    ]);
    // The quiet rule's matches still counted: the correlation fired on the third.
    expect(out.filter((d) => d.kind === 'correlation').map((d) => d.ruleId)).toEqual([A]);
  });

  it('generate: true keeps the referenced rule loud, even when another correlation is quiet', () => {
    const l = rules(
      BASE,
      correlation(A, 'many_failed', ['failed_login'], true),
      correlation(B, 'many_failed_quiet', ['failed_login'], false),
    );
    expect(silencedByCorrelations(l).size).toBe(0);
    const out = new LiveDetection(new MemoryBus(), l, pino({ level: 'silent' })).evaluate(events(3));
    expect(out.filter((d) => d.kind === 'sigma')).toHaveLength(3);
    expect(
      out
        .filter((d) => d.kind === 'correlation')
        .map((d) => d.ruleId)
        .sort(),
    ).toEqual([A, B].sort());
  });

  it('a correlation referenced by a quiet correlation is quiet too (chains), by id as well as by name', () => {
    const chained = `title: Chain
id: 6f1d1c52-0000-4000-8000-0000000000c1
correlation:
  type: event_count
  rules: [${A}]
  group-by: [source.ip]
  timespan: 10m
  condition: { gte: 1 }
level: critical
`;
    const l = rules(BASE, correlation(A, 'many_failed', ['failed_login'], false), chained);
    expect(silencedByCorrelations(l)).toEqual(new Set(['6f1d1c52-0000-4000-8000-000000000001', A]));
  });
});
