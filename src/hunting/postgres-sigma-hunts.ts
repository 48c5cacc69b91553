import type { Pool } from '../store/postgres/db.js';
import {
  HUNT_COLUMNS,
  huntFromRow,
  type HuntProgress,
  type SigmaHunt,
  type SigmaHuntHit,
  type SigmaHuntStore,
} from './sigma-hunts.js';

type Row = Record<string, unknown>;
const toHunt = huntFromRow;
const COLS = HUNT_COLUMNS;

export class PostgresSigmaHuntStore implements SigmaHuntStore {
  constructor(private readonly pool: Pool) {}

  async create(h: SigmaHunt, ruleYaml: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO sigma_hunts (${COLS}, rule_yaml)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        h.id,
        h.tenant,
        h.status,
        JSON.stringify(h.rules),
        h.from,
        h.to,
        h.raiseAlerts,
        h.maxEvents,
        h.total,
        h.scanned,
        h.hits,
        h.error,
        h.requestedBy,
        h.createdAt,
        h.startedAt,
        h.finishedAt,
        h.cancelRequested,
        h.cursor,
        ruleYaml,
      ],
    );
  }

  async get(tenant: string, id: string): Promise<SigmaHunt | undefined> {
    const r = await this.pool.query<Row>(`SELECT ${COLS} FROM sigma_hunts WHERE tenant = $1 AND id = $2`, [
      tenant,
      id,
    ]);
    return r.rows[0] ? toHunt(r.rows[0]) : undefined;
  }

  async list(tenants: string[], limit: number): Promise<SigmaHunt[]> {
    const r = await this.pool.query<Row>(
      `SELECT ${COLS} FROM sigma_hunts WHERE tenant = ANY($1) ORDER BY created_at DESC, id LIMIT $2`,
      [tenants, limit],
    );
    return r.rows.map(toHunt);
  }

  async correlationState(id: string): Promise<string | null> {
    const r = await this.pool.query<{ correlation_state: string | null }>(
      'SELECT correlation_state FROM sigma_hunts WHERE id = $1',
      [id],
    );
    return r.rows[0]?.correlation_state ?? null;
  }

  async ruleYaml(id: string): Promise<string | undefined> {
    const r = await this.pool.query<{ rule_yaml: string }>(
      `SELECT rule_yaml FROM sigma_hunts WHERE id = $1`,
      [id],
    );
    return r.rows[0]?.rule_yaml;
  }

  async requestCancel(tenant: string, id: string): Promise<SigmaHunt | undefined> {
    await this.pool.query(
      `UPDATE sigma_hunts SET cancel_requested = true,
         status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
         finished_at = CASE WHEN status = 'queued' THEN $1 ELSE finished_at END
       WHERE tenant = $2 AND id = $3 AND status IN ('queued', 'running')`,
      [new Date().toISOString(), tenant, id],
    );
    return this.get(tenant, id);
  }

  async claimNext(worker: string, now: Date, leaseUntil: Date): Promise<SigmaHunt | undefined> {
    // SKIP LOCKED: two workers claiming at once take different jobs instead of waiting on one.
    const r = await this.pool.query<Row>(
      `UPDATE sigma_hunts SET status = 'running', worker = $1, lease_until = $2,
         started_at = COALESCE(started_at, $3)
       WHERE id = (
         SELECT id FROM sigma_hunts
         WHERE status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < $3))
         ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLS}`,
      [worker, leaseUntil.toISOString(), now.toISOString()],
    );
    return r.rows[0] ? toHunt(r.rows[0]) : undefined;
  }

  async progress(
    id: string,
    worker: string,
    p: HuntProgress,
  ): Promise<{ cancelRequested: boolean } | undefined> {
    const r = await this.pool.query<{ cancel_requested: boolean }>(
      `UPDATE sigma_hunts SET total = $1, scanned = $2, hits = $3, cursor = $4, lease_until = $5,
       correlation_state = $8 WHERE id = $6 AND worker = $7 AND status = 'running' RETURNING cancel_requested`,
      [
        p.total,
        p.scanned,
        p.hits,
        p.cursor,
        p.leaseUntil.toISOString(),
        id,
        worker,
        p.correlationState ?? null,
      ],
    );
    return r.rows[0] ? { cancelRequested: r.rows[0].cancel_requested } : undefined;
  }

  async addHits(hits: SigmaHuntHit[]): Promise<void> {
    if (hits.length === 0) return;
    await this.pool.query(
      `INSERT INTO sigma_hunt_hits (hunt_id, event_id, rule_id, title, level, ts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT DO NOTHING`,
      [
        hits.map((h) => h.huntId),
        hits.map((h) => h.eventId),
        hits.map((h) => h.ruleId),
        hits.map((h) => h.title),
        hits.map((h) => h.level),
        hits.map((h) => h.ts),
      ],
    );
  }

  async hits(
    tenant: string,
    id: string,
    opts: { limit: number; offset: number },
  ): Promise<{ total: number; hits: SigmaHuntHit[] }> {
    if (!(await this.get(tenant, id))) return { total: 0, hits: [] };
    const n = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM sigma_hunt_hits WHERE hunt_id = $1`,
      [id],
    );
    const r = await this.pool.query<SigmaHuntHit>(
      `SELECT hunt_id AS "huntId", event_id AS "eventId", rule_id AS "ruleId", title, level, ts
       FROM sigma_hunt_hits WHERE hunt_id = $1 ORDER BY ts DESC, event_id, rule_id LIMIT $2 OFFSET $3`,
      [id, opts.limit, opts.offset],
    );
    return { total: Number(n.rows[0]!.n), hits: r.rows };
  }

  async finish(
    id: string,
    worker: string,
    status: 'done' | 'failed' | 'cancelled',
    error: string | null,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE sigma_hunts SET status = $1, error = $2, finished_at = $3, worker = NULL, lease_until = NULL
       WHERE id = $4 AND worker = $5`,
      [status, error, new Date().toISOString(), id, worker],
    );
  }

  async release(id: string, worker: string): Promise<void> {
    await this.pool.query(
      `UPDATE sigma_hunts SET status = 'queued', worker = NULL, lease_until = NULL
       WHERE id = $1 AND worker = $2 AND status = 'running'`,
      [id, worker],
    );
  }
}
