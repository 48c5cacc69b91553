import { randomUUID } from 'node:crypto';
import type { Pool } from '../store/postgres/db.js';
import type { SavedSearch, SavedSearchInput, SavedSearchStore } from './saved-searches.js';

const COLS = 'id, tenant, owner, name, query, shared, created_at, updated_at';

export class PostgresSavedSearchStore implements SavedSearchStore {
  constructor(private readonly pool: Pool) {}

  async create(tenant: string, owner: string, input: SavedSearchInput): Promise<SavedSearch> {
    const now = new Date().toISOString();
    const s: SavedSearch = { id: randomUUID(), tenant, owner, ...input, created_at: now, updated_at: now };
    await this.pool.query(`INSERT INTO saved_searches (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      s.id,
      tenant,
      owner,
      s.name,
      s.query,
      s.shared,
      now,
      now,
    ]);
    return s;
  }

  async listVisible(tenant: string, user: string): Promise<SavedSearch[]> {
    const r = await this.pool.query<SavedSearch>(
      `SELECT ${COLS} FROM saved_searches WHERE tenant = $1 AND (owner = $2 OR shared) ORDER BY name, id`,
      [tenant, user],
    );
    return r.rows;
  }

  async get(tenant: string, id: string): Promise<SavedSearch | undefined> {
    const r = await this.pool.query<SavedSearch>(
      `SELECT ${COLS} FROM saved_searches WHERE tenant = $1 AND id = $2`,
      [tenant, id],
    );
    return r.rows[0];
  }

  async update(tenant: string, id: string, input: SavedSearchInput): Promise<SavedSearch | undefined> {
    const r = await this.pool.query<SavedSearch>(
      `UPDATE saved_searches SET name = $1, query = $2, shared = $3, updated_at = $4
       WHERE tenant = $5 AND id = $6 RETURNING ${COLS}`,
      [input.name, input.query, input.shared, new Date().toISOString(), tenant, id],
    );
    return r.rows[0];
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const r = await this.pool.query(`DELETE FROM saved_searches WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return (r.rowCount ?? 0) > 0;
  }
}
