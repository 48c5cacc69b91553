import type { VigilEvent } from '../../schema/ecs.js';
import type { DayUsage, RetentionTarget } from '../retention.js';
import type { EventPage, EventQuery, EventStore, FieldFilter } from '../ports.js';
import { jsonPath } from '../field-path.js';
import type { Db } from './db.js';
import { DAY_MS, dropPartition, listPartitions, overlapping, unionAll } from './event-partitions.js';
import { FullTextIndexer, FullTextIndexLoop } from './event-fts.js';
import { EventRowEncoder, EventRowWriter, type RowGroup } from './event-rows.js';
import type { EventWriterThread } from './event-writer-client.js';

interface PendingAppend {
  events: VigilEvent[];
  resolve: (r: { inserted: number }) => void;
  reject: (e: unknown) => void;
}

/**
 * Appends are group-committed: every append issued in the same turn of the event loop joins one
 * transaction (one fsync), and each caller's promise resolves only after that commit.
 */
export class SqliteEventStore implements EventStore, RetentionTarget {
  private pending: PendingAppend[] = [];
  private scheduled = false;
  private readonly encoder = new EventRowEncoder();
  private readonly writer: EventRowWriter;
  private readonly thread: EventWriterThread | undefined;
  private lastAppendAt = 0;
  readonly fullText: FullTextIndexer;
  private readonly indexLoop: FullTextIndexLoop | undefined;

  /**
   * `backgroundIndexing: false` leaves FTS indexing to explicit `fullText.step()` calls (tests,
   * benches). `writerThread`: rows are inserted by that thread's connection instead of this one.
   */
  constructor(
    private readonly db: Db,
    opts: { backgroundIndexing?: boolean; writerThread?: EventWriterThread } = {},
  ) {
    this.thread = opts.writerThread;
    this.writer = new EventRowWriter(db);
    this.fullText = new FullTextIndexer(db);
    if (opts.backgroundIndexing !== false) {
      // With a writer thread, the thread indexes (FTS writes wait for appends there, not here).
      const indexer = this.thread ? undefined : this.fullText;
      this.indexLoop = new FullTextIndexLoop(db, indexer, () => this.lastAppendAt);
      this.indexLoop.start();
    }
  }

  /** Stops background indexing (the database stays open). */
  stopBackgroundWork(): void {
    this.indexLoop?.stop();
  }

  /** Waits for appends handed to the writer thread and stops it (before the database closes). */
  async close(): Promise<void> {
    this.stopBackgroundWork();
    await this.thread?.close();
  }

