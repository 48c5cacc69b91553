import type { VigilEvent } from '../schema/ecs.js';
import { flatten, setField } from '../schema/fields.js';
import { TRANSFORMS } from './ast.js';
import { compileQuery } from './compile.js';
import { postgresDialect } from './dialects/postgres.js';
import { parseQuery } from './parser.js';
import {
  QueryError,
  QueryTimeout,
  type EventSearch,
  type SearchOptions,
  type SearchResult,
} from './ports.js';

/** What this needs of a `pg.Pool`, structurally, so that search/ does not import an adapter. */
export interface PgPoolLike {
  connect(): Promise<PgClientLike>;
}
export interface PgClientLike {
  query(q: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<{ rows: unknown[] }>;
  release(): void;
}

/**
 * The query language on PostgreSQL (events with a jsonb `doc`, see store/postgres/migrations.ts).
 * Each search runs in its own read-only transaction with `SET LOCAL statement_timeout`, so the
 * server itself stops a search past its budget.
 */
export class PostgresEventSearch implements EventSearch {
  private readonly timeoutMs: number;

  constructor(
    private readonly pool: PgPoolLike,
    opts: { timeoutMs?: number } = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async search(tenants: string[], query: string, opts: SearchOptions): Promise<SearchResult> {
    const started = performance.now();
    const took = () => Math.round((performance.now() - started) * 10) / 10;
    const parsed = parseQuery(query);
    if (!parsed.ok) throw new QueryError(parsed.reason, parsed.column, parsed.expected);
    const isTable = parsed.query.pipes.some((p) => TRANSFORMS.has(p.cmd));
    if (tenants.length === 0) {
      return isTable
        ? { kind: 'table', total: 0, columns: [], rows: [], took_ms: took() }
        : { kind: 'events', total: 0, events: [], took_ms: took() };
    }
    const c = compileQuery(parsed.query, postgresDialect(), { tenants, ...opts });
    const client = await this.pool.connect();
    try {
      await client.query({ text: 'BEGIN READ ONLY' });
      // A number we made, not user text; SET cannot take a parameter.
      await client.query({
        text: `SET LOCAL statement_timeout = ${Math.max(1, Math.floor(this.timeoutMs))}`,
      });
      const rows = (await client.query({ text: c.rows.sql, values: c.rows.params, rowMode: 'array' }))
        .rows as unknown[][];
      // A page that is not full from offset 0 is the whole answer: no second pass to count it.
      const total =
        (opts.offset ?? 0) === 0 && rows.length < opts.limit
          ? rows.length
          : Number(
              (
                (await client.query({ text: c.count.sql, values: c.count.params, rowMode: 'array' }))
                  .rows[0] as unknown[]
              )[0],
            );
      await client.query({ text: 'COMMIT' });
      if (c.mode === 'events') {
        const events = rows.map((r) => {
          if (!c.fields) return r[0] as VigilEvent;
          const out: Record<string, unknown> = {};
          c.fields.forEach((f, i) => {
            if (r[i] !== null && r[i] !== undefined) setField(out, f, r[i]);
          });
          return out;
        });
        return { kind: 'events', total, events, took_ms: took() };
      }
      if (c.timeColumn !== undefined)
        for (const r of rows) r[c.timeColumn] = new Date(Number(r[c.timeColumn])).toISOString();
      return { kind: 'table', total, columns: c.columns, rows, took_ms: took() };
    } catch (e) {
      await client.query({ text: 'ROLLBACK' }).catch(() => undefined);
      // 57014: query_canceled (statement_timeout).
      if ((e as { code?: string }).code === '57014')
        throw new QueryTimeout(
          `search took longer than ${this.timeoutMs} ms; narrow the time range or the filter`,
        );
      throw e;
    } finally {
      client.release();
    }
  }

  async fields(tenants: string[], opts: { sample?: number } = {}): Promise<string[]> {
    if (tenants.length === 0) return [];
    const client = await this.pool.connect();
    try {
      const r = await client.query({
        text: 'SELECT doc FROM events WHERE tenant = ANY($1::text[]) ORDER BY ts DESC LIMIT $2',
        values: [tenants, opts.sample ?? 500],
        rowMode: 'array',
      });
      const names = new Set<string>();
      for (const row of r.rows as unknown[][]) for (const k of Object.keys(flatten(row[0]))) names.add(k);
      return [...names].sort();
    } finally {
      client.release();
    }
  }
}
