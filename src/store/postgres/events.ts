import type { VigilEvent } from '../../schema/ecs.js';
import { jsonPath } from '../field-path.js';
import type { DayUsage, RetentionTarget } from '../retention.js';
import type { EventPage, EventQuery, EventStore, FieldFilter } from '../ports.js';
import { inTransaction, Params, type Pool } from './db.js';

const DAY_MS = 86_400_000;

/** jsonb cannot hold U+0000; such characters are stored as U+FFFD (event.original keeps the rest). */
function toJsonb(e: VigilEvent): string {
  const s = JSON.stringify(e);
  return s.includes('\\u0000') ? s.replaceAll('\\u0000', '\\ufffd') : s;
}

/** How long an append whose connection broke waits to learn whether it committed. */
const OUTCOME_CHECK_MS = 120_000;

/**
 * An error that leaves a statement's outcome unknown: the connection broke while it was out (reset,
 * closed), as opposed to the server refusing it (a SQLSTATE) or no connection at all (refused,
 * timed out connecting: nothing was sent).
 */
function outcomeUnknown(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'ECONNRESET' || code === 'EPIPE') return true;
  return (
    typeof message === 'string' && /connection terminated|connection ended|socket hang up/i.test(message)
  );
}

/** The database cannot be reached at the moment (the outcome check waits for it to come back). */
function unreachable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return outcomeUnknown(e) || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || /timeout/i.test(String(e));
}

const partitionName = (dayStart: number): string =>
  `events_p${new Date(dayStart).toISOString().slice(0, 10).replaceAll('-', '')}`;

export class PostgresEventStore implements EventStore, RetentionTarget {
  /** Days whose partition is known to exist. */
  private readonly days = new Set<number>();

  constructor(private readonly pool: Pool) {}

