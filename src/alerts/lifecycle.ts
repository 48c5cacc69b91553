import {
  ALERT_STATUSES,
  type Alert,
  type AlertChange,
  type AlertStatus,
  type AlertVerdict,
  type Severity,
} from './ports.js';

/** A triage request the alert's state refuses; `code` says whether the request or the state is at fault. */
export class TriageError extends Error {
  constructor(
    readonly code: 'bad_request' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export interface TriageRequest {
  status?: AlertStatus;
  severity?: Severity;
  verdict?: AlertVerdict;
  assignee?: string | null;
  tags?: string[];
  /** Tags added to the current ones (bulk tagging). */
  addTags?: string[];
}

const rank = (s: AlertStatus): number => ALERT_STATUSES.indexOf(s);

/**
 * Status only moves forward (new → acknowledged → in_progress → closed; steps may be skipped),
 * closing needs a verdict, and a verdict belongs to a closed alert. Leaving `new` stamps
 * acknowledgedAt (the end of MTTA), closing stamps closedAt (the end of MTTR).
 */
export function triage(current: Alert, req: TriageRequest, now: string): AlertChange {
  const change: AlertChange = {};
  const target = req.status ?? current.status;
  if (target !== current.status) {
    if (current.status === 'closed')
      throw new TriageError('conflict', 'the alert is closed; a closed alert is final');
    if (rank(target) < rank(current.status))
      throw new TriageError('conflict', `status cannot go back from ${current.status} to ${target}`);
    change.status = target;
    if (current.acknowledgedAt === null) change.acknowledgedAt = now;
    if (target === 'closed') {
      if (!req.verdict) throw new TriageError('bad_request', 'body.verdict: required to close an alert');
      change.closedAt = now;
    }
  }
  if (req.verdict !== undefined) {
    if (target !== 'closed')
      throw new TriageError('bad_request', 'body.verdict: only a closed alert has a verdict');
    change.verdict = req.verdict;
  }
  if (req.severity !== undefined && req.severity !== current.severity) {
    if (current.status === 'closed')
      throw new TriageError('conflict', 'the alert is closed; its severity is part of the record');
    change.severity = req.severity;
  }
  if (req.assignee !== undefined) change.assignee = req.assignee;
  if (req.tags !== undefined) change.tags = [...new Set(req.tags)];
  if (req.addTags !== undefined)
    change.tags = [...new Set([...(change.tags ?? current.tags), ...req.addTags])];
  return change;
}
