import type { Migration } from './migrations.js';

/** Schema of the rules capability: versions 300-399, appended only. */
export const RULE_MIGRATIONS: readonly Migration[] = [
  {
    version: 300,
    name: 'rule management: exceptions, uploads, enable/disable, correlation state',
    sql: `
      CREATE TABLE rule_exceptions (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        match TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        -- epoch ms; NULL never expires. A number so that "unexpired" is one indexed comparison.
        expires_at INTEGER,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX rule_exceptions_rule ON rule_exceptions(tenant, rule_id);
      CREATE TABLE rule_uploads (
        id TEXT PRIMARY KEY,
        -- NULL: every tenant; else the only tenant the rules run for
        tenant TEXT,
        yaml TEXT NOT NULL,
        rule_ids TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE rule_settings (
        rule_id TEXT NOT NULL,
        -- '*' is the global setting; a tenant's own setting wins over it
        tenant TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (rule_id, tenant)
      );
      CREATE TABLE correlation_state (
        tenant TEXT PRIMARY KEY,
        snapshot TEXT NOT NULL,
        saved_at TEXT NOT NULL
      );
    `,
  },
];
