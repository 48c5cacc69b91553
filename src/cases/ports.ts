/**
 * Cases: where alerts become an investigation. A case groups alerts and carries the work done on
 * them: tasks, observables, evidence, comments and pinned events. Adapters: store/sqlite/cases.ts
 * (and, for cluster mode, PostgreSQL). Every method is scoped by tenant; per-case membership is
 * enforced by the service, which knows the caller.
 */
import type { Severity } from '../alerts/ports.js';

export const CASE_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_RESOLUTIONS = [
  'true_positive',
  'false_positive',
  'benign',
  'indeterminate',
  'duplicate',
  'merged',
  'other',
] as const;
export type CaseResolution = (typeof CASE_RESOLUTIONS)[number];
/** Traffic Light Protocol (2.0) and Permissible Actions Protocol: how far case data may travel. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];
export const PAP_LEVELS = ['clear', 'green', 'amber', 'red'] as const;
export type Pap = (typeof PAP_LEVELS)[number];
export const TASK_STATUSES = ['todo', 'in_progress', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const OBSERVABLE_TYPES = [
  'ip',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'file',
  'user',
  'host',
  'email',
  'registry',
  'process',
  'other',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];
export const SLA_STATES = ['ok', 'at_risk', 'breached'] as const;
export type SlaState = (typeof SLA_STATES)[number];

export type CustomValue = string | number | boolean;

export interface Case {
  id: string;
  tenant: string;
  /** Human number, per tenant (#1, #2...). */
  number: number;
  title: string;
  /** Markdown as written; rendered only through cases/markdown.ts. */
  description: string;
  severity: Severity;
  status: CaseStatus;
  resolution: CaseResolution | null;
  tlp: Tlp;
  pap: Pap;
  tags: string[];
  customFields: Record<string, CustomValue>;
  assignee: string | null;
  /** When the case is due; derived from the SLA of its severity unless set by hand. */
  dueAt: string | null;
  dueSource: 'sla' | 'manual' | null;
  attack: { techniques: string[]; tactics: string[] };
  /** Non-empty: only these principals (and managers/admins) may see the case. */
  members: string[];
  template: string | null;
  mergedInto: string | null;
  /** The due date whose breach was last announced; a breach is announced once per due date. */
  slaNotifiedDueAt?: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
}

export type NewCase = Omit<Case, 'number' | 'updatedAt' | 'resolvedAt' | 'closedAt' | 'mergedInto'>;
export type CasePatch = Partial<Omit<Case, 'id' | 'tenant' | 'number' | 'createdBy' | 'createdAt'>>;

