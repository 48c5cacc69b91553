import { randomUUID } from 'node:crypto';
import type { Db } from '../store/sqlite/db.js';
import type { SavedSearch, SavedSearchInput, SavedSearchStore } from './saved-searches.js';

interface Row {
  id: string;
  tenant: string;
  owner: string;
  name: string;
  query: string;
  shared: number;
  created_at: string;
  updated_at: string;
}

const toSaved = (r: Row): SavedSearch => ({ ...r, shared: r.shared === 1 });

export class SqliteSavedSearchStore implements SavedSearchStore {
  constructor(private readonly db: Db) {}

  create(tenant: string, owner: string, input: SavedSearchInput): Promise<SavedSearch> {
    const now = new Date().toISOString();
    const s: SavedSearch = { id: randomUUID(), tenant, owner, ...input, created_at: now, updated_at: now };
    this.db
      .prepare(
        `INSERT INTO saved_searches (id, tenant, owner, name, query, shared, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.id, tenant, owner, s.name, s.query, s.shared ? 1 : 0, now, now);
    return Promise.resolve(s);
  }

  listVisible(tenant: string, user: string): Promise<SavedSearch[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM saved_searches WHERE tenant = ? AND (owner = ? OR shared = 1) ORDER BY name, id`,
      )
      .all(tenant, user) as Row[];
    return Promise.resolve(rows.map(toSaved));
  }

  get(tenant: string, id: string): Promise<SavedSearch | undefined> {
    const row = this.db
      .prepare(`SELECT * FROM saved_searches WHERE tenant = ? AND id = ?`)
      .get(tenant, id) as Row | undefined;
    return Promise.resolve(row ? toSaved(row) : undefined);
  }

  async update(tenant: string, id: string, input: SavedSearchInput): Promise<SavedSearch | undefined> {
    const now = new Date().toISOString();
    const r = this.db
      .prepare(
        `UPDATE saved_searches SET name = ?, query = ?, shared = ?, updated_at = ? WHERE tenant = ? AND id = ?`,
      )
      .run(input.name, input.query, input.shared ? 1 : 0, now, tenant, id);
    return r.changes ? this.get(tenant, id) : undefined;
  }

  delete(tenant: string, id: string): Promise<boolean> {
    const r = this.db.prepare(`DELETE FROM saved_searches WHERE tenant = ? AND id = ?`).run(tenant, id);
    return Promise.resolve(r.changes > 0);
  }
}
