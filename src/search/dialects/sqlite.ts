import type { PatternPart } from '../ast.js';
import { JSON_ESCAPED, likePattern, pathVariants, type Dialect, type ValuePred } from '../dialect.js';
import { joinFrags, param, sql, type Frag } from '../sql.js';

/**
 * An FTS5 query for a trigram index (`tokenize='trigram'`) that every document containing the
 * pattern matches: each literal run of 3+ characters as a quoted string, all required. Undefined
 * when no run is long enough (the trigram index cannot help then).
 */
export function trigramMatch(parts: PatternPart[]): string | undefined {
  const runs: string[] = [];
  let cur = '';
  for (const p of parts) {
    if ('lit' in p) cur += p.lit;
    else {
      runs.push(cur);
      cur = '';
    }
  }
  runs.push(cur);
  // The index keeps no positions (detail=none, a third of the size), so no phrases: the run's
  // trigrams, every third one plus the last, are each required; enough to be selective.
  const grams = new Set<string>();
  for (const run of runs) {
    const chars = [...run];
    if (chars.length < 3) continue;
    for (let i = 0; i + 3 <= chars.length; i += 3) grams.add(chars.slice(i, i + 3).join(''));
    grams.add(chars.slice(-3).join(''));
  }
  if (grams.size === 0) return undefined;
  return [...grams].map((g) => `"${g.replaceAll('"', '""')}"`).join(' AND ');
}

const jsonPath = (segs: string[]): string => '$' + segs.map((s) => `."${s}"`).join('');

/**
 * SQLite: events(tenant, ts INTEGER ms, seq, doc TEXT JSON). `->` gives a value as JSON text (arrays
 * stay arrays for json_each), `->>` as an SQL value. Comparisons of text are case-insensitive
 * (lower() and LIKE fold ASCII only; SQLite has no Unicode case folding without ICU).
 */
export interface SqliteFullText {
  /** The FTS5 trigram table over the events table being read (a name computed by the store). */
  table: string;
  /** Rows with seq above this are not indexed yet and are checked by LIKE alone. */
  indexedUpTo: number;
}

/**
 * Columns of the table being read that copy fields out of the document (the SQLite store's hot
 * fields): for each field, its column, and the value stored when the document must decide.
 */
export interface HotColumns {
  column(field: string): string | undefined;
  irregular: string;
}

/**
 * `regular`: the rows read hold no irregular mark in the hot columns a condition names (a rollup
 * read with those rows left out), so a condition on such a field is a test of the column alone.
 */
