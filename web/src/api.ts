/**
 * The typed client of the Vigil API. Cookie sessions: every write carries the CSRF token the login
 * (or /me) returned; a 401 anywhere sends the user back to the login page.
 */
import { API_PATHS } from './api-paths';
import { selectedTenant } from './tenant';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
  /** The server has no such route: the capability is not part of this build. */
  get notAvailable(): boolean {
    return this.status === 404 && this.message.startsWith('no route ');
  }
}

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

export function setCsrfToken(t: string | undefined): void {
  csrfToken = t;
}
export function setUnauthorizedHandler(f: (() => void) | undefined): void {
  onUnauthorized = f;
}

type Query = Record<string, string | number | boolean | undefined | null | string[]>;

function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length > 0) sp.set(k, v.join(','));
    } else sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `${path}?${s}` : path;
}

export const fill = (path: string, params: Record<string, string>): string =>
  path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));

/** The console's chosen tenant on every API call that does not name one itself. */
function withTenant(path: string, q: Query | undefined): Query | undefined {
  const t = selectedTenant();
  if (!t || !path.startsWith('/api/v1/') || path.startsWith('/api/v1/auth/')) return q;
  if (q && q.tenant !== undefined) return q;
  return { ...q, tenant: t };
}

export async function request<T>(
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; quiet401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(withQuery(path, withTenant(path, opts.query)), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', `cannot reach the Vigil server (${(e as Error).message})`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
      ?.error;
    const retry = Number(res.headers.get('retry-after'));
    const e = new ApiError(
      res.status,
      err?.code ?? 'http_' + res.status,
      err?.message ?? (res.statusText || `HTTP ${res.status}`),
      err?.details,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw e;
  }
  return json as T;
}

// ---- shapes (mirroring the server's zod schemas and ports) ----

export interface Me {
  kind: 'user' | 'token';
  name: string;
  role: string;
  tenants: string[];
  csrfToken?: string;
}
export interface LoginReply {
  user: { username: string; role: string; tenants: string[] };
  csrfToken: string;
  expiresAt: string;
}

export interface SourceCounts {
  received: number;
  parsed: number;
  failed: number;
}
export interface SourceHost extends SourceCounts {
  host: string;
  tenant: string;
  firstSeen: string;
  lastSeen: string;
  state: 'active' | 'silent';
}
export interface SourceInput extends SourceCounts {
  input: string;
  tenant: string;
  kind: string;
  silentAfterMinutes: number;
  state: 'active' | 'silent' | 'never';
  lastSeen: string | null;
  hostCount: number;
  evictedHosts: number;
  hosts: SourceHost[];
}

export interface Detection {
  id: string;
  tenant: string;
  ts: string;
  detectedAt: string;
  kind: string;
  ruleId: string;
  title: string;
  level: string;
  tags: string[];
  attack: { techniques: string[]; tactics: string[] };
  eventIds: string[];
  details: Record<string, unknown>;
}

export interface RuleRow {
  kind: 'rule' | 'correlation' | 'filter';
  id: string;
  title: string;
  level?: string;
  tags?: string[];
  status?: string;
  type?: string;
  file: string;
  source: string;
  tenant?: string;
  enabled: boolean;
}
export interface RulesReply {
  total: number;
  rules: RuleRow[];
  rejected: Array<{ file: string; reason: string; line?: number }>;
}

export interface DeadLetter {
  id: number;
  tenant: string;
  input: string;
  reason: string;
  receivedAt: string;
  raw: string;
  encoding: 'utf8' | 'base64';
}

export interface AuditRecord {
  seq: number;
  ts: string;
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export type EventDoc = Record<string, unknown>;

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const ALERT_STATUSES = ['new', 'acknowledged', 'in_progress', 'closed'] as const;
export const ALERT_VERDICTS = ['true_positive', 'false_positive', 'benign', 'duplicate'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type AlertVerdict = (typeof ALERT_VERDICTS)[number];

/** Alerts counted per rule or entity on the server (the queue's group-by). */
export interface AlertGroup {
  key: string;
  ruleId: string | null;
  entity: { type: string; value: string } | null;
  label: string;
  count: number;
  worst: string;
  latest: string;
}

export interface Alert {
  id: string;
  tenant: string;
  kind: string;
  ruleId: string;
  title: string;
  severity: string;
  status: AlertStatus;
  verdict: AlertVerdict | null;
  assignee: string | null;
  tags: string[];
  attack: { techniques: string[]; tactics: string[] };
  entity: { type: string; value: string } | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  createdAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  closedAt: string | null;
  observables: Array<{ type: string; value: string }>;
  caseId: string | null;
}
export interface AlertComment {
  id: string;
  author: string;
  body: string;
  createdAt: string;
}
export type AlertAction =
  | { action: 'ack' }
  | { action: 'assign'; assignee: string | null }
  | { action: 'close'; verdict: AlertVerdict }
  | { action: 'tag'; tags: string[] };

export interface CaseRow {
  id: string;
  tenant: string;
  number: number;
  title: string;
  severity: string;
  status: string;
  assignee: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  sla?: { state: 'ok' | 'at_risk' | 'breached'; dueAt: string | null; remainingSeconds: number | null };
}

export interface Delivery {
  id: string;
  tenant: string;
  channel: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

// ---- endpoints ----

export const api = {
  login: (username: string, password: string) =>
    request<LoginReply>('POST', API_PATHS.login, { body: { username, password }, quiet401: true }),
  logout: () => request<{ ok: boolean }>('POST', API_PATHS.logout, { quiet401: true }),
  me: () => request<Me>('GET', API_PATHS.me, { quiet401: true }),

  sources: () => request<{ inputs: SourceInput[] }>('GET', API_PATHS.sources),
  detections: (q: { limit?: number; offset?: number; rule?: string; level?: string; since?: string }) =>
    request<{ total: number; detections: Detection[] }>('GET', API_PATHS.detections, { query: q }),
  rules: () => request<RulesReply>('GET', API_PATHS.rules, { query: { limit: 10_000 } }),
  deadLetters: (q: { limit?: number; input?: string }) =>
    request<{ total: number; deadLetters: DeadLetter[] }>('GET', API_PATHS.deadLetters, { query: q }),
  audit: (q: { after?: number; limit?: number; action?: string; actor?: string }) =>
    request<{ records: AuditRecord[] }>('GET', API_PATHS.audit, { query: q }),
  auditVerify: () => request<{ ok: boolean; [k: string]: unknown }>('GET', API_PATHS.auditVerify),
  searchEvents: (q: { q: string; from?: string; to?: string; limit?: number; offset?: number }) =>
    request<{ total: number; events: EventDoc[] }>('GET', API_PATHS.eventSearch, { query: q }),

  alerts: (q: {
    status?: string[];
    severity?: string[];
    q?: string;
    assignee?: string;
    rule?: string;
    /** `type:value`; 'none' for alerts about no entity */
    entity?: string;
    sort?: string;
    limit?: number;
    offset?: number;
  }) => request<{ total: number; alerts: Alert[] }>('GET', API_PATHS.alerts, { query: q }),
  alertGroups: (q: {
    by: 'rule' | 'entity';
    status?: string[];
    severity?: string[];
    q?: string;
    limit?: number;
  }) => request<{ total: number; groups: AlertGroup[] }>('GET', API_PATHS.alertGroups, { query: q }),
  alert: (id: string) =>
    request<{ alert: Alert; detections: Detection[]; events: EventDoc[] }>(
      'GET',
      fill(API_PATHS.alert, { id }),
    ),
  patchAlert: (
    id: string,
    body: { status?: AlertStatus; verdict?: AlertVerdict; assignee?: string | null; tags?: string[] },
  ) => request<Alert>('PATCH', fill(API_PATHS.alert, { id }), { body }),
  bulkAlerts: (ids: string[], action: AlertAction) =>
    request<unknown>('POST', API_PATHS.alertsBulk, { body: { ids, ...action } }),
  alertComments: (id: string) =>
    request<{ comments: AlertComment[] }>('GET', fill(API_PATHS.alertComments, { id })),
  addAlertComment: (id: string, body: string) =>
    request<AlertComment>('POST', fill(API_PATHS.alertComments, { id }), { body: { body } }),

  deliveries: (q: { status?: 'pending' | 'sent' | 'failed'; limit?: number }) =>
    request<{ deliveries: Delivery[] }>('GET', API_PATHS.deliveries, { query: q }),

  cases: (q: { status?: string[]; q?: string; sla?: string; limit?: number; offset?: number }) =>
    request<{ total: number; cases: CaseRow[] }>('GET', API_PATHS.cases, { query: q }),
};

// ---- case page (CaseDetail) and administration (Admin*) ----

export const CASE_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export const CASE_RESOLUTIONS = [
  'true_positive',
  'false_positive',
  'benign',
  'indeterminate',
  'duplicate',
  'merged',
  'other',
] as const;
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export const PAP_LEVELS = ['clear', 'green', 'amber', 'red'] as const;
export const TASK_STATUSES = ['todo', 'in_progress', 'done', 'cancelled'] as const;
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
export const ROLES = ['admin', 'manager', 'analyst', 'investigator', 'responder', 'auditor'] as const;
export const TOKEN_ROLES = [...ROLES, 'ingest'] as const;

export interface CaseDetail extends CaseRow {
  description: string;
  /** The description rendered by the server's escaping Markdown renderer (cases/markdown.ts). */
  descriptionHtml: string;
  resolution: string | null;
  tlp: string;
  pap: string;
  dueAt: string | null;
  dueSource: 'sla' | 'manual' | null;
  attack: { techniques: string[]; tactics: string[] };
  members: string[];
  template: string | null;
  mergedInto: string | null;
  customFields: Record<string, string | number | boolean>;
  createdBy: string;
  resolvedAt: string | null;
  closedAt: string | null;
  counts: Record<string, number>;
}
export type CasePatch = Partial<{
  title: string;
  description: string;
  severity: string;
  status: string;
  resolution: string | null;
  tlp: string;
  pap: string;
  tags: string[];
  assignee: string | null;
  dueAt: string | null;
  attack: { techniques: string[]; tactics: string[] };
}>;
export interface CaseTask {
  id: string;
  caseId: string;
  title: string;
  description: string;
  group: string | null;
  order: number;
  assignee: string | null;
  status: (typeof TASK_STATUSES)[number];
  dueAt: string | null;
  createdBy: string;
  createdAt: string;
  completedAt: string | null;
}
export interface CaseObservable {
  id: string;
  type: string;
  value: string;
  ioc: boolean;
  description: string;
  tags: string[];
  manual: boolean;
  alertIds: string[];
  createdBy: string;
  createdAt: string;
  /** How many other cases hold the same value (when the server reports it). */
  sightings?: number;
}
export interface Sighting {
  caseId: string;
  caseNumber: number;
  caseTitle: string;
  caseStatus: string;
  ioc: boolean;
  alertIds: string[];
}
export interface CaseComment {
  id: string;
  author: string;
  body: string;
  createdAt: string;
  editedAt: string | null;
}
export interface TimelineItem {
  at: string;
  kind: string;
  actor: string | null;
  summary: string;
  ref?: { type: string; id: string };
}
export interface CaseEvidence {
  id: string;
  sha256: string;
  size: number;
  name: string;
  contentType: string;
  description: string;
  addedBy: string;
  addedAt: string;
  integrity: 'ok' | 'mismatch';
  lastVerifiedAt: string | null;
}
export interface CustodyEntry {
  seq: number;
  action: string;
  actor: string;
  ip: string | null;
  at: string;
  sha256: string;
  detail: string | null;
}
export interface CaseTemplate {
  id: string;
  name: string;
  description: string;
  source: 'builtin' | 'tenant';
  severity?: string | null;
  tags?: string[];
  tasks: Array<{ title: string; description: string; group: string | null; dueInHours: number | null }>;
}
/** What PUT /api/v1/cases/templates/:id takes. */
export interface CaseTemplateInput {
  id: string;
  name: string;
  description: string;
  severity: string | null;
  tags: string[];
  tasks: Array<{ title: string; description: string; group: string | null; dueInHours: number | null }>;
}
/** Hours to resolve a case, by severity, and the share of that time after which it is at risk. */
export type SlaPolicy = Record<(typeof SEVERITIES)[number], number> & { atRiskFraction: number };
export interface PinnedEvent {
  id: string;
  eventId: string;
  eventTime: string;
  summary: string;
  note: string;
  pinnedBy: string;
  pinnedAt: string;
}
export interface UserRow {
  username: string;
  role: string;
  tenants: string[];
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
}
export interface TokenRow {
  id: string;
  name: string;
  role: string;
  tenant: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
export interface TenantRow {
  id: string;
  name: string;
  createdAt?: string;
}
export interface ChannelRow {
  id: string;
  type: string;
  on: string[];
  minSeverity: string;
  tenants: string[] | null;
}

/** An evidence file as raw bytes (the server hashes the stream); JSON request() cannot carry it. */
export async function uploadEvidence(
  caseId: string,
  file: Blob,
  name: string,
  description: string,
): Promise<CaseEvidence> {
  const path = withQuery(fill(API_PATHS.caseEvidence, { id: caseId }), { name, description });
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': file.type || 'application/octet-stream',
  };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: file });
  const json = (await res.json().catch(() => undefined)) as
    (CaseEvidence & { error?: { code?: string; message?: string } }) | undefined;
  if (!res.ok) {
    if (res.status === 401) onUnauthorized?.();
    throw new ApiError(
      res.status,
      json?.error?.code ?? `http_${res.status}`,
      json?.error?.message ?? `HTTP ${res.status}`,
    );
  }
  return json as CaseEvidence;
}

export const evidenceHref = (caseId: string, evidenceId: string): string =>
  fill(API_PATHS.caseEvidenceContent, { id: caseId, evidenceId });

export const caseApi = {
  create: (body: {
    title?: string;
    description?: string;
    severity?: string;
    template?: string;
    alertIds?: string[];
  }) => request<CaseDetail>('POST', API_PATHS.cases, { body }),
  get: (id: string) => request<CaseDetail>('GET', fill(API_PATHS.case, { id })),
  patch: (id: string, body: CasePatch) =>
    request<CaseDetail>('PATCH', fill(API_PATHS.case, { id }), { body }),
  templates: () => request<{ templates: CaseTemplate[] }>('GET', API_PATHS.caseTemplates),
  saveTemplate: (t: CaseTemplateInput) =>
    request<CaseTemplate>('PUT', fill(API_PATHS.caseTemplate, { templateId: t.id }), {
      body: { ...t, id: undefined },
    }),
  removeTemplate: (templateId: string) =>
    request<{ removed: boolean }>('DELETE', fill(API_PATHS.caseTemplate, { templateId })),
  sla: () => request<SlaPolicy>('GET', API_PATHS.caseSlaPolicy),
  setSla: (p: SlaPolicy) => request<SlaPolicy>('PUT', API_PATHS.caseSlaPolicy, { body: p }),
  setMembers: (id: string, members: string[]) =>
    request<CaseDetail>('PUT', fill(API_PATHS.caseMembers, { id }), { body: { members } }),
  alerts: (id: string) =>
    request<{ links: Array<{ alertId: string; addedBy: string; addedAt: string }>; alerts: Alert[] }>(
      'GET',
      fill(API_PATHS.caseAlerts, { id }),
    ),
  addAlerts: (id: string, alertIds: string[]) =>
    request<unknown>('POST', fill(API_PATHS.caseAlerts, { id }), { body: { alertIds } }),
  merge: (id: string, into: string) =>
    request<CaseDetail>('POST', fill(API_PATHS.caseMerge, { id }), { body: { into } }),
  split: (id: string, alertIds: string[], to: 'new' | 'none', title?: string) =>
    request<{ source: CaseDetail; created: CaseDetail | null }>('POST', fill(API_PATHS.caseSplit, { id }), {
      body: { alertIds, to, title },
    }),
  tasks: (id: string) => request<{ tasks: CaseTask[] }>('GET', fill(API_PATHS.caseTasks, { id })),
  addTask: (
    id: string,
    body: {
      title: string;
      description?: string;
      group?: string | null;
      assignee?: string | null;
      dueAt?: string | null;
    },
  ) => request<CaseTask>('POST', fill(API_PATHS.caseTasks, { id }), { body }),
  patchTask: (
    id: string,
    taskId: string,
    body: Partial<{ status: string; assignee: string | null; dueAt: string | null; title: string }>,
  ) => request<CaseTask>('PATCH', fill(API_PATHS.caseTask, { id, taskId }), { body }),
  observables: (id: string) =>
    request<{ observables: CaseObservable[] }>('GET', fill(API_PATHS.caseObservables, { id })),
  addObservable: (id: string, body: { type: string; value: string; ioc?: boolean; description?: string }) =>
    request<{ observables: CaseObservable[] }>('POST', fill(API_PATHS.caseObservables, { id }), { body }),
  patchObservable: (id: string, observableId: string, body: { ioc?: boolean; description?: string }) =>
    request<CaseObservable>('PATCH', fill(API_PATHS.caseObservable, { id, observableId }), { body }),
  removeObservable: (id: string, observableId: string) =>
    request<unknown>('DELETE', fill(API_PATHS.caseObservable, { id, observableId })),
  sightings: (id: string, observableId: string) =>
    request<{
      cases: Sighting[];
      alerts: Array<{
        id: string;
        title: string;
        severity: string;
        status: string;
        caseId: string | null;
        lastSeen: string;
      }>;
    }>('GET', fill(API_PATHS.caseSightings, { id, observableId })),
  comments: (id: string) => request<{ comments: CaseComment[] }>('GET', fill(API_PATHS.caseComments, { id })),
  addComment: (id: string, body: string) =>
    request<CaseComment>('POST', fill(API_PATHS.caseComments, { id }), { body: { body } }),
  editComment: (id: string, commentId: string, body: string) =>
    request<CaseComment>('PATCH', fill(API_PATHS.caseComment, { id, commentId }), { body: { body } }),
  pins: (id: string) => request<{ pins: PinnedEvent[] }>('GET', fill(API_PATHS.casePins, { id })),
  pin: (id: string, eventId: string, note: string) =>
    request<PinnedEvent>('POST', fill(API_PATHS.casePins, { id }), { body: { eventId, note } }),
  unpin: (id: string, pinId: string) => request<unknown>('DELETE', fill(API_PATHS.casePin, { id, pinId })),
  timeline: (id: string) =>
    request<{ timeline: TimelineItem[] }>('GET', fill(API_PATHS.caseTimeline, { id })),
  evidence: (id: string) =>
    request<{ evidence: CaseEvidence[] }>('GET', fill(API_PATHS.caseEvidence, { id })),
  custody: (id: string, evidenceId: string) =>
    request<{ evidence: CaseEvidence; custody: CustodyEntry[] }>(
      'GET',
      fill(API_PATHS.caseEvidenceCustody, { id, evidenceId }),
    ),
  verify: (id: string, evidenceId: string) =>
    request<{ evidence: CaseEvidence; ok: boolean; actual: string | null }>(
      'GET',
      fill(API_PATHS.caseEvidenceVerify, { id, evidenceId }),
    ),
  audit: (id: string) => request<{ records: AuditRecord[] }>('GET', fill(API_PATHS.caseAudit, { id })),
};

export const adminApi = {
  users: () => request<{ users: UserRow[] }>('GET', API_PATHS.users),
  createUser: (body: { username: string; password: string; role: string; tenants: string[] }) =>
    request<UserRow>('POST', API_PATHS.users, { body }),
  patchUser: (
    username: string,
    body: Partial<{ role: string; tenants: string[]; disabled: boolean; password: string }>,
  ) => request<UserRow>('PATCH', fill(API_PATHS.user, { username }), { body }),
  tokens: () => request<{ tokens: TokenRow[] }>('GET', API_PATHS.tokens),
  createToken: (body: { name: string; role: string; tenant?: string }) =>
    request<TokenRow & { token: string }>('POST', API_PATHS.tokens, { body }),
  revokeToken: (id: string) => request<{ revoked: string }>('DELETE', fill(API_PATHS.token, { id })),
  tenants: () => request<{ tenants: TenantRow[] }>('GET', API_PATHS.tenants),
  createTenant: (body: { id: string; name: string }) =>
    request<TenantRow>('POST', API_PATHS.tenants, { body }),
  channels: () => request<{ channels: ChannelRow[] }>('GET', API_PATHS.channels),
};

// ---- playbooks, intel, SOC metrics, ATT&CK coverage (Playbooks, Intel and Overview pages) ----

export interface PlaybookSummary {
  id: string;
  version: number;
  updatedAt: string;
  valid: boolean;
  name: string | null;
  enabled: boolean;
  triggers: string[];
}
export interface PlaybookDetail {
  id: string;
  yaml: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
  playbook: { name: string; enabled: boolean; description?: string; inputs?: Record<string, unknown> } | null;
  errors: PlaybookDefinitionError[];
}
export interface PlaybookDefinitionError {
  line: number;
  path: string;
  message: string;
  document?: number;
}
export interface PlaybookValidation {
  valid: boolean;
  errors: PlaybookDefinitionError[];
  id?: string;
  name?: string;
  enabled?: boolean;
  triggers?: string[];
}
export type RunStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export interface PlaybookRun {
  id: string;
  tenant: string;
  playbookId: string;
  playbookVersion: number;
  trigger: { type: string; by?: string; data?: unknown };
  inputs: Record<string, unknown>;
  dryRun: boolean;
  status: RunStatus;
  error: string | null;
  outputs: Record<string, unknown> | null;
  startedAt: string;
  endedAt: string | null;
}
export interface RunStep {
  runId: string;
  path: string;
  stepId: string;
  action?: string;
  status: 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting';
  attempts: number;
  input: unknown;
  output: unknown;
  error: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  decision?: { approved: boolean; by: string; at: string; reason?: string } | null;
  deadline?: string | null;
}
export interface PlaybookMetrics {
  runs: number;
  byStatus: Record<string, number>;
  failures: number;
  meanDurationSeconds: number | null;
  timeSavedMinutes: number;
  meanTimeToContainSeconds: number | null;
}
export interface RunRequest {
  alertId?: string;
  caseId?: string;
  observable?: { type: string; value: string };
  inputs?: Record<string, unknown>;
  dryRun?: boolean;
  wait?: boolean;
}

export interface FeedRow {
  id: string;
  tenant: string;
  name: string;
  kind: string;
  url: string;
  scheduleMinutes: number;
  enabled: boolean;
  health: {
    lastPullAt: string | null;
    lastSuccessAt: string | null;
    lastCount: number;
    lastError: string | null;
    consecutiveFailures: number;
  };
  createdAt: string;
}
export interface Indicator {
  id: string;
  tenant: string;
  type: string;
  value: string;
  name: string | null;
  description: string | null;
  confidence: number;
  severity: string;
  tlp: string;
  firstSeen: string;
  lastSeen: string;
  validUntil: string | null;
  tags: string[];
  attack: string[];
  sources: string[];
  provenance: Array<{
    source: string;
    feedId?: string;
    externalId?: string;
    seenAt: string;
    confidence?: number;
    severity?: string;
    reference?: string;
  }>;
  createdAt: string;
  updatedAt: string;
}
export interface IntelObject {
  id: string;
  tenant: string;
  type: string;
  name: string | null;
  feedId: string | null;
  modified: string | null;
  doc: Record<string, unknown>;
}

export interface DurationStats {
  count: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}
export interface SocMetrics {
  period: { from: string; to: string };
  alerts: { created: number; acknowledged: number; closed: number; open: number };
  mttd: { all: DurationStats };
  mtta: { all: DurationStats };
  mttr: { all: DurationStats };
  rules: Array<{ ruleId: string; title: string; alerts: number; falsePositiveRate: number | null }>;
}
/** The coverage route's own answer type. */
import type { Coverage as AttackCoverage } from '../../src/api/coverage-types';
export type { AttackCoverage };

export const socApi = {
  playbooks: () => request<{ playbooks: PlaybookSummary[] }>('GET', API_PATHS.playbooks),
  playbook: (id: string) => request<PlaybookDetail>('GET', fill(API_PATHS.playbook, { id })),
  createPlaybook: (yaml: string) =>
    request<{ id: string; version: number }>('POST', API_PATHS.playbooks, { body: { yaml } }),
  savePlaybook: (id: string, yaml: string) =>
    request<{ id: string; version: number }>('PUT', fill(API_PATHS.playbook, { id }), { body: { yaml } }),
  validatePlaybook: (yaml: string) =>
    request<PlaybookValidation>('POST', API_PATHS.playbookValidate, { body: { yaml } }),
  importPlaybooks: (yaml: string) =>
    request<{ imported: Array<{ id: string; version: number }> }>('POST', API_PATHS.playbookImport, {
      body: { yaml },
    }),
  installExamples: () => request<{ installed: string[] }>('POST', API_PATHS.playbookExamples),
  /** The export is YAML, not JSON: read as text. */
  exportPlaybooks: async (): Promise<string> => {
    const r = await fetch(API_PATHS.playbookExport, { credentials: 'same-origin' });
    if (!r.ok) throw new ApiError(r.status, 'http_' + r.status, `export failed: HTTP ${r.status}`);
    return r.text();
  },
  versions: (id: string) =>
    request<{ versions: Array<{ version: number; savedBy: string; savedAt: string }> }>(
      'GET',
      fill(API_PATHS.playbookVersions, { id }),
    ),
  version: (id: string, version: number) =>
    request<{ id: string; version: number; yaml: string }>(
      'GET',
      fill(API_PATHS.playbookVersion, { id, version: String(version) }),
    ),
  run: (id: string, body: RunRequest) =>
    request<{ run: PlaybookRun }>('POST', fill(API_PATHS.playbookRun, { id }), { body }),
  runs: (q: { playbook?: string; status?: RunStatus; limit?: number }) =>
    request<{ runs: PlaybookRun[] }>('GET', API_PATHS.playbookRuns, { query: q }),
  runDetail: (id: string) =>
    request<{ run: PlaybookRun; steps: RunStep[] }>('GET', fill(API_PATHS.playbookRunOne, { id })),
  decide: (id: string, path: string, approved: boolean, reason?: string) =>
    request<{ run: PlaybookRun }>('POST', fill(API_PATHS.playbookRunDecision, { id }), {
      body: { path, approved, ...(reason ? { reason } : {}) },
    }),
  replay: (id: string) => request<{ run: PlaybookRun }>('POST', fill(API_PATHS.playbookRunReplay, { id })),
  playbookMetrics: () => request<PlaybookMetrics>('GET', API_PATHS.playbookMetrics),

  feeds: () => request<{ feeds: FeedRow[] }>('GET', API_PATHS.intelFeeds),
  pullFeed: (id: string) => request<unknown>('POST', fill(API_PATHS.intelFeedPull, { id })),
  indicators: (q: {
    type?: string;
    value?: string;
    q?: string;
    source?: string;
    includeExpired?: boolean;
    limit?: number;
    offset?: number;
  }) =>
    request<{ total: number; indicators: Indicator[] }>('GET', API_PATHS.intelIndicators, {
      query: { ...q, includeExpired: q.includeExpired ? 'true' : undefined },
    }),
  indicator: (id: string) => request<Indicator>('GET', fill(API_PATHS.intelIndicator, { id })),
  intelObjects: (q: { type?: string; limit?: number }) =>
    request<{ objects: IntelObject[] }>('GET', API_PATHS.intelObjects, { query: q }),
  intelStats: () =>
    request<{ liveIndicators: number; unindexedPatterns: number; rejectedPatterns: number }>(
      'GET',
      API_PATHS.intelStats,
    ),
  /** Sightings of an indicator: the detections its matches produced (rule id `intel:<id>`). */
  sightings: (indicatorId: string) =>
    request<{ total: number; detections: Detection[] }>('GET', API_PATHS.detections, {
      query: { rule: `intel:${indicatorId}`, limit: 50 },
    }),

  socMetrics: (q: { from?: string; to?: string; period?: string }) =>
    request<SocMetrics>('GET', API_PATHS.socMetrics, { query: q }),
  coverage: () => request<AttackCoverage>('GET', API_PATHS.attackCoverage),
};
