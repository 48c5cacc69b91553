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
  {
    version: 701,
    name: 'scheduled searches',
    sql: `
      CREATE TABLE search_schedules (
        tenant TEXT NOT NULL,
        search_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        schedule TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        last_window_end TEXT,
        last_run_at TEXT,
        last_status TEXT,
        last_error TEXT,
        last_hits INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, search_id)
      );
    `,
  },
  {
    version: 702,
    name: 'sigma retro-hunts',
    sql: `
      CREATE TABLE sigma_hunts (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        status TEXT NOT NULL,
        rule_yaml TEXT NOT NULL,
        rules TEXT NOT NULL,
        from_ts TEXT NOT NULL,
        to_ts TEXT NOT NULL,
        raise_alerts INTEGER NOT NULL,
        max_events INTEGER NOT NULL,
        total INTEGER NOT NULL DEFAULT 0,
        scanned INTEGER NOT NULL DEFAULT 0,
        hits INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        requested_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        worker TEXT,
        lease_until TEXT,
        cursor TEXT
      );
      CREATE INDEX sigma_hunts_tenant ON sigma_hunts(tenant, created_at);
      CREATE TABLE sigma_hunt_hits (
        hunt_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        title TEXT NOT NULL,
        level TEXT NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (hunt_id, event_id, rule_id)
      );
    `,
  },
  {
    version: 703,
    name: 'search history',
    sql: `
      CREATE TABLE search_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        owner TEXT NOT NULL,
        query TEXT NOT NULL,
        from_ts TEXT,
        to_ts TEXT,
        total INTEGER,
        took_ms INTEGER,
        error TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX search_history_owner ON search_history(owner, id);
    `,
  },
  {
    version: 704,
    name: 'retro-hunt correlation state',
    sql: 'ALTER TABLE sigma_hunts ADD COLUMN correlation_state TEXT',
  },
];