export function sqliteDialect(
  opts: { rowGuard?: string; fts?: SqliteFullText; hot?: HotColumns; regular?: boolean } = {},
): Dialect {
  const coalesce = (op: '->' | '->>', field: string): Frag => {
    const frags = pathVariants(field).map((p) => sql`doc ${op} ${param(jsonPath(p))}`);
    return frags.length === 1 ? frags[0]! : sql`coalesce(${joinFrags(frags, ', ')})`;
  };
  // `v` is a value and `t` its JSON type: json_each's columns, or a hot column and 'text'.
  const pred = (p: ValuePred, v = 'j.value', t = 'j.type'): Frag => {
    switch (p.kind) {
      case 'eqString': {
        const base = sql`(${t} = 'text' AND lower(${v}) = lower(${param(p.value)}))`;
        const b = p.value.toLowerCase();
        return b === 'true' || b === 'false' ? sql`(${base} OR ${t} = ${param(b)})` : base;
      }
      case 'eqNumber':
        // Windows event codes and ports arrive as text as often as numbers.
        return sql`((${t} IN ('integer', 'real') AND ${v} = ${param(p.value)}) OR (${t} = 'text' AND ${v} = ${param(String(p.value))}))`;
      case 'like':
        return sql`(${t} IN ('text', 'integer', 'real') AND ${v} LIKE ${param(likePattern(p.parts))} ESCAPE '\\')`;
      case 'cmp':
        if (typeof p.value === 'number') {
          return sql`((${t} IN ('integer', 'real') AND ${v} ${p.op} ${param(p.value)}) OR (${t} = 'text' AND ${v} GLOB '[0-9-]*' AND CAST(${v} AS REAL) ${p.op} ${param(p.value)}))`;
        }
        return sql`(${t} = 'text' AND lower(${v}) ${p.op} lower(${param(p.value)}))`;
      case 'cidr':
        return sql`(${t} = 'text' AND vigil_ip_key(${v}) BETWEEN ${param(p.lo)} AND ${param(p.hi)})`;
      case 'all':
        return sql`(${joinFrags(
          p.items.map((i) => pred(i, v, t)),
          ' AND ',
        )})`;
    }
  };
  const fromDoc = (field: string, p: ValuePred): Frag =>
    sql`EXISTS (SELECT 1 FROM json_each(${coalesce('->', field)}) j WHERE ${pred(p)})`;
  /**
   * The same test through a hot column: its string when it holds one, the document when it holds
   * the irregular mark. Always 0 or 1, never NULL, so NOT keeps meaning "no value matches".
   * Equality leads with `col IN (value, mark)`, which the day table's index answers.
   */
  const fromColumn = (col: string, irregular: string, field: string, p: ValuePred): Frag => {
    if (opts.regular) return sql`coalesce(${pred(p, col, "'text'")}, 0)`;
    const mark = param(irregular);
    const eq =
      p.kind === 'eqString' && !['true', 'false'].includes(p.value.toLowerCase())
        ? p.value
        : p.kind === 'eqNumber' && /^-?\d+(\.\d+)?$/.test(String(p.value))
          ? String(p.value)
          : undefined;
    if (eq !== undefined)
      return sql`(${col} IS NOT NULL AND ${col} IN (${param(eq)}, ${mark}) AND (${col} <> ${mark} OR ${fromDoc(field, p)}))`;
    return sql`(${col} IS NOT NULL AND CASE WHEN ${col} = ${mark} THEN ${fromDoc(field, p)} ELSE coalesce(${pred(p, col, "'text'")}, 0) END)`;
  };
  const hotColumn = (field: string) => {
    const column = opts.hot?.column(field);
    return column && opts.hot ? { column, irregular: opts.hot.irregular } : undefined;
  };
  return {
    name: 'sqlite',
    rowGuard: opts.rowGuard,
    scope(tenants, from, to) {
      const parts = [sql`tenant IN (${joinFrags(tenants.map(param), ', ')})`];
      if (from) parts.push(sql`ts >= ${param(from.getTime())}`);
      if (to) parts.push(sql`ts < ${param(to.getTime())}`);
      return joinFrags(parts, ' AND ');
    },
    anyValue(field, p) {
      const hot = hotColumn(field);
      return hot ? fromColumn(hot.column, hot.irregular, field, p) : fromDoc(field, p);
    },
    exists(field) {
      const any = sql`EXISTS (SELECT 1 FROM json_each(${coalesce('->', field)}) j WHERE j.type <> 'null')`;
      const hot = hotColumn(field);
      if (!hot) return any;
      if (opts.regular) return sql`(${hot.column} IS NOT NULL)`;
      const mark = param(hot.irregular);
      return sql`(${hot.column} IS NOT NULL AND (${hot.column} <> ${mark} OR ${any}))`;
    },
    freeText(parts: PatternPart[]) {
      const pattern = param(likePattern(parts, true));
      const escaped = parts.some((p) => 'lit' in p && JSON_ESCAPED.test(p.lit));
      // Quotes and backslashes are escaped in the stored text: look at the decoded strings instead.
      if (escaped)
        return sql`EXISTS (SELECT 1 FROM json_tree(doc) j WHERE j.type = 'text' AND j.value LIKE ${pattern} ESCAPE '\\')`;
      const like = sql`doc LIKE ${pattern} ESCAPE '\\'`;
      const match = opts.fts ? trigramMatch(parts) : undefined;
      // The trigram index finds candidates (a superset: it ignores order and adjacency), rows not
      // indexed yet are all candidates, and the LIKE keeps the answer exact.
      if (match === undefined || !opts.fts) return like;
      const t = opts.fts.table;
      return sql`((seq > ${param(opts.fts.indexedUpTo)} OR seq IN (SELECT rowid FROM ${t} WHERE ${t} MATCH ${param(match)})) AND ${like})`;
    },
    fieldJson: (field) => coalesce('->', field),
    key: (field) => coalesce('->>', field),
    keyOut: (col) => col,
    numberOf: (col) => `CASE WHEN typeof(${col}) IN ('integer', 'real') THEN ${col} END`,
    // Numbers bind as REAL, so `ts / ?` would not truncate; `%` works on integers.
    bucket: (spanMs) => sql`(ts - ts % ${param(spanMs)})`,
    finish: (text) => text,
    hotColumn,
  };
}
