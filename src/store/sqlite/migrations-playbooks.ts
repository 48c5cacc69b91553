import type { Migration } from './migrations.js';

/** Schema of playbooks: versions 600-699, appended only. */
export const PLAYBOOK_MIGRATIONS: readonly Migration[] = [
  {
    version: 600,
    name: 'playbooks and runs',
    sql: `
      CREATE TABLE playbooks (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        yaml TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      -- Every saved version is kept, so a playbook's history can be diffed and restored.
      CREATE TABLE playbook_versions (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        yaml TEXT NOT NULL,
        saved_by TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        PRIMARY KEY (tenant, id, version)
      );
      CREATE TABLE playbook_runs (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        playbook_id TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX playbook_runs_tenant ON playbook_runs(tenant, started_at);
      CREATE INDEX playbook_runs_status ON playbook_runs(status);
      CREATE TABLE playbook_steps (
        run_id TEXT NOT NULL,
        path TEXT NOT NULL,
        status TEXT NOT NULL,
        deadline TEXT,
        doc TEXT NOT NULL,
        PRIMARY KEY (run_id, path)
      );
      CREATE INDEX playbook_steps_waiting ON playbook_steps(status, deadline);
      CREATE TABLE playbook_idempotency (
        tenant TEXT NOT NULL,
        key TEXT NOT NULL,
        run_id TEXT NOT NULL,
        output TEXT NOT NULL,
        done_at TEXT NOT NULL,
        PRIMARY KEY (tenant, key)
      );
      CREATE TABLE secrets (
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        iv BLOB NOT NULL,
        tag BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, name)
      );
    `,
  },
  {
    version: 601,
    name: 'playbook state and one-time approval links',
    sql: `
      CREATE TABLE playbook_state (
        tenant TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, key)
      );
      -- A signed approval link works once: its id is recorded on first use.
      CREATE TABLE playbook_used_tokens (
        id TEXT PRIMARY KEY,
        used_by TEXT NOT NULL,
        used_at TEXT NOT NULL
      );
    `,
  },
];
