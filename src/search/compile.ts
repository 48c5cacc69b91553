import { aggName, TRANSFORMS, type Agg, type Expr, type Pipe, type Query, type SortKey } from './ast.js';
import type { Dialect, ValuePred } from './dialect.js';
import { parseCidr } from './ip.js';
import { outputColumns } from './parser.js';
import { partialAggregation } from './compile-partial.js';
import { joinFrags, param, sql, unionAllFrags, type Frag } from './sql.js';

export interface CompileOptions {
  /** Tenants the caller may read; never empty (the executor answers nothing for none). */
  tenants: string[];
  from?: Date;
  to?: Date;
  /** Rows returned (events or table rows). */
  limit: number;
  offset?: number;
  /**
   * The tables to read, each with the dialect that compiles conditions for it (a day table with
   * its own free-text index and hot columns); their rows are combined with UNION ALL. Default: the
   * `events` table with `d`. Given sources, aggregations run per source and are merged.
   */
  sources?: Source[];
  /** Groups on this field fold ASCII case (the store indexes it case-insensitively). */
  foldsCase?: (field: string) => boolean;
}

export interface Source {
  table: string;
  dialect: Dialect;
  /**
   * An index holding every hot column in time order (a finished SQLite day), and the WHERE term
   * that lets a query use it: a group-by on several hot fields reads it instead of the rows, which
   * no one-field index covers.
   */
  coverIndex?: { name: string; term: string };
  /** A condition on the table's own columns choosing this source's rows (SQL text, no values). */
  rows?: string;
  /** Counts of the table's rows per hour and hot-column values (a finished SQLite day). */
  rollup?: RollupSource;
  /** The index of a hot column, `(tenant, column, ts)`, when the table has it (a finished day). */
  hotIndex?: (column: string) => string;
}

/**
 * A table of (tenant, hour, one column per rolled-up field, n): n events of that tenant in that
 * hour had those values. Values as stored (case kept), including the irregular mark.
 */
export interface RollupSource {
  table: string;
  /** The rows it counts lie in [start, end) (a day). */
  start: number;
  end: number;
  hourMs: number;
  column(field: string): string | undefined;
  irregular: string;
}

const NO_ROWS = "SELECT 0 AS seq, 0 AS ts, '{}' AS doc WHERE 0";

/** The rows of one source that the query's filter keeps, as (seq, ts, doc); `extra` narrows more. */
export function sourceRows(
  q: Query,
  s: Source,
  opts: CompileOptions,
  select: Frag = { sql: 'seq, ts, doc', params: [] },
  extra: Frag[] = [],
  indexedBy?: { name: string; term?: string },
): Frag {
  const d = s.dialect;
  const conds: Frag[] = [d.scope(opts.tenants, opts.from, opts.to)];
  if (s.rows) conds.push({ sql: s.rows, params: [] });
  if (d.rowGuard) conds.push({ sql: d.rowGuard, params: [] });
  if (q.where) conds.push(compileExpr(q.where, d));
  conds.push(...extra);
  if (indexedBy?.term) conds.push({ sql: indexedBy.term, params: [] });
  const from = indexedBy ? `${s.table} INDEXED BY ${indexedBy.name}` : s.table;
  return sql`SELECT ${select} FROM ${from} WHERE ${joinFrags(conds, ' AND ')}`;
}

interface Statement {
  sql: string;
  params: unknown[];
}

export type CompiledSearch =
  | { mode: 'events'; rows: Statement; count: Statement; fields?: string[] }
  | {
      mode: 'table';
      rows: Statement;
      count: Statement;
      columns: string[];
      /** Index of a column holding epoch milliseconds to show as ISO time (timechart `_time`). */
      timeColumn?: number;
    };

