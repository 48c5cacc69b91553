import { auditColumns, nextAuditRecord } from '../../auth/audit-chain.js';
import type { AuditLog, AuditRecord, NewAudit } from '../ports.js';
import type { Db } from './db.js';

interface AuditRow {
  seq: number;
  ts: string;
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

const toRecord = (r: AuditRow): AuditRecord => ({
  seq: r.seq,
  ts: r.ts,
  actor: r.actor,
  tenant: r.tenant,
  action: r.action,
  target: r.target,
  ip: r.ip,
  before: r.before === null ? null : JSON.parse(r.before),
  after: r.after === null ? null : JSON.parse(r.after),
  prevHash: r.prev_hash,
  hash: r.hash,
});

export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: Db) {}

  async append(rec: NewAudit): Promise<AuditRecord> {
    // Read-last and insert in one IMMEDIATE transaction so two writers can never fork the chain.
    const tx = this.db.transaction((): AuditRecord => {
      const last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined;
      const full = nextAuditRecord(last, rec);
      this.db
        .prepare(
          'INSERT INTO audit (seq, ts, actor, tenant, action, target, ip, before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(...auditColumns(full));
      return full;
    });
    return tx.immediate();
  }

  async list(opts: {
    tenants?: string[];
    limit: number;
    afterSeq?: number;
    action?: string;
    actor?: string;
  }): Promise<AuditRecord[]> {
    const where: string[] = ['seq > ?'];
    const params: unknown[] = [opts.afterSeq ?? 0];
    if (opts.tenants) {
      if (opts.tenants.length === 0) return [];
      where.push(`(tenant IN (${opts.tenants.map(() => '?').join(',')}))`);
      params.push(...opts.tenants);
    }
    if (opts.action) {
      where.push('action = ?');
      params.push(opts.action);
    }
    if (opts.actor) {
      where.push('actor = ?');
      params.push(opts.actor);
    }
    const rows = this.db
      .prepare(`SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`)
      .all(...params, opts.limit) as AuditRow[];
    return rows.map(toRecord);
  }

  async *all(): AsyncIterable<AuditRecord> {
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY rowid').iterate() as Iterable<AuditRow>) {
      yield toRecord(row);
    }
  }
}
