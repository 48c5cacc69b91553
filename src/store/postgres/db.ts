import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations.js';

export type Pool = pg.Pool;

// Timestamps and bigints come back as strings; the adapters convert where they need numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openPool(url: string): Promise<Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 10, application_name: 'vigil' });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  await migrate(pool);
  return pool;
}

/** Applies missing migrations under an advisory lock, so nodes starting together migrate once. */
export async function migrate(pool: Pool): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock(7212001)');
    await c.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set(
      (await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    let n = 0;
    for (const m of [...POSTGRES_MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      }
      n++;
    }
    return n;
  } finally {
    await c.query('SELECT pg_advisory_unlock(7212001)').catch(() => undefined);
    c.release();
  }
}

/** Runs `fn` in one transaction on one client. */
export async function inTransaction<T>(pool: Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/** `$1, $2, ...` placeholders from a running index. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  list(vs: unknown[]): string {
    return vs.map((v) => this.add(v)).join(', ');
  }
}