  private async ensurePartitions(times: number[]): Promise<void> {
    const missing = [...new Set(times.map((t) => Math.floor(t / DAY_MS) * DAY_MS))].filter(
      (d) => !this.days.has(d),
    );
    for (const d of missing) {
      const from = new Date(d).toISOString();
      const to = new Date(d + DAY_MS).toISOString();
      try {
        // Names and bounds are computed from numbers, never from input text.
        await this.pool.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(d)} PARTITION OF events FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      } catch (e) {
        // Another node created it between our check and create.
        if ((e as { code?: string }).code !== '42P07') throw e;
      }
      this.days.add(d);
    }
  }

  async append(events: VigilEvent[]): Promise<{ inserted: number }> {
    if (events.length === 0) return { inserted: 0 };
    const ts = events.map((e) => Date.parse(e['@timestamp']));
    await this.ensurePartitions(ts);
    const tenants = events.map((e) => e.organization.id);
    const ids = events.map((e) => e.event.id);
    try {
      const r = await this.pool.query(
        `INSERT INTO events (tenant, id, ts, ingested, doc)
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::jsonb[])
         ON CONFLICT DO NOTHING`,
        [
          tenants,
          ids,
          ts.map((t) => new Date(t).toISOString()),
          events.map((e) => e.event.ingested),
          events.map(toJsonb),
        ],
      );
      return { inserted: r.rowCount ?? 0 };
    } catch (e) {
      if (!outcomeUnknown(e)) throw e;
      // The connection broke with the statement sent: it may have committed. Answering "failed"
      // for rows that are stored makes the sender send them again, under new ids when the server
      // gave them theirs; so find out first, waiting for the database to come back.
      if (await this.allStored(tenants, ids, ts)) return { inserted: ids.length };
      throw e;
    }
  }

  /** Whether every (tenant, id) is stored; asked again until the database answers or 2 minutes pass. */
  private async allStored(tenants: string[], ids: string[], ts: number[]): Promise<boolean> {
    const giveUp = Date.now() + OUTCOME_CHECK_MS;
    for (;;) {
      try {
        const r = await this.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM events e
             JOIN unnest($1::text[], $2::text[]) AS x(tenant, id) ON e.tenant = x.tenant AND e.id = x.id
            WHERE e.ts >= $3 AND e.ts <= $4`,
          [tenants, ids, new Date(Math.min(...ts)).toISOString(), new Date(Math.max(...ts)).toISOString()],
        );
        return r.rows[0]!.n >= new Set(ids.map((id, i) => `${tenants[i]}\u0000${id}`)).size;
      } catch (e) {
        if (!unreachable(e) || Date.now() > giveUp) return false;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private where(q: Omit<EventQuery, 'limit'>, p: Params): string {
    const where = [`tenant IN (${p.list(q.tenants)})`];
    if (q.from) where.push(`ts >= ${p.add(q.from.toISOString())}`);
    if (q.to) where.push(`ts < ${p.add(q.to.toISOString())}`);
    for (const f of q.filters ?? []) where.push(filterSql(f, p));
    for (const word of q.text ?? []) where.push(`strpos(lower(doc::text), lower(${p.add(word)})) > 0`);
    return where.join(' AND ');
  }

  async search(q: EventQuery): Promise<EventPage> {
    if (q.tenants.length === 0) return { total: 0, events: [] };
    const p = new Params();
    const clause = this.where(q, p);
    const total = (
      await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE ${clause}`, p.values)
    ).rows[0]!.n;
    const rows = await this.pool.query<{ doc: VigilEvent }>(
      `SELECT doc FROM events WHERE ${clause} ORDER BY ts DESC, seq DESC LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset ?? 0)}`,
      p.values,
    );
    return { total, events: rows.rows.map((r) => r.doc) };
  }

  async get(tenants: string[], id: string): Promise<VigilEvent | undefined> {
    if (tenants.length === 0) return undefined;
    const r = await this.pool.query<{ doc: VigilEvent }>(
      'SELECT doc FROM events WHERE id = $1 AND tenant = ANY($2::text[]) LIMIT 1',
      [id, tenants],
    );
    return r.rows[0]?.doc;
  }

  async count(tenants?: string[]): Promise<number> {
    if (tenants && tenants.length === 0) return 0;
    const r = tenants
      ? await this.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM events WHERE tenant = ANY($1::text[])',
          [tenants],
        )
      : await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    return r.rows[0]!.n;
  }

  /**
   * Events and stored (possibly compressed) JSON bytes per UTC day and tenant, for retention by
   * size. A scan of every event: retention calls it once per run, only when a size limit is set.
   */
  async usage(): Promise<DayUsage[]> {
    const r = await this.pool.query<{ day: number; tenant: string; events: number; bytes: number }>(
      `SELECT (extract(epoch FROM date_trunc('day', ts AT TIME ZONE 'UTC')) * 1000)::float8 AS day, tenant,
              count(*)::int AS events, coalesce(sum(pg_column_size(doc)), 0)::float8 AS bytes
         FROM events GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return r.rows.map((x) => ({ day: new Date(x.day), tenant: x.tenant, events: x.events, bytes: x.bytes }));
  }

  async deleteOlderThan(before: Date, tenant?: string): Promise<number> {
    let total = 0;
    if (!tenant) {
      // Whole days before the cut-off go by dropping their partition: no row-by-row delete, no bloat.
      const parts = await this.pool.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         WHERE p.relname = 'events' AND c.relname ~ '^events_p[0-9]{8}$'`,
      );
      for (const { name } of parts.rows) {
        const day = Date.parse(`${name.slice(8, 12)}-${name.slice(12, 14)}-${name.slice(14, 16)}T00:00:00Z`);
        if (day + DAY_MS <= before.getTime()) {
          total += await inTransaction(this.pool, async (c) => {
            const n = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`)).rows[0]!.n;
            await c.query(`DROP TABLE ${name}`);
            return n;
          });
          this.days.delete(day);
        }
      }
    }
    // The rest (one tenant, or the partial day at the edge) in bounded slices that never hold long locks.
    for (;;) {
      const p = new Params();
      const cond = tenant
        ? `tenant = ${p.add(tenant)} AND ts < ${p.add(before.toISOString())}`
        : `ts < ${p.add(before.toISOString())}`;
      const r = await this.pool.query(
        `DELETE FROM events WHERE (tenant, id, ts) IN (SELECT tenant, id, ts FROM events WHERE ${cond} LIMIT 5000)`,
        p.values,
      );
      total += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < 5000) return total;
    }
  }
}

function filterSql(f: FieldFilter, p: Params): string {
  // `[*]` in lax mode yields the element of an array and the value itself otherwise, like json_each in SQLite.
  const path = p.add(`${jsonPath(f.field)}[*]`);
  switch (f.op) {
    case 'exists':
      return `jsonb_path_exists(doc, ${path}::jsonpath)`;
    case 'eq':
      return `EXISTS (SELECT 1 FROM jsonb_path_query(doc, ${path}::jsonpath) j WHERE j = to_jsonb(${p.add(f.value ?? null)}::${typeof f.value === 'number' ? 'numeric' : typeof f.value === 'boolean' ? 'boolean' : 'text'}) OR (jsonb_typeof(j) = 'string' AND lower(j #>> '{}') = lower(${p.add(String(f.value ?? ''))})))`;
    case 'contains':
      return `EXISTS (SELECT 1 FROM jsonb_path_query(doc, ${path}::jsonpath) j WHERE jsonb_typeof(j) = 'string' AND strpos(lower(j #>> '{}'), lower(${p.add(String(f.value ?? ''))})) > 0)`;
  }
}
