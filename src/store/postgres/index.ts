import type { Storage } from '../ports.js';
import { PostgresAlertStore } from './alerts.js';
import { PostgresAuditLog } from './audit.js';
import { PostgresCaseStore } from './cases.js';
import { openPool } from './db.js';
import { PostgresDeadLetterStore } from './dead-letters.js';
import { PostgresDetectionStore } from './detections.js';
import { PostgresElasticResourceStore } from './elastic-resources.js';
import { PostgresEventStore } from './events.js';
import { PostgresIdentityRepo } from './identity.js';
import { PostgresIntelStore } from './intel.js';
import { PostgresNotificationOutbox } from './notifications.js';
import { PostgresPlaybookStore, PostgresSecretRepo } from './playbooks.js';
import { PostgresRuleExceptionStore } from './rule-exceptions.js';
import { PostgresRuleStore } from './rules.js';
import { PostgresEventSearch } from '../../search/postgres-event-search.js';
import { PostgresSavedSearchStore } from '../../hunting/postgres-saved-searches.js';
import { PostgresSearchScheduleStore } from '../../hunting/postgres-schedules.js';
import { PostgresSigmaHuntStore } from '../../hunting/postgres-sigma-hunts.js';
import { PostgresSearchHistoryStore } from '../../hunting/postgres-search-history.js';

/** Stores whose PostgreSQL adapter does not exist yet; start-up refuses cluster mode while any is listed. */
export const POSTGRES_MISSING: readonly string[] = [];

export async function openPostgresStorage(url: string): Promise<Storage> {
  const pool = await openPool(url);
  return {
    kind: 'postgres',
    events: new PostgresEventStore(pool),
    deadLetters: new PostgresDeadLetterStore(pool),
    elastic: new PostgresElasticResourceStore(pool),
    detections: new PostgresDetectionStore(pool),
    identity: new PostgresIdentityRepo(pool),
    audit: new PostgresAuditLog(pool),
    notifications: new PostgresNotificationOutbox(pool),
    alerts: new PostgresAlertStore(pool),
    cases: new PostgresCaseStore(pool),
    ruleExceptions: new PostgresRuleExceptionStore(pool),
    rules: new PostgresRuleStore(pool),
    playbooks: new PostgresPlaybookStore(pool),
    secrets: new PostgresSecretRepo(pool),
    search: new PostgresEventSearch(pool),
    savedSearches: new PostgresSavedSearchStore(pool),
    searchSchedules: new PostgresSearchScheduleStore(pool),
    sigmaHunts: new PostgresSigmaHuntStore(pool),
    searchHistory: new PostgresSearchHistoryStore(pool),
    intel: new PostgresIntelStore(pool),
    close: () => pool.end(),
  };
}
