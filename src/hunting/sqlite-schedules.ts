import type { Db } from '../store/sqlite/db.js';
import {
  scheduleFromRow,
  type RunResult,
  type SearchSchedule,
  type SearchScheduleStore,
} from './scheduled-searches.js';
import type { Schedule } from './schedules.js';

type Row = Record<string, unknown>;
const toSchedule = scheduleFromRow;

export class SqliteSearchScheduleStore implements SearchScheduleStore {
  constructor(private readonly db: Db) {}

  put(
    tenant: string,
    searchId: string,
    owner: string,
    schedule: Schedule,
    enabled: boolean,
  ): Promise<SearchSchedule> {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO search_schedules (tenant, search_id, owner, schedule, enabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant, search_id) DO UPDATE SET
           owner = excluded.owner, schedule = excluded.schedule, enabled = excluded.enabled,
           updated_at = excluded.updated_at`,
      )
      .run(tenant, searchId, owner, JSON.stringify(schedule), enabled ? 1 : 0, now, now);
    return this.get(tenant, searchId) as Promise<SearchSchedule>;
  }

  get(tenant: string, searchId: string): Promise<SearchSchedule | undefined> {
    const r = this.db
      .prepare(`SELECT * FROM search_schedules WHERE tenant = ? AND search_id = ?`)
      .get(tenant, searchId) as Row | undefined;
    return Promise.resolve(r ? toSchedule(r) : undefined);
  }

  list(tenants: string[]): Promise<SearchSchedule[]> {
    if (tenants.length === 0) return Promise.resolve([]);
    const rows = this.db
      .prepare(
        `SELECT * FROM search_schedules WHERE tenant IN (${tenants.map(() => '?').join(',')})
         ORDER BY tenant, search_id`,
      )
      .all(...tenants) as Row[];
    return Promise.resolve(rows.map(toSchedule));
  }

  listEnabled(): Promise<SearchSchedule[]> {
    const rows = this.db
      .prepare(`SELECT * FROM search_schedules WHERE enabled = 1 ORDER BY tenant, search_id`)
      .all() as Row[];
    return Promise.resolve(rows.map(toSchedule));
  }

  remove(tenant: string, searchId: string): Promise<boolean> {
    const r = this.db
      .prepare(`DELETE FROM search_schedules WHERE tenant = ? AND search_id = ?`)
      .run(tenant, searchId);
    return Promise.resolve(r.changes > 0);
  }

  claim(tenant: string, searchId: string, worker: string, now: Date, until: Date): Promise<boolean> {
    const r = this.db
      .prepare(
        `UPDATE search_schedules SET lease_owner = ?, lease_until = ?
         WHERE tenant = ? AND search_id = ? AND enabled = 1
           AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?)`,
      )
      .run(worker, until.toISOString(), tenant, searchId, now.toISOString(), worker);
    return Promise.resolve(r.changes > 0);
  }

  finish(tenant: string, searchId: string, worker: string, r: RunResult): Promise<void> {
    this.db
      .prepare(
        `UPDATE search_schedules SET
           last_window_end = COALESCE(?, last_window_end), last_run_at = ?, last_status = ?,
           last_error = ?, last_hits = ?, lease_owner = NULL, lease_until = NULL
         WHERE tenant = ? AND search_id = ? AND lease_owner = ?`,
      )
      .run(r.windowEnd ?? null, r.runAt, r.status, r.error, r.hits, tenant, searchId, worker);
    return Promise.resolve();
  }
}
