import { levelRank } from '../../detections/levels.js';
import type { DetectionRecord, DetectionStore } from '../ports.js';
import type { Db } from './db.js';
import type { EventWriterThread } from './event-writer-client.js';

/** One detections row as bound: id, tenant, ts, detected_at, rule_id, level_rank, doc. */
export type DetectionRow = [string, string, number, number, string, number, string];

export const detectionRow = (r: DetectionRecord): DetectionRow => [
  r.id,
  r.tenant,
  Date.parse(r.ts),
  Date.parse(r.detectedAt),
  r.ruleId,
  levelRank(r.level),
  JSON.stringify(r),
];

/** Inserts rows (a re-added id is ignored) in the caller's transaction; returns rows inserted. */
export function detectionInserter(db: Db): (rows: DetectionRow[]) => number {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO detections (id, tenant, ts, detected_at, rule_id, level_rank, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  return (rows) => {
    let inserted = 0;
    for (const r of rows) inserted += insert.run(r).changes;
    return inserted;
  };
}

/** `writerThread`: rows are inserted by that thread's connection, with the events it writes. */
export class SqliteDetectionStore implements DetectionStore {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly writerThread?: EventWriterThread,
  ) {
    this.insert = detectionInserter(db);
  }

  async add(records: DetectionRecord[]): Promise<{ inserted: number }> {
    const rows = records.map(detectionRow);
    if (this.writerThread) return { inserted: await this.writerThread.write({ kind: 'detections', rows }) };
    return { inserted: this.db.transaction(() => this.insert(rows))() };
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
