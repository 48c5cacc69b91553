import type { Agg, Expr, Pipe, Query } from './ast.js';
import {
  aggregate,
  compileExpr,
  groupKey,
  groupOut,
  sourceRows,
  type CompileOptions,
  type RollupSource,
  type Source,
} from './compile.js';
import type { Dialect } from './dialect.js';
import { sqliteDialect } from './dialects/sqlite.js';
import { joinFrags, param, sql, unionAllFrags, type Frag } from './sql.js';

/**
 * Aggregation per source, then a merge: `| stats count() by host.name` over seven day tables
 * groups each day on its own (on the day's index when the field is hot) and sums seven small
 * tables, instead of sorting every event of the week into one GROUP BY. Used when the
 * transforming command is the first pipe and every aggregate can be merged (not `dc`).
 *
 * When every `by` field has a hot column in a source, that source is read in two parts: the rows
 * where each column holds the value (grouped on the columns alone, which an index covers: the
 * field's own for one key, the source's all-hot-columns index for several), and the rows where a
 * column holds the irregular mark (grouped on their documents).
 */
export function partialAggregation(
  q: Query,
  p: Pipe,
  sources: Source[],
  opts: CompileOptions,
  d: Dialect,
  fold: (field: string) => boolean,
): { sql: Frag; order: string } | undefined {
  if (p.cmd === 'top' || p.cmd === 'rare') {
    const body = merged({ q, opts, by: [p.field], aggs: [], spanMs: false, fold }, sources);
    const dir = p.cmd === 'top' ? 'DESC' : 'ASC';
    const order = `c1 ${dir}, c0 ASC`;
    return {
      sql: sql`SELECT ${groupOut(d, 'k0', fold(p.field))} AS c0, sum(p0) AS c1, CAST(100.0 * sum(p0) / sum(sum(p0)) OVER () AS DOUBLE PRECISION) AS c2 FROM (${body}) g WHERE k0 IS NOT NULL GROUP BY ${groupKey('k0', fold(p.field))} ORDER BY ${order} LIMIT ${param(p.n)}`,
      order,
    };
  }
  if (p.cmd !== 'stats' && p.cmd !== 'timechart') return undefined;
  if (p.aggs.some((a) => a.fn === 'dc')) return undefined;
  const timed = p.cmd === 'timechart';
  const body = merged({ q, opts, by: p.by, aggs: p.aggs, spanMs: timed ? p.spanMs : false, fold }, sources);
  const outer: string[] = [];
  const keys: string[] = [];
  if (timed) {
    keys.push('tb');
    outer.push('tb');
  }
  p.by.forEach((f, i) => {
    keys.push(groupKey(`k${i}`, fold(f)));
    outer.push(groupOut(d, `k${i}`, fold(f)));
  });
  p.aggs.forEach((a, i) => outer.push(mergeOf(a, i)));
  const where = p.by.length ? ` WHERE ${p.by.map((_, i) => `k${i} IS NOT NULL`).join(' AND ')}` : '';
  const group = keys.length ? ` GROUP BY ${keys.join(', ')}` : '';
  const order = keys.length ? keys.map((_, i) => `c${i} ASC`).join(', ') : 'c0 ASC';
  return {
    sql: sql`SELECT ${outer.map((o, i) => `${o} AS c${i}`).join(', ')} FROM (${body}) g${where}${group}`,
    order,
  };
}

/** What one aggregation groups: its query, the options it runs with, keys, aggregates, buckets. */
interface Grouping {
  q: Query;
  opts: CompileOptions;
  by: string[];
  aggs: Agg[];
  spanMs: number | false;
  fold: (field: string) => boolean;
}

/** Partial aggregates of one aggregate: p<i> (and q<i>, the count of numbers, for avg). */
function partialOf(a: Agg, i: number, d: Dialect): string {
  const col = `a${i}`;
  if (a.fn === 'avg') return `sum(${d.numberOf(col)}) AS p${i}, count(${d.numberOf(col)}) AS q${i}`;
  return `${aggregate(a, col, d)} AS p${i}`;
}

function mergeOf(a: Agg, i: number): string {
  switch (a.fn) {
    case 'count':
      return `coalesce(sum(p${i}), 0)`;
    case 'avg':
      return `CAST(sum(p${i}) AS DOUBLE PRECISION) / sum(q${i})`;
    default:
      return `${a.fn}(p${i})`;
  }
}

