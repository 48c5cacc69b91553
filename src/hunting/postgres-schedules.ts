import type { Pool } from '../store/postgres/db.js';
import {
  scheduleFromRow,
  type RunResult,
  type SearchSchedule,
  type SearchScheduleStore,
} from './scheduled-searches.js';
import type { Schedule } from './schedules.js';

type Row = Record<string, unknown>;
const toSchedule = scheduleFromRow;

export class PostgresSearchScheduleStore implements SearchScheduleStore {
  constructor(private readonly pool: Pool) {}

  async put(
    tenant: string,
    searchId: string,
    owner: string,
    schedule: Schedule,
    enabled: boolean,
  ): Promise<SearchSchedule> {
    const now = new Date().toISOString();
    const r = await this.pool.query<Row>(
      `INSERT INTO search_schedules (tenant, search_id, owner, schedule, enabled, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (tenant, search_id) DO UPDATE SET
         owner = excluded.owner, schedule = excluded.schedule, enabled = excluded.enabled,
         updated_at = excluded.updated_at
       RETURNING *`,
      [tenant, searchId, owner, JSON.stringify(schedule), enabled, now],
    );
    return toSchedule(r.rows[0]!);
  }

  async get(tenant: string, searchId: string): Promise<SearchSchedule | undefined> {
    const r = await this.pool.query<Row>(
      `SELECT * FROM search_schedules WHERE tenant = $1 AND search_id = $2`,
      [tenant, searchId],
    );
    return r.rows[0] ? toSchedule(r.rows[0]) : undefined;
  }

  async list(tenants: string[]): Promise<SearchSchedule[]> {
    const r = await this.pool.query<Row>(
      `SELECT * FROM search_schedules WHERE tenant = ANY($1) ORDER BY tenant, search_id`,
      [tenants],
    );
    return r.rows.map(toSchedule);
  }

  async listEnabled(): Promise<SearchSchedule[]> {
    const r = await this.pool.query<Row>(
      `SELECT * FROM search_schedules WHERE enabled ORDER BY tenant, search_id`,
    );
    return r.rows.map(toSchedule);
  }

  async remove(tenant: string, searchId: string): Promise<boolean> {
    const r = await this.pool.query(`DELETE FROM search_schedules WHERE tenant = $1 AND search_id = $2`, [
      tenant,
      searchId,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async claim(tenant: string, searchId: string, worker: string, now: Date, until: Date): Promise<boolean> {
    // One statement: PostgreSQL's row lock makes two workers' claims on an expired lease serialize.
    const r = await this.pool.query(
      `UPDATE search_schedules SET lease_owner = $1, lease_until = $2
       WHERE tenant = $3 AND search_id = $4 AND enabled
         AND (lease_until IS NULL OR lease_until < $5 OR lease_owner = $1)`,
      [worker, until.toISOString(), tenant, searchId, now.toISOString()],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async finish(tenant: string, searchId: string, worker: string, r: RunResult): Promise<void> {
    await this.pool.query(
      `UPDATE search_schedules SET
         last_window_end = COALESCE($1, last_window_end), last_run_at = $2, last_status = $3,
         last_error = $4, last_hits = $5, lease_owner = NULL, lease_until = NULL
       WHERE tenant = $6 AND search_id = $7 AND lease_owner = $8`,
      [r.windowEnd ?? null, r.runAt, r.status, r.error, r.hits, tenant, searchId, worker],
    );
  }
}
