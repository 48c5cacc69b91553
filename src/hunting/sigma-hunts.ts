/**
 * Sigma retro-hunts: one or more Sigma rules run over stored events of a time range as a
 * background job. A job is queued by the API, claimed by a worker (a lease, so a dead worker's job
 * is picked up again and resumes from its last checkpoint), reports progress, can be cancelled,
 * keeps its hits, and raises alerts when asked, with the same detection ids as live detection so
 * an event already alerted on is not alerted twice.
 */
import { z } from 'zod';
import { textOrNull } from './scheduled-searches.js';

export const HUNT_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type HuntStatus = (typeof HUNT_STATUSES)[number];

export interface HuntRule {
  id: string;
  title: string;
  level: string;
}

export interface SigmaHunt {
  id: string;
  tenant: string;
  status: HuntStatus;
  rules: HuntRule[];
  from: string;
  to: string;
  raiseAlerts: boolean;
  /** The job stops after reading this many events (and says so: scanned < total). */
  maxEvents: number;
  /** Events in the range when the job last looked. */
  total: number;
  scanned: number;
  hits: number;
  /** Events before this time (ISO) are done: a resumed job starts here. Null before the first slice. */
  cursor: string | null;
  error: string | null;
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
}

export interface SigmaHuntHit {
  huntId: string;
  eventId: string;
  ruleId: string;
  title: string;
  level: string;
  ts: string;
}

export interface HuntProgress {
  total: number;
  scanned: number;
  hits: number;
  cursor: string | null;
  leaseUntil: Date;
  /** the correlations' windows at the cursor (CorrelationEngine.snapshot), when the hunt has any */
  correlationState?: string | null;
}

export interface SigmaHuntStore {
  create(hunt: SigmaHunt, ruleYaml: string): Promise<void>;
  get(tenant: string, id: string): Promise<SigmaHunt | undefined>;
  /** Newest first. */
  list(tenants: string[], limit: number): Promise<SigmaHunt[]>;
  ruleYaml(id: string): Promise<string | undefined>;
  /** The correlation state of the job's last checkpoint (a resumed job carries its windows on). */
  correlationState(id: string): Promise<string | null>;
  /** Marks a queued or running job for cancellation; returns it as it now is. */
  requestCancel(tenant: string, id: string): Promise<SigmaHunt | undefined>;
  /** Claims the oldest queued job, or a running one whose worker's lease ran out. */
  claimNext(worker: string, now: Date, leaseUntil: Date): Promise<SigmaHunt | undefined>;
  /** Checkpoints progress and extends the lease; undefined when the worker lost the job. */
  progress(id: string, worker: string, p: HuntProgress): Promise<{ cancelRequested: boolean } | undefined>;
  /** Stores hits (idempotent per hunt, event and rule). */
  addHits(hits: SigmaHuntHit[]): Promise<void>;
  hits(
    tenant: string,
    id: string,
    opts: { limit: number; offset: number },
  ): Promise<{ total: number; hits: SigmaHuntHit[] }>;
  /** Ends a job the worker holds. */
  finish(
    id: string,
    worker: string,
    status: 'done' | 'failed' | 'cancelled',
    error: string | null,
  ): Promise<void>;
  /** Gives a job back to the queue (the worker is stopping); it resumes from its checkpoint. */
  release(id: string, worker: string): Promise<void>;
}

/**
 * A stored hunt row as either database returns it (SQLite: 0/1 and numbers; PostgreSQL: booleans,
 * bigint counts as strings, jsonb parsed) → the hunt.
 */
export function huntFromRow(r: Record<string, unknown>): SigmaHunt {
  const str = textOrNull;
  return {
    id: String(r.id),
    tenant: String(r.tenant),
    status: r.status as HuntStatus,
    rules: (typeof r.rules === 'string' ? JSON.parse(r.rules) : r.rules) as HuntRule[],
    from: String(r.from_ts),
    to: String(r.to_ts),
    raiseAlerts: Boolean(r.raise_alerts),
    maxEvents: Number(r.max_events),
    total: Number(r.total),
    scanned: Number(r.scanned),
    hits: Number(r.hits),
    cursor: str(r.cursor),
    error: str(r.error),
    requestedBy: String(r.requested_by),
    createdAt: String(r.created_at),
    startedAt: str(r.started_at),
    finishedAt: str(r.finished_at),
    cancelRequested: Boolean(r.cancel_requested),
  };
}

/** Columns a hunt is read with (the rule text is read apart: it can be large). */
export const HUNT_COLUMNS = `id, tenant, status, rules, from_ts, to_ts, raise_alerts, max_events, total, scanned, hits,
  error, requested_by, created_at, started_at, finished_at, cancel_requested, cursor`;

const isoTime = z.string().datetime({ offset: true });

export const huntRequest = z
  .object({
    /** Sigma rule YAML: one document or several (`---`). */
    rule: z.string().min(1).max(500_000),
    /** Only these rule ids from the text (default: every rule in it). */
    rule_ids: z.array(z.string().min(1).max(200)).max(500).optional(),
    from: isoTime,
    to: isoTime.optional(),
    raise_alerts: z.boolean().default(false),
    max_events: z.number().int().min(1).max(100_000_000).default(10_000_000),
  })
  .strict()
  .refine((r) => r.to === undefined || Date.parse(r.from) < Date.parse(r.to), {
    message: 'from must be before to',
    path: ['from'],
  });
export type HuntRequestInput = z.infer<typeof huntRequest>;

/** Hits a job keeps for review; more are counted (and raised as alerts when asked) but not listed. */
export const MAX_STORED_HITS = 10_000;
