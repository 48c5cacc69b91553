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
    version: 100,
    name: 'alerts',
    sql: `
      CREATE TABLE alerts (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        tenant text NOT NULL,
        kind text NOT NULL,
        rule_id text NOT NULL,
        title text NOT NULL,
        severity_rank integer NOT NULL,
        status text NOT NULL,
        verdict text,
        assignee text,
        tags jsonb NOT NULL,
        attack jsonb NOT NULL,
        entity_type text,
        entity_value text,
        dedup_key text NOT NULL,
        count integer NOT NULL,
        -- epoch milliseconds, as in SQLite, so both adapters share their arithmetic
        first_seen bigint NOT NULL,
        last_seen bigint NOT NULL,
        first_event_at bigint NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        acknowledged_at bigint,
        closed_at bigint,
        observables jsonb NOT NULL,
        case_id text
      );
      CREATE INDEX alerts_triage ON alerts (tenant, status, severity_rank, last_seen);
      CREATE INDEX alerts_last_seen ON alerts (tenant, last_seen);
      CREATE INDEX alerts_created ON alerts (tenant, created_at);
      CREATE INDEX alerts_rule ON alerts (tenant, rule_id, last_seen);
      CREATE INDEX alerts_entity ON alerts (tenant, entity_type, entity_value);
      CREATE INDEX alerts_case ON alerts (tenant, case_id) WHERE case_id IS NOT NULL;
      CREATE INDEX alerts_dedup_open ON alerts (tenant, dedup_key, last_seen) WHERE status != 'closed';
      CREATE INDEX alerts_tags ON alerts USING gin (tags jsonb_path_ops);

      -- The idempotency record: a redelivered detection finds itself here, on any node.
      CREATE TABLE alert_detections (
        tenant text NOT NULL,
        detection_id text NOT NULL,
        alert_id text NOT NULL,
        ts bigint NOT NULL,
        doc jsonb,
        PRIMARY KEY (tenant, detection_id)
      );
      CREATE INDEX alert_detections_alert ON alert_detections (alert_id, ts);
      CREATE TABLE alert_events (
        alert_id text NOT NULL,
        event_id text NOT NULL,
        ts bigint NOT NULL,
        PRIMARY KEY (alert_id, event_id)
      );
      CREATE TABLE alert_observables (
        tenant text NOT NULL,
        type text NOT NULL,
        value text NOT NULL,
        alert_id text NOT NULL,
        PRIMARY KEY (tenant, type, value, alert_id)
      );
      CREATE INDEX alert_observables_alert ON alert_observables (alert_id);
      CREATE TABLE alert_comments (
        id text PRIMARY KEY,
        alert_id text NOT NULL,
        tenant text NOT NULL,
        author text NOT NULL,
        body text NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE INDEX alert_comments_alert ON alert_comments (alert_id, created_at);
      CREATE TABLE risk_contributions (
        tenant text NOT NULL,
        detection_id text NOT NULL,
        entity_type text NOT NULL,
        entity_value text NOT NULL,
        score double precision NOT NULL,
        ts bigint NOT NULL,
        PRIMARY KEY (tenant, detection_id, entity_type, entity_value)
      );
      CREATE TABLE risk_buckets (
        tenant text NOT NULL,
        entity_type text NOT NULL,
        entity_value text NOT NULL,
        bucket bigint NOT NULL,
        score double precision NOT NULL,
        PRIMARY KEY (tenant, entity_type, entity_value, bucket)
      );
    `,
  },
  {
    version: 200,
    name: 'cases',
    sql: `
      -- Each record is kept whole as a JSONB doc; the columns beside it are what queries use.
      CREATE TABLE cases (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        number integer NOT NULL,
        title text NOT NULL,
        status text NOT NULL,
        severity_rank integer NOT NULL,
        assignee text,
        tags jsonb NOT NULL,
        members jsonb NOT NULL,
        restricted boolean NOT NULL,
        merged_into text,
        created_ms bigint NOT NULL,
        updated_ms bigint NOT NULL,
        due_ms bigint,
        done_ms bigint,
        doc jsonb NOT NULL
      );
      CREATE UNIQUE INDEX cases_tenant_number ON cases (tenant, number);
      CREATE INDEX cases_tenant_updated ON cases (tenant, updated_ms);
      CREATE INDEX cases_tenant_status ON cases (tenant, status, due_ms);
      CREATE INDEX cases_tenant_assignee ON cases (tenant, assignee);
      CREATE TABLE case_alerts (
        tenant text NOT NULL,
        alert_id text NOT NULL,
        case_id text NOT NULL REFERENCES cases(id),
        added_by text NOT NULL,
        added_at text NOT NULL,
        PRIMARY KEY (tenant, alert_id)
      );
      CREATE INDEX case_alerts_case ON case_alerts (case_id);
      CREATE TABLE case_tasks (
        seq bigserial,
        id text PRIMARY KEY,
        tenant text NOT NULL,
        case_id text NOT NULL REFERENCES cases(id),
        ord integer NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE INDEX case_tasks_case ON case_tasks (case_id, ord);
      CREATE TABLE case_observables (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        case_id text NOT NULL REFERENCES cases(id),
        type text NOT NULL,
        norm_value text NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE UNIQUE INDEX case_observables_key ON case_observables (case_id, type, norm_value);
      CREATE INDEX case_observables_value ON case_observables (tenant, type, norm_value);
      CREATE TABLE case_comments (
        seq bigserial,
        id text PRIMARY KEY,
        tenant text NOT NULL,
        case_id text NOT NULL REFERENCES cases(id),
        created_ms bigint NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE INDEX case_comments_case ON case_comments (case_id, created_ms);
      CREATE TABLE case_evidence (
        seq bigserial,
        id text PRIMARY KEY,
        tenant text NOT NULL,
        case_id text NOT NULL REFERENCES cases(id),
        sha256 text NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE INDEX case_evidence_case ON case_evidence (case_id);
      CREATE TABLE case_custody (
        seq bigint PRIMARY KEY,
        tenant text NOT NULL,
        evidence_id text NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE SEQUENCE case_custody_seq;
      CREATE INDEX case_custody_evidence ON case_custody (tenant, evidence_id, seq);
      -- A chain of custody that could be edited would prove nothing.
      CREATE FUNCTION vigil_custody_append_only() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'chain of custody is append-only'; END $$;
      CREATE TRIGGER case_custody_no_change BEFORE UPDATE OR DELETE ON case_custody FOR EACH ROW EXECUTE FUNCTION vigil_custody_append_only();
      CREATE TABLE case_pins (
        seq bigserial,
        id text PRIMARY KEY,
        tenant text NOT NULL,
        case_id text NOT NULL REFERENCES cases(id),
        event_id text NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE UNIQUE INDEX case_pins_event ON case_pins (case_id, event_id);
      CREATE TABLE case_activity (
        seq bigserial PRIMARY KEY,
        tenant text NOT NULL,
        case_id text NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE INDEX case_activity_case ON case_activity (case_id, seq);
      CREATE TABLE case_sla_policies (tenant text PRIMARY KEY, doc jsonb NOT NULL);
      CREATE TABLE case_templates (tenant text NOT NULL, id text NOT NULL, doc jsonb NOT NULL, PRIMARY KEY (tenant, id));
    `,
  },
  {
    version: 300,
    name: 'rule management: exceptions, uploads, enable/disable, correlation state',
    sql: `
      CREATE TABLE rule_exceptions (
        tenant text NOT NULL,
        id text NOT NULL,
        rule_id text NOT NULL,
        match jsonb NOT NULL,
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at text NOT NULL,
        expires_at bigint,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX rule_exceptions_rule ON rule_exceptions (tenant, rule_id);
      CREATE TABLE rule_uploads (
        seq bigserial,
        id text PRIMARY KEY,
        tenant text,
        yaml text NOT NULL,
        rule_ids jsonb NOT NULL,
        created_by text NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL
      );
      CREATE TABLE rule_settings (
        rule_id text NOT NULL,
        tenant text NOT NULL,
        enabled boolean NOT NULL,
        updated_by text NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (rule_id, tenant)
      );
      CREATE TABLE correlation_state (tenant text PRIMARY KEY, snapshot text NOT NULL, saved_at text NOT NULL);
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
  {
    version: 600,
    name: 'playbooks and runs',
    sql: `
      CREATE TABLE playbooks (
        tenant text NOT NULL,
        id text NOT NULL,
        version integer NOT NULL,
        yaml text NOT NULL,
        updated_by text NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE playbook_versions (
        tenant text NOT NULL,
        id text NOT NULL,
        version integer NOT NULL,
        yaml text NOT NULL,
        saved_by text NOT NULL,
        saved_at text NOT NULL,
        PRIMARY KEY (tenant, id, version)
      );
      CREATE TABLE playbook_runs (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        playbook_id text NOT NULL,
        status text NOT NULL,
        started_at text NOT NULL,
        doc text NOT NULL
      );
      CREATE INDEX playbook_runs_tenant ON playbook_runs (tenant, started_at);
      CREATE INDEX playbook_runs_status ON playbook_runs (status);
      CREATE TABLE playbook_steps (
        seq bigserial,
        run_id text NOT NULL,
        path text NOT NULL,
        status text NOT NULL,
        deadline text,
        doc text NOT NULL,
        PRIMARY KEY (run_id, path)
      );
      CREATE INDEX playbook_steps_waiting ON playbook_steps (status, deadline);
      CREATE TABLE playbook_idempotency (
        tenant text NOT NULL,
        key text NOT NULL,
        run_id text NOT NULL,
        output text NOT NULL,
        done_at text NOT NULL,
        PRIMARY KEY (tenant, key)
      );
      CREATE TABLE secrets (
        tenant text NOT NULL,
        name text NOT NULL,
        iv bytea NOT NULL,
        tag bytea NOT NULL,
        ciphertext bytea NOT NULL,
        updated_by text NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (tenant, name)
      );
    `,
  },
  {
    version: 601,
    name: 'playbook state and one-time approval links',
    sql: `
      CREATE TABLE playbook_state (
        tenant text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (tenant, key)
      );
      CREATE TABLE playbook_used_tokens (id text PRIMARY KEY, used_by text NOT NULL, used_at text NOT NULL);
    `,
  },
];
