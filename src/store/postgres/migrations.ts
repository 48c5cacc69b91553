import type { Migration } from '../sqlite/migrations.js';

/**
 * PostgreSQL schema, versioned like SQLite's (same version numbers for the same capability) and
 * recorded in schema_migrations. Events are range-partitioned by day on their event time so that a
 * time-bounded search touches only its days and retention drops whole partitions.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'foundation',
    sql: `
      CREATE TABLE tenants (id text PRIMARY KEY, name text NOT NULL, created_at text NOT NULL);
      CREATE TABLE users (
        id text PRIMARY KEY,
        username text NOT NULL,
        role text NOT NULL,
        tenants jsonb NOT NULL,
        password_hash text NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        failed_logins integer NOT NULL DEFAULT 0,
        first_failed_at text,
        locked_until text,
        created_at text NOT NULL
      );
      CREATE UNIQUE INDEX users_username ON users (lower(username));
      CREATE TABLE sessions (
        id_hash text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at text NOT NULL,
        expires_at text NOT NULL,
        ip text NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE TABLE api_tokens (
        id text PRIMARY KEY,
        name text NOT NULL,
        secret_hash text NOT NULL,
        role text NOT NULL,
        tenant text NOT NULL,
        created_by text NOT NULL,
        created_at text NOT NULL,
        revoked_at text,
        last_used_at text
      );
      CREATE TABLE audit (
        seq bigint PRIMARY KEY,
        ts text NOT NULL,
        actor text NOT NULL,
        tenant text,
        action text NOT NULL,
        target text,
        ip text,
        before jsonb,
        after jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE INDEX audit_tenant ON audit (tenant, seq);
      -- Append-only: the application can never rewrite history.
      CREATE FUNCTION vigil_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'audit trail is append-only'; END $$;
      CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION vigil_audit_append_only();
      CREATE TABLE events (
        seq bigserial,
        tenant text NOT NULL,
        id text NOT NULL,
        ts timestamptz NOT NULL,
        ingested timestamptz NOT NULL,
        doc jsonb NOT NULL,
        -- Unique keys of a partitioned table must contain the partition key; an event's time is
        -- part of the event, so a re-sent event (same id, same time) is still stored once.
        PRIMARY KEY (tenant, id, ts)
      ) PARTITION BY RANGE (ts);
      CREATE INDEX events_tenant_ts ON events (tenant, ts DESC);
      CREATE INDEX events_ts_brin ON events USING brin (ts);
      CREATE INDEX events_doc ON events USING gin (doc jsonb_path_ops);
      CREATE TABLE dead_letters (
        id bigserial PRIMARY KEY,
        tenant text NOT NULL,
        input text NOT NULL,
        reason text NOT NULL,
        received_at text NOT NULL,
        raw bytea NOT NULL,
        encoding text NOT NULL
      );
      CREATE INDEX dead_letters_tenant ON dead_letters (tenant, id);
    `,
  },
  {
    version: 2,
    name: 'detections',
    sql: `
      CREATE TABLE detections (
        seq bigserial PRIMARY KEY,
        id text NOT NULL,
        tenant text NOT NULL,
        ts timestamptz NOT NULL,
        detected_at timestamptz NOT NULL,
        rule_id text NOT NULL,
        level_rank integer NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE UNIQUE INDEX detections_tenant_id ON detections (tenant, id);
      CREATE INDEX detections_tenant_ts ON detections (tenant, ts);
      CREATE INDEX detections_rule ON detections (tenant, rule_id, ts);
    `,
  },
  {
    version: 400,
    name: 'notification outbox',
    sql: `
      CREATE TABLE notification_deliveries (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        channel text NOT NULL,
        notification jsonb NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at bigint NOT NULL,
        created_at bigint NOT NULL,
        sent_at bigint
      );
      CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at);
      CREATE INDEX notification_deliveries_tenant ON notification_deliveries (tenant, created_at);
    `,
  },
];
