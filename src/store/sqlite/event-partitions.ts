import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { HOT_COLUMNS_SQL, HOT_FIELDS, hotValues } from './hot-fields.js';
import { dropRollupSql, rollupName, watermarkRollupName, watermarkRollups } from './hot-rollup.js';

export const DAY_MS = 86_400_000;

/** UTC day number of an epoch-milliseconds time (floor, so times before 1970 work too). */
export const dayOf = (ts: number): number => Math.floor(ts / DAY_MS);

/**
 * Table names are computed from day numbers, never from input text: `events_20261128` (and
 * `events_fts_20261128` for its free-text index). Days outside years 1000-9999 use the day number.
 */
export function partitionName(day: number): string {
  const iso = new Date(day * DAY_MS).toISOString();
  const suffix = /^\d{4}-/.test(iso)
    ? iso.slice(0, 10).replaceAll('-', '')
    : `n${day < 0 ? `m${-day}` : day}`;
  return `events_${suffix}`;
}

export const ftsName = (table: string): string => table.replace(/^events_/, 'events_fts_');

/** SQLite refuses compound SELECTs of more than 500 terms: nest in chunks below that. */
const CHUNK = 400;

/** `a UNION ALL b ...` over many terms, nested so that no compound exceeds SQLite's limit. */
export function unionAll(terms: string[], columns: string): string {
  if (terms.length <= CHUNK) return terms.join(' UNION ALL ');
  const chunks: string[] = [];
  for (let i = 0; i < terms.length; i += CHUNK)
    chunks.push(`SELECT ${columns} FROM (${terms.slice(i, i + CHUNK).join(' UNION ALL ')})`);
  return chunks.join(' UNION ALL ');
}

const VIEW_COLUMNS = 'seq, id, tenant, ts, ingested, doc';

/**
 * One table per UTC day, created on first write. Each day has:
 * - `(tenant, ts)` for time-bounded scans and a unique `(tenant, id)`: a re-sent event (same id,
 *   same time, so same day) is stored once; see EventRowWriter for a re-send across midnight;
 * - an FTS5 trigram index over the stored JSON (external content: the text is not stored twice),
 *   filled behind ingest by event-fts.ts up to `event_fts_progress.upto` (a seq): indexing on
 *   insert cut ingest throughput several times. AUTOINCREMENT so that a seq is never reused and
 *   "at or below upto" always means indexed;
 * - triggers keeping `event_usage` (events and bytes per day and tenant) exact, and removing a
 *   deleted row from the FTS index when it had been indexed;
 * - the hot-field columns (hot-fields.ts), `hot = 1` in event_partitions; their indexes are built
 *   once the day is over (`hot = 2`, hot-index-builder.ts). Days made before hot fields existed
 *   have `hot = 0` and are searched through the documents alone.
 * The `events` view (UNION ALL of every day) keeps plain `SELECT ... FROM events` working for
 * tools and tests; the adapters read only the days a query's time range overlaps.
 */
export function createPartitionSql(day: number): string {
  const p = partitionName(day);
  const f = ftsName(p);
  return `
    CREATE TABLE IF NOT EXISTS ${p} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL,
      tenant TEXT NOT NULL,
      ts INTEGER NOT NULL,
      ingested INTEGER NOT NULL,
      doc TEXT NOT NULL,
      ${HOT_COLUMNS_SQL}
    );
    CREATE INDEX IF NOT EXISTS ${p}_tenant_ts ON ${p}(tenant, ts);
    CREATE UNIQUE INDEX IF NOT EXISTS ${p}_tenant_id ON ${p}(tenant, id);
    CREATE VIRTUAL TABLE IF NOT EXISTS ${f} USING fts5(doc, content='${p}', content_rowid='seq', tokenize='trigram', detail='none');
    CREATE TRIGGER IF NOT EXISTS ${p}_added AFTER INSERT ON ${p} BEGIN
      INSERT INTO event_usage (day, tenant, events, bytes) VALUES (${day}, new.tenant, 1, octet_length(new.doc))
        ON CONFLICT (day, tenant) DO UPDATE SET events = events + 1, bytes = bytes + excluded.bytes;
    END;
    CREATE TRIGGER IF NOT EXISTS ${p}_removed AFTER DELETE ON ${p} BEGIN
      UPDATE event_usage SET events = events - 1, bytes = bytes - octet_length(old.doc)
        WHERE day = ${day} AND tenant = old.tenant;
    END;
    CREATE TRIGGER IF NOT EXISTS ${p}_unindexed AFTER DELETE ON ${p}
      WHEN old.seq <= (SELECT upto FROM event_fts_progress WHERE day = ${day}) BEGIN
      INSERT INTO ${f}(${f}, rowid, doc) VALUES ('delete', old.seq, old.doc);
    END;
    INSERT OR IGNORE INTO event_partitions (day, name, hot) VALUES (${day}, '${p}', 1);
    INSERT OR IGNORE INTO event_fts_progress (day, upto) VALUES (${day}, 0);
  `;
}

