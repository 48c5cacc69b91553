/**
 * The typed client of the Vigil API. Cookie sessions: every write carries the CSRF token the login
 * (or /me) returned; a 401 anywhere sends the user back to the login page.
 */
import { API_PATHS } from './api-paths';

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

const fill = (path: string, params: Record<string, string>): string =>
  path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));

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
    res = await fetch(withQuery(path, opts.query), {
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
    sort?: string;
    limit?: number;
    offset?: number;
  }) => request<{ total: number; alerts: Alert[] }>('GET', API_PATHS.alerts, { query: q }),
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

  cases: (q: { status?: string[]; q?: string; limit?: number; offset?: number }) =>
    request<{ total: number; cases: CaseRow[] }>('GET', API_PATHS.cases, { query: q }),
};