export interface CaseTask {
  id: string;
  tenant: string;
  caseId: string;
  title: string;
  description: string;
  /** Template group (e.g. "containment"); free text for hand-made tasks. */
  group: string | null;
  order: number;
  assignee: string | null;
  status: TaskStatus;
  dueAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface CaseObservable {
  id: string;
  tenant: string;
  caseId: string;
  type: ObservableType;
  value: string;
  ioc: boolean;
  description: string;
  tags: string[];
  /** Added by hand (stays when the alerts that also carried it are split out). */
  manual: boolean;
  /** Linked alerts that carried this observable. */
  alertIds: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface CaseComment {
  id: string;
  tenant: string;
  caseId: string;
  author: string;
  body: string;
  createdAt: string;
  editedAt: string | null;
}

export interface CaseEvidence {
  id: string;
  tenant: string;
  caseId: string;
  sha256: string;
  size: number;
  name: string;
  contentType: string;
  description: string;
  addedBy: string;
  addedAt: string;
  /** `mismatch` once a re-hash found the stored bytes changed; downloads are refused from then on. */
  integrity: 'ok' | 'mismatch';
  lastVerifiedAt: string | null;
}

export const CUSTODY_ACTIONS = ['added', 'downloaded', 'verified', 'integrity_failed', 'moved'] as const;
export type CustodyAction = (typeof CUSTODY_ACTIONS)[number];

/** One line of an evidence item's chain of custody; append-only. */
export interface CustodyEntry {
  seq: number;
  tenant: string;
  evidenceId: string;
  caseId: string;
  action: CustodyAction;
  actor: string;
  ip: string | null;
  at: string;
  sha256: string;
  detail: string | null;
}

export interface CaseAlertLink {
  tenant: string;
  caseId: string;
  alertId: string;
  addedBy: string;
  addedAt: string;
}

export interface PinnedEvent {
  id: string;
  tenant: string;
  caseId: string;
  eventId: string;
  /** Event time, so the pin sits where the event happened on the timeline. */
  eventTime: string;
  /** A few fields of the event at pin time, so the timeline reads without loading every event. */
  summary: string;
  note: string;
  pinnedBy: string;
  pinnedAt: string;
}

/** What happened to a case (status changes, assignments, merges...), for the timeline. */
export interface CaseActivity {
  seq: number;
  tenant: string;
  caseId: string;
  at: string;
  actor: string;
  kind: string;
  summary: string;
  data: Record<string, unknown>;
}

export const CASE_SORTS = [
  '-updated',
  'updated',
  '-created',
  'created',
  '-severity',
  'severity',
  'due',
  '-due',
  '-number',
  'number',
] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export interface CaseFilter {
  tenants: string[];
  status?: CaseStatus[];
  severity?: Severity[];
  assignee?: string;
  tag?: string;
  sla?: SlaState;
  /** Words that must appear in the title. */
  text?: string;
  includeMerged?: boolean;
  /** Restricted cases are left out unless `viewer` is a member; undefined sees all (manager/admin). */
  viewer?: string;
  /** Time the SLA state is judged at. */
  now: Date;
  /** Fraction of the SLA window left under which an open case is `at_risk`. */
  atRiskFraction: number;
  /** Default `-updated` (most recently changed first). */
  sort?: CaseSort;
  limit: number;
  offset: number;
}

/** Per-tenant SLA: how long a case of each severity may stay unresolved. */
export type SlaPolicy = Record<Severity, number> & { atRiskFraction: number };

export interface TemplateTask {
  title: string;
  description: string;
  group: string | null;
  dueInHours: number | null;
}

export interface CaseTemplate {
  id: string;
  name: string;
  description: string;
  severity: Severity | null;
  tags: string[];
  tlp: Tlp | null;
  pap: Pap | null;
  customFields: Record<string, CustomValue>;
  tasks: TemplateTask[];
}

export interface Sighting {
  caseId: string;
  caseNumber: number;
  caseTitle: string;
  caseStatus: CaseStatus;
  ioc: boolean;
  alertIds: string[];
}

export interface CaseStore {
  count(tenants: string[]): Promise<number>;

  /** Inserts the case (numbered within its tenant) and its first tasks, alert links and observables together. */
  create(
    c: NewCase,
    extras: {
      tasks: CaseTask[];
      links: CaseAlertLink[];
      observables: CaseObservable[];
      activity: NewActivity[];
    },
  ): Promise<Case>;
  get(tenant: string, id: string): Promise<Case | undefined>;
  /** A case by id in any of `tenants` (reads across the caller's tenants). */
  find(tenants: string[], id: string): Promise<Case | undefined>;
  list(filter: CaseFilter): Promise<{ total: number; cases: Case[] }>;
  update(tenant: string, id: string, patch: CasePatch, activity: NewActivity[]): Promise<Case | undefined>;

  linkAlerts(links: CaseAlertLink[]): Promise<void>;
  unlinkAlerts(tenant: string, caseId: string, alertIds: string[]): Promise<number>;
  links(tenant: string, caseId: string): Promise<CaseAlertLink[]>;
  /** Which case each alert is linked to (alerts in no case are left out). */
  caseOfAlerts(tenant: string, alertIds: string[]): Promise<Map<string, string>>;

  /** Moves everything of `sourceId` to `targetId` and marks the source merged, in one transaction. */
  merge(tenant: string, sourceId: string, targetId: string, by: string, at: string): Promise<void>;

  addTasks(tasks: CaseTask[]): Promise<void>;
  tasks(tenant: string, caseId: string): Promise<CaseTask[]>;
  updateTask(
    tenant: string,
    caseId: string,
    taskId: string,
    patch: Partial<
      Pick<CaseTask, 'title' | 'description' | 'assignee' | 'status' | 'dueAt' | 'completedAt' | 'group'>
    >,
    activity: NewActivity[],
  ): Promise<CaseTask | undefined>;

  /** Adds or folds observables: the same (type, value) in a case keeps one row, its alert ids united. */
  upsertObservables(obs: CaseObservable[]): Promise<CaseObservable[]>;
  observables(tenant: string, caseId: string): Promise<CaseObservable[]>;
  updateObservable(
    tenant: string,
    caseId: string,
    id: string,
    patch: Partial<Pick<CaseObservable, 'ioc' | 'description' | 'tags'>>,
  ): Promise<CaseObservable | undefined>;
  removeObservable(tenant: string, caseId: string, id: string): Promise<boolean>;
  /** Drops `alertIds` from the case's observables; those left with no alert and not manual go. */
  detachAlertObservables(tenant: string, caseId: string, alertIds: string[]): Promise<void>;
  /** Other cases of the tenant holding the same observable. */
  sightings(
    tenant: string,
    type: ObservableType,
    value: string,
    excludeCaseId: string,
    viewer: string | undefined,
  ): Promise<Sighting[]>;

  addComment(c: CaseComment): Promise<void>;
  comments(tenant: string, caseId: string): Promise<CaseComment[]>;
  editComment(
    tenant: string,
    caseId: string,
    id: string,
    body: string,
    at: string,
  ): Promise<CaseComment | undefined>;

  addEvidence(e: CaseEvidence, custody: NewCustody): Promise<void>;
  evidence(tenant: string, caseId: string): Promise<CaseEvidence[]>;
  getEvidence(tenant: string, caseId: string, id: string): Promise<CaseEvidence | undefined>;
  markEvidence(tenant: string, id: string, integrity: 'ok' | 'mismatch', verifiedAt: string): Promise<void>;
  addCustody(entry: NewCustody): Promise<void>;
  custody(tenant: string, evidenceId: string): Promise<CustodyEntry[]>;

  pin(p: PinnedEvent): Promise<boolean>;
  unpin(tenant: string, caseId: string, id: string): Promise<boolean>;
  pins(tenant: string, caseId: string): Promise<PinnedEvent[]>;

  addActivity(a: NewActivity[]): Promise<void>;
  activity(tenant: string, caseId: string): Promise<CaseActivity[]>;

  slaPolicy(tenant: string): Promise<SlaPolicy | undefined>;
  setSlaPolicy(tenant: string, policy: SlaPolicy): Promise<void>;

  /** Tenant-made templates; the shipped ones live in templates/cases. */
  templates(tenant: string): Promise<CaseTemplate[]>;
  saveTemplate(tenant: string, t: CaseTemplate): Promise<void>;
  removeTemplate(tenant: string, id: string): Promise<boolean>;
}

export type NewActivity = Omit<CaseActivity, 'seq'>;
export type NewCustody = Omit<CustodyEntry, 'seq'>;
