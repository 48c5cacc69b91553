import type { VigilEvent } from '../../schema/ecs.js';
import { flatten, setField } from '../../schema/fields.js';
import type { Query } from '../../search/ast.js';
import { compileQuery, type CompiledSearch, type Source } from '../../search/compile.js';
import { sqliteDialect, type HotColumns } from '../../search/dialects/sqlite.js';
import { ipKey } from '../../search/ip.js';
import { parseQuery } from '../../search/parser.js';
import {
  QueryError,
  QueryTimeout,
  type EventSearch,
  type SearchOptions,
  type SearchResult,
} from '../../search/ports.js';
import type { Db } from './db.js';
import { DAY_MS, ftsName, listPartitions, overlapping } from './event-partitions.js';
import {
  HOT_COVER_TERM,
  hotCoverIndex,
  hotField,
  hotIndexName,
  IRREGULAR,
  watermarkPrefix,
  watermarkTerm,
} from './hot-fields.js';
import { rollupName, rollupSource, rollupTables, watermarkRollupName } from './hot-rollup.js';

const HOT_COLUMNS: HotColumns = { column: (field) => hotField(field)?.column, irregular: IRREGULAR };

export interface SqliteEventSearchOptions {
  /** Longest a search may run before it is aborted (default 10 s). */
  timeoutMs?: number;
}

const TIMEOUT = 'vigil: search time budget exceeded';

interface Guard {
  deadline: number;
  ticks: number;
}

/** One set of functions per connection: registering again would replace the first instance's. */
const guards = new WeakMap<Db, Guard>();

function guardOf(db: Db): Guard {
  let g = guards.get(db);
  if (g) return g;
  const guard: Guard = { deadline: Infinity, ticks: 0 };
  db.function('vigil_ip_key', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? ipKey(v) : null,
  );
  db.function('vigil_tick', { deterministic: false }, () => {
    if ((guard.ticks++ & 15) === 0 && Date.now() >= guard.deadline) throw new Error(TIMEOUT);
    return 1;
  });
  guards.set(db, guard);
  g = guard;
  return g;
}

/**
 * The query language on the SQLite event store. Two functions are registered on the connection:
 * - `vigil_ip_key(text)`: deterministic, an address as a sortable 128-bit hex key (search/ip.ts),
 *   so CIDR becomes a BETWEEN over text; deterministic so it can back an expression index later.
 * - `vigil_tick()`: evaluated for scanned rows (the compiler puts the row guard right after the
 *   tenant and time conditions); it throws once the running search is past its deadline.
 *   better-sqlite3 has no progress handler and a GROUP BY returns nothing until it has scanned
 *   everything, so a row cap alone could not bound an aggregation; this can. See ROW_GUARD.
 */
export class SqliteEventSearch implements EventSearch {
  private readonly guard: Guard;
  private readonly timeoutMs: number;

  constructor(
    private readonly db: Db,
    opts: SqliteEventSearchOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.guard = guardOf(db);
  }

  async search(tenants: string[], query: string, opts: SearchOptions): Promise<SearchResult> {
    const started = performance.now();
    const parsed = parseQuery(query);
    if (!parsed.ok) throw new QueryError(parsed.reason, parsed.column, parsed.expected);
    const took = () => Math.round((performance.now() - started) * 10) / 10;
    const isTable = parsed.query.pipes.some((p) => ['stats', 'timechart', 'top', 'rare'].includes(p.cmd));
    if (tenants.length === 0) {
      return isTable
        ? { kind: 'table', total: 0, columns: [], rows: [], took_ms: took() }
        : { kind: 'events', total: 0, events: [], took_ms: took() };
    }
    const c = this.compile(parsed.query, tenants, opts);
    // Synchronous statements: one search at a time per connection, so one deadline suffices.
    this.guard.deadline = Date.now() + this.timeoutMs;
    this.guard.ticks = 0;
    try {
      // A page that is not full from offset 0 is the whole answer: no second pass to count it.
      const count = (got: number): number =>
        (opts.offset ?? 0) === 0 && got < opts.limit
          ? got
          : (this.db.prepare(c.count.sql).get(...c.count.params) as { n: number }).n;
      if (c.mode === 'events') {
        const stmt = this.db.prepare(c.rows.sql);
        const events: Array<VigilEvent | Record<string, unknown>> = [];
        if (c.fields) {
          const fields = c.fields;
          for (const row of stmt.raw().iterate(...c.rows.params) as Iterable<unknown[]>) {
            const out: Record<string, unknown> = {};
            fields.forEach((f, i) => {
              const v = row[i];
              if (v !== null && v !== undefined) setField(out, f, JSON.parse(v as string));
            });
            events.push(out);
          }
        } else {
          for (const row of stmt.pluck().iterate(...c.rows.params) as Iterable<string>)
            events.push(JSON.parse(row) as VigilEvent);
        }
        return { kind: 'events', total: count(events.length), events, took_ms: took() };
      }
      const rows = this.db
        .prepare(c.rows.sql)
        .raw()
        .all(...c.rows.params) as unknown[][];
      if (c.timeColumn !== undefined) {
        const at = c.timeColumn;
        for (const r of rows) r[at] = new Date(Number(r[at])).toISOString();
      }
      return { kind: 'table', total: count(rows.length), columns: c.columns, rows, took_ms: took() };
    } catch (e) {
      if ((e as Error).message === TIMEOUT)
        throw new QueryTimeout(
          `search took longer than ${this.timeoutMs} ms; narrow the time range or the filter`,
        );
      throw e;
    } finally {
      this.guard.deadline = Infinity;
    }
  }

