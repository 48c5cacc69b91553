import type { RuleException, RuleExceptionStore } from '../ports.js';
import type { Db } from './db.js';

interface Row {
  tenant: string;
  id: string;
  rule_id: string;
  match: string;
  reason: string;
  created_by: string;
  created_at: string;
  expires_at: number | null;
}

const toException = (r: Row): RuleException => ({
  id: r.id,
  tenant: r.tenant,
  ruleId: r.rule_id,
  match: JSON.parse(r.match) as RuleException['match'],
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
});

/** Rule exceptions (tuning), scoped by tenant; an expired exception stays listed on request only. */
export class SqliteRuleExceptionStore implements RuleExceptionStore {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(
      `INSERT INTO rule_exceptions (tenant, id, rule_id, match, reason, created_by, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  async add(e: RuleException): Promise<void> {
    const expires = e.expiresAt === null ? null : Date.parse(e.expiresAt);
    if (expires !== null && Number.isNaN(expires)) throw new Error(`expiresAt is not a time: ${e.expiresAt}`);
    this.insert.run(
      e.tenant,
      e.id,
      e.ruleId,
      JSON.stringify(e.match),
      e.reason,
      e.createdBy,
      e.createdAt,
      expires,
    );
  }

  list(
    tenants: string[],
    opts: { ruleId?: string; includeExpired?: boolean } = {},
  ): Promise<RuleException[]> {
    if (tenants.length === 0) return Promise.resolve([]);
    const where = [`tenant IN (${tenants.map(() => '?').join(',')})`];
    const params: unknown[] = [...tenants];
    if (opts.ruleId !== undefined) {
      where.push('rule_id = ?');
      params.push(opts.ruleId);
    }
    if (!opts.includeExpired) {
      where.push('(expires_at IS NULL OR expires_at > ?)');
      params.push(this.now());
    }
    const rows = this.db
      .prepare(`SELECT * FROM rule_exceptions WHERE ${where.join(' AND ')} ORDER BY created_at, id`)
      .all(...params) as Row[];
    return Promise.resolve(rows.map(toException));
  }

  remove(tenant: string, id: string): Promise<boolean> {
    return Promise.resolve(
      this.db.prepare('DELETE FROM rule_exceptions WHERE tenant = ? AND id = ?').run(tenant, id).changes > 0,
    );
  }
}