/** Lower a filter expression to a WHERE condition. */
export function compileExpr(e: Expr, d: Dialect): Frag {
  switch (e.type) {
    case 'match': {
      const v = e.value;
      const p: ValuePred =
        v.kind === 'string'
          ? { kind: 'eqString', value: v.value }
          : v.kind === 'number'
            ? { kind: 'eqNumber', value: v.value }
            : { kind: 'like', parts: v.parts };
      return d.anyValue(e.field, p);
    }
    case 'exists':
      return d.exists(e.field);
    case 'compare':
      return d.anyValue(e.field, { kind: 'cmp', op: e.op, value: e.value });
    case 'range': {
      const items: ValuePred[] = [];
      if (e.lo !== null) items.push({ kind: 'cmp', op: e.loInclusive ? '>=' : '>', value: e.lo });
      if (e.hi !== null) items.push({ kind: 'cmp', op: e.hiInclusive ? '<=' : '<', value: e.hi });
      // `[* TO *]`: any value at all.
      if (items.length === 0) return d.exists(e.field);
      // One element must satisfy both bounds, so `[3 TO 5]` on [1, 9] is false.
      return d.anyValue(e.field, { kind: 'all', items });
    }
    case 'cidr': {
      const net = parseCidr(e.cidr);
      // The parser only builds valid networks; a hand-made tree with a bad one matches nothing.
      if (!net) return sql`1 = 0`;
      return d.anyValue(e.field, { kind: 'cidr', cidr: e.cidr, ...net });
    }
    case 'text':
      return d.freeText(e.value.kind === 'string' ? [{ lit: e.value.value }] : e.value.parts);
    case 'and':
      return sql`(${joinFrags(
        e.items.map((i) => compileExpr(i, d)),
        ' AND ',
      )})`;
    case 'or':
      return sql`(${joinFrags(
        e.items.map((i) => compileExpr(i, d)),
        ' OR ',
      )})`;
    case 'not':
      return sql`NOT ${compileExpr(e.item, d)}`;
  }
}

const NEWEST_FIRST = 'ts DESC, seq DESC';

/**
 * Query → SQL. Each event pipe wraps the previous statement as a subquery over (seq, ts, doc); the
 * one transforming command (stats/timechart/top/rare) turns rows into a table whose columns are
 * aliased c0, c1... so that column names chosen by the user never appear in SQL.
 */
