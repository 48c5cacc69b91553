import type { VigilEvent } from '../../schema/ecs.js';
import type { Db } from './db.js';

/** Columns of one events row as bound: id, tenant, ts, ingested, doc. */
export const COLUMNS = 5;
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
      at += COLUMNS;
    }
    return rows;
  }
}

/** Inserts row groups in one transaction, many rows per statement. */
export class EventRowWriter {
  private readonly insert;
  private readonly insertMany;

  constructor(private readonly db: Db) {
    const sql = 'INSERT OR IGNORE INTO events (id, tenant, ts, ingested, doc) VALUES ';
    this.insert = db.prepare(`${sql}(?, ?, ?, ?, ?)`);
    this.insertMany = db.prepare(sql + new Array<string>(ROWS_PER_INSERT).fill('(?, ?, ?, ?, ?)').join(', '));
  }

  private writeGroup(rows: RowGroup): number {
    const chunk = ROWS_PER_INSERT * COLUMNS;
    let n = 0;
    let at = 0;
    for (; at + chunk <= rows.length; at += chunk)
      n += this.insertMany.run(rows.slice(at, at + chunk)).changes;
    for (; at < rows.length; at += COLUMNS) n += this.insert.run(rows.slice(at, at + COLUMNS)).changes;
    return n;
  }

  /** Rows inserted per group (re-appended ids are ignored); throws when the transaction fails. */
  writeAll(groups: RowGroup[]): number[] {
    const counts: number[] = [];
    this.db.transaction(() => {
      for (const g of groups) counts.push(this.writeGroup(g));
    })();
    return counts;
  }
}
