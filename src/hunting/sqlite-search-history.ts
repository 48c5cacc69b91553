import type { Db } from '../store/sqlite/db.js';
import {
  HISTORY_PER_USER,
  type NewHistoryEntry,
  type SearchHistoryEntry,
  type SearchHistoryStore,
} from './search-history.js';

const COLS = `id, tenant, owner, query, from_ts AS "from", to_ts AS "to", total, took_ms AS tookMs, error, at`;

export class SqliteSearchHistoryStore implements SearchHistoryStore {
  constructor(private readonly db: Db) {}

  add(e: NewHistoryEntry): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO search_history (tenant, owner, query, from_ts, to_ts, total, took_ms, error, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(e.tenant, e.owner, e.query, e.from, e.to, e.total, e.tookMs, e.error, e.at);
      this.db
        .prepare(
          `DELETE FROM search_history WHERE owner = ? AND id <= (
             SELECT id FROM search_history WHERE owner = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        )
        .run(e.owner, e.owner, HISTORY_PER_USER);
    })();
    return Promise.resolve();
  }

  list(tenants: string[], owner: string, limit: number): Promise<SearchHistoryEntry[]> {
    if (tenants.length === 0) return Promise.resolve([]);
    return Promise.resolve(
      this.db
        .prepare(
          `SELECT ${COLS} FROM search_history WHERE owner = ? AND tenant IN (${tenants.map(() => '?').join(',')})
           ORDER BY id DESC LIMIT ?`,
        )
        .all(owner, ...tenants, limit) as SearchHistoryEntry[],
    );
  }
}
