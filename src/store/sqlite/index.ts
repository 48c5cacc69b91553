import path from 'node:path';
import type { Storage } from '../ports.js';
import { SqliteAlertStore } from './alerts.js';
import { SqliteAuditLog } from './audit.js';
import { SqliteCaseStore } from './cases.js';
import { openDatabase } from './db.js';
import { SqliteDeadLetterStore } from './dead-letters.js';
import { SqliteDetectionStore } from './detections.js';
import { SqliteElasticResourceStore } from './elastic-resources.js';
import { SqliteEventStore } from './events.js';
import { SqliteIdentityRepo } from './identity.js';
import { SqliteNotificationOutbox } from './notifications.js';
import { SqlitePlaybookStore } from './playbooks.js';
import { SqliteEventSearch } from './event-search.js';
import { SqliteSavedSearchStore } from '../../hunting/sqlite-saved-searches.js';
import { SqliteSearchScheduleStore } from '../../hunting/sqlite-schedules.js';
import { SqliteSigmaHuntStore } from '../../hunting/sqlite-sigma-hunts.js';
import { SqliteSearchHistoryStore } from '../../hunting/sqlite-search-history.js';
import { SqliteIntelStore } from './intel.js';
import { SqliteSecretRepo } from './secrets.js';
import { SqliteRuleExceptionStore } from './rule-exceptions.js';
import { SqliteRuleStore } from './rules.js';

export const SQLITE_FILE = 'vigil.db';

export function openSqliteStorage(dataDir: string): Storage {
  const db = openDatabase(dataDir === ':memory:' ? ':memory:' : path.join(dataDir, SQLITE_FILE));
  return {
    kind: 'sqlite',
    events: new SqliteEventStore(db),
    deadLetters: new SqliteDeadLetterStore(db),
    elastic: new SqliteElasticResourceStore(db),
    detections: new SqliteDetectionStore(db),
    alerts: new SqliteAlertStore(db),
    cases: new SqliteCaseStore(db),
    ruleExceptions: new SqliteRuleExceptionStore(db),
    rules: new SqliteRuleStore(db),
    notifications: new SqliteNotificationOutbox(db),
    playbooks: new SqlitePlaybookStore(db),
    search: new SqliteEventSearch(db),
    savedSearches: new SqliteSavedSearchStore(db),
    searchSchedules: new SqliteSearchScheduleStore(db),
    sigmaHunts: new SqliteSigmaHuntStore(db),
    searchHistory: new SqliteSearchHistoryStore(db),
    intel: new SqliteIntelStore(db),
    secrets: new SqliteSecretRepo(db),
    identity: new SqliteIdentityRepo(db),
    audit: new SqliteAuditLog(db),
    close: async () => {
      // Let any group commit scheduled in this turn run before the handle goes away.
      await new Promise((r) => setImmediate(r));
      db.close();
    },
  };
}
