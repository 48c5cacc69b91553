import type { Migration } from './migrations.js';

/** Schema of the alerts capability: versions 100-199, appended only. */
export const ALERT_MIGRATIONS: readonly Migration[] = [
  {
    version: 100,
    name: 'alerts',
    sql: `
      CREATE TABLE alerts (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        title TEXT NOT NULL,
        severity_rank INTEGER NOT NULL,
        status TEXT NOT NULL,
        verdict TEXT,
        assignee TEXT,
        tags TEXT NOT NULL,
        attack TEXT NOT NULL,
        entity_type TEXT,
        entity_value TEXT,
        -- rule + entity: what dedup matches on (entity value lower-cased)
        dedup_key TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        first_event_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        acknowledged_at INTEGER,
        closed_at INTEGER,
        observables TEXT NOT NULL,
        case_id TEXT
      );
      CREATE INDEX alerts_triage ON alerts(tenant, status, severity_rank, last_seen);
      CREATE INDEX alerts_last_seen ON alerts(tenant, last_seen);
      CREATE INDEX alerts_created ON alerts(tenant, created_at);
      CREATE INDEX alerts_rule ON alerts(tenant, rule_id, last_seen);
      CREATE INDEX alerts_entity ON alerts(tenant, entity_type, entity_value);
      CREATE INDEX alerts_case ON alerts(tenant, case_id) WHERE case_id IS NOT NULL;
      -- Only open alerts take new detections, so only they need to be found by dedup key.
      CREATE INDEX alerts_dedup_open ON alerts(tenant, dedup_key, last_seen) WHERE status != 'closed';

      -- One row per folded detection: the idempotency record (a redelivered detection finds itself here).
      CREATE TABLE alert_detections (
        tenant TEXT NOT NULL,
        detection_id TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        doc TEXT,
        PRIMARY KEY (tenant, detection_id)
      ) WITHOUT ROWID;
      CREATE INDEX alert_detections_alert ON alert_detections(alert_id, ts);

      CREATE TABLE alert_events (
        alert_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (alert_id, event_id)
      ) WITHOUT ROWID;

      CREATE TABLE alert_observables (
        tenant TEXT NOT NULL,
        type TEXT NOT NULL,
        value TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        PRIMARY KEY (tenant, type, value, alert_id)
      ) WITHOUT ROWID;
      CREATE INDEX alert_observables_alert ON alert_observables(alert_id);

      CREATE TABLE alert_comments (
        id TEXT PRIMARY KEY,
        alert_id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX alert_comments_alert ON alert_comments(alert_id, created_at);

      CREATE TABLE risk_contributions (
        tenant TEXT NOT NULL,
        detection_id TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        entity_value TEXT NOT NULL,
        score REAL NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (tenant, detection_id, entity_type, entity_value)
      ) WITHOUT ROWID;
      -- Hourly sums per entity: a window's risk is at most 25 rows to add, however noisy the entity.
      CREATE TABLE risk_buckets (
        tenant TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        entity_value TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (tenant, entity_type, entity_value, bucket)
      ) WITHOUT ROWID;
    `,
  },
];
