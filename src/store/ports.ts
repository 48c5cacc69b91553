import type { AlertStore } from '../alerts/ports.js';
import type { CaseStore } from '../cases/ports.js';
import type { NotificationOutbox } from '../notify/ports.js';
import type { RuleStore } from '../detections/ports.js';
import type { PlaybookStore } from '../playbooks/ports.js';
import type { EventSearch } from '../search/ports.js';
import type { SavedSearchStore } from '../hunting/saved-searches.js';
import type { SearchScheduleStore } from '../hunting/scheduled-searches.js';
import type { SigmaHuntStore } from '../hunting/sigma-hunts.js';
import type { SearchHistoryStore } from '../hunting/search-history.js';
import type { IntelStore } from '../intel/ports.js';
import type { SecretRepo } from '../playbooks/secrets.js';
/**
 * Ports: the interfaces every storage adapter implements (SQLite now, PostgreSQL for cluster mode).
 * Modules depend on these, never on an adapter; only `app.ts` picks one. Each port has a contract
 * suite under `store/contract/` that every adapter must pass.
 */
import type { VigilEvent } from '../schema/ecs.js';
import type { Role, TokenRole } from '../auth/roles.js';

export interface FieldFilter {
  field: string;
  op: 'eq' | 'contains' | 'exists';
  value?: string | number | boolean;
}

export interface EventQuery {
  /** Tenants the caller may read; an empty list reads nothing. */
  tenants: string[];
  from?: Date;
  to?: Date;
  filters?: FieldFilter[];
  /** Words that must all appear somewhere in the event (case-insensitive). */
  text?: string[];
  limit: number;
  offset?: number;
}

export interface EventPage {
  total: number;
  events: VigilEvent[];
}

export interface EventStore {
  /** Resolves only when every event of the batch is durable. Re-appending an id is a no-op. */
  append(events: VigilEvent[]): Promise<{ inserted: number }>;
  search(query: EventQuery): Promise<EventPage>;
  get(tenants: string[], id: string): Promise<VigilEvent | undefined>;
  count(tenants?: string[]): Promise<number>;
  /** Retention: deletes events older than `before` (optionally for one tenant) in small slices. */
  deleteOlderThan(before: Date, tenant?: string): Promise<number>;
}

export interface DeadLetter {
  id: number;
  tenant: string;
  input: string;
  reason: string;
  receivedAt: string;
  /** The offending bytes, UTF-8 when they decode, else base64 with `encoding: 'base64'`. */
  raw: string;
  encoding: 'utf8' | 'base64';
}

export interface DeadLetterStore {
  add(items: Array<Omit<DeadLetter, 'id' | 'receivedAt'> & { receivedAt?: string }>): Promise<void>;
  list(tenants: string[], opts: { limit: number; input?: string }): Promise<DeadLetter[]>;
  count(tenants?: string[]): Promise<number>;
}

/** What Elasticsearch shippers install at start-up, kept per tenant (see ingest/http/elastic.ts). */
export type ElasticResourceKind =
  | 'pipeline'
  | 'index_template'
  | 'template'
  | 'component_template'
  | 'ilm_policy'
  /** per-index settings (`PUT /{index}/_settings`), body `{settings: {"index.x": value}}` */
  | 'index_settings';

export interface ElasticResource {
  tenant: string;
  kind: ElasticResourceKind;
  name: string;
  body: Record<string, unknown>;
  updatedAt: string;
}

export interface ElasticResourceStore {
  get(tenant: string, kind: ElasticResourceKind, name: string): Promise<ElasticResource | undefined>;
  list(tenant: string, kind: ElasticResourceKind): Promise<ElasticResource[]>;
  /** Creates or replaces. */
  put(tenant: string, kind: ElasticResourceKind, name: string, body: Record<string, unknown>): Promise<void>;
  delete(tenant: string, kind: ElasticResourceKind, name: string): Promise<boolean>;
}

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

export interface User {
  id: string;
  username: string;
  role: Role;
  tenants: string[];
  passwordHash: string;
  disabled: boolean;
  failedLogins: number;
  firstFailedAt: string | null;
  lockedUntil: string | null;
  createdAt: string;
}

export interface Session {
  /** SHA-256 of the cookie value; the cookie value itself is never stored. */
  idHash: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  ip: string;
}

export interface ApiToken {
  id: string;
  name: string;
  /** SHA-256 of the secret part; the secret is shown once at creation. */
  secretHash: string;
  role: TokenRole;
  tenant: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
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

export type NewAudit = Omit<AuditRecord, 'seq' | 'ts' | 'prevHash' | 'hash'> & { ts?: string };

export interface IdentityRepo {
  createTenant(t: Omit<Tenant, 'createdAt'>): Promise<Tenant>;
  listTenants(): Promise<Tenant[]>;
  getTenant(id: string): Promise<Tenant | undefined>;

