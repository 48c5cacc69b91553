import type { Storage } from '../ports.js';
import { PostgresAuditLog } from './audit.js';
import { openPool } from './db.js';
import { PostgresDeadLetterStore } from './dead-letters.js';
import { PostgresDetectionStore } from './detections.js';
import { PostgresEventStore } from './events.js';
import { PostgresIdentityRepo } from './identity.js';
import { PostgresNotificationOutbox } from './notifications.js';

/** Stores whose PostgreSQL adapter does not exist yet; start-up refuses cluster mode until they do. */
export const POSTGRES_MISSING = ['alerts', 'cases', 'ruleExceptions', 'rules'] as const;

function notYet(store: string): never {
  throw new Error(`the ${store} store has no PostgreSQL adapter yet`);
}
const unavailable = <T extends object>(store: string): T =>
  new Proxy({}, { get: (_t, prop) => (prop === 'then' ? undefined : () => notYet(store)) }) as T;

export async function openPostgresStorage(url: string): Promise<Storage> {
  const pool = await openPool(url);
  return {
    kind: 'postgres',
    events: new PostgresEventStore(pool),
    deadLetters: new PostgresDeadLetterStore(pool),
    detections: new PostgresDetectionStore(pool),
    identity: new PostgresIdentityRepo(pool),
    audit: new PostgresAuditLog(pool),
    notifications: new PostgresNotificationOutbox(pool),
    alerts: unavailable('alerts'),
    cases: unavailable('cases'),
    ruleExceptions: unavailable('ruleExceptions'),
    rules: unavailable('rules'),
    close: () => pool.end(),
  };
}