/** Every source's partial groups, as one UNION ALL with columns [tb,] k0.., p0.. [q..]. */
function merged(g: Grouping, sources: Source[]): Frag {
  const { q, opts, by, aggs, spanMs } = g;
  const parts: Frag[] = [];
  const rolled = rollupFields(q, by, aggs, spanMs);
  for (const s of sources) {
    const r = s.rollup;
    const usable =
      rolled && r && rolled.every((f) => r.column(f) !== undefined && s.dialect.hotColumn?.(f) !== undefined);
    const hours = usable ? rollupHours(r, opts) : undefined;
    if (!rolled || !r || !hours) {
      parts.push(...sourceParts(g, s));
      continue;
    }
    const [lo, hi] = hours;
    const within = (cond: string): Source => ({ ...s, rows: s.rows ? `(${s.rows}) AND ${cond}` : cond });
    // Whole hours from the rollup; its rows with the mark in a named column from their documents;
    // the partial hours at either end of the range as if there were no rollup.
    parts.push(rollupPart(g, r, rolled, lo, hi));
    const middle = within(`ts >= ${lo} AND ts < ${hi}`);
    // Marks are rare: each column's index finds them at once, where the planner, judging by how
    // few values a column like event.outcome has, read the whole day instead.
    const marked = rolled.map((f) => s.dialect.hotColumn!(f)!);
    markedRows(marked).forEach((extra, i) => {
      const index = s.hotIndex?.(marked[i]!.column);
      parts.push(partialOfSource(g, middle, { extra, ...(index ? { indexedBy: { name: index } } : {}) }));
    });
    if ((opts.from?.getTime() ?? r.start) < lo) parts.push(...sourceParts(g, within(`ts < ${lo}`)));
    if ((opts.to?.getTime() ?? r.end) > hi) parts.push(...sourceParts(g, within(`ts >= ${hi}`)));
  }
  if (parts.length === 0) return emptyPartial(by, aggs, spanMs);
  const columns = [
    ...(spanMs !== false ? ['tb'] : []),
    ...by.map((_, i) => `k${i}`),
    ...aggs.flatMap((a, i) => (a.fn === 'avg' ? [`p${i}`, `q${i}`] : [`p${i}`])),
  ];
  if (aggs.length === 0) columns.push('p0');
  return unionAllFrags(parts, columns.join(', '));
}

/** One source's partial groups without a rollup: by its hot columns where it can. */
function sourceParts(g: Grouping, s: Source): Frag[] {
  const { q, by, aggs } = g;
  const hot = by.map((f) => s.dialect.hotColumn?.(f));
  const allHot = by.length > 0 && hot.every((h) => h !== undefined);
  if (!allHot) return [partialOfSource(g, s)];
  const cols = hot.filter((h) => h !== undefined);
  // Several keys, no filter, and only counts: the all-hot-columns index covers the part (the
  // planner, left alone, took a one-field index and read every row through it). Anything that
  // reads documents is left to the planner, as forcing the index would add a lookup per row.
  const cover =
    by.length > 1 && !q.where && aggs.every((a) => !a.field) && s.coverIndex ? s.coverIndex : undefined;
  return [
    partialOfSource(g, s, {
      keys: cols.map((h) => h.column),
      extra: cols.map((h) => sql`${h.column} <> ${param(h.irregular)}`),
      ...(cover ? { indexedBy: cover } : {}),
    }),
    ...markedRows(cols).map((extra) => partialOfSource(g, s, { extra })),
  ];
}

/**
 * The rows where some of these hot columns holds the irregular mark, as one set of conditions per
 * column, disjoint (the i-th also wants no mark in the columns before it): each is a lookup in that
 * column's index, where one OR over the columns made SQLite read every row of the day.
 */
function markedRows(cols: Array<{ column: string; irregular: string }>): Frag[][] {
  return cols.map((h, i) => [
    sql`${h.column} = ${param(h.irregular)}`,
    ...cols.slice(0, i).map((b) => sql`(${b.column} IS NULL OR ${b.column} <> ${param(b.irregular)})`),
  ]);
}

/**
 * The fields a rollup must have for this aggregation to read it: every `by` field and every field
 * the filter names. Undefined when a rollup cannot answer: an aggregate other than a row count, a
 * filter on free text or an address range, time buckets that are not whole hours.
 */
function rollupFields(q: Query, by: string[], aggs: Agg[], spanMs: number | false): string[] | undefined {
  if (by.length === 0 || aggs.some((a) => a.fn !== 'count' || a.field)) return undefined;
  if (spanMs !== false && (spanMs < ROLLUP_SPAN_MS || spanMs % ROLLUP_SPAN_MS !== 0)) return undefined;
  const fields = new Set(by);
  const walk = (e: Expr): boolean => {
    switch (e.type) {
      case 'match':
      case 'compare':
      case 'range':
      case 'exists':
        fields.add(e.field);
        return true;
      case 'and':
      case 'or':
        return e.items.every(walk);
      case 'not':
        return walk(e.item);
      default:
        return false;
    }
  };
  return !q.where || walk(q.where) ? [...fields] : undefined;
}

/** Rollup rows are per hour: timechart spans must be whole hours to be read from them. */
const ROLLUP_SPAN_MS = 3_600_000;

