import { SEVERITIES, type AlertTiming, type Severity } from './ports.js';

export interface DurationStats {
  count: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface SocMetrics {
  period: { from: string; to: string };
  alerts: { created: number; acknowledged: number; closed: number; open: number };
  mttd: { all: DurationStats; bySeverity: Record<Severity, DurationStats> };
  mtta: { all: DurationStats; bySeverity: Record<Severity, DurationStats> };
  mttr: { all: DurationStats; bySeverity: Record<Severity, DurationStats> };
  byTenant: Array<{
    tenant: string;
    created: number;
    closed: number;
    mtta: DurationStats;
    mttr: DurationStats;
  }>;
  byAnalyst: Array<{ assignee: string; assigned: number; closed: number; mttr: DurationStats }>;
  rules: Array<{
    ruleId: string;
    title: string;
    alerts: number;
    closed: number;
    falsePositives: number;
    /** False positives among alerts closed with a verdict; null before any is closed. */
    falsePositiveRate: number | null;
  }>;
  openByAge: { buckets: Array<{ bucket: string; count: number; bySeverity: Record<Severity, number> }> };
}

export function durationStats(seconds: number[]): DurationStats {
  if (seconds.length === 0) return { count: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null };
  const s = [...seconds].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return {
    count: s.length,
    meanSeconds: round(mean),
    medianSeconds: round(median),
    p90Seconds: round(at(0.9)),
  };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
const secondsBetween = (from: string, to: string): number =>
  Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

function perSeverity(rows: AlertTiming[], pick: (t: AlertTiming) => number | null) {
  const all: number[] = [];
  const by = Object.fromEntries(SEVERITIES.map((s) => [s, [] as number[]])) as Record<Severity, number[]>;
  for (const r of rows) {
    const v = pick(r);
    if (v === null) continue;
    all.push(v);
    by[r.severity].push(v);
  }
  return {
    all: durationStats(all),
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, durationStats(by[s])])) as Record<
      Severity,
      DurationStats
    >,
  };
}

export const AGE_BUCKETS: ReadonlyArray<readonly [string, number]> = [
  ['<1h', 3600],
  ['1h-4h', 4 * 3600],
  ['4h-24h', 24 * 3600],
  ['1d-7d', 7 * 86400],
  ['>7d', Infinity],
];

/**
 * MTTD is first matching event → alert created, MTTA alert created → first acknowledgement, MTTR
 * alert created → closed, over the alerts created in the period.
 */
export function computeSocMetrics(
  rows: AlertTiming[],
  open: Array<{ severity: Severity; createdAt: string }>,
  period: { from: Date; to: Date },
  now: Date,
): SocMetrics {
  const rules = new Map<string, SocMetrics['rules'][number] & { verdicts: number }>();
  const analysts = new Map<string, { assigned: number; closed: number; mttr: number[] }>();
  for (const r of rows) {
    const rule = rules.get(r.ruleId) ?? {
      ruleId: r.ruleId,
      title: r.title,
      alerts: 0,
      closed: 0,
      falsePositives: 0,
      falsePositiveRate: null,
      verdicts: 0,
    };
    rule.alerts++;
    if (r.status === 'closed') rule.closed++;
    if (r.verdict) rule.verdicts++;
    if (r.verdict === 'false_positive') rule.falsePositives++;
    rules.set(r.ruleId, rule);
    if (r.assignee) {
      const a = analysts.get(r.assignee) ?? { assigned: 0, closed: 0, mttr: [] };
      a.assigned++;
      if (r.closedAt) {
        a.closed++;
        a.mttr.push(secondsBetween(r.createdAt, r.closedAt));
      }
      analysts.set(r.assignee, a);
    }
  }
  const buckets = AGE_BUCKETS.map(([bucket]) => ({
    bucket,
    count: 0,
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
  }));
  for (const o of open) {
    const age = secondsBetween(o.createdAt, now.toISOString());
    const i = AGE_BUCKETS.findIndex(([, max]) => age < max);
    const b = buckets[i === -1 ? buckets.length - 1 : i]!;
    b.count++;
    b.bySeverity[o.severity]++;
  }
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    alerts: {
      created: rows.length,
      acknowledged: rows.filter((r) => r.acknowledgedAt).length,
      closed: rows.filter((r) => r.closedAt).length,
      open: open.length,
    },
    mttd: perSeverity(rows, (r) => secondsBetween(r.firstEventAt, r.createdAt)),
    mtta: perSeverity(rows, (r) => (r.acknowledgedAt ? secondsBetween(r.createdAt, r.acknowledgedAt) : null)),
    mttr: perSeverity(rows, (r) => (r.closedAt ? secondsBetween(r.createdAt, r.closedAt) : null)),
    byTenant: [...new Set(rows.map((r) => r.tenant))].sort().map((tenant) => {
      const mine = rows.filter((r) => r.tenant === tenant);
      return {
        tenant,
        created: mine.length,
        closed: mine.filter((r) => r.closedAt).length,
        mtta: perSeverity(mine, (r) =>
          r.acknowledgedAt ? secondsBetween(r.createdAt, r.acknowledgedAt) : null,
        ).all,
        mttr: perSeverity(mine, (r) => (r.closedAt ? secondsBetween(r.createdAt, r.closedAt) : null)).all,
      };
    }),
    byAnalyst: [...analysts]
      .map(([assignee, a]) => ({
        assignee,
        assigned: a.assigned,
        closed: a.closed,
        mttr: durationStats(a.mttr),
      }))
      .sort((a, b) => b.assigned - a.assigned),
    rules: [...rules.values()]
      .map(({ verdicts, ...r }) => ({
        ...r,
        falsePositiveRate: verdicts ? round(r.falsePositives / verdicts) : null,
      }))
      .sort((a, b) => b.alerts - a.alerts || a.ruleId.localeCompare(b.ruleId)),
    openByAge: { buckets },
  };
}
