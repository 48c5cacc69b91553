import { describe, expect, it } from 'vitest';
import type { AlertTiming } from './ports.js';
import { computeSocMetrics, durationStats } from './soc-metrics.js';

const t = (over: Partial<AlertTiming>): AlertTiming => ({
  id: 'x',
  tenant: 'default',
  ruleId: 'r1',
  title: 'R1',
  severity: 'high',
  status: 'new',
  verdict: null,
  assignee: null,
  firstEventAt: '2026-11-28T09:00:00.000Z',
  createdAt: '2026-11-28T09:00:10.000Z',
  acknowledgedAt: null,
  closedAt: null,
  ...over,
});

describe('SOC metrics', () => {
  it('computes duration statistics', () => {
    expect(durationStats([])).toEqual({ count: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null });
    expect(durationStats([10, 30, 20, 40])).toEqual({
      count: 4,
      meanSeconds: 25,
      medianSeconds: 25,
      p90Seconds: 40,
    });
  });

  it('computes MTTD, MTTA, MTTR per severity, false-positive rate per rule and open work by age', () => {
    const now = new Date('2026-11-28T12:00:00.000Z');
    const rows = [
      t({
        id: 'a',
        status: 'closed',
        verdict: 'false_positive',
        assignee: 'alice',
        acknowledgedAt: '2026-11-28T09:01:10.000Z',
        closedAt: '2026-11-28T09:10:10.000Z',
      }),
      t({
        id: 'b',
        status: 'closed',
        verdict: 'true_positive',
        assignee: 'alice',
        acknowledgedAt: '2026-11-28T09:03:10.000Z',
        closedAt: '2026-11-28T09:30:10.000Z',
      }),
      t({ id: 'c', severity: 'low', ruleId: 'r2', title: 'R2', firstEventAt: '2026-11-28T08:59:00.000Z' }),
    ];
    const open = [
      { severity: 'low' as const, createdAt: '2026-11-28T11:30:00.000Z', assignee: null },
      { severity: 'high' as const, createdAt: '2026-11-20T11:30:00.000Z', assignee: null },
    ];
    const m = computeSocMetrics(rows, open, { from: new Date('2026-11-28T00:00:00Z'), to: now }, now);
    expect(m.alerts).toEqual({ created: 3, acknowledged: 2, closed: 2, open: 2 });
    expect(m.mttd.bySeverity.high.meanSeconds).toBe(10);
    expect(m.mttd.bySeverity.low.meanSeconds).toBe(70);
    expect(m.mtta.bySeverity.high).toMatchObject({ count: 2, meanSeconds: 120 });
    expect(m.mttr.all).toMatchObject({ count: 2, meanSeconds: 1200 });
    expect(m.mttr.bySeverity.low.count).toBe(0);
    expect(m.rules).toEqual([
      { ruleId: 'r1', title: 'R1', alerts: 2, closed: 2, falsePositives: 1, falsePositiveRate: 0.5 },
      { ruleId: 'r2', title: 'R2', alerts: 1, closed: 0, falsePositives: 0, falsePositiveRate: null },
    ]);
    expect(m.byTenant).toEqual([
      expect.objectContaining({
        tenant: 'default',
        created: 3,
        closed: 2,
        mttr: expect.objectContaining({ meanSeconds: 1200 }),
      }),
    ]);
    expect(m.byAnalyst).toEqual([
      { assignee: 'alice', assigned: 2, closed: 2, mttr: expect.objectContaining({ meanSeconds: 1200 }) },
    ]);
    const buckets = Object.fromEntries(m.openByAge.buckets.map((b) => [b.bucket, b.count]));
    expect(buckets).toEqual({ '<1h': 1, '1h-4h': 0, '4h-24h': 0, '1d-7d': 0, '>7d': 1 });
  });
});