  append(events: VigilEvent[]): Promise<{ inserted: number }> {
    if (events.length === 0) return Promise.resolve({ inserted: 0 });
    this.lastAppendAt = Date.now();
    return new Promise((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const groups = this.pending;
    this.pending = [];
    this.scheduled = false;
    const rows: RowGroup[] = [];
    const ready: PendingAppend[] = [];
    for (const g of groups) {
      try {
        rows.push(this.encoder.encode(g.events));
        ready.push(g);
      } catch (e) {
        // Not serialisable (a cycle, a BigInt): refuse this batch, not the others.
        g.reject(e);
      }
    }
    if (this.thread) {
      const thread = this.thread;
      ready.forEach((g, i) => {
        thread
          .write({ kind: 'events', rows: rows[i]! })
          .then((inserted) => g.resolve({ inserted }), g.reject);
      });
      return;
    }
    this.writer.writeEach(rows).forEach((r, i) => {
      if (typeof r === 'number') ready[i]!.resolve({ inserted: r });
      else ready[i]!.reject(r);
    });
  }

  async search(q: EventQuery): Promise<EventPage> {
    if (q.tenants.length === 0) return { total: 0, events: [] };
    const where: string[] = [`tenant IN (${q.tenants.map(() => '?').join(',')})`];
    const params: unknown[] = [...q.tenants];
    if (q.from) {
      where.push('ts >= ?');
      params.push(q.from.getTime());
    }
    if (q.to) {
      where.push('ts < ?');
      params.push(q.to.getTime());
    }
    for (const f of q.filters ?? []) {
      const [sql, p] = filterSql(f);
      where.push(sql);
      params.push(...p);
    }
    for (const word of q.text ?? []) {
      where.push("doc LIKE ? ESCAPE '\\'");
      params.push(`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const clause = where.join(' AND ');
    const days = overlapping(listPartitions(this.db), q.from, q.to);
    if (days.length === 0) return { total: 0, events: [] };
    // The same conditions in every day's arm, so that each uses its own (tenant, ts) index.
    const source = unionAll(
      days.map((d) => `SELECT seq, ts, doc FROM ${d.name} WHERE ${clause}`),
      'seq, ts, doc',
    );
    const all = days.flatMap(() => params);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM (${source})`).get(...all) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT doc FROM (${source}) ORDER BY ts DESC, seq DESC LIMIT ? OFFSET ?`)
      .all(...all, q.limit, q.offset ?? 0) as Array<{ doc: string }>;
    return { total, events: rows.map((r) => JSON.parse(r.doc) as VigilEvent) };
  }

  async get(tenants: string[], id: string): Promise<VigilEvent | undefined> {
    if (tenants.length === 0) return undefined;
    // The view's arms each look the id up in their day's (tenant, id) index.
    const row = this.db
      .prepare(
        `SELECT doc FROM events WHERE id = ? AND tenant IN (${tenants.map(() => '?').join(',')}) LIMIT 1`,
      )
      .get(id, ...tenants) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as VigilEvent) : undefined;
  }

  /** Exact: the day tables' triggers keep `event_usage` in step with every insert and delete. */
  async count(tenants?: string[]): Promise<number> {
    if (!tenants)
      return (this.db.prepare('SELECT coalesce(sum(events), 0) AS n FROM event_usage').get() as { n: number })
        .n;
    if (tenants.length === 0) return 0;
    return (
      this.db
        .prepare(
          `SELECT coalesce(sum(events), 0) AS n FROM event_usage WHERE tenant IN (${tenants.map(() => '?').join(',')})`,
        )
        .get(...tenants) as { n: number }
    ).n;
  }

  /** Events and bytes of stored JSON per UTC day and tenant, oldest first. */
  async usage(): Promise<DayUsage[]> {
    const rows = this.db
      .prepare('SELECT day, tenant, events, bytes FROM event_usage WHERE events > 0 ORDER BY day, tenant')
      .all() as Array<{ day: number; tenant: string; events: number; bytes: number }>;
    return rows.map((r) => ({ ...r, day: new Date(r.day * DAY_MS) }));
  }

  /**
   * Whole days before the cut-off go by dropping their table (for one tenant: when no other
   * tenant has events that day); the rest in small slices, yielding to the event loop between
   * them, so that retention never holds the write lock long enough to stall ingest.
   */
  async deleteOlderThan(before: Date, tenant?: string): Promise<number> {
    const cut = before.getTime();
    let total = 0;
    for (const p of listPartitions(this.db)) {
      const start = p.day * DAY_MS;
      if (start >= cut) break;
      const owners = this.db
        .prepare('SELECT tenant FROM event_usage WHERE day = ? AND events > 0')
        .pluck()
        .all(p.day) as string[];
      const whole = start + DAY_MS <= cut;
      if (whole && (!tenant || owners.every((t) => t === tenant))) {
        total += dropPartition(this.db, p.day);
        this.writer.forget();
        this.thread?.forget();
        await yieldToIngest();
        continue;
      }
      if (tenant && !owners.includes(tenant)) continue;
      const slice = this.db.prepare(
        tenant
          ? `DELETE FROM ${p.name} WHERE seq IN (SELECT seq FROM ${p.name} WHERE tenant = ? AND ts < ? LIMIT ${DELETE_SLICE})`
          : `DELETE FROM ${p.name} WHERE seq IN (SELECT seq FROM ${p.name} WHERE ts < ? LIMIT ${DELETE_SLICE})`,
      );
      for (;;) {
        const n = (tenant ? slice.run(tenant, cut) : slice.run(cut)).changes;
        total += n;
        await yieldToIngest();
        if (n < DELETE_SLICE) break;
      }
    }
    return total;
  }
}

/** Rows per delete transaction: each slice holds the write lock for a few milliseconds only. */
const DELETE_SLICE = 2000;

/** setImmediate lets pending appends (and their group commit) run between slices. */
const yieldToIngest = (): Promise<void> => new Promise((r) => setImmediate(r));

function filterSql(f: FieldFilter): [string, unknown[]] {
  const path = jsonPath(f.field);
  switch (f.op) {
    case 'exists':
      return ['json_type(doc, ?) IS NOT NULL', [path]];
    case 'eq':
      // json_each walks arrays and yields scalars once, so one form serves both.
      return [
        "EXISTS (SELECT 1 FROM json_each(doc, ?) j WHERE j.value = ? OR (j.type = 'text' AND lower(j.value) = lower(?)))",
        [path, f.value ?? null, String(f.value ?? '')],
      ];
    case 'contains':
      return [
        "EXISTS (SELECT 1 FROM json_each(doc, ?) j WHERE j.type = 'text' AND instr(lower(j.value), lower(?)) > 0)",
        [path, String(f.value ?? '')],
      ];
  }
}
