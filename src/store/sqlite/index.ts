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
import { EventWriterThread } from './event-writer-client.js';
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

/**
 * `writerThread`: insert events from a worker thread with its own connection (a file database
 * only). By default on when running compiled code (`VIGIL_SQLITE_WRITER_THREAD=0` turns it off);
 * under tsx/vitest a thread would first load TypeScript (a third of a second per store), so tests
 * that want it say so.
 */
export function openSqliteStorage(dataDir: string, opts: { writerThread?: boolean } = {}): Storage {
  const file = dataDir === ':memory:' ? ':memory:' : path.join(dataDir, SQLITE_FILE);
  const db = openDatabase(file);
  const threaded =
    file !== ':memory:' &&
    (opts.writerThread ??
      (process.env.VIGIL_SQLITE_WRITER_THREAD !== '0' && import.meta.url.endsWith('.js')));
  const writerThread = threaded ? new EventWriterThread({ file, fullText: true }) : undefined;
  const events = new SqliteEventStore(db, { writerThread });
  return {
    kind: 'sqlite',
    events,
    deadLetters: new SqliteDeadLetterStore(db),
    elastic: new SqliteElasticResourceStore(db),
    detections: new SqliteDetectionStore(db, writerThread),
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
      await events.close();
      db.close();
    },
  };
}
