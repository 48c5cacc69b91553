import type { Migration } from './migrations.js';

/** Schema of notifications: versions 400-499, appended only. */
export const NOTIFY_MIGRATIONS: readonly Migration[] = [
  {
    version: 400,
    name: 'notification outbox',
    sql: `
      CREATE TABLE notification_deliveries (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        channel TEXT NOT NULL,
        notification TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        sent_at INTEGER
      );
      CREATE INDEX notification_deliveries_due ON notification_deliveries(status, next_attempt_at);
      CREATE INDEX notification_deliveries_tenant ON notification_deliveries(tenant, created_at);
    `,
  },
];
