import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SQLITE_MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) a SQLite database in WAL mode with synchronous=FULL: a committed
 * transaction survives kill -9 and power loss, which is what "acknowledged means durable" needs.
 * Batching commits (see events.ts) keeps the fsync cost per event small.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = openConnection(file);
  migrate(db);
  return db;
}

/** A connection with Vigil's settings to a database that is already migrated (the event writer thread's). */
export function openConnection(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  startTransactionsImmediate(db);
  return db;
}

/**
 * Events are written through a second connection (the writer thread's). A deferred transaction
 * that reads before it writes fails at once with SQLITE_BUSY, without the busy wait, when the
 * other connection committed in between; so every transaction on these connections starts
 * IMMEDIATE and waits for the write lock instead. `.deferred` stays available; nested calls
 * are still savepoints.
 */
function startTransactionsImmediate(db: Db): void {
  const make = db.transaction.bind(db);
  // Each mode's function carries the others (`.deferred`, `.exclusive`...), as better-sqlite3 makes them.
  db.transaction = ((fn: Parameters<Db['transaction']>[0]) => {
    const modes = make(fn);
    // A function of its own (it passes its `this` on to fn, as the default mode does), not a method.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    return modes.immediate;
  }) as Db['transaction'];
}

/**
 * Applies every migration not yet recorded in `schema_migrations`. A set of applied versions (not a
 * high-water mark) lets capabilities append to their own version ranges independently.
 */
export function migrate(db: Db): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const legacy = db.pragma('user_version', { simple: true }) as number;
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  // Databases made before this table existed carry their level in user_version.
  if (applied.size === 0 && legacy > 0) {
    for (const m of SQLITE_MIGRATIONS) {
      if (m.version > legacy) break;
      record.run(m.version, m.name, Date.now());
      applied.add(m.version);
    }
  }
  let count = 0;
  for (const m of SQLITE_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.up?.(db);
      record.run(m.version, m.name, Date.now());
      db.pragma(`user_version = ${Math.max(legacy, m.version)}`);
    })();
    count++;
  }
  return count;
}
