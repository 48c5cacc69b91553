import { levelRank } from '../../detections/levels.js';
import type { DetectionRecord, DetectionStore } from '../ports.js';
import { Params, type Pool } from './db.js';

export class PostgresDetectionStore implements DetectionStore {
  constructor(private readonly pool: Pool) {}

  async add(records: DetectionRecord[]): Promise<{ inserted: number }> {
    if (records.length === 0) return { inserted: 0 };
    const r = await this.pool.query(
      `INSERT INTO detections (id, tenant, ts, detected_at, rule_id, level_rank, doc)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::int[], $7::jsonb[])
       ON CONFLICT (tenant, id) DO NOTHING`,
      [
        records.map((d) => d.id),
        records.map((d) => d.tenant),
        records.map((d) => d.ts),
        records.map((d) => d.detectedAt),
        records.map((d) => d.ruleId),
        records.map((d) => levelRank(d.level)),
        records.map((d) => JSON.stringify(d)),
      ],
    );
    return { inserted: r.rowCount ?? 0 };
  }

  async list(
    tenants: string[],
    opts: { limit: number; offset?: number; ruleId?: string; minLevel?: string; since?: Date },
  ): Promise<{ total: number; detections: DetectionRecord[] }> {
    if (tenants.length === 0) return { total: 0, detections: [] };
    const p = new Params();
    const where = [`tenant = ANY(${p.add(tenants)}::text[])`];
    if (opts.ruleId) where.push(`rule_id = ${p.add(opts.ruleId)}`);
    if (opts.minLevel) where.push(`level_rank >= ${p.add(levelRank(opts.minLevel))}`);
    if (opts.since) where.push(`ts >= ${p.add(opts.since.toISOString())}`);
    const clause = where.join(' AND ');
    const total = (
      await this.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM detections WHERE ${clause}`,
        p.values,
      )
    ).rows[0]!.n;
    const rows = await this.pool.query<{ doc: DetectionRecord }>(
      `SELECT doc FROM detections WHERE ${clause} ORDER BY ts DESC, seq DESC LIMIT ${p.add(opts.limit)} OFFSET ${p.add(opts.offset ?? 0)}`,
      p.values,
    );
    return { total, detections: rows.rows.map((r) => r.doc) };
  }

  async count(tenants?: string[]): Promise<number> {
    if (tenants && tenants.length === 0) return 0;
    const r = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM detections WHERE $1::text[] IS NULL OR tenant = ANY($1::text[])',
      [tenants ?? null],
    );
    return r.rows[0]!.n;
  }
}
