import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../schema/ecs.js';
import type { Storage } from '../store/ports.js';
import { openPostgresStorage } from '../store/postgres/index.js';
import { PG_URL, serviceAvailable } from '../test-support/services.js';
import { PostgresEventSearch } from './postgres-event-search.js';
import { QueryError } from './ports.js';

const target = new URL(PG_URL);
const available = await serviceAvailable('PostgreSQL', target.hostname, Number(target.port || 5432));
const dbName = `vigil_search_${process.pid}_${Date.now().toString(36)}`;
const T0 = Date.parse('2026-02-01T00:00:00.000Z');

describe.runIf(available)('PostgresEventSearch on the real PostgreSQL schema', () => {
  let storage: Storage;
  let search: PostgresEventSearch;
  let pool: pg.Pool;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${dbName}`;
    storage = await openPostgresStorage(u.toString());
    pool = new pg.Pool({ connectionString: u.toString(), max: 2 });
    // Dropping the database at the end terminates sessions; that is expected, not a test failure.
    pool.on('error', () => undefined);
    search = new PostgresEventSearch(pool);
    const events: VigilEvent[] = Array.from({ length: 120 }, (_, i) => ({
      '@timestamp': new Date(T0 + i * 60_000).toISOString(),
      event: { id: `e${i}`, ingested: new Date(T0).toISOString(), severity: i % 6 },
      organization: { id: i % 10 === 9 ? 'other' : 't1' },
      host: { name: ['web-1', 'WEB-2', 'db'][i % 3]! },
      user: { name: `user${i % 4}` },
      source: { ip: i % 2 ? `10.1.${i}.1` : `2001:db8::${i}` },
      message: `line ${i}`,
    }));
    await storage.events.append(events);
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await storage?.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  const run = (q: string, tenants = ['t1']) => search.search(tenants, q, { limit: 1000 });

  it('filters with the full language, scoped to the tenant and the time range', async () => {
    expect((await run('host.name:web*')).total).toBe(72);
    // Odd i outside tenant `other` (48), of which severity (i % 6) is 3 or 5 for two thirds.
    expect((await run('source.ip:10.0.0.0/8 event.severity>=3')).total).toBe(32);
    expect((await run('source.ip:2001:db8::/32')).total).toBe(60);
    expect((await run('line', ['other'])).total).toBe(12);
    expect((await run('line', [])).total).toBe(0);
    const r = await search.search(['t1'], 'host.name:db', {
      limit: 2,
      from: new Date(T0),
      to: new Date(T0 + 30 * 60_000),
    });
    expect(r.kind === 'events' && r.events.map((e) => (e as VigilEvent).event.id)).toEqual(['e26', 'e23']);
  });

  it('aggregates', async () => {
    const s = await run('| stats count() as n, avg(event.severity) as a by host.name | sort -n');
    expect(s).toMatchObject({ kind: 'table', columns: ['host.name', 'n', 'a'] });
    expect(s.kind === 'table' && s.rows.map((r) => r.slice(0, 2))).toEqual([
      ['WEB-2', 36],
      ['db', 36],
      ['web-1', 36],
    ]);
    const t = await run('| timechart span=1h count()');
    expect(t.kind === 'table' && t.rows).toEqual([
      ['2026-02-01T00:00:00.000Z', 54],
      ['2026-02-01T01:00:00.000Z', 54],
    ]);
    const f = await run('| dedup host.name | fields host.name');
    expect(f.kind === 'events' && f.events).toHaveLength(3);
    expect(await search.fields(['t1'])).toEqual(expect.arrayContaining(['host.name', 'source.ip']));
  });

  it('refuses bad queries', async () => {
    await expect(run('a:(')).rejects.toBeInstanceOf(QueryError);
  });
});
