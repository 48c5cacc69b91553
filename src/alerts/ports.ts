/**
 * Alerts: what an analyst triages. Detections fold into alerts (deduplicated by rule and entity
 * within a window); cases group alerts. Adapters: store/sqlite/alerts.ts (PostgreSQL later).
 */
export const ALERT_STATUSES = ['new', 'acknowledged', 'in_progress', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const ALERT_VERDICTS = ['true_positive', 'false_positive', 'benign', 'duplicate'] as const;
export type AlertVerdict = (typeof ALERT_VERDICTS)[number];
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Observable {
  /** ip, domain, url, hash (md5/sha1/sha256), file, user, host, email, registry, process. */
  type: string;
  value: string;
}

export interface Alert {
  id: string;
  tenant: string;
  /** Detection kind: sigma, correlation, indicator, silent_source... */
  kind: string;
  ruleId: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  verdict: AlertVerdict | null;
  assignee: string | null;
  tags: string[];
  attack: { techniques: string[]; tactics: string[] };
  /** The entity the alert is about (dedup key together with the rule): host, user, ip... */
  entity: { type: string; value: string } | null;
  /** Detections folded into this alert. */
  count: number;
  /** Event time of the first and last folded detection. */
  firstSeen: string;
  lastSeen: string;
  createdAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  closedAt: string | null;
  observables: Observable[];
  /** The case this alert belongs to, if any. */
  caseId: string | null;
}

export interface AlertStore {
  count(tenants: string[]): Promise<number>;
  /** Alerts by id within the tenant; unknown ids are left out. */
  get(tenant: string, ids: string[]): Promise<Alert[]>;
  /** Links alerts to a case (or unlinks with null). Returns how many changed. */
  setCase(tenant: string, ids: string[], caseId: string | null): Promise<number>;
  /** Alerts linked to a case. */
  byCase(tenant: string, caseId: string): Promise<Alert[]>;
}
