import { levelRank } from '../../detections/levels.js';
import type { DetectionRecord, DetectionStore } from '../ports.js';
import type { Db } from './db.js';

export class SqliteDetectionStore implements DetectionStore {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO detections (id, tenant, ts, detected_at, rule_id, level_rank, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  async add(records: DetectionRecord[]): Promise<{ inserted: number }> {
    let inserted = 0;
    this.db.transaction(() => {
      for (const r of records) {
        inserted += this.insert.run(
          r.id,
          r.tenant,
          Date.parse(r.ts),
          Date.parse(r.detectedAt),
          r.ruleId,
          levelRank(r.level),
          JSON.stringify(r),
        ).changes;
      }
    })();
    return { inserted };
  }

  async list(
    tenants: string[],
    opts: { limit: number; offset?: number; ruleId?: string; minLevel?: string; since?: Date },
  ): Promise<{ total: number; detections: DetectionRecord[] }> {
    if (tenants.length === 0) return { total: 0, detections: [] };
    const where = [`tenant IN (${tenants.map(() => '?').join(',')})`];
    const params: unknown[] = [...tenants];
    if (opts.ruleId) {
      where.push('rule_id = ?');
      params.push(opts.ruleId);
    }
    if (opts.minLevel) {
      where.push('level_rank >= ?');
      params.push(levelRank(opts.minLevel));
    }
    if (opts.since) {
      where.push('ts >= ?');
      params.push(opts.since.getTime());
    }
    const clause = where.join(' AND ');
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM detections WHERE ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT doc FROM detections WHERE ${clause} ORDER BY ts DESC, seq DESC LIMIT ? OFFSET ?`)
      .all(...params, opts.limit, opts.offset ?? 0) as Array<{ doc: string }>;
    return { total, detections: rows.map((r) => JSON.parse(r.doc) as DetectionRecord) };
  }

  async count(tenants?: string[]): Promise<number> {
    if (!tenants) return (this.db.prepare('SELECT count(*) AS n FROM detections').get() as { n: number }).n;
    if (tenants.length === 0) return 0;
    return (
      this.db
        .prepare(`SELECT count(*) AS n FROM detections WHERE tenant IN (${tenants.map(() => '?').join(',')})`)
        .get(...tenants) as { n: number }
    ).n;
  }
}
