import type { VigilEvent } from '../../schema/ecs.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { createPartitionSql, DAY_MS, dayOf, partitionName, rebuildEventsView } from './event-partitions.js';
import { HOT_FIELDS, hotValues } from './hot-fields.js';

/** Columns of one events row as bound: id, tenant, ts, ingested, doc, then the hot fields. */
const BASE_COLUMNS = 5;
export const COLUMNS = BASE_COLUMNS + HOT_FIELDS.length;
const COLUMN_NAMES = ['id', 'tenant', 'ts', 'ingested', 'doc', ...HOT_FIELDS.map((h) => h.column)].join(', ');
/** Rows per multi-row INSERT: one statement step for many rows costs less than a step per row. */
const ROWS_PER_INSERT = 50;

/** The rows of one append, flattened: COLUMNS values per row. */
export type RowGroup = unknown[];

/** Flattens events into bindable rows. The documents are serialised here, once. */
export class EventRowEncoder {
  /** A batch shares one ingest time: parse it once. */
  private lastIngested = '';
  private lastIngestedMs = 0;

  encode(events: VigilEvent[]): RowGroup {
    const rows = new Array<unknown>(events.length * COLUMNS);
    let at = 0;
    for (const e of events) {
      const ingested = e.event.ingested;
      if (ingested !== this.lastIngested) {
        this.lastIngested = ingested;
        this.lastIngestedMs = Date.parse(ingested);
      }
      rows[at] = e.event.id;
      rows[at + 1] = e.organization.id;
      rows[at + 2] = Date.parse(e['@timestamp']);
      rows[at + 3] = this.lastIngestedMs;
      rows[at + 4] = JSON.stringify(e);
      const hot = hotValues(e);
      for (let i = 0; i < hot.length; i++) rows[at + BASE_COLUMNS + i] = hot[i];
      at += COLUMNS;
    }
    return rows;
  }
}

interface DayInserts {
  one: Statement;
  /** Undefined for a day made before hot fields: its rows go one by one, without them. */
  many: Statement | undefined;
  /** Is (tenant, id) already in this day? */
  has: Statement;
}

/**
 * An event stamped with the receive time (no time of its own) and re-sent after midnight lands in
 * a new day; within this long after midnight such events are also looked up in the previous day.
 */
const RESEND_WINDOW_MS = 3_600_000;

/** Inserts row groups in one transaction, into the table of each row's day, many rows per statement. */
export class EventRowWriter {
  private readonly days = new Map<number, DayInserts>();
  private readonly known;
  private readonly hot;
  /** New days were created in this transaction: the `events` view is rebuilt once, at its end. */
  private viewStale = false;

  constructor(private readonly db: Db) {
    this.known = db.prepare('SELECT 1 FROM event_partitions WHERE day = ?').pluck();
    this.hot = db.prepare('SELECT hot FROM event_partitions WHERE day = ?').pluck();
  }

  /** Drops cached statements: a day table was dropped (retention) or replaced. */
  forget(): void {
    this.days.clear();
  }

  private inserts(day: number): DayInserts {
    let d = this.days.get(day);
    if (d) return d;
    // Inside the caller's transaction: the new day commits with its first rows or not at all.
    if (this.known.get(day) === undefined) {
      this.db.exec(createPartitionSql(day));
      this.viewStale = true;
    }
    const name = partitionName(day);
    const hot = (this.hot.get(day) as number) >= 1;
    const row = `(${new Array<string>(hot ? COLUMNS : BASE_COLUMNS).fill('?').join(', ')})`;
    const sql = `INSERT OR IGNORE INTO ${name} (${hot ? COLUMN_NAMES : 'id, tenant, ts, ingested, doc'}) VALUES `;
    d = {
      one: this.db.prepare(sql + row),
      many: hot ? this.db.prepare(sql + new Array<string>(ROWS_PER_INSERT).fill(row).join(', ')) : undefined,
      has: this.db.prepare(`SELECT 1 FROM ${name} WHERE tenant = ? AND id = ?`).pluck(),
    };
    this.days.set(day, d);
    return d;
  }

  /** A receive-time-stamped event shortly after midnight already stored the day before. */
  private resentAcrossMidnight(rows: RowGroup, at: number, day: number): boolean {
    const ts = rows[at + 2] as number;
    if (ts !== rows[at + 3] || ts - day * DAY_MS >= RESEND_WINDOW_MS) return false;
    if (!this.days.has(day - 1) && this.known.get(day - 1) === undefined) return false;
    return this.inserts(day - 1).has.get(rows[at + 1], rows[at]) !== undefined;
  }

  private writeDay(d: DayInserts, rows: RowGroup): number {
    const chunk = ROWS_PER_INSERT * COLUMNS;
    let n = 0;
    let at = 0;
    if (d.many)
      for (; at + chunk <= rows.length; at += chunk) n += d.many.run(rows.slice(at, at + chunk)).changes;
    const width = d.many ? COLUMNS : BASE_COLUMNS;
    for (; at < rows.length; at += COLUMNS) n += d.one.run(rows.slice(at, at + width)).changes;
    return n;
  }

  private writeGroup(rows: RowGroup): number {
    // Most appends fall in one day: split only when they do not.
    const first = dayOf(rows[2] as number);
    let split = false;
    for (let at = 0; at < rows.length && !split; at += COLUMNS) {
      const ts = rows[at + 2] as number;
      split = dayOf(ts) !== first || (ts === rows[at + 3] && ts - first * DAY_MS < RESEND_WINDOW_MS);
    }
    if (!split) return this.writeDay(this.inserts(first), rows);
    const byDay = new Map<number, unknown[]>();
    for (let at = 0; at < rows.length; at += COLUMNS) {
      const day = dayOf(rows[at + 2] as number);
      if (this.resentAcrossMidnight(rows, at, day)) continue;
      let list = byDay.get(day);
      if (!list) byDay.set(day, (list = []));
      for (let c = 0; c < COLUMNS; c++) list.push(rows[at + c]);
    }
    let n = 0;
    for (const [day, list] of byDay) n += this.writeDay(this.inserts(day), list);
    return n;
  }

  /** Rows inserted per group (re-appended ids are ignored); throws when the transaction fails. */
  writeAll(groups: RowGroup[]): number[] {
    const counts: number[] = [];
    this.viewStale = false;
    this.db
      .transaction(() => {
        for (const g of groups) counts.push(this.writeGroup(g));
        if (this.viewStale) rebuildEventsView(this.db);
      })
      // Immediate: another connection (the API's, or this writer's thread) may write between a
      // deferred transaction's first read and its first write, which fails without waiting.
      .immediate();
    return counts;
  }

  /** Every group in one transaction; see allOrEach. */
  writeEach(groups: RowGroup[]): Array<number | Error> {
    return allOrEach(
      this.db,
      groups,
      (g) => this.writeAll([g])[0] ?? 0,
      () => this.forget(),
    );
  }
}

/**
 * Runs every job in one transaction (one commit, one fsync); when that fails, each job in its own,
 * so that one caller's bad batch (or a full disk hit by the last one) fails that caller only.
 * What each job returned, or the error it met. `rolledBack` runs before the retries: a rolled-back
 * transaction may have taken a new day table with it.
 */
export function allOrEach<J>(
  db: Db,
  jobs: J[],
  run: (job: J) => number,
  rolledBack: () => void,
): Array<number | Error> {
  try {
    return db.transaction(() => jobs.map(run))();
  } catch {
    rolledBack();
    return jobs.map((j) => {
      try {
        return db.transaction(() => run(j))();
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    });
  }
}
