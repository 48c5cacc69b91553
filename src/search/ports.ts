import type { VigilEvent } from '../schema/ecs.js';

export interface SearchOptions {
  from?: Date;
  to?: Date;
  /** Rows returned: events, or table rows after an aggregation. */
  limit: number;
  offset?: number;
}

export type SearchResult =
  | { kind: 'events'; total: number; events: Array<VigilEvent | Record<string, unknown>>; took_ms: number }
  | { kind: 'table'; total: number; columns: string[]; rows: unknown[][]; took_ms: number };

/** A query the language refused: what was expected at which (1-based) column. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly column: number,
    readonly expected: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

/** The query took longer than the store allows; partial results are not returned. */
export class QueryTimeout extends Error {}

/**
 * Search over stored events in the query language (`docs/query-language.md`). The tenant filter
 * is applied by the compiler, never left to callers: an empty list reads nothing.
 */
export interface EventSearch {
  /** Throws QueryError for a query that does not parse, QueryTimeout past the time budget. */
  search(tenants: string[], query: string, opts: SearchOptions): Promise<SearchResult>;
  /** Field names seen in recent events of these tenants, for autocomplete. */
  fields(tenants: string[], opts?: { sample?: number }): Promise<string[]>;
}
