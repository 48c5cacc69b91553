/**
 * The typed syntax tree of a search query: a filter expression and a list of pipe commands.
 * The same tree serves the API, the UI (validation) and saved searches; `print.ts` turns it back
 * into text that parses to the same tree.
 */

/** One piece of a wildcard pattern: literal text, `*` (any run) or `?` (one character). */
export type PatternPart = { lit: string } | { any: true } | { one: true };

/** A value after `field:` or a bare word. A pattern always holds at least one wildcard. */
export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'pattern'; parts: PatternPart[] };

export type CompareOp = '>' | '>=' | '<' | '<=';

/** A range bound; `null` is open (`*`). */
export type Bound = string | number | null;

export type Expr =
  | { type: 'match'; field: string; value: Value }
  | { type: 'exists'; field: string }
  | { type: 'compare'; field: string; op: CompareOp; value: string | number }
  | { type: 'range'; field: string; lo: Bound; hi: Bound; loInclusive: boolean; hiInclusive: boolean }
  | { type: 'cidr'; field: string; cidr: string }
  /** A bare word or phrase: free text anywhere in the event. */
  | { type: 'text'; value: Extract<Value, { kind: 'string' } | { kind: 'pattern' }> }
  | { type: 'and'; items: Expr[] }
  | { type: 'or'; items: Expr[] }
  | { type: 'not'; item: Expr };

export type AggFn = 'count' | 'dc' | 'sum' | 'avg' | 'min' | 'max';

export interface Agg {
  fn: AggFn;
  /** Absent only for `count()`. */
  field?: string;
  as?: string;
}

export interface SortKey {
  field: string;
  desc: boolean;
}

export type Pipe =
  | { cmd: 'stats'; aggs: Agg[]; by: string[] }
  | { cmd: 'timechart'; spanMs: number; span: string; aggs: Agg[]; by: string[] }
  | { cmd: 'sort'; keys: SortKey[] }
  | { cmd: 'head'; n: number }
  | { cmd: 'fields'; fields: string[] }
  | { cmd: 'dedup'; fields: string[] }
  | { cmd: 'top' | 'rare'; field: string; n: number };

export interface Query {
  /** Absent when the query has no filter (everything in the time range). */
  where?: Expr;
  pipes: Pipe[];
}

/** Column name an aggregate produces: its alias, else `count` or `fn(field)`. */
export function aggName(a: Agg): string {
  if (a.as) return a.as;
  return a.fn === 'count' && !a.field ? 'count' : `${a.fn}(${a.field ?? ''})`;
}

/** Commands that turn events into a table. At most one per query. */
export const TRANSFORMS = new Set(['stats', 'timechart', 'top', 'rare']);
