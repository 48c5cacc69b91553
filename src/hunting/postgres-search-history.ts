import type { Pool } from '../store/postgres/db.js';
import {
  HISTORY_PER_USER,
  type NewHistoryEntry,
  type SearchHistoryEntry,
  type SearchHistoryStore,
} from './search-history.js';

interface Row extends Omit<SearchHistoryEntry, 'id' | 'total'> {
  id: string;
  total: string | null;
}

export class PostgresSearchHistoryStore implements SearchHistoryStore {
  constructor(private readonly pool: Pool) {}

  async add(e: NewHistoryEntry): Promise<void> {
    await this.pool.query(
      `WITH ins AS (
         INSERT INTO search_history (tenant, owner, query, from_ts, to_ts, total, took_ms, error, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id)
       DELETE FROM search_history WHERE owner = $2 AND id <= (
         SELECT id FROM search_history WHERE owner = $2 ORDER BY id DESC LIMIT 1 OFFSET $10)`,
      // The DELETE sees the rows before this INSERT: keep one fewer of them.
      [e.tenant, e.owner, e.query, e.from, e.to, e.total, e.tookMs, e.error, e.at, HISTORY_PER_USER - 1],
    );
  }

  async list(tenants: string[], owner: string, limit: number): Promise<SearchHistoryEntry[]> {
    const r = await this.pool.query<Row>(
      `SELECT id, tenant, owner, query, from_ts AS "from", to_ts AS "to", total, took_ms AS "tookMs", error, at
       FROM search_history WHERE owner = $1 AND tenant = ANY($2) ORDER BY id DESC LIMIT $3`,
      [owner, tenants, limit],
    );
    return r.rows.map((x) => ({ ...x, id: Number(x.id), total: x.total === null ? null : Number(x.total) }));
  }
}
