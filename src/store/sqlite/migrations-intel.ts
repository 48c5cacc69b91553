import type { Migration } from './migrations.js';

/** Schema of threat intelligence: versions 500-599, appended only. */
export const INTEL_MIGRATIONS: readonly Migration[] = [
  {
    version: 500,
    name: 'intel indicators, feeds, objects, hunts',
    sql: `
      CREATE TABLE intel_indicators (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        type TEXT NOT NULL,
        value TEXT NOT NULL,
        name TEXT,
        description TEXT,
        confidence INTEGER NOT NULL,
        severity TEXT NOT NULL,
        tlp TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        valid_until INTEGER,
        tags TEXT NOT NULL,
        attack TEXT NOT NULL,
        sources TEXT NOT NULL,
        provenance TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX intel_indicators_key ON intel_indicators(tenant, type, value);
      CREATE INDEX intel_indicators_value ON intel_indicators(value);
      CREATE INDEX intel_indicators_updated ON intel_indicators(tenant, updated_at);
      CREATE TABLE intel_feeds (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        schedule_minutes INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        auth TEXT NOT NULL,
        options TEXT NOT NULL,
        health TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        cursor TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX intel_feeds_name ON intel_feeds(tenant, name);
      CREATE TABLE intel_objects (
        id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT,
        feed_id TEXT,
        modified TEXT,
        doc TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX intel_objects_type ON intel_objects(tenant, type);
      CREATE TABLE intel_hunts (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        doc TEXT NOT NULL,
        started_at TEXT NOT NULL
      );
      CREATE INDEX intel_hunts_tenant ON intel_hunts(tenant, started_at);
    `,
  },
  {
    version: 501,
    name: 'intel sightings, warninglists and allowlists',
    sql: `
      ALTER TABLE intel_indicators ADD COLUMN raw_confidence INTEGER;
      ALTER TABLE intel_indicators ADD COLUMN confidence_penalty INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE intel_indicators ADD COLUMN sightings INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE intel_indicators ADD COLUMN false_positives INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE intel_indicators ADD COLUMN warning TEXT;
      CREATE INDEX intel_indicators_changed ON intel_indicators(updated_at);
      CREATE TABLE intel_sightings (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        indicator_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        count INTEGER NOT NULL,
        source TEXT NOT NULL,
        note TEXT,
        event_id TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX intel_sightings_indicator ON intel_sightings(indicator_id, at);
      CREATE TABLE intel_warninglists (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        doc TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX intel_warninglists_name ON intel_warninglists(tenant, kind, name);
    `,
  },
  {
    version: 502,
    name: 'intel deletions',
    sql: `
      CREATE TABLE intel_deleted (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        deleted_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 503,
    name: 'intel indicator versions (TAXII)',
    sql: `
      CREATE TABLE intel_indicator_versions (
        stix_id TEXT NOT NULL,
        modified TEXT NOT NULL,
        indicator_id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        tlp TEXT NOT NULL,
        stix TEXT,
        PRIMARY KEY (stix_id, modified)
      ) WITHOUT ROWID;
      CREATE INDEX intel_indicator_versions_added ON intel_indicator_versions(tenant, modified, indicator_id);
    `,
  },
];
