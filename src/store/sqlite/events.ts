import type { VigilEvent } from '../../schema/ecs.js';
import type { EventPage, EventQuery, EventStore, FieldFilter } from '../ports.js';
import { jsonPath } from '../field-path.js';
import type { Db } from './db.js';
import { EventRowEncoder, EventRowWriter, type RowGroup } from './event-rows.js';

interface PendingAppend {
  events: VigilEvent[];
  resolve: (r: { inserted: number }) => void;
  reject: (e: unknown) => void;
}

/**
 * Appends are group-committed: every append issued in the same turn of the event loop joins one
 * transaction (one fsync), and each caller's promise resolves only after that commit.
 */
export class SqliteEventStore implements EventStore {
  private pending: PendingAppend[] = [];
  private scheduled = false;
  private readonly encoder = new EventRowEncoder();
  private readonly writer: EventRowWriter;

  constructor(private readonly db: Db) {
    this.writer = new EventRowWriter(db);
  }

  append(events: VigilEvent[]): Promise<{ inserted: number }> {
    if (events.length === 0) return Promise.resolve({ inserted: 0 });
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
    try {
      const counts = this.writer.writeAll(rows);
      ready.forEach((g, i) => g.resolve({ inserted: counts[i] ?? 0 }));
    } catch {
      // One caller's failure must not fail the others: retry each group in its own transaction.
      ready.forEach((g, i) => {
        try {
          g.resolve({ inserted: this.writer.writeAll([rows[i]!])[0] ?? 0 });
        } catch (e) {
          g.reject(e);
        }
      });
    }
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
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM events WHERE ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT doc FROM events WHERE ${clause} ORDER BY ts DESC, seq DESC LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset ?? 0) as Array<{ doc: string }>;
    return { total, events: rows.map((r) => JSON.parse(r.doc) as VigilEvent) };
  }

  async get(tenants: string[], id: string): Promise<VigilEvent | undefined> {
    if (tenants.length === 0) return undefined;
    const row = this.db
      .prepare(`SELECT doc FROM events WHERE id = ? AND tenant IN (${tenants.map(() => '?').join(',')})`)
      .get(id, ...tenants) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as VigilEvent) : undefined;
  }

  async count(tenants?: string[]): Promise<number> {
    if (!tenants) return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    if (tenants.length === 0) return 0;
    return (
      this.db
        .prepare(`SELECT count(*) AS n FROM events WHERE tenant IN (${tenants.map(() => '?').join(',')})`)
        .get(...tenants) as { n: number }
    ).n;
  }

  async deleteOlderThan(before: Date, tenant?: string): Promise<number> {
    // Small slices so that retention never holds the write lock long enough to stall ingest.
    const slice = this.db.prepare(
      tenant
        ? 'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE tenant = ? AND ts < ? LIMIT 5000)'
        : 'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE ts < ? LIMIT 5000)',
    );
    let total = 0;
    for (;;) {
      const n = (tenant ? slice.run(tenant, before.getTime()) : slice.run(before.getTime())).changes;
      total += n;
      if (n < 5000) return total;
      await new Promise((r) => setImmediate(r));
    }
  }
}

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