/** The whole hours of the query's range within the rollup's day, [lo, hi); undefined if none. */
function rollupHours(r: RollupSource, opts: CompileOptions): [number, number] | undefined {
  const from = opts.from?.getTime() ?? r.start;
  const to = opts.to?.getTime() ?? r.end;
  const lo = Math.max(r.start, Math.ceil(from / r.hourMs) * r.hourMs);
  const hi = Math.min(r.end, Math.floor(to / r.hourMs) * r.hourMs);
  return lo < hi && r.hourMs === ROLLUP_SPAN_MS ? [lo, hi] : undefined;
}

/** Partial counts from a rollup over whole hours [lo, hi), leaving out rows with a marked column. */
function rollupPart(g: Grouping, r: RollupSource, fields: string[], lo: number, hi: number): Frag {
  const { q, opts, by, aggs, spanMs, fold } = g;
  const col = (f: string): string => {
    const c = r.column(f);
    if (!c) throw new Error(`rollup has no column for ${f}`);
    return c;
  };
  const d = sqliteDialect({ hot: { column: (f) => r.column(f), irregular: r.irregular }, regular: true });
  const conds: Frag[] = [
    sql`tenant IN (${joinFrags(opts.tenants.map(param), ', ')})`,
    sql`hour >= ${param(lo)} AND hour < ${param(hi)}`,
    ...fields.map((f) => sql`(${col(f)} IS NULL OR ${col(f)} <> ${param(r.irregular)})`),
  ];
  if (q.where) conds.push(compileExpr(q.where, d));
  const inner = [
    ...(spanMs !== false ? [`(hour - hour % ${Math.trunc(spanMs)}) AS tb`] : []),
    ...by.map((f, i) => `${col(f)} AS k${i}`),
    'n',
  ];
  const keys = [...(spanMs !== false ? ['tb'] : []), ...by.map((f, i) => groupKey(`k${i}`, fold(f)))];
  const out = [
    ...(spanMs !== false ? ['tb'] : []),
    ...by.map((f, i) => (fold(f) ? `min(k${i} COLLATE BINARY) AS k${i}` : `k${i}`)),
    ...(aggs.length === 0 ? ['sum(n) AS p0'] : aggs.map((_, i) => `sum(n) AS p${i}`)),
  ];
  return sql`SELECT ${out.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${r.table} WHERE ${joinFrags(conds, ' AND ')}) g GROUP BY ${keys.join(', ')}`;
}

function partialOfSource(
  g: Grouping,
  s: Source,
  hot: { keys?: string[]; extra: Frag[]; indexedBy?: { name: string; term?: string } } = { extra: [] },
): Frag {
  const { q, opts, by, aggs, spanMs, fold } = g;
  const d = s.dialect;
  const inner: Frag[] = [];
  const out: string[] = [];
  const keys: string[] = [];
  if (spanMs !== false) {
    inner.push(sql`${d.bucket(spanMs)} AS tb`);
    keys.push('tb');
    out.push('tb');
  }
  // A key read as `+column` keeps the planner from walking that column's index in key order with
  // a row read per entry: worth it only without a filter and for the one key it covers.
  const plain = !q.where && (by.length === 1 || hot.indexedBy !== undefined);
  by.forEach((f, i) => {
    inner.push(
      hot.keys ? sql`${plain ? '' : '+'}${hot.keys[i]!} AS k${String(i)}` : sql`${d.key(f)} AS k${String(i)}`,
    );
    keys.push(groupKey(`k${i}`, fold(f)));
    out.push(fold(f) ? `min(k${i} COLLATE BINARY) AS k${i}` : `k${i}`);
  });
  aggs.forEach((a, i) => {
    if (a.field) inner.push(sql`${d.key(a.field)} AS a${String(i)}`);
    out.push(partialOf(a, i, d));
  });
  // top/rare count rows per key: one count(*) partial.
  if (aggs.length === 0) out.push('count(*) AS p0');
  if (inner.length === 0) inner.push({ sql: '1 AS one', params: [] });
  const rows = sourceRows(q, s, opts, joinFrags(inner, ', '), hot.extra, hot.indexedBy);
  const group = keys.length ? ` GROUP BY ${keys.join(', ')}` : '';
  return sql`SELECT ${out.join(', ')} FROM (${rows}) g${group}`;
}

function emptyPartial(by: string[], aggs: Agg[], spanMs: number | false): Frag {
  const cols = [
    ...(spanMs !== false ? ['NULL AS tb'] : []),
    ...by.map((_, i) => `NULL AS k${i}`),
    ...aggs.flatMap((a, i) => (a.fn === 'avg' ? [`NULL AS p${i}`, `NULL AS q${i}`] : [`NULL AS p${i}`])),
  ];
  if (aggs.length === 0) cols.push('NULL AS p0');
  return { sql: `SELECT ${cols.join(', ')} WHERE 1 = 0`, params: [] };
}
