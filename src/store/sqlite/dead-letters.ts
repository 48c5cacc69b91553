import type { DeadLetter, DeadLetterStore } from '../ports.js';
import type { Db } from './db.js';

export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO dead_letters (tenant, input, reason, received_at, raw, encoding) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  async add(items: Array<Omit<DeadLetter, 'id' | 'receivedAt'> & { receivedAt?: string }>): Promise<void> {
    if (items.length === 0) return;
    const ins = this.insert;
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const d of items) ins.run(d.tenant, d.input, d.reason, d.receivedAt ?? now, d.raw, d.encoding);
    })();
  }

  async list(tenants: string[], opts: { limit: number; input?: string }): Promise<DeadLetter[]> {
    if (tenants.length === 0) return [];
    const params: unknown[] = [...tenants];
    let sql = `SELECT * FROM dead_letters WHERE tenant IN (${tenants.map(() => '?').join(',')})`;
    if (opts.input) {
      sql += ' AND input = ?';
      params.push(opts.input);
    }
    sql += ' ORDER BY id DESC LIMIT ?';
    const rows = this.db.prepare(sql).all(...params, opts.limit) as Array<{
      id: number;
      tenant: string;
      input: string;
      reason: string;
      received_at: string;
      raw: string;
      encoding: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      tenant: r.tenant,
      input: r.input,
      reason: r.reason,
      receivedAt: r.received_at,
      raw: r.raw,
      encoding: r.encoding === 'base64' ? 'base64' : 'utf8',
    }));
  }

  async count(tenants?: string[]): Promise<number> {
    if (!tenants) return (this.db.prepare('SELECT count(*) AS n FROM dead_letters').get() as { n: number }).n;
    if (tenants.length === 0) return 0;
    return (
      this.db
        .prepare(
          `SELECT count(*) AS n FROM dead_letters WHERE tenant IN (${tenants.map(() => '?').join(',')})`,
        )
        .get(...tenants) as { n: number }
    ).n;
  }
}
