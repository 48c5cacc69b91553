import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import type { VigilEvent } from '../schema/ecs.js';
import { planByAge, planBySize, RetentionRunner, type DayUsage, type RetentionStep } from './retention.js';
import { PG_URL, serviceAvailable } from '../test-support/services.js';
import { openPostgresStorage } from './postgres/index.js';
import type { PostgresEventStore } from './postgres/events.js';
import { openDatabase, type Db } from './sqlite/db.js';
import { SqliteEventStore } from './sqlite/events.js';

const DAY = 86_400_000;
const NOW = new Date('2026-05-20T15:00:00.000Z');
const TODAY = Date.parse('2026-05-20T00:00:00.000Z');

let seq = 0;
const ev = (tenant: string, ts: number, size = 0): VigilEvent =>
  ({
    '@timestamp': new Date(ts).toISOString(),
    event: { id: `r-${seq++}`, ingested: NOW.toISOString() },
    organization: { id: tenant },
    message: 'x'.repeat(size),
  }) as VigilEvent;

describe('retention config', () => {
  it('takes defaults and per-tenant limits, and refuses nonsense', () => {
    const c = configSchema.parse({ retention: { days: 30, tenants: { b: { maxBytes: 1_000_000 } } } });
    expect(c.retention).toEqual({ days: 30, tenants: { b: { maxBytes: 1_000_000 } }, intervalMinutes: 60 });
    expect(configSchema.parse({}).retention).toEqual({ tenants: {}, intervalMinutes: 60 });
    expect(configSchema.safeParse({ retention: { days: 0 } }).success).toBe(false);
    expect(configSchema.safeParse({ retention: { tenants: { b: { weeks: 2 } } } }).success).toBe(false);
  });
});

describe('retention plans', () => {
  it('cuts ages at UTC midnight, once for all tenants unless one keeps longer', () => {
    expect(planByAge({ days: 7, tenants: { b: { days: 2 } } }, ['a', 'b'], NOW)).toEqual([
      { before: new Date(TODAY - 7 * DAY), reason: 'age' },
      { before: new Date(TODAY - 2 * DAY), tenant: 'b', reason: 'age' },
    ]);
    expect(planByAge({ days: 7, tenants: { b: { days: 30 } } }, ['a', 'b'], NOW)).toEqual([
      { before: new Date(TODAY - 7 * DAY), tenant: 'a', reason: 'age' },
      { before: new Date(TODAY - 30 * DAY), tenant: 'b', reason: 'age' },
    ]);
    expect(planByAge({ tenants: { b: { days: 1 } } }, ['a', 'b'], NOW)).toEqual([
      { before: new Date(TODAY - DAY), tenant: 'b', reason: 'age' },
    ]);
    expect(planByAge({ tenants: {} }, ['a'], NOW)).toEqual([]);
  });

  it('drops the oldest whole days of a tenant over its size, never today', () => {
    const u = (tenant: string, d: number, bytes: number): DayUsage => ({
      day: new Date(TODAY - d * DAY),
      tenant,
      events: 1,
      bytes,
    });
    const usage = [
      u('a', 3, 100),
      u('a', 2, 100),
      u('a', 1, 100),
      u('a', 0, 100),
      u('b', 1, 500),
      u('b', 0, 900),
    ];
    expect(planBySize({ maxBytes: 250, tenants: { b: { maxBytes: 10_000 } } }, usage)).toEqual([
      { before: new Date(TODAY - DAY), tenant: 'a', reason: 'size' },
    ]);
    // Today alone is over the limit: it stays.
    expect(planBySize({ maxBytes: 100, tenants: {} }, usage)).toEqual([
      { before: new Date(TODAY), tenant: 'a', reason: 'size' },
      { before: new Date(TODAY), tenant: 'b', reason: 'size' },
    ]);
  });
});

