import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, serviceAvailable } from '../test-support/services.js';
import type { Expr, Query, Value } from './ast.js';
import { compileQuery, type CompileOptions, type CompiledSearch } from './compile.js';
import { JSON_ESCAPED } from './dialect.js';
import { postgresDialect } from './dialects/postgres.js';
import { sqliteDialect } from './dialects/sqlite.js';
import { ipKey } from './ip.js';
import { parseQueryOrThrow } from './parser.js';
import { expr, pipeLists } from './test-support/arbitraries.js';

const opts = {
  tenants: ['t1'],
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2026-01-02T00:00:00Z'),
  limit: 50,
};
const sqlite = (q: string, o: CompileOptions = opts) =>
  compileQuery(parseQueryOrThrow(q), sqliteDialect(), o);
const postgres = (q: string, o: CompileOptions = opts) =>
  compileQuery(parseQueryOrThrow(q), postgresDialect(), o);

/** The same tree with every user string and number replaced by a fixed one. */
function blank(e: Expr): Expr {
  // Only what chooses the form of a condition survives: JSON-escaped characters (free text looks
  // at decoded strings) and true/false (also match booleans).
  const t = (x: string) =>
    JSON_ESCAPED.test(x) ? '"' : ['true', 'false'].includes(x.toLowerCase()) ? 'true' : 'x';
  const v = (x: Value): Value =>
    x.kind === 'string'
      ? { kind: 'string', value: t(x.value) }
      : x.kind === 'number'
        ? { kind: 'number', value: 1 }
        : { kind: 'pattern', parts: x.parts.map((p) => ('lit' in p ? { lit: t(p.lit) } : p)) };
  const s = (x: string | number | null) => (x === null ? null : typeof x === 'number' ? 1 : t(x));
  switch (e.type) {
    case 'match':
      return { ...e, value: v(e.value) };
    case 'text':
      return { ...e, value: v(e.value) as Extract<Value, { kind: 'string' | 'pattern' }> };
    case 'compare':
      return { ...e, value: s(e.value)! };
    case 'range':
      return { ...e, lo: s(e.lo), hi: s(e.hi) };
    case 'cidr':
      return { ...e, cidr: e.cidr.includes(':') ? '::/0' : '0.0.0.0/0' };
    case 'and':
    case 'or':
      return { ...e, items: e.items.map(blank) };
    case 'not':
      return { ...e, item: blank(e.item) };
    default:
      return e;
  }
}

const placeholders = (c: CompiledSearch, re: RegExp) =>
  [c.rows, c.count].map((s) => [s.sql.match(re)?.length ?? 0, s.params.length]);

