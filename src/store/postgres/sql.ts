import type pg from 'pg';

/** A pool or a client inside a transaction: both run queries the same way. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * Runs SQL written with `?` placeholders (as the SQLite adapters are), numbered here as `$n`, so
 * the two adapters' queries read alike. The SQL must not contain a literal `?` (the JSONB `?`
 * operator included: use `@>` instead).
 */
export async function rows<R>(c: Queryable, text: string, params: unknown[] = []): Promise<R[]> {
  return (await run<R>(c, text, params)).rows;
}

export async function one<R>(c: Queryable, text: string, params: unknown[] = []): Promise<R | undefined> {
  return (await run<R>(c, text, params)).rows[0];
}

/** Rows changed by an INSERT, UPDATE or DELETE. */
export async function changes(c: Queryable, text: string, params: unknown[] = []): Promise<number> {
  return (await run(c, text, params)).rowCount ?? 0;
}

function run<R>(
  c: Queryable,
  text: string,
  params: unknown[],
): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
  let n = 0;
  return c.query<R & pg.QueryResultRow>(
    text.replace(/\?/g, () => `$${++n}`),
    params,
  );
}

export const inList = (n: number): string => Array.from({ length: n }, () => '?').join(',');

/** Transaction-scoped advisory locks, taken in a fixed order so that two nodes cannot deadlock. */
export async function lockKeys(c: pg.PoolClient, keys: Iterable<string>): Promise<void> {
  for (const k of [...new Set(keys)].sort()) {
    await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [k]);
  }
}
