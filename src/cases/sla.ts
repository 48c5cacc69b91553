/** Service levels: how long a case of each severity may stay unresolved, and where a case stands. */
import type { Severity } from '../alerts/ports.js';
import type { Case, SlaPolicy, SlaState } from './ports.js';

/** Hours to resolve by severity; a tenant's manager can change them (PUT /api/v1/cases/sla-policy). */
export const DEFAULT_SLA: SlaPolicy = {
  critical: 4,
  high: 24,
  medium: 72,
  low: 168,
  informational: 336,
  // Under a quarter of the window left is "at risk": time to escalate, not yet too late.
  atRiskFraction: 0.25,
};

export function dueFromSla(policy: SlaPolicy, severity: Severity, from: string): string {
  return new Date(Date.parse(from) + policy[severity] * 3600_000).toISOString();
}

/**
 * The SLA state of a case at `now`. A resolved or closed case keeps the state it finished in; an
 * open one is `at_risk` when less than `atRiskFraction` of its window is left. Same rule as the
 * store's SQL filter (store/sqlite/cases.ts), so the list filter and the displayed state agree.
 */
export function slaState(
  c: Pick<Case, 'status' | 'dueAt' | 'createdAt' | 'resolvedAt' | 'closedAt' | 'updatedAt'>,
  now: Date,
  atRiskFraction: number,
): SlaState {
  if (!c.dueAt) return 'ok';
  const due = Date.parse(c.dueAt);
  if (c.status === 'resolved' || c.status === 'closed') {
    const done = Date.parse(c.resolvedAt ?? c.closedAt ?? c.updatedAt);
    return done > due ? 'breached' : 'ok';
  }
  const t = now.getTime();
  if (t > due) return 'breached';
  return due - t < atRiskFraction * (due - Date.parse(c.createdAt)) ? 'at_risk' : 'ok';
}

export function slaView(
  c: Case,
  now: Date,
  atRiskFraction: number,
): { state: SlaState; dueAt: string | null; remainingSeconds: number | null } {
  return {
    state: slaState(c, now, atRiskFraction),
    dueAt: c.dueAt,
    remainingSeconds: c.dueAt ? Math.round((Date.parse(c.dueAt) - now.getTime()) / 1000) : null,
  };
}
