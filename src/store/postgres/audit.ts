import { auditColumns, nextAuditRecord } from '../../auth/audit-chain.js';
import type { AuditLog, AuditRecord, NewAudit } from '../ports.js';
import { inTransaction, Params, type Pool } from './db.js';

interface AuditRow {
  seq: number;
  ts: string;
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
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
  before: r.before,
  after: r.after,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** Same chain as SQLite's; a transaction-scoped advisory lock serializes appends across nodes. */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly pool: Pool) {}

  async append(rec: NewAudit): Promise<AuditRecord> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(7212002)');
      const last = (
        await c.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1')
      ).rows[0];
      const full = nextAuditRecord(last, rec);
      await c.query(
        'INSERT INTO audit (seq, ts, actor, tenant, action, target, ip, before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
        auditColumns(full),
      );
      return full;
    });
  }

  async list(opts: {
    tenants?: string[];
    limit: number;
    afterSeq?: number;
    action?: string;
    actor?: string;
  }): Promise<AuditRecord[]> {
    const p = new Params();
    const where = [`seq > ${p.add(opts.afterSeq ?? 0)}`];
    if (opts.tenants) {
      if (opts.tenants.length === 0) return [];
      where.push(`tenant = ANY(${p.add(opts.tenants)}::text[])`);
    }
    if (opts.action) where.push(`action = ${p.add(opts.action)}`);
    if (opts.actor) where.push(`actor = ${p.add(opts.actor)}`);
    const r = await this.pool.query<AuditRow>(
      `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${p.add(opts.limit)}`,
      p.values,
    );
    return r.rows.map(toRecord);
  }

  async *all(): AsyncIterable<AuditRecord> {
    // Keyset pages: the whole trail never sits in memory at once.
    let after = 0;
    for (;;) {
      const rows = (
        await this.pool.query<AuditRow>('SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT 1000', [after])
      ).rows;
      for (const r of rows) yield toRecord(r);
      if (rows.length < 1000) return;
      after = rows[rows.length - 1]!.seq;
    }
  }
}
