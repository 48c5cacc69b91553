/**
 * Scheduled searches: a saved search that runs every N minutes over a time window and raises a
 * detection when its result says so (threshold, new terms, no data). The schedule lives beside the
 * saved search, one per search; the run state (last window, lease) lives with it so that any worker
 * may run it and a restart neither skips nor repeats a window.
 */
import { scheduleInput, type Schedule } from './schedules.js';

export type RunStatus = 'ok' | 'error';

export interface SearchSchedule {
  searchId: string;
  tenant: string;
  /** Principal that set the schedule: runs are attributed to it in detections. */
  owner: string;
  schedule: Schedule;
  enabled: boolean;
  /** End of the last window that ran to completion (ISO), null before the first run. */
  lastWindowEnd: string | null;
  lastRunAt: string | null;
  lastStatus: RunStatus | null;
  lastError: string | null;
  /** Detections the last run raised. */
  lastHits: number;
  createdAt: string;
  updatedAt: string;
}

export interface RunResult {
  status: RunStatus;
  error: string | null;
  hits: number;
  runAt: string;
  /** The window that completed; absent when the run failed (the window runs again). */
  windowEnd?: string;
}

export interface SearchScheduleStore {
  /** Creates or replaces the schedule of a saved search; the run state survives a replace. */
  put(
    tenant: string,
    searchId: string,
    owner: string,
    schedule: Schedule,
    enabled: boolean,
  ): Promise<SearchSchedule>;
  get(tenant: string, searchId: string): Promise<SearchSchedule | undefined>;
  list(tenants: string[]): Promise<SearchSchedule[]>;
  /** Every enabled schedule of every tenant: what a runner walks. */
  listEnabled(): Promise<SearchSchedule[]>;
  remove(tenant: string, searchId: string): Promise<boolean>;
  /**
   * Takes the run lease when nobody holds a live one; false when another worker does. A lease
   * that expires (its worker died) can be taken again, and the window then runs again.
   */
  claim(tenant: string, searchId: string, worker: string, now: Date, until: Date): Promise<boolean>;
  /** Records a run and releases the lease, if `worker` still holds it. */
  finish(tenant: string, searchId: string, worker: string, r: RunResult): Promise<void>;
}

/** A nullable text column of either database. */
export const textOrNull = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;

/** A stored schedule row as either database returns it (SQLite 0/1 and JSON text; PostgreSQL booleans and jsonb). */
export function scheduleFromRow(r: Record<string, unknown>): SearchSchedule {
  const str = textOrNull;
  const status = str(r.last_status);
  return {
    searchId: String(r.search_id),
    tenant: String(r.tenant),
    owner: String(r.owner),
    // Parsed again so a row written by an older version gets today's defaults.
    schedule: scheduleInput.parse(typeof r.schedule === 'string' ? JSON.parse(r.schedule) : r.schedule),
    enabled: Boolean(r.enabled),
    lastWindowEnd: str(r.last_window_end),
    lastRunAt: str(r.last_run_at),
    lastStatus: status === 'ok' || status === 'error' ? status : null,
    lastError: str(r.last_error),
    lastHits: Number(r.last_hits ?? 0),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}
