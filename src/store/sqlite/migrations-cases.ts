import type { Migration } from './migrations.js';

/**
 * Schema of the cases capability: versions 200-299, appended only. Each record is kept whole as a
 * JSON `doc`; the columns beside it are what queries filter, sort or join on.
 */
export const CASE_MIGRATIONS: readonly Migration[] = [
  {
    version: 200,
    name: 'cases',
    sql: `
      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        number INTEGER NOT NULL,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        severity_rank INTEGER NOT NULL,
        assignee TEXT,
        tags TEXT NOT NULL,
        members TEXT NOT NULL,
        restricted INTEGER NOT NULL,
        merged_into TEXT,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        due_ms INTEGER,
        -- When the case was resolved or closed; NULL while it is worked. The SLA state is judged on it.
        done_ms INTEGER,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX cases_tenant_number ON cases(tenant, number);
      CREATE INDEX cases_tenant_updated ON cases(tenant, updated_ms);
      CREATE INDEX cases_tenant_status ON cases(tenant, status, due_ms);
      CREATE INDEX cases_tenant_assignee ON cases(tenant, assignee);

      -- An alert belongs to at most one case per tenant.
      CREATE TABLE case_alerts (
        tenant TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases(id),
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (tenant, alert_id)
      );
      CREATE INDEX case_alerts_case ON case_alerts(case_id);

      CREATE TABLE case_tasks (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases(id),
        ord INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX case_tasks_case ON case_tasks(case_id, ord);

      CREATE TABLE case_observables (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases(id),
        type TEXT NOT NULL,
        norm_value TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX case_observables_key ON case_observables(case_id, type, norm_value);
      CREATE INDEX case_observables_value ON case_observables(tenant, type, norm_value);

      CREATE TABLE case_comments (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases(id),
        created_ms INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX case_comments_case ON case_comments(case_id, created_ms);

      CREATE TABLE case_evidence (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases(id),
        sha256 TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX case_evidence_case ON case_evidence(case_id);

      CREATE TABLE case_custody (
        seq INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL,
        evidence_id TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX case_custody_evidence ON case_custody(tenant, evidence_id, seq);
      -- A chain of custody that could be edited would prove nothing.
      CREATE TRIGGER case_custody_no_update BEFORE UPDATE ON case_custody BEGIN SELECT RAISE(ABORT, 'chain of custody is append-only'); END;
      CREATE TRIGGER case_custody_no_delete BEFORE DELETE ON case_custody BEGIN SELECT RAISE(ABORT, 'chain of custody is append-only'); END;

      CREATE TABLE case_pins (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases(id),
        event_id TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX case_pins_event ON case_pins(case_id, event_id);

      CREATE TABLE case_activity (
        seq INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL,
        case_id TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX case_activity_case ON case_activity(case_id, seq);

      CREATE TABLE case_sla_policies (
        tenant TEXT PRIMARY KEY,
        doc TEXT NOT NULL
      );

      CREATE TABLE case_templates (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
    `,
  },
];
