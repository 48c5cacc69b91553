import type { RuleException, RuleExceptionStore } from '../ports.js';
import type { Pool } from './db.js';
import { changes, inList, rows } from './sql.js';

interface Row {
  tenant: string;
  id: string;
  rule_id: string;
  match: RuleException['match'];
  reason: string;
  created_by: string;
  created_at: string;
  expires_at: number | null;
}

const toException = (r: Row): RuleException => ({
  id: r.id,
  tenant: r.tenant,
  ruleId: r.rule_id,
  match: r.match,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
});

/** Rule exceptions (tuning), scoped by tenant; an expired exception stays listed on request only. */
export class PostgresRuleExceptionStore implements RuleExceptionStore {
  constructor(
    private readonly pool: Pool,
    private readonly now: () => number = Date.now,
  ) {}

  async add(e: RuleException): Promise<void> {
    const expires = e.expiresAt === null ? null : Date.parse(e.expiresAt);
    if (expires !== null && Number.isNaN(expires)) throw new Error(`expiresAt is not a time: ${e.expiresAt}`);
    await changes(
      this.pool,
      `INSERT INTO rule_exceptions (tenant, id, rule_id, match, reason, created_by, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [e.tenant, e.id, e.ruleId, JSON.stringify(e.match), e.reason, e.createdBy, e.createdAt, expires],
    );
  }

  async list(
    tenants: string[],
    opts: { ruleId?: string; includeExpired?: boolean } = {},
  ): Promise<RuleException[]> {
    if (tenants.length === 0) return [];
    const where = [`tenant IN (${inList(tenants.length)})`];
    const params: unknown[] = [...tenants];
    if (opts.ruleId !== undefined) {
      where.push('rule_id = ?');
      params.push(opts.ruleId);
    }
    if (!opts.includeExpired) {
      where.push('(expires_at IS NULL OR expires_at > ?)');
      params.push(this.now());
    }
    return (
      await rows<Row>(
        this.pool,
        `SELECT * FROM rule_exceptions WHERE ${where.join(' AND ')} ORDER BY created_at COLLATE "C", id COLLATE "C"`,
        params,
      )
    ).map(toException);
  }

  async remove(tenant: string, id: string): Promise<boolean> {
    return (
      (await changes(this.pool, 'DELETE FROM rule_exceptions WHERE tenant = ? AND id = ?', [tenant, id])) > 0
    );
  }
}