export function compileQuery(q: Query, d: Dialect, opts: CompileOptions): CompiledSearch {
  const sources = opts.sources ?? [{ table: 'events', dialect: d }];
  let cur: Frag = sources.length
    ? unionAllFrags(
        sources.map((s) => sourceRows(q, s, opts)),
        'seq, ts, doc',
      )
    : { sql: NO_ROWS, params: [] };
  let order: Frag = { sql: NEWEST_FIRST, params: [] };
  let fields: string[] | undefined;
  const transformAt = q.pipes.findIndex((p) => TRANSFORMS.has(p.cmd));
  const eventPipes = transformAt < 0 ? q.pipes : q.pipes.slice(0, transformAt);

  for (const p of eventPipes) {
    switch (p.cmd) {
      case 'sort':
        order = joinFrags(
          [...p.keys.map((k) => sortBy(d.key(k.field), k)), { sql: NEWEST_FIRST, params: [] }],
          ', ',
        );
        break;
      case 'head':
        cur = sql`SELECT seq, ts, doc FROM (${cur}) h ORDER BY ${order} LIMIT ${param(p.n)}`;
        break;
      case 'dedup': {
        const keys = p.fields.map((f, i) => sql`${d.key(f)} AS d${String(i)}`);
        const names = p.fields.map((_, i) => `d${i}`);
        // The first event per key in the current order survives; events without the field go.
        cur = sql`SELECT seq, ts, doc FROM (SELECT seq, ts, doc, row_number() OVER (PARTITION BY ${names.join(', ')} ORDER BY ${order}) AS rn FROM (SELECT seq, ts, doc, ${joinFrags(keys, ', ')} FROM (${cur}) k) w WHERE ${names.map((n) => `${n} IS NOT NULL`).join(' AND ')}) r WHERE rn = 1`;
        break;
      }
      case 'fields':
        fields = p.fields;
        break;
      default:
        break;
    }
  }

  const limit = param(opts.limit);
  const offset = param(opts.offset ?? 0);
  if (transformAt < 0) {
    const select = fields
      ? joinFrags(
          fields.map((f, i) => sql`${d.fieldJson(f)} AS f${String(i)}`),
          ', ',
        )
      : { sql: 'doc', params: [] };
    return {
      mode: 'events',
      rows: statement(
        d,
        sql`SELECT ${select} FROM (${cur}) e ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
      ),
      count: statement(d, sql`SELECT count(*) AS n FROM (${cur}) e`),
      ...(fields ? { fields } : {}),
    };
  }

  const t = q.pipes[transformAt]!;
  const fold = opts.foldsCase ?? (() => false);
  const partial =
    opts.sources && transformAt === 0 ? partialAggregation(q, t, sources, opts, d, fold) : undefined;
  const table = partial ?? transform(t, cur, d, fold);
  let columns = outputColumns(t)!;
  let tOrder = table.order;
  let tcur = table.sql;
  let visible = columns.map((_, i) => i);
  for (const p of q.pipes.slice(transformAt + 1)) {
    const col = (name: string) => `c${columns.indexOf(name)}`;
    if (p.cmd === 'sort') tOrder = p.keys.map((k) => `${col(k.field)} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
    else if (p.cmd === 'head') tcur = sql`SELECT * FROM (${tcur}) h ORDER BY ${tOrder} LIMIT ${param(p.n)}`;
    else if (p.cmd === 'fields') visible = p.fields.map((f) => columns.indexOf(f));
  }
  const selected = visible.map((i) => `c${i}`).join(', ');
  const timeAt = t.cmd === 'timechart' ? visible.indexOf(0) : -1;
  columns = visible.map((i) => columns[i]!);
  return {
    mode: 'table',
    rows: statement(
      d,
      sql`SELECT ${selected} FROM (${tcur}) t ORDER BY ${tOrder} LIMIT ${limit} OFFSET ${offset}`,
    ),
    count: statement(d, sql`SELECT count(*) AS n FROM (${tcur}) t`),
    columns,
    ...(timeAt >= 0 ? { timeColumn: timeAt } : {}),
  };
}

function sortBy(key: Frag, k: SortKey): Frag {
  // Events without the field sort last either way.
  return sql`(${key}) IS NULL, ${key} ${k.desc ? 'DESC' : 'ASC'}`;
}

function statement(d: Dialect, f: Frag): Statement {
  return { sql: d.finish(f.sql), params: f.params };
}

/** The GROUP BY statement of a transforming command and its default order (over c0, c1...). */
function transform(
  p: Pipe,
  cur: Frag,
  d: Dialect,
  fold: (field: string) => boolean,
): { sql: Frag; order: string } {
  if (p.cmd === 'top' || p.cmd === 'rare') {
    const inner = sql`SELECT ${d.key(p.field)} AS k0 FROM (${cur}) e`;
    const dir = p.cmd === 'top' ? 'DESC' : 'ASC';
    const order = `c1 ${dir}, c0 ASC`;
    return {
      sql: sql`SELECT ${groupOut(d, 'k0', fold(p.field))} AS c0, count(*) AS c1, CAST(100.0 * count(*) / sum(count(*)) OVER () AS DOUBLE PRECISION) AS c2 FROM (${inner}) g WHERE k0 IS NOT NULL GROUP BY ${groupKey('k0', fold(p.field))} ORDER BY ${order} LIMIT ${param(p.n)}`,
      order,
    };
  }
  if (p.cmd !== 'stats' && p.cmd !== 'timechart') throw new Error(`not a transforming command: ${p.cmd}`);
  const inner: Frag[] = [];
  const outer: string[] = [];
  const keys: string[] = [];
  let c = 0;
  if (p.cmd === 'timechart') {
    inner.push(sql`${d.bucket(p.spanMs)} AS tb`);
    keys.push('tb');
    outer.push(`tb AS c${c++}`);
  }
  p.by.forEach((f, i) => {
    inner.push(sql`${d.key(f)} AS k${String(i)}`);
    keys.push(groupKey(`k${i}`, fold(f)));
    outer.push(`${groupOut(d, `k${i}`, fold(f))} AS c${c++}`);
  });
  p.aggs.forEach((a, i) => {
    if (a.field) inner.push(sql`${d.key(a.field)} AS a${String(i)}`);
    outer.push(`${aggregate(a, `a${i}`, d)} AS c${c++}`);
  });
  if (inner.length === 0) inner.push({ sql: '1 AS one', params: [] });
  // Like Splunk: events without a by-field are not a group of their own.
  const where = p.by.length ? ` WHERE ${p.by.map((_, i) => `k${i} IS NOT NULL`).join(' AND ')}` : '';
  const group = keys.length ? ` GROUP BY ${keys.join(', ')}` : '';
  const order = keys.length ? keys.map((_, i) => `c${i} ASC`).join(', ') : 'c0 ASC';
  return {
    sql: sql`SELECT ${outer.join(', ')} FROM (SELECT ${joinFrags(inner, ', ')} FROM (${cur}) e) g${where}${group}`,
    order,
  };
}

/** A GROUP BY term; a folded key groups ASCII case variants together (SQLite's NOCASE). */
export const groupKey = (col: string, fold: boolean): string => (fold ? `${col} COLLATE NOCASE` : col);

/** A group's key as returned: for a folded key, one of its spellings, the same every time. */
export const groupOut = (d: Dialect, col: string, fold: boolean): string =>
  fold ? `min(${d.keyOut(col)} COLLATE BINARY)` : d.keyOut(col);

export function aggregate(a: Agg, col: string, d: Dialect): string {
  switch (a.fn) {
    case 'count':
      return a.field ? `count(${col})` : 'count(*)';
    case 'dc':
      return `count(DISTINCT ${col})`;
    default:
      return `${a.fn}(${d.numberOf(col)})`;
  }
}

export { aggName };