/** Rebuilds the `events` view over the days that exist. */
export function rebuildEventsView(db: Db): void {
  const names = listPartitions(db).map((p) => p.name);
  const body = names.length
    ? unionAll(
        names.map((n) => `SELECT ${VIEW_COLUMNS} FROM ${n}`),
        VIEW_COLUMNS,
      )
    : "SELECT 0 AS seq, '' AS id, '' AS tenant, 0 AS ts, 0 AS ingested, '{}' AS doc WHERE 0";
  db.exec(`DROP VIEW IF EXISTS events; CREATE VIEW events AS ${body}`);
}

export interface Partition {
  day: number;
  name: string;
  /** Rows with seq at or below this are in the day's FTS index. */
  indexed: number;
  /** The table has the hot-field columns (hot-fields.ts). */
  hot: boolean;
  /** Their indexes are built (the day is over). */
  hotIndexed: boolean;
  /**
   * Before that, rows with seq at or below this are in the day's watermark indexes (partial
   * indexes, `seq <= hotUpto`); 0 when it has none.
   */
  hotUpto: number;
}

/** Every day table, oldest first. */
export function listPartitions(db: Db): Partition[] {
  return (
    db
      .prepare(
        'SELECT p.day, p.name, coalesce(f.upto, 0) AS indexed, p.hot, p.hot_upto AS hotUpto FROM event_partitions p LEFT JOIN event_fts_progress f USING (day) ORDER BY p.day',
      )
      .all() as Array<Omit<Partition, 'hot' | 'hotIndexed'> & { hot: number }>
  ).map((p) => ({ ...p, hot: p.hot >= 1, hotIndexed: p.hot === 2 }));
}

/** Drops a whole day at once: no row-by-row delete. Returns the events it held. */
export function dropPartition(db: Db, day: number): number {
  const p = partitionName(day);
  let n = 0;
  db.transaction(() => {
    n = (
      db.prepare('SELECT coalesce(sum(events), 0) AS n FROM event_usage WHERE day = ?').get(day) as {
        n: number;
      }
    ).n;
    // Rollups up to a watermark normally go when the day is over; a day dropped before that must
    // not leave them behind.
    for (const w of watermarkRollups(db, p)) db.exec(dropRollupSql(watermarkRollupName(p, w)));
    db.exec(
      `DROP TABLE IF EXISTS ${ftsName(p)}; DROP TABLE IF EXISTS ${rollupName(p)}; DROP TABLE IF EXISTS ${p};`,
    );
    db.prepare('DELETE FROM event_usage WHERE day = ?').run(day);
    db.prepare('DELETE FROM event_partitions WHERE day = ?').run(day);
    db.prepare('DELETE FROM event_fts_progress WHERE day = ?').run(day);
    rebuildEventsView(db);
  })();
  return n;
}

/** The days overlapping [from, to), oldest first; all days when unbounded. */
export function overlapping(parts: Partition[], from?: Date, to?: Date): Partition[] {
  const lo = from ? dayOf(from.getTime()) : -Infinity;
  // `to` is exclusive: a range ending at midnight does not touch the next day.
  const hi = to ? dayOf(to.getTime() - 1) : Infinity;
  return parts.filter((p) => p.day >= lo && p.day <= hi);
}

/**
 * Migration of a database from the single `events` table: rows move, in seq order and keeping
 * their seq, into their day tables (whose triggers index them and count their bytes); the table is
 * then dropped and the view takes its name. Runs inside the migration's transaction, so a crash
 * leaves the old table intact. Reads in pages: better-sqlite3 cannot write while a read iterates.
 */
export function partitionLegacyEvents(db: Db): number {
  const legacy = db.prepare("SELECT type FROM sqlite_master WHERE name = 'events'").get() as
    { type: string } | undefined;
  if (legacy?.type !== 'table') {
    rebuildEventsView(db);
    return 0;
  }
  const page = db.prepare(
    'SELECT seq, id, tenant, ts, ingested, doc FROM events WHERE seq > ? ORDER BY seq LIMIT 2000',
  );
  const known = new Set<number>();
  const inserts = new Map<number, Statement>();
  let last = -Infinity;
  let moved = 0;
  for (;;) {
    const rows = page.all(last) as Array<{
      seq: number;
      id: string;
      tenant: string;
      ts: number;
      ingested: number;
      doc: string;
    }>;
    if (rows.length === 0) break;
    for (const r of rows) {
      const day = dayOf(r.ts);
      if (!known.has(day)) {
        db.exec(createPartitionSql(day));
        known.add(day);
        inserts.set(
          day,
          db.prepare(
            `INSERT OR IGNORE INTO ${partitionName(day)} (seq, id, tenant, ts, ingested, doc, ${HOT_FIELDS.map((h) => h.column).join(', ')}) VALUES (?, ?, ?, ?, ?, ?${', ?'.repeat(HOT_FIELDS.length)})`,
          ),
        );
      }
      moved += inserts
        .get(day)!
        .run(r.seq, r.id, r.tenant, r.ts, r.ingested, r.doc, ...hotValues(JSON.parse(r.doc))).changes;
    }
    last = rows[rows.length - 1]!.seq;
  }
  db.exec('DROP TABLE events');
  rebuildEventsView(db);
  return moved;
}
