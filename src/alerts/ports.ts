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
/** Rank for ordering and "raise by one step"; unknown levels rank as informational. */
export const severityRank = (s: string): number => Math.max(0, (SEVERITIES as readonly string[]).indexOf(s));

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
  /** Event time of the earliest event behind the alert: where MTTD starts. */
  firstEventAt: string;
  createdAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  closedAt: string | null;
  observables: Observable[];
  /** The case this alert belongs to, if any. */
  caseId: string | null;
}

/** One detection, prepared by the service (entity, severity, observables) for folding into an alert. */
export interface AlertFold {
  tenant: string;
  detectionId: string;
  kind: string;
  ruleId: string;
  title: string;
  severity: Severity;
  tags: string[];
  attack: { techniques: string[]; tactics: string[] };
  entity: { type: string; value: string } | null;
  /** Event time of the detection, and of its earliest event. */
  ts: string;
  firstEventAt: string;
  eventIds: string[];
  observables: Observable[];
  /** The detection as received, kept with the alert so an analyst sees why it fired. */
  detection: unknown;
}

export type FoldResult = 'created' | 'merged' | 'duplicate';
export interface FoldOutcome {
  detectionId: string;
  alertId: string;
  result: FoldResult;
}

export type AlertSort =
  'lastSeen' | '-lastSeen' | 'severity' | '-severity' | 'createdAt' | '-createdAt' | 'count' | '-count';

export interface AlertQuery {
  tenants: string[];
  status?: AlertStatus[];
  severity?: Severity[];
  ruleId?: string;
  /** Alerts about this entity (`null`: alerts about none). */
  entity?: { type: string; value: string } | null;
  assignee?: string;
  tag?: string;
  /** Case-insensitive substring of title, rule, entity or an observable value. */
  text?: string;
  /** On lastSeen. */
  since?: Date;
  until?: Date;
  sort?: AlertSort;
  limit: number;
  offset?: number;
}

/** Alerts matching a query, counted per rule or per entity (the alert queue's group-by). */
export type AlertGroupQuery = Omit<AlertQuery, 'sort' | 'limit' | 'offset'> & {
  by: 'rule' | 'entity';
  limit: number;
  offset?: number;
};

export interface AlertGroup {
  /** The rule id, or `type:value` of the entity (`''` for alerts without one). */
  key: string;
  ruleId: string | null;
  entity: { type: string; value: string } | null;
  /** A human name: the newest alert's title for a rule, the entity otherwise. */
  label: string;
  count: number;
  worst: Severity;
  /** Newest lastSeen in the group. */
  latest: string;
}

export interface AlertChange {
  status?: AlertStatus;
  /** Set by hand; later detections of a higher severity still raise it (new evidence). */
  severity?: Severity;
  verdict?: AlertVerdict | null;
  assignee?: string | null;
  tags?: string[];
  acknowledgedAt?: string | null;
  closedAt?: string | null;
}

export interface AlertComment {
  id: string;
  alertId: string;
  tenant: string;
  author: string;
  body: string;
  createdAt: string;
}

export interface RiskContribution {
  tenant: string;
  entity: { type: string; value: string };
  detectionId: string;
  score: number;
  ts: string;
}

/** An entity whose risk within the window went from below the threshold to at or above it. */
export interface RiskCrossing {
  tenant: string;
  entity: { type: string; value: string };
  score: number;
  detectionId: string;
  ts: string;
}

/** What SOC metrics are computed from: the lifecycle times of one alert. */
export interface AlertTiming {
  id: string;
  tenant: string;
  ruleId: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  verdict: AlertVerdict | null;
  assignee: string | null;
  firstEventAt: string;
  createdAt: string;
  acknowledgedAt: string | null;
  closedAt: string | null;
}

export interface SimilarAlerts {
  sameRule: Alert[];
  sameEntity: Alert[];
  sharedObservables: Array<{ alert: Alert; shared: Observable[] }>;
}

export interface AlertStore {
  count(tenants: string[]): Promise<number>;
  /** Alerts by id within the tenant; unknown ids are left out. */
  get(tenant: string, ids: string[]): Promise<Alert[]>;
  /** Links alerts to a case (or unlinks with null). Returns how many changed. */
  setCase(tenant: string, ids: string[], caseId: string | null): Promise<number>;
  /** Alerts linked to a case. */
  byCase(tenant: string, caseId: string): Promise<Alert[]>;

  /**
   * Folds detections into alerts in one durable transaction: a detection already folded is a
   * `duplicate` (redelivery), one matching an open alert of the same rule and entity whose lastSeen
   * is within `windowMs` is `merged`, any other opens a new alert. Risk contributions, if given, are
   * recorded in the same transaction (once per detection and entity); the entities whose risk within
   * `risk.windowMs` went from below `risk.threshold` to at or above it come back as crossings.
   */
  fold(
    items: AlertFold[],
    windowMs: number,
    risk?: { items: RiskContribution[]; windowMs: number; threshold: number },
  ): Promise<{ outcomes: FoldOutcome[]; crossings: RiskCrossing[] }>;
  /** An alert by id within any of the tenants. */
  find(tenants: string[], id: string): Promise<Alert | undefined>;
  list(q: AlertQuery): Promise<{ total: number; alerts: Alert[] }>;
  /** Groups of the matching alerts, the worst severity first, then the most recent. */
  groups(q: AlertGroupQuery): Promise<{ total: number; groups: AlertGroup[] }>;
  /**
   * Read-modify-write of one alert, atomic against other writers: `change` sees the current alert
   * and returns the change to apply (or throws to refuse). Undefined when the alert does not exist.
   */
  update(
    tenant: string,
    id: string,
    change: (current: Alert) => AlertChange,
    now: string,
  ): Promise<{ before: Alert; after: Alert } | undefined>;
  /** The detections folded into an alert (their records as received), newest first. */
  detectionsOf(tenant: string, id: string, limit: number): Promise<unknown[]>;
  eventIdsOf(tenant: string, id: string, limit: number): Promise<string[]>;
  addComment(c: Omit<AlertComment, 'id'>): Promise<AlertComment>;
  comments(tenant: string, alertId: string): Promise<AlertComment[]>;
  similar(tenant: string, id: string, limit: number): Promise<SimilarAlerts>;
  /** Lifecycle times of the alerts created in [from, to). */
  timings(tenants: string[], from: Date, to: Date): Promise<AlertTiming[]>;
  /** Every alert not yet closed, for "open work by age". */
  openWork(
    tenants: string[],
  ): Promise<Array<{ severity: Severity; createdAt: string; assignee: string | null }>>;
}
