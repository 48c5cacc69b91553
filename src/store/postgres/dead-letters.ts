import type { DeadLetter, DeadLetterStore } from '../ports.js';
import type { Pool } from './db.js';

/** Raw bytes are kept as bytea: a rejected record may hold NUL bytes that text columns refuse. */
export class PostgresDeadLetterStore implements DeadLetterStore {
  constructor(private readonly pool: Pool) {}

  async add(items: Array<Omit<DeadLetter, 'id' | 'receivedAt'> & { receivedAt?: string }>): Promise<void> {
    if (items.length === 0) return;
    const now = new Date().toISOString();
    await this.pool.query(
      `INSERT INTO dead_letters (tenant, input, reason, received_at, raw, encoding)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[])`,
      [
        items.map((i) => i.tenant),
        items.map((i) => i.input),
        items.map((i) => i.reason),
        items.map((i) => i.receivedAt ?? now),
        items.map((i) => Buffer.from(i.raw, i.encoding === 'base64' ? 'base64' : 'utf8')),
        items.map((i) => i.encoding),
      ],
    );
  }

  async list(tenants: string[], opts: { limit: number; input?: string }): Promise<DeadLetter[]> {
    if (tenants.length === 0) return [];
    const r = await this.pool.query<{
      id: number;
      tenant: string;
      input: string;
      reason: string;
      received_at: string;
      raw: Buffer;
      encoding: 'utf8' | 'base64';
    }>(
      `SELECT * FROM dead_letters WHERE tenant = ANY($1::text[]) AND ($2::text IS NULL OR input = $2) ORDER BY id DESC LIMIT $3`,
      [tenants, opts.input ?? null, opts.limit],
    );
    return r.rows.map((x) => ({
      id: x.id,
      tenant: x.tenant,
      input: x.input,
      reason: x.reason,
      receivedAt: x.received_at,
      raw: x.raw.toString(x.encoding === 'base64' ? 'base64' : 'utf8'),
      encoding: x.encoding,
    }));
  }

  async count(tenants?: string[]): Promise<number> {
    if (tenants && tenants.length === 0) return 0;
    const r = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM dead_letters WHERE $1::text[] IS NULL OR tenant = ANY($1::text[])',
      [tenants ?? null],
    );
    return r.rows[0]!.n;
  }
}