  /**
   * Each day table the time range overlaps is a source with its own dialect: its FTS5 index for
   * free text and, on days made with them, its hot-field columns.
   */
  private compile(q: Query, tenants: string[], opts: SearchOptions): CompiledSearch {
    // Days indexed before the all-hot-columns index existed lack it until the builder adds it.
    const covers = new Set(
      (
        this.db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%\\_hot\\_cover' ESCAPE '\\'",
          )
          .all() as Array<{ name: string }>
      ).map((r) => r.name),
    );
    const rollups = rollupTables(this.db);
    const sources: Source[] = overlapping(listPartitions(this.db), opts.from, opts.to).flatMap((p) => {
      const day: Source = {
        table: p.name,
        dialect: sqliteDialect({
          rowGuard: ROW_GUARD,
          fts: { table: ftsName(p.name), indexedUpTo: p.indexed },
          ...(p.hot ? { hot: HOT_COLUMNS } : {}),
        }),
        ...(p.hotIndexed && covers.has(hotCoverIndex(p.name))
          ? { coverIndex: { name: hotCoverIndex(p.name), term: HOT_COVER_TERM } }
          : {}),
        ...(p.hotIndexed && rollups.has(rollupName(p.name))
          ? {
              rollup: rollupSource(p.name, p.day * DAY_MS, (p.day + 1) * DAY_MS),
              hotIndex: (column: string) => hotIndexName(p.name, column),
            }
          : {}),
      };
      // The day being written: its rows under the watermark through their partial indexes, the
      // rows after it by a scan of the newest seqs.
      if (!p.hot || p.hotIndexed || p.hotUpto <= 0) return [day];
      // Its rollup up to the watermark too, when built (with the mark's indexes for marked rows).
      const under: Source = rollups.has(watermarkRollupName(p.name, p.hotUpto))
        ? {
            ...day,
            rollup: rollupSource(p.name, p.day * DAY_MS, (p.day + 1) * DAY_MS, p.hotUpto),
            hotIndex: (column: string) => `${watermarkPrefix(p.name, p.hotUpto)}${column}`,
          }
        : day;
      return [
        { ...under, rows: watermarkTerm(p.hotUpto) },
        { ...day, rows: `seq > ${Math.trunc(p.hotUpto)}` },
      ];
    });
    return compileQuery(q, sqliteDialect({ rowGuard: ROW_GUARD }), {
      tenants,
      ...opts,
      sources,
      foldsCase: (field) => hotField(field) !== undefined,
    });
  }

  /** The statement a search runs (for tests and troubleshooting); throws QueryError like search. */
  statement(tenants: string[], query: string, opts: SearchOptions): { sql: string; params: unknown[] } {
    const parsed = parseQuery(query);
    if (!parsed.ok) throw new QueryError(parsed.reason, parsed.column, parsed.expected);
    return this.compile(parsed.query, tenants, opts).rows;
  }

  async fields(tenants: string[], opts: { sample?: number } = {}): Promise<string[]> {
    if (tenants.length === 0) return [];
    const want = opts.sample ?? 500;
    const docs: string[] = [];
    // Newest days first, stopping once the sample is full: no sort over every stored event.
    for (const p of listPartitions(this.db).reverse()) {
      if (docs.length >= want) break;
      docs.push(
        ...(this.db
          .prepare(
            `SELECT doc FROM ${p.name} WHERE tenant IN (${tenants.map(() => '?').join(', ')}) ORDER BY ts DESC LIMIT ?`,
          )
          .pluck()
          .all(...tenants, want - docs.length) as string[]),
      );
    }
    const names = new Set<string>();
    for (const d of docs) for (const k of Object.keys(flatten(JSON.parse(d)))) names.add(k);
    return [...names].sort();
  }
}

/**
 * A call into JavaScript per scanned row cost as much as the rest of a scan over an index; so one
 * row in 16, at random (random() is SQLite's own, no call out; sampling by seq, a tenant whose rows
 * all had seqs off the sample would never be checked), calls vigil_tick, which reads the clock on
 * its first call and every 16th after.
 */
const ROW_GUARD = '((random() & 15) <> 0 OR vigil_tick())';
