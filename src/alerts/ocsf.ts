import { severityRank, type Alert, type AlertStatus, type Observable } from './ports.js';

/** OCSF observable type ids for the observable types Vigil extracts. */
const OBSERVABLE_TYPES: Record<string, [number, string]> = {
  host: [1, 'Hostname'],
  domain: [1, 'Hostname'],
  ip: [2, 'IP Address'],
  user: [4, 'User Name'],
  email: [5, 'Email Address'],
  url: [6, 'URL String'],
  file: [7, 'File Name'],
  hash: [8, 'Hash'],
  process: [9, 'Process Name'],
  registry: [28, 'Registry Key'],
};

const STATUS: Record<AlertStatus, [number, string]> = {
  new: [1, 'New'],
  acknowledged: [2, 'In Progress'],
  in_progress: [2, 'In Progress'],
  closed: [4, 'Resolved'],
};

function observable(o: Observable): Record<string, unknown> {
  const [typeId, type] = OBSERVABLE_TYPES[o.type] ?? [99, 'Other'];
  return { name: o.type, type_id: typeId, type, value: o.value };
}

/**
 * An alert as an OCSF Detection Finding (class 2004, category 2 Findings). Severity ids follow the
 * Sigma order: informational 1 ... critical 5. Vigil's own fields that OCSF has no place for go to
 * `unmapped`.
 */
export function toDetectionFinding(a: Alert, productVersion: string): Record<string, unknown> {
  const [statusId, status] = STATUS[a.status];
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: a.status === 'closed' ? 3 : a.status === 'new' ? 1 : 2,
    activity_name: a.status === 'closed' ? 'Close' : a.status === 'new' ? 'Create' : 'Update',
    type_uid: 2004 * 100 + (a.status === 'closed' ? 3 : a.status === 'new' ? 1 : 2),
    time: Date.parse(a.updatedAt),
    severity_id: severityRank(a.severity) + 1,
    severity: a.severity.charAt(0).toUpperCase() + a.severity.slice(1),
    status_id: statusId,
    status,
    count: a.count,
    is_alert: true,
    start_time: Date.parse(a.firstSeen),
    end_time: Date.parse(a.lastSeen),
    metadata: {
      version: '1.3.0',
      uid: a.id,
      tenant_uid: a.tenant,
      product: { name: 'Vigil', vendor_name: 'Vigil', version: productVersion },
      created_time: Date.parse(a.createdAt),
      modified_time: Date.parse(a.updatedAt),
      labels: a.tags,
    },
    finding_info: {
      uid: a.id,
      title: a.title,
      types: [a.kind],
      created_time: Date.parse(a.createdAt),
      first_seen_time: Date.parse(a.firstSeen),
      last_seen_time: Date.parse(a.lastSeen),
      analytic: { uid: a.ruleId, name: a.title, type_id: 1, type: 'Rule' },
      attacks: [
        ...a.attack.techniques.map((t) => ({ technique: { uid: t.toUpperCase() } })),
        ...a.attack.tactics.map((t) => ({ tactic: { name: t } })),
      ],
    },
    resources: a.entity ? [{ type: a.entity.type, name: a.entity.value }] : [],
    observables: a.observables.map(observable),
    unmapped: {
      verdict: a.verdict,
      assignee: a.assignee,
      case_id: a.caseId,
      acknowledged_time: a.acknowledgedAt ? Date.parse(a.acknowledgedAt) : null,
      closed_time: a.closedAt ? Date.parse(a.closedAt) : null,
    },
  };
}
