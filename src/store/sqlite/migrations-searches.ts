import type { Migration } from './migrations.js';

/** Schema of saved searches (hunting): versions 700-799, appended only. */
export const SEARCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 700,
    name: 'saved searches',
    sql: `
      CREATE TABLE saved_searches (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        shared INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX saved_searches_owner ON saved_searches(tenant, owner);
      CREATE INDEX saved_searches_shared ON saved_searches(tenant, shared);
    `,
  },
];
