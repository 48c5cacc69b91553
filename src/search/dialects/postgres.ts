import type { PatternPart } from '../ast.js';
import { JSON_ESCAPED, likePattern, pathVariants, type Dialect, type ValuePred } from '../dialect.js';
import { joinFrags, param, sql, type Frag } from '../sql.js';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]{0,1}[0-9])';
const IPV4 = `^${OCTET}(\\.${OCTET}){3}$`;
const IPV6 = '^[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}$';

/** The current element's text; `#>> '{}'` unwraps a jsonb scalar. */
const V = `(j.v #>> '{}')`;

/**
 * PostgreSQL: events(tenant, ts timestamptz, seq, doc jsonb), as `store/postgres/migrations.ts`.
 * Paths travel as text[] parameters (`doc #> $1::text[]`), one per way the dotted name may be
 * stored. Casts sit inside CASE because PostgreSQL does not promise to evaluate AND left to right.
 */
export function postgresDialect(): Dialect {
  const coalesce = (field: string): Frag => {
    const frags = pathVariants(field).map((p) => sql`doc #> ${param(p)}::text[]`);
    return frags.length === 1 ? frags[0]! : sql`coalesce(${joinFrags(frags, ', ')})`;
  };
  const each = (field: string, cond: Frag): Frag =>
    sql`EXISTS (SELECT 1 FROM (SELECT ${coalesce(field)} AS v) x CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(x.v) WHEN 'array' THEN x.v ELSE jsonb_build_array(x.v) END) AS j(v) WHERE x.v IS NOT NULL AND ${cond})`;
  const pred = (p: ValuePred): Frag => {
    switch (p.kind) {
      case 'eqString': {
        const base = sql`(jsonb_typeof(j.v) = 'string' AND lower(${V}) = lower(${param(p.value)}))`;
        const b = p.value.toLowerCase();
        return b === 'true' || b === 'false'
          ? sql`(${base} OR (jsonb_typeof(j.v) = 'boolean' AND ${V} = ${param(b)}))`
          : base;
      }
      case 'eqNumber':
        return sql`(CASE jsonb_typeof(j.v) WHEN 'number' THEN ${V}::numeric = ${param(p.value)}::numeric WHEN 'string' THEN ${V} = ${param(String(p.value))} ELSE false END)`;
      case 'like':
        return sql`(jsonb_typeof(j.v) IN ('string', 'number') AND ${V} ILIKE ${param(likePattern(p.parts))} ESCAPE '\\')`;
      case 'cmp':
        if (typeof p.value === 'number') {
          return sql`(CASE WHEN jsonb_typeof(j.v) = 'number' THEN ${V}::numeric ${p.op} ${param(p.value)}::numeric ELSE false END)`;
        }
        return sql`(jsonb_typeof(j.v) = 'string' AND lower(${V}) ${p.op} lower(${param(p.value)}))`;
      case 'cidr':
        // A cast of a non-address would fail the whole query, so only address-shaped strings are
        // cast (no '?' quantifiers: '?' is reserved for placeholders). A malformed IPv6 shape
        // (two '::') can still fail; a safe-cast SQL function in the PostgreSQL migrations would
        // close that (pg_input_is_valid needs PostgreSQL 16).
        return sql`(CASE WHEN jsonb_typeof(j.v) = 'string' AND (${V} ~ '${IPV4}' OR ${V} ~ '${IPV6}') THEN ${V}::inet <<= ${param(p.cidr)}::inet ELSE false END)`;
      case 'all':
        return sql`(${joinFrags(p.items.map(pred), ' AND ')})`;
    }
  };
  return {
    name: 'postgres',
    scope(tenants, from, to) {
      const parts = [sql`tenant = ANY(${param(tenants)}::text[])`];
      if (from) parts.push(sql`ts >= ${param(from.toISOString())}::timestamptz`);
      if (to) parts.push(sql`ts < ${param(to.toISOString())}::timestamptz`);
      return joinFrags(parts, ' AND ');
    },
    anyValue: (field, p) => each(field, pred(p)),
    exists: (field) => each(field, sql`jsonb_typeof(j.v) <> 'null'`),
    freeText(parts: PatternPart[]) {
      const pattern = param(likePattern(parts, true));
      if (parts.some((p) => 'lit' in p && JSON_ESCAPED.test(p.lit))) {
        return sql`EXISTS (SELECT 1 FROM jsonb_path_query(doc, 'strict $.**') s(v) WHERE jsonb_typeof(s.v) = 'string' AND (s.v #>> '{}') ILIKE ${pattern} ESCAPE '\\')`;
      }
      return sql`doc::text ILIKE ${pattern} ESCAPE '\\'`;
    },
    fieldJson: (field) => coalesce(field),
    // jsonb orders numbers as numbers and strings as strings: a better sort key than text.
    key: (field) => coalesce(field),
    keyOut: (col) => `(${col} #>> '{}')`,
    // float8, not numeric: the driver returns numeric as text.
    numberOf: (col) => `CASE WHEN jsonb_typeof(${col}) = 'number' THEN (${col} #>> '{}')::float8 END`,
    bucket: (spanMs) =>
      sql`(floor(extract(epoch FROM ts) * 1000 / ${param(spanMs)}) * ${param(spanMs)})::bigint`,
    finish(text) {
      // No literal in the generated SQL contains '?', so every one is a placeholder.
      let n = 0;
      return text.replace(/\?/g, () => `$${++n}`);
    },
  };
}