describe('compiler', () => {
  it('puts the tenant and time filter first, then the row guard and the filter', () => {
    const c = compileQuery(
      parseQueryOrThrow('host.name:web-1'),
      sqliteDialect({ rowGuard: 'vigil_tick()' }),
      opts,
    );
    expect(c.mode).toBe('events');
    expect(c.rows.sql).toMatch(
      /^SELECT doc FROM \(SELECT seq, ts, doc FROM events WHERE tenant IN \(\?\) AND ts >= \? AND ts < \? AND vigil_tick\(\) AND EXISTS/,
    );
    expect(c.rows.params.slice(0, 3)).toEqual(['t1', opts.from.getTime(), opts.to.getTime()]);
    const p = postgres('host.name:web-1');
    expect(p.rows.sql).toMatch(
      /^SELECT doc FROM \(SELECT seq, ts, doc FROM events WHERE tenant = ANY\(\$1::text\[\]\) AND ts >= \$2::timestamptz AND ts < \$3::timestamptz AND EXISTS/,
    );
    expect(p.rows.params.slice(0, 3)).toEqual([['t1'], opts.from.toISOString(), opts.to.toISOString()]);
  });

  it('emits the expected SQLite and PostgreSQL text for a match', () => {
    expect(sqlite('user.name:Alice', { tenants: ['t1'], limit: 5 }).count).toEqual({
      sql: "SELECT count(*) AS n FROM (SELECT seq, ts, doc FROM events WHERE tenant IN (?) AND EXISTS (SELECT 1 FROM json_each(coalesce(doc -> ?, doc -> ?)) j WHERE (j.type = 'text' AND lower(j.value) = lower(?)))) e",
      params: ['t1', '$."user"."name"', '$."user.name"', 'Alice'],
    });
    expect(postgres('user.name:Alice', { tenants: ['t1'], limit: 5 }).count).toEqual({
      sql: "SELECT count(*) AS n FROM (SELECT seq, ts, doc FROM events WHERE tenant = ANY($1::text[]) AND EXISTS (SELECT 1 FROM (SELECT coalesce(doc #> $2::text[], doc #> $3::text[]) AS v) x CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(x.v) WHEN 'array' THEN x.v ELSE jsonb_build_array(x.v) END) AS j(v) WHERE x.v IS NOT NULL AND (jsonb_typeof(j.v) = 'string' AND lower((j.v #>> '{}')) = lower($4)))) e",
      params: [['t1'], ['user', 'name'], ['user.name'], 'Alice'],
    });
  });

  it('compiles wildcards to escaped LIKE, CIDR to a key range (SQLite) and inet (PostgreSQL)', () => {
    expect(sqlite('a:50%_off*').rows.params).toContain('50\\%\\_off%');
    expect(postgres('a:50%_off*').rows.sql).toContain("ILIKE $5 ESCAPE '\\'");
    const c = sqlite('source.ip:10.0.0.0/8');
    expect(c.rows.sql).toContain('vigil_ip_key(j.value) BETWEEN ? AND ?');
    expect(c.rows.params).toEqual(expect.arrayContaining([ipKey('10.0.0.0'), ipKey('10.255.255.255')]));
    expect(postgres('source.ip:10.0.0.0/8').rows.sql).toContain('::inet <<= $6::inet');
  });

  it('compiles stats, timechart, top and rare to GROUP BY with columns named by the query', () => {
    const s = sqlite('| stats count() as n, avg(x) by h | sort -n | head 3');
    expect(s.mode === 'table' && s.columns).toEqual(['h', 'n', 'avg(x)']);
    expect(s.rows.sql).toContain('GROUP BY k0');
    expect(s.rows.sql).toContain('ORDER BY c1 DESC LIMIT ?');
    const t = postgres('| timechart span=5m count() by h');
    expect(t.mode === 'table' && t.timeColumn).toBe(0);
    expect(t.rows.sql).toContain('floor(extract(epoch FROM ts) * 1000 /');
    expect(sqlite('| top h 3').rows.sql).toContain('sum(count(*)) OVER ()');
    expect(sqlite('| rare h').rows.sql).toContain('ORDER BY c1 ASC');
    expect(sqlite('| dedup h | head 2').rows.sql).toContain('row_number() OVER (PARTITION BY d0');
    const f = sqlite('| fields a, b.c');
    expect(f.mode === 'events' && f.fields).toEqual(['a', 'b.c']);
  });

  it('never puts a user value in SQL text: the text depends only on the shape of the query', () => {
    fc.assert(
      fc.property(expr, pipeLists, (e, pipes) => {
        const p = pipes ? parseQueryOrThrow(pipes).pipes : [];
        for (const d of [sqliteDialect(), postgresDialect()]) {
          const real = compileQuery({ where: e, pipes: p }, d, opts);
          const fake = compileQuery({ where: blank(e), pipes: p }, d, opts);
          expect(real.rows.sql).toBe(fake.rows.sql);
          expect(real.count.sql).toBe(fake.count.sql);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('binds exactly one parameter per placeholder', () => {
    fc.assert(
      fc.property(expr, pipeLists, (e, pipes) => {
        const q: Query = { where: e, pipes: pipes ? parseQueryOrThrow(pipes).pipes : [] };
        for (const [n, len] of placeholders(compileQuery(q, sqliteDialect(), opts), /\?/g))
          expect(n).toBe(len);
        for (const [n, len] of placeholders(compileQuery(q, postgresDialect(), opts), /\$\d+/g))
          expect(n).toBe(len);
      }),
      { numRuns: 200 },
    );
  });

  it('prepares in SQLite for generated queries (valid SQL)', () => {
    const db = new Database(':memory:');
    db.exec(
      'CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT, tenant TEXT, ts INTEGER, ingested INTEGER, doc TEXT)',
    );
    db.function('vigil_ip_key', { deterministic: true }, (_v: unknown) => null);
    fc.assert(
      fc.property(expr, pipeLists, (e, pipes) => {
        const c = compileQuery(
          { where: e, pipes: pipes ? parseQueryOrThrow(pipes).pipes : [] },
          sqliteDialect(),
          opts,
        );
        db.prepare(c.rows.sql).all(...c.rows.params);
        db.prepare(c.count.sql).get(...c.count.params);
      }),
      { numRuns: 200 },
    );
    db.close();
  });
});

// ---- the PostgreSQL dialect against a real server, cross-checked with SQLite ----

const target = new URL(PG_URL);
const pgUp = await serviceAvailable('PostgreSQL', target.hostname, Number(target.port || 5432));

describe.runIf(pgUp)('PostgreSQL dialect on a real server', () => {
  const schema = `vigil_search_${process.pid}_${Date.now().toString(36)}`;
  let client: pg.Client;
  const lite = new Database(':memory:');
  const docs = Array.from({ length: 120 }, (_, i) => ({
    '@timestamp': new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString(),
    host: { name: ['web-1', 'WEB-2', 'db'][i % 3] },
    user: { name: i % 4 === 0 ? "o'brien" : `user${i % 5}` },
    source: { ip: i % 2 ? `10.1.${i}.1` : `2001:db8::${i}` },
    event: {
      severity: i % 6,
      code: String(4624 + (i % 2)),
      category: i % 2 ? ['authentication'] : ['network'],
    },
    message: i === 3 ? 'say "hi" \\ there' : `line ${i}`,
    ...(i === 5 ? { 'process.name': 'flat.exe' } : {}),
  }));

  beforeAll(async () => {
    client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    await client.query(
      'CREATE TABLE events (seq bigserial, tenant text NOT NULL, id text NOT NULL, ts timestamptz NOT NULL, ingested timestamptz NOT NULL, doc jsonb NOT NULL)',
    );
    lite.exec(
      'CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT, tenant TEXT, ts INTEGER, ingested INTEGER, doc TEXT)',
    );
    lite.function('vigil_ip_key', { deterministic: true }, (v: unknown) =>
      typeof v === 'string' ? ipKey(v) : null,
    );
    const ins = lite.prepare('INSERT INTO events (id, tenant, ts, ingested, doc) VALUES (?, ?, ?, ?, ?)');
    for (const [i, d] of docs.entries()) {
      const tenant = i % 10 === 9 ? 't2' : 't1';
      await client.query('INSERT INTO events (tenant, id, ts, ingested, doc) VALUES ($1, $2, $3, $3, $4)', [
        tenant,
        `e${i}`,
        d['@timestamp'],
        JSON.stringify(d),
      ]);
      ins.run(`e${i}`, tenant, Date.parse(d['@timestamp']), 0, JSON.stringify(d));
    }
  });
  afterAll(async () => {
    await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client?.end();
    lite.close();
  });

  const both = async (q: string) => {
    const o = { tenants: ['t1'], limit: 1000 };
    const p = postgres(q, o);
    const s = sqlite(q, o);
    const pr = await client.query({ text: p.rows.sql, values: p.rows.params, rowMode: 'array' });
    const pc = Number((await client.query<{ n: string }>(p.count.sql, p.count.params)).rows[0]!.n);
    const sr = lite
      .prepare(s.rows.sql)
      .raw()
      .all(...s.rows.params) as unknown[][];
    const sc = (lite.prepare(s.count.sql).get(...s.count.params) as { n: number }).n;
    return { pg: { count: pc, rows: pr.rows as unknown[][] }, lite: { count: sc, rows: sr } };
  };

  it.each([
    'host.name:web*',
    'host.name:WEB-1',
    'user.name:"o\'brien"',
    'source.ip:10.0.0.0/8',
    'source.ip:2001:db8::/32',
    'event.severity>=3 AND NOT event.code:4625',
    'event.severity:{1 TO 4]',
    'event.category:authentication OR user.name:user?',
    'process.name:flat.exe',
    'process.name:*',
    '"say \\"hi\\" \\\\ there"',
    'line',
    `host.name:"x' OR 1=1 --"`,
  ])('counts the same events as SQLite: %s', async (q) => {
    const r = await both(q);
    expect(r.pg.count).toBe(r.lite.count);
    expect(r.pg.count).toBeGreaterThanOrEqual(q.includes('1=1') ? 0 : 1);
  });

  it('aggregates the same as SQLite', async () => {
    const r = await both('| stats count() as n, dc(user.name) by host.name');
    expect(
      r.pg.rows.map((x) =>
        x.map(
          Number.isNaN(Number(x[1]))
            ? String
            : (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
        ),
      ),
    ).toEqual(r.lite.rows);
    const t = await both('| timechart span=30m count()');
    expect(t.pg.rows.map((x) => x.map(Number))).toEqual(t.lite.rows.map((x) => x.map(Number)));
    const top = await both('| top host.name 2');
    expect(top.pg.rows.map((x) => [x[0], Number(x[1])])).toEqual(top.lite.rows.map((x) => [x[0], x[1]]));
  });
});
