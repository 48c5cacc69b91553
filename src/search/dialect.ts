import type { CompareOp, PatternPart } from './ast.js';
import type { Frag } from './sql.js';

/** A test on one value of a field (each element when the field is an array). */
export type ValuePred =
  | { kind: 'eqString'; value: string }
  | { kind: 'eqNumber'; value: number }
  | { kind: 'like'; parts: PatternPart[] }
  | { kind: 'cmp'; op: CompareOp; value: string | number }
  | { kind: 'cidr'; cidr: string; lo: string; hi: string }
  | { kind: 'all'; items: ValuePred[] };

/**
 * What differs between SQL engines. The compiler (`compile.ts`) builds statements from these
 * pieces; every user value comes back as a bound parameter (`?` placeholders, renumbered by
 * `finish` where the engine wants `$n`). Field names are validated (`isFieldName`) and travel as
 * parameters too (JSON paths), so no user text is ever spliced into SQL.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Tenant and time filter: always the first conditions, so the (tenant, ts) index is used. */
  scope(tenants: string[], from?: Date, to?: Date): Frag;
  /** A per-row condition that aborts a query past its deadline (SQLite), or undefined. */
  readonly rowGuard?: string;
  /** Some value of the field satisfies the test. */
  anyValue(field: string, pred: ValuePred): Frag;
  /** The field is present with a non-null value. */
  exists(field: string): Frag;
  /** Free text anywhere in the event, case-insensitive. */
  freeText(parts: PatternPart[]): Frag;
  /** The field's value as JSON text/jsonb (for `| fields`). */
  fieldJson(field: string): Frag;
  /** The field's value as a key for ORDER BY / PARTITION BY / GROUP BY. */
  key(field: string): Frag;
  /** A key column as the value returned to the caller. */
  keyOut(col: string): string;
  /** A key column as a number, else NULL (for sum/avg/min/max). */
  numberOf(col: string): string;
  /** Start of the time bucket of `ts`, in epoch milliseconds. */
  bucket(spanMs: number): Frag;
  /** Final SQL text for the engine (placeholder style). */
  finish(sqlText: string): string;
  /**
   * A column of the table being read that holds the field's value when it is one string, NULL
   * when the field is absent, and `irregular` when only the document can tell (SQLite day tables'
   * hot fields). Lets an aggregation group by an index instead of by parsed documents.
   */
  hotColumn?(field: string): { column: string; irregular: string } | undefined;
}

/** `*` → any run, `?` → one character, literals escaped for `LIKE ... ESCAPE '\'`. */
export function likePattern(parts: PatternPart[], contains = false): string {
  const body = parts
    .map((p) => ('lit' in p ? p.lit.replace(/[\\%_]/g, (c) => `\\${c}`) : 'any' in p ? '%' : '_'))
    .join('');
  return contains ? `%${body}%` : body;
}

/**
 * The ways a dotted name may be stored: `host.name` as `{"host":{"name"}}`, `{"host.name"}`... (see
 * schema/fields.ts getField). Every split for up to four segments (eight paths), else the nested and
 * the fully flat form, so that long names do not multiply the work.
 */
export function pathVariants(field: string): string[][] {
  const segs = field.split('.');
  if (segs.length > 4) return [segs, [field]];
  const out: string[][] = [];
  const gaps = segs.length - 1;
  for (let mask = 0; mask < 1 << gaps; mask++) {
    const path: string[] = [segs[0]!];
    for (let i = 1; i < segs.length; i++) {
      // A set bit joins this segment to the previous key with a dot (a flat key).
      if (mask & (1 << (i - 1))) path[path.length - 1] += `.${segs[i]}`;
      else path.push(segs[i]!);
    }
    out.push(path);
  }
  return out;
}

/** Characters that JSON escapes inside the stored document: a LIKE over the raw text would miss them. */
export const JSON_ESCAPED = /["\\\u0000-\u001f]/;