  createUser(
    u: Omit<User, 'failedLogins' | 'firstFailedAt' | 'lockedUntil' | 'createdAt' | 'disabled'>,
  ): Promise<User>;
  getUserByName(username: string): Promise<User | undefined>;
  getUser(id: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  updateUser(
    id: string,
    patch: Partial<Omit<User, 'id' | 'username' | 'createdAt'>>,
  ): Promise<User | undefined>;

  createSession(s: Session): Promise<void>;
  getSession(idHash: string): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;
  deleteSessionsOfUser(userId: string): Promise<void>;
  purgeExpiredSessions(now: Date): Promise<number>;

  createToken(t: ApiToken): Promise<void>;
  getToken(id: string): Promise<ApiToken | undefined>;
  listTokens(): Promise<ApiToken[]>;
  revokeToken(id: string, at: string): Promise<boolean>;
  touchToken(id: string, at: string): Promise<void>;
}

export interface AuditLog {
  /** Appends one record, chaining its hash to the previous record's. */
  append(rec: NewAudit): Promise<AuditRecord>;
  list(opts: {
    tenants?: string[];
    limit: number;
    afterSeq?: number;
    action?: string;
    actor?: string;
  }): Promise<AuditRecord[]>;
  /** Every record in order, for verification and export. */
  all(): AsyncIterable<AuditRecord>;
}

/**
 * A detection: one rule (Sigma, correlation, indicator, silent source...) matched. Alerts are built
 * from these; the record keeps what matched so an analyst can see why.
 */
export interface DetectionRecord {
  /** Stable id: the same match redelivered by the bus is stored once. */
  id: string;
  tenant: string;
  /** Event time of the (last) matching event, or of the condition for non-event detections. */
  ts: string;
  detectedAt: string;
  /** `sigma`, `correlation`, `silent_source`, `source_resumed`; later kinds (indicator...) add theirs. */
  kind: string;
  ruleId: string;
  title: string;
  level: string;
  tags: string[];
  attack: { techniques: string[]; tactics: string[] };
  eventIds: string[];
  /** Kind-specific details: matched selections and fields, group-by values, source host... */
  details: Record<string, unknown>;
}

export interface DetectionStore {
  /** Idempotent by (tenant, id). Resolves when durable. */
  add(records: DetectionRecord[]): Promise<{ inserted: number }>;
  list(
    tenants: string[],
    opts: { limit: number; offset?: number; ruleId?: string; minLevel?: string; since?: Date },
  ): Promise<{ total: number; detections: DetectionRecord[] }>;
  count(tenants?: string[]): Promise<number>;
}

/**
 * An exception (tuning): detections of `ruleId` (or of every rule with `*`) whose event has every
 * `match` field equal to its value (case-insensitive) are suppressed in that tenant until `expiresAt`.
 */
export interface RuleException {
  id: string;
  tenant: string;
  ruleId: string;
  match: Array<{ field: string; value: string }>;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface RuleExceptionStore {
  add(e: RuleException): Promise<void>;
  /** Unexpired exceptions unless `includeExpired`. */
  list(tenants: string[], opts?: { ruleId?: string; includeExpired?: boolean }): Promise<RuleException[]>;
  remove(tenant: string, id: string): Promise<boolean>;
}

/** Everything a running Vigil needs from storage, opened and closed together. */
export interface Storage {
  kind: 'sqlite' | 'postgres';
  events: EventStore;
  deadLetters: DeadLetterStore;
  /** Ingest pipelines, templates and ILM policies installed by Elasticsearch shippers. */
  elastic: ElasticResourceStore;
  detections: DetectionStore;
  alerts: AlertStore;
  cases: CaseStore;
  ruleExceptions: RuleExceptionStore;
  /** Uploaded rules, enable/disable settings and correlation state. */
  rules: RuleStore;
  notifications: NotificationOutbox;
  playbooks: PlaybookStore;
  /** The query language over stored events. */
  search: EventSearch;
  /** Saved searches of the hunting workflows (src/hunting). */
  savedSearches: SavedSearchStore;
  /** Schedules of saved searches and their run state. */
  searchSchedules: SearchScheduleStore;
  /** Sigma retro-hunt jobs and their hits. */
  sigmaHunts: SigmaHuntStore;
  /** Each user's recent searches. */
  searchHistory: SearchHistoryStore;
  intel: IntelStore;
  secrets: SecretRepo;
  identity: IdentityRepo;
  audit: AuditLog;
  close(): Promise<void>;
}
