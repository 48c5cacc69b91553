/** Versioned schema for the embedded store. Append new steps; never edit a released one. */
import { ALERT_MIGRATIONS } from './migrations-alerts.js';
import { CASE_MIGRATIONS } from './migrations-cases.js';
import { NOTIFY_MIGRATIONS } from './migrations-notify.js';
import { INTEL_MIGRATIONS } from './migrations-intel.js';
import { PLAYBOOK_MIGRATIONS } from './migrations-playbooks.js';
import { RULE_MIGRATIONS } from './migrations-rules.js';
import { INGEST_MIGRATIONS } from './migrations-ingest.js';
import { SEARCH_MIGRATIONS } from './migrations-searches.js';
import type { Db } from './db.js';
import { partitionLegacyEvents } from './event-partitions.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Data changes SQL alone cannot express; runs after `sql`, in the same transaction. */
  up?: (db: Db) => void;
}

/**
 * Versions are global and only ever appended. Each capability keeps its own list in its own file
 * (alerts 100s, cases 200s, rules 300s, notifications 400s, intel 500s, playbooks 600s) so that capabilities can grow their schema independently.
 */
const FOUNDATION: readonly Migration[] = [
  {
    version: 1,
    name: 'foundation',
    sql: `
      CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL,
        tenants TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        first_failed_at TEXT,
        locked_until TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ip TEXT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        tenant TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        last_used_at TEXT
      );
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        tenant TEXT,
        action TEXT NOT NULL,
        target TEXT,
        ip TEXT,
        before TEXT,
        after TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_tenant ON audit(tenant, seq);
      -- The trail is append-only: the application can never rewrite history.
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        ts INTEGER NOT NULL,
        ingested INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX events_tenant_ts ON events(tenant, ts);
      -- Ids are unique per tenant: a sender's own ids (bulk _id) must not collide with another tenant's.
      CREATE UNIQUE INDEX events_tenant_id ON events(tenant, id);
      CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL,
        input TEXT NOT NULL,
        reason TEXT NOT NULL,
        received_at TEXT NOT NULL,
        raw TEXT NOT NULL,
        encoding TEXT NOT NULL
      );
      CREATE INDEX dead_letters_tenant ON dead_letters(tenant, id);
    `,
  },
  {
    version: 2,
    name: 'detections',
    sql: `
      CREATE TABLE detections (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        ts INTEGER NOT NULL,
        detected_at INTEGER NOT NULL,
        rule_id TEXT NOT NULL,
        level_rank INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX detections_tenant_id ON detections(tenant, id);
      CREATE INDEX detections_tenant_ts ON detections(tenant, ts);
      CREATE INDEX detections_rule ON detections(tenant, rule_id, ts);
    `,
  },
  {
    // One table per UTC day (event-partitions.ts): a time range reads only its days, retention
    // drops whole days, and each day carries its own FTS5 index.
    version: 3,
    name: 'events-by-day',
    sql: `
      CREATE TABLE event_partitions (day INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, hot INTEGER NOT NULL DEFAULT 0, hot_upto INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE event_usage (
        day INTEGER NOT NULL,
        tenant TEXT NOT NULL,
        events INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY (day, tenant)
      ) WITHOUT ROWID;
      CREATE INDEX event_usage_tenant ON event_usage(tenant, day);
      CREATE TABLE event_fts_progress (day INTEGER PRIMARY KEY, upto INTEGER NOT NULL);
    `,
    up: (db) => void partitionLegacyEvents(db),
  },
  {
    // Day tables made from now on carry the hot-field columns (hot-fields.ts); older days keep
    // hot = 0 and are searched through their documents. Version 3 creates the column on new
    // databases (it makes hot day tables itself when it moves legacy rows).
    version: 4,
    name: 'hot-field columns',
    sql: '',
    up: (db) => addPartitionColumn(db, 'hot'),
  },
  {
    // The day being written gets its hot-field indexes over its rows up to a watermark (a seq),
    // rebuilt as it grows (hot-index-builder.ts); 0 while it has none.
    // Version 3 creates it on new databases.
    version: 5,
    name: 'hot index watermark of the day being written',
    sql: '',
    up: (db) => addPartitionColumn(db, 'hot_upto'),
  },
];

/** An integer column of event_partitions (default 0), unless version 3 already made it. */
function addPartitionColumn(db: Db, column: 'hot' | 'hot_upto'): void {
  const cols = db.prepare("SELECT name FROM pragma_table_info('event_partitions')").pluck().all();
  if (!cols.includes(column))
    db.exec(`ALTER TABLE event_partitions ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`);
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  ...FOUNDATION,
  ...ALERT_MIGRATIONS,
  ...CASE_MIGRATIONS,
  ...RULE_MIGRATIONS,
  ...NOTIFY_MIGRATIONS,
  ...INTEL_MIGRATIONS,
  ...PLAYBOOK_MIGRATIONS,
  ...INGEST_MIGRATIONS,
  ...SEARCH_MIGRATIONS,
].sort((a, b) => a.version - b.version);