describe('retention on a real SQLite file', () => {
  let db: Db;
  afterEach(() => db?.close());
  const fresh = () => {
    db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-retention-')), 'vigil.db'));
    return new SqliteEventStore(db, { backgroundIndexing: false });
  };
  const days = () => db.prepare('SELECT name FROM event_partitions ORDER BY day').pluck().all() as string[];

  it('deletes by age and size per tenant, drops whole days, and reports what went', async () => {
    const store = fresh();
    // Ten days of tenant a, the last three of b (b larger per event).
    const events: VigilEvent[] = [];
    for (let d = 9; d >= 0; d--) {
      for (let i = 0; i < 10; i++) events.push(ev('a', TODAY - d * DAY + i * 1000));
      if (d < 3) for (let i = 0; i < 10; i++) events.push(ev('b', TODAY - d * DAY + i * 1000, 1000));
    }
    await store.append(events);
    store.fullText.step(1e6);
    expect(days()).toHaveLength(10);
    const seen: Array<[RetentionStep, number]> = [];
    const runner = new RetentionRunner(
      store,
      { days: 5, tenants: { b: { maxBytes: 25_000 } } },
      { deleted: (s, n) => seen.push([s, n]) },
      () => NOW,
    );
    const r = await runner.runOnce();
    // Age: days before TODAY-5 (four whole days of a alone) dropped as tables.
    expect(days()).toHaveLength(6);
    expect(days()[0]).toBe('events_20260515');
    // Size: b keeps its newest two days (about 2 x 10 KB), so its oldest day went, inside a shared day.
    expect(await store.count(['b'])).toBe(20);
    expect(await store.count(['a'])).toBe(60);
    expect(r.deleted).toBe(50);
    expect(seen.map(([s, n]) => [s.reason, s.tenant ?? '*', n])).toEqual([
      ['age', '*', 40],
      ['size', 'b', 10],
    ]);
    // Run again: nothing left to delete.
    expect((await runner.runOnce()).deleted).toBe(0);
  });

  it('lets appends through while it deletes a tenant inside a shared day', async () => {
    const store = fresh();
    const old = TODAY - 3 * DAY;
    const events: VigilEvent[] = [];
    for (let i = 0; i < 9000; i++) events.push(ev(i % 9 ? 'a' : 'b', old + i));
    await store.append(events);
    let deleting = true;
    const deletion = store.deleteOlderThan(new Date(TODAY), 'a').then((n) => {
      deleting = false;
      return n;
    });
    // Deletion goes in slices of 2000 rows, yielding in between: this append commits meanwhile.
    const appended = await store.append([ev('a', TODAY + 1000)]);
    expect(appended.inserted).toBe(1);
    expect(deleting).toBe(true);
    expect(await deletion).toBe(8000);
    expect(await store.count(['a'])).toBe(1);
    expect(await store.count(['b'])).toBe(1000);
    // b still has events that day, so the day's table stays.
    expect(days()).toContain('events_20260517');
  });
});

const pgTarget = new URL(PG_URL);
const pgAvailable = await serviceAvailable('PostgreSQL', pgTarget.hostname, Number(pgTarget.port || 5432));

describe.runIf(pgAvailable)('retention on PostgreSQL', () => {
  const name = `vigil_retention_${process.pid}_${Date.now().toString(36)}`;
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  }, 60_000);

  it('reports usage per day and tenant and deletes by age and size', async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    const s = await openPostgresStorage(u.toString());
    try {
      const events: VigilEvent[] = [];
      for (let d = 5; d >= 0; d--) {
        for (let i = 0; i < 5; i++) events.push(ev('a', TODAY - d * DAY + i * 1000));
        if (d < 3) for (let i = 0; i < 5; i++) events.push(ev('b', TODAY - d * DAY + i * 1000, 2000));
      }
      await s.events.append(events);
      const store = s.events as PostgresEventStore;
      const usage = await store.usage();
      expect(usage.filter((x) => x.tenant === 'a')).toHaveLength(6);
      expect(usage.find((x) => x.tenant === 'b')!.bytes).toBeGreaterThan(5 * 2000 * 0.01);
      const r = await new RetentionRunner(
        store,
        { days: 4, tenants: { b: { days: 1 } } },
        undefined,
        () => NOW,
      ).runOnce();
      // a: days older than TODAY-4 (one day, 5 events); b: older than TODAY-1 (one day, 5 events).
      expect(r.deleted).toBe(10);
      expect(await s.events.count(['a'])).toBe(25);
      expect(await s.events.count(['b'])).toBe(10);
      expect(r.steps.map((x) => [x.tenant ?? '*', x.deleted])).toEqual([
        ['*', 5],
        ['b', 5],
      ]);
    } finally {
      await s.close();
    }
  });
});
