/**
 * Shift handover: what the outgoing shift leaves to the next one. What opened, changed and closed
 * in the last N hours, the open criticals, cases past or near their SLA, and who holds what.
 */
import type { Alert, AlertStore } from '../alerts/ports.js';
import type { Case, CaseStore } from '../cases/ports.js';

export interface Handover {
  from: string;
  to: string;
  alerts: {
    opened: number;
    closed: number;
    changed: number;
    /** Open alerts of critical and high severity, most severe and most recent first. */
    openCritical: Array<
      Pick<Alert, 'id' | 'title' | 'severity' | 'status' | 'assignee' | 'lastSeen' | 'count'>
    >;
    closedByVerdict: Record<string, number>;
  };
  cases: {
    opened: number;
    closed: number;
    changed: number;
    breached: Array<Pick<Case, 'id' | 'number' | 'title' | 'severity' | 'assignee' | 'dueAt'>>;
    atRisk: Array<Pick<Case, 'id' | 'number' | 'title' | 'severity' | 'assignee' | 'dueAt'>>;
  };
  /** Open work per assignee (`(unassigned)` for nobody). */
  workload: Array<{ assignee: string; alerts: number; cases: number }>;
  /** True when a list hit its cap and counts are lower bounds. */
  truncated: boolean;
}

const CAP = 5000;
const within = (t: string | null, from: number, to: number): boolean =>
  t !== null && Date.parse(t) >= from && Date.parse(t) <= to;
const OPEN_ALERT = ['new', 'acknowledged', 'in_progress'] as const;
const OPEN_CASE = ['open', 'in_progress'] as const;

export async function shiftHandover(
  deps: { alerts: AlertStore; cases: CaseStore },
  q: { tenants: string[]; hours: number; now: Date; atRiskFraction: number; viewer?: string },
): Promise<Handover> {
  const to = q.now.getTime();
  const from = to - q.hours * 3_600_000;
  const recent = await deps.alerts.list({
    tenants: q.tenants,
    since: new Date(from),
    limit: CAP,
    sort: '-lastSeen',
  });
  const open = await deps.alerts.list({
    tenants: q.tenants,
    status: [...OPEN_ALERT],
    limit: CAP,
    sort: '-severity',
  });
  const casesRecent = await deps.cases.list({
    tenants: q.tenants,
    limit: CAP,
    offset: 0,
    sort: '-updated',
    includeMerged: false,
    now: q.now,
    atRiskFraction: q.atRiskFraction,
    viewer: q.viewer,
  });
  const casesOpen = await deps.cases.list({
    tenants: q.tenants,
    status: [...OPEN_CASE],
    limit: CAP,
    offset: 0,
    sort: 'due',
    now: q.now,
    atRiskFraction: q.atRiskFraction,
    viewer: q.viewer,
  });
  const breached = await deps.cases.list({
    tenants: q.tenants,
    status: [...OPEN_CASE],
    sla: 'breached',
    limit: 100,
    offset: 0,
    sort: 'due',
    now: q.now,
    atRiskFraction: q.atRiskFraction,
    viewer: q.viewer,
  });
  const atRisk = await deps.cases.list({
    tenants: q.tenants,
    status: [...OPEN_CASE],
    sla: 'at_risk',
    limit: 100,
    offset: 0,
    sort: 'due',
    now: q.now,
    atRiskFraction: q.atRiskFraction,
    viewer: q.viewer,
  });

  const closedByVerdict: Record<string, number> = {};
  let opened = 0;
  let closed = 0;
  let changed = 0;
  for (const a of recent.alerts) {
    if (within(a.createdAt, from, to)) opened++;
    if (within(a.closedAt, from, to)) {
      closed++;
      closedByVerdict[a.verdict ?? 'none'] = (closedByVerdict[a.verdict ?? 'none'] ?? 0) + 1;
    }
    if (within(a.updatedAt, from, to) && !within(a.createdAt, from, to)) changed++;
  }
  const cs = casesRecent.cases.filter((c) => Date.parse(c.updatedAt) >= from);
  const workload = new Map<string, { alerts: number; cases: number }>();
  const slot = (who: string | null) => {
    const k = who ?? '(unassigned)';
    let w = workload.get(k);
    if (!w) workload.set(k, (w = { alerts: 0, cases: 0 }));
    return w;
  };
  for (const a of open.alerts) slot(a.assignee).alerts++;
  for (const c of casesOpen.cases) slot(c.assignee).cases++;
  const pickCase = (c: Case) => ({
    id: c.id,
    number: c.number,
    title: c.title,
    severity: c.severity,
    assignee: c.assignee,
    dueAt: c.dueAt,
  });
  return {
    from: new Date(from).toISOString(),
    to: q.now.toISOString(),
    alerts: {
      opened,
      closed,
      changed,
      openCritical: open.alerts
        .filter((a) => a.severity === 'critical' || a.severity === 'high')
        .slice(0, 100)
        .map((a) => ({
          id: a.id,
          title: a.title,
          severity: a.severity,
          status: a.status,
          assignee: a.assignee,
          lastSeen: a.lastSeen,
          count: a.count,
        })),
      closedByVerdict,
    },
    cases: {
      opened: cs.filter((c) => within(c.createdAt, from, to)).length,
      closed: cs.filter((c) => within(c.closedAt, from, to)).length,
      changed: cs.filter((c) => !within(c.createdAt, from, to)).length,
      breached: breached.cases.map(pickCase),
      atRisk: atRisk.cases.map(pickCase),
    },
    workload: [...workload]
      .map(([assignee, w]) => ({ assignee, ...w }))
      .sort((a, b) => b.alerts + b.cases - (a.alerts + a.cases)),
    truncated: [recent, open, casesRecent, casesOpen].some((r) => r.total > CAP),
  };
}
