import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { describeIntelStoreContract } from '../../intel/intel-store.contract.js';
import { PG_URL, serviceAvailable } from '../../test-support/services.js';
import { openPool } from './db.js';
import { PostgresIntelStore } from './intel.js';

const target = new URL(PG_URL);
const available = await serviceAvailable('PostgreSQL', target.hostname, Number(target.port || 5432));

/** Each test gets its own database, so contract tests start empty and runs never meet. */
const dbName = `vigil_intel_${process.pid}_${Date.now().toString(36)}`;
let counter = 0;
async function freshDatabase(): Promise<string> {
  const name = `${dbName}_${counter++}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

describe.runIf(available)('PostgresIntelStore', () => {
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (let i = 0; i < counter; i++) await c.query(`DROP DATABASE IF EXISTS ${dbName}_${i} WITH (FORCE)`);
    await c.end();
  }, 120_000);

  it('applies the intel migrations (500s) once', async () => {
    const pool = await openPool(await freshDatabase());
    const v = await pool.query<{ version: number }>(
      'SELECT version FROM schema_migrations WHERE version BETWEEN 500 AND 599 ORDER BY version',
    );
    expect(v.rows.map((r) => r.version)).toEqual([500, 501, 502, 503]);
    await pool.end();
  });

  it('merges an IOC imported by two nodes at once without losing either provenance', async () => {
    const url = await freshDatabase();
    const [a, b] = [await openPool(url), await openPool(url)];
    const sa = new PostgresIntelStore(a);
    const sb = new PostgresIntelStore(b);
    const item = { tenant: 'default', type: 'domain' as const, value: 'race.example' };
    const rounds = Array.from({ length: 10 }, (_, i) =>
      Promise.all([
        sa.upsertIndicators([{ ...item, source: `a${i}` }]),
        sb.upsertIndicators([{ ...item, source: `b${i}` }]),
      ]),
    );
    const results = (await Promise.all(rounds)).flat();
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(1);
    const got = await sa.searchIndicators(['default'], { limit: 5, value: 'race.example' });
    expect(got.indicators[0]!.sources).toHaveLength(20);
    await a.end();
    await b.end();
  });

  describeIntelStoreContract('postgres', async () => {
    const pool = await openPool(await freshDatabase());
    return { store: new PostgresIntelStore(pool), close: () => pool.end() };
  });
});
