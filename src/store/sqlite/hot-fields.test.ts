import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../schema/ecs.js';
import type { SearchResult } from '../../search/ports.js';
import { openDatabase, type Db } from './db.js';
import { dropPartition } from './event-partitions.js';
import { SqliteEventSearch } from './event-search.js';
import { SqliteEventStore } from './events.js';
import { IRREGULAR } from './hot-fields.js';
import { HotIndexBuilder } from './hot-index-builder.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

/** Values a hot field meets in the wild: strings in several cases, numbers, arrays, null, objects. */
const VALUES: unknown[] = [
  'web-1',
  'WEB-1',
  'Web-1',
  'db-1',
  '4625',
  4625,
  4625.5,
  '10.1.2.3',
  '192.168.7.9',
  '2001:db8::1',
  ['web-1', 'db-1'],
  ['10.1.2.3'],
  [],
  true,
  'true',
  null,
  { nested: 'x' },
  IRREGULAR,
  '',
  'z',
];

const value = fc.constantFrom(...VALUES, undefined);

interface Shape {
  host: unknown;
  user: unknown;
  code: unknown;
  outcome: unknown;
  ip: unknown;
  bytes: number;
  flat: boolean;
}

const shape: fc.Arbitrary<Shape> = fc.record({
  host: value,
  user: value,
  code: value,
  outcome: fc.constantFrom('success', 'failure', 'FAILURE', undefined),
  ip: value,
  bytes: fc.integer({ min: 0, max: 1000 }),
  flat: fc.boolean(),
});

function toEvent(s: Shape, i: number): VigilEvent {
  const set = (o: Record<string, unknown>, k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  const e: Record<string, unknown> = {
    '@timestamp': new Date(T0 + i * 120_000).toISOString(),
    event: { id: `e-${i}`, ingested: new Date(T0).toISOString() },
    organization: { id: 'a' },
    network: { bytes: s.bytes },
  };
  const event = e.event as Record<string, unknown>;
  set(event, 'code', s.code);
  set(event, 'outcome', s.outcome);
  // Some shippers send flat dotted keys: the column must see them as the documents are read.
  if (s.flat) set(e, 'host.name', s.host);
  else if (s.host !== undefined) e.host = { name: s.host };
  if (s.user !== undefined) e.user = { name: s.user };
  if (s.ip !== undefined) e.source = { ip: s.ip };
  return e as unknown as VigilEvent;
}

/** One event of plain string values (user u, code 1, success), `over` changing some of them. */
const plainEvent = (i: number, over: Partial<Shape> = {}): VigilEvent =>
  toEvent(
    { host: 'h', user: 'u', code: '1', outcome: 'success', ip: '10.0.0.1', bytes: 1, flat: false, ...over },
    i,
  );

const QUERIES = [
  'host.name:web-1',
  'host.name:WEB-1',
  'NOT host.name:web-1',
  'host.name:*',
  'NOT host.name:*',
  'host.name:web*',
  'host.name:true',
  'host.name>m',
  'host.name:[a TO x]',
  'event.code:4625',
  'event.code:"4625"',
  'NOT event.code:4625',
  'event.code>=4625',
  'source.ip:10.0.0.0/8',
  'NOT source.ip:10.0.0.0/8',
  'user.name:db-1 OR host.name:db-1',
  'event.outcome:failure AND host.name:web-1',
  '| stats count() by host.name',
  '| stats count() by user.name, event.outcome',
  '| stats count(), sum(network.bytes), avg(network.bytes), min(network.bytes), max(network.bytes) by host.name, event.outcome',
  '| stats count(host.name), dc(user.name) by event.outcome',
  'NOT host.name:db-1 | stats count() by user.name',
  '| top host.name',
  '| rare user.name',
  '| timechart span=1h count() by host.name',
  '| stats count()',
  // Counts a finished day's rollup can answer (and two it cannot: free text, a 5-minute span).
  'event.outcome:failure | stats count() by host.name',
  'NOT user.name:* | top host.name',
  '(host.name:web* OR event.code>=4625) AND NOT event.outcome:success | stats count() by event.outcome, user.name',
  'host.name:[a TO x] | rare event.code',
  '| timechart span=2h count() by event.outcome',
  'web | stats count() by host.name',
  '| timechart span=5m count() by event.outcome',
];

/** Neither end on a whole hour: the rollup answers the hours between, the rows the rest. */
const RANGE = { from: new Date(T0 + 1_807_000), to: new Date(T0 + 3 * 3_600_000 + 600_000) };

/** A result as a comparable value: events by id, table rows sorted. */
function canonical(r: SearchResult): unknown {
  if (r.kind === 'events') return r.events.map((e) => (e as VigilEvent).event.id).sort();
  const rows = r.rows.map((row) =>
    JSON.stringify(row.map((v) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v))),
  );
  return { columns: r.columns, rows: rows.sort() };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-hot-'));
});
afterAll(() => {
  // Files stay in the OS temp dir; each run uses its own.
});

async function answers(db: Db, search: SqliteEventSearch): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) out.push(canonical(await search.search(['a'], q, { limit: 10_000 })));
  for (const q of QUERIES) out.push(canonical(await search.search(['a'], q, { limit: 10_000, ...RANGE })));
  void db;
  return out;
}

const same = (a: unknown[], b: unknown[]) =>
  a.forEach((x, i) =>
    expect({ q: QUERIES[i % QUERIES.length], answer: x }).toEqual({
      q: QUERIES[i % QUERIES.length],
      answer: b[i],
    }),
  );

describe('hot-field columns', () => {
  it('give the same answer as reading every document, for any mix of value shapes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(shape, { minLength: 1, maxLength: 120 }), async (shapes) => {
        const db = openDatabase(path.join(dir, `hot-${run++}.db`));
        try {
          const store = new SqliteEventStore(db, { backgroundIndexing: false });
          // While the day is being written: a watermark over the first rows, then more rows.
          const events = shapes.map(toEvent);
          const half = Math.ceil(events.length / 2);
          await store.append(events.slice(0, half));
          expect(new HotIndexBuilder(db, () => T0 + 3_600_000, { minTail: 1 }).all()).toBeGreaterThan(1);
          await store.append(events.slice(half));
          const search = new SqliteEventSearch(db);
          expect(db.prepare('SELECT hot_upto FROM event_partitions').pluck().get()).toBe(half);
          // The rows under the watermark are also counted in its rollup, kept exact under deletes.
          expect(db.prepare(`SELECT sum(n) FROM events_20260301_rollup_w${half}`).pluck().get()).toBe(half);
          db.exec('DELETE FROM events_20260301 WHERE seq % 5 = 0');
          const watermarked = await answers(db, search);
          db.prepare('UPDATE event_partitions SET hot_upto = 0').run();
          expect(db.prepare('SELECT count(*) FROM event_partitions WHERE hot = 1').pluck().get()).toBe(1);
          const columns = await answers(db, search);
          same(watermarked, columns);
          // The day is long over: its indexes are built, and answers stay the same.
          expect(new HotIndexBuilder(db).all()).toBeGreaterThan(1);
          expect(db.prepare('SELECT count(*) FROM event_partitions WHERE hot = 2').pluck().get()).toBe(1);
          // The finished day's indexes replace the watermark's.
          expect(
            db
              .prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE 'events\\_%\\_w%' ESCAPE '\\'")
              .pluck()
              .get(),
          ).toBe(0);
          expect(db.prepare('SELECT count(*) FROM events_20260301_rollup').pluck().get()).toBeGreaterThan(0);
          const hot = await answers(db, search);
          same(hot, columns);
          // Late events into the finished day, and deletions, keep its rollup exact.
          await store.append(shapes.slice(0, 7).map((x, i) => toEvent(x, 200 + i)));
          db.exec('DELETE FROM events_20260301 WHERE seq % 3 = 0');
          const changed = await answers(db, search);
          // The same rows, read as a day made before hot columns existed: documents only.
          db.prepare('UPDATE event_partitions SET hot = 0').run();
          const cold = await answers(db, search);
          same(changed, cold);
        } finally {
          db.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it("keeps tenants apart in a finished day's rollup", async () => {
    const db = openDatabase(path.join(dir, 'rollup-tenants.db'));
    try {
      const store = new SqliteEventStore(db, { backgroundIndexing: false });
      const ev = (tenant: string, host: string, i: number) => {
        const e = plainEvent(i, { host });
        e.organization.id = tenant;
        return e;
      };
      await store.append([
        ev('a', 'web-1', 0),
        ev('a', 'web-1', 1),
        ev('b', 'web-1', 2),
        ev('b', 'secret', 3),
      ]);
      new HotIndexBuilder(db).all();
      expect(db.prepare('SELECT count(*) FROM events_20260301_rollup').pluck().get()).toBe(3);
      const search = new SqliteEventSearch(db);
      const rows = async (tenants: string[]) => {
        const r = await search.search(tenants, '| stats count() by host.name', { limit: 10 });
        expect(search.statement(tenants, '| stats count() by host.name', { limit: 10 }).sql).toMatch(
          /_rollup/,
        );
        return r.kind === 'table' ? r.rows : [];
      };
      expect(await rows(['a'])).toEqual([['web-1', 2]]);
      expect(await rows(['b'])).toEqual([
        ['secret', 1],
        ['web-1', 1],
      ]);
      expect(await rows(['a', 'b'])).toEqual([
        ['secret', 1],
        ['web-1', 3],
      ]);
    } finally {
      db.close();
    }
  });

  it('answers equality and grouping on the day index, without reading documents', async () => {
    const db = openDatabase(path.join(dir, 'plan.db'));
    try {
      const store = new SqliteEventStore(db, { backgroundIndexing: false });
      // A thousand events of one day over fifty hosts, so that the index is worth reading.
      await store.append(Array.from({ length: 1000 }, (_, i) => plainEvent(i, { host: `web-${i % 50}` })));
      const search = new SqliteEventSearch(db);
      new HotIndexBuilder(db).all();
      // First the days' indexes as read without rollups (days finished before rollups existed).
      const rollups = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%rollup'")
        .pluck()
        .all() as string[];
      expect(rollups).toEqual(['events_20260301_rollup', 'events_20260302_rollup']);
      for (const r of rollups) db.exec(`DROP TABLE ${r}`);
      const plan = (q: string) => {
        const st = search.statement(['a'], q, { limit: 10 });
        return (db.prepare(`EXPLAIN QUERY PLAN ${st.sql}`).all(...st.params) as Array<{ detail: string }>)
          .map((r) => r.detail)
          .join('\n');
      };
      expect(plan('host.name:web-1 | stats count()')).toMatch(
        /USING (COVERING )?INDEX events_20260301_h_host_name \(tenant=\? AND h_host_name=\?\)/,
      );
      expect(plan('| stats count() by host.name')).toMatch(
        /USING COVERING INDEX events_20260301_h_host_name/,
      );
      // Two hot fields: the index over every hot column covers the group-by.
      expect(plan('| stats count() by user.name, event.outcome')).toMatch(
        /USING COVERING INDEX events_20260301_hot_cover/,
      );
      expect(plan('| stats count() by host.name, event.code, event.outcome')).toMatch(
        /USING COVERING INDEX events_20260301_hot_cover/,
      );
      // Nothing else is steered to it: a filtered query keeps the planner's own choice.
      expect(plan('event.outcome:success | top host.name')).not.toMatch(/hot_cover/);
      // With a filter, the group key's index is not walked in key order with a row read per entry
      // (10.4 s for a day of 1.4M events); the filter picks the access path.
      expect(plan('event.outcome:success | top host.name')).not.toMatch(/h_host_name \(tenant=\?\)/);
      expect(plan('| top host.name')).toMatch(
        /USING COVERING INDEX events_20260301_h_host_name \(tenant=\?\)/,
      );
      expect(plan('user.name:u | stats count() by host.name, event.code')).not.toMatch(/hot_cover/);
      // Counts over whole hours of a finished day come from its rollup, not from the rows.
      expect(new HotIndexBuilder(db).all()).toBe(2);
      expect(plan('| stats count() by host.name')).toMatch(/events_20260301_rollup/);
      expect(plan('user.name:u | stats count() by host.name, event.code')).toMatch(/events_20260301_rollup/);
      expect(plan('| timechart span=1h count() by event.outcome')).toMatch(/events_20260301_rollup/);
      // The rows with an irregular mark in a named column are looked up, one column's index each;
      // the day's rows are never scanned whole.
      for (const q of ['| stats count() by user.name, event.outcome', 'event.code:1 | top host.name']) {
        expect(plan(q)).toMatch(/events_20260301_rollup/);
        expect(plan(q)).not.toMatch(/SCAN events_20260301($|\n| )/m);
        expect(plan(q)).toMatch(/INDEX events_20260301_h_event_code|INDEX events_20260301_h_user_name/);
      }
      expect(plan('| stats count() by host.name, source.ip')).not.toMatch(/rollup/);
      expect(plan('| stats sum(network.bytes) by host.name')).not.toMatch(/rollup/);
    } finally {
      db.close();
    }
  });
});

describe('HotIndexBuilder', () => {
  it('indexes the day being written up to a watermark that moves as the day grows', async () => {
    const db = openDatabase(path.join(dir, 'watermark.db'));
    try {
      const store = new SqliteEventStore(db, { backgroundIndexing: false });
      const add = (from: number, n: number) =>
        store.append(
          Array.from({ length: n }, (_, i) =>
            plainEvent(from + i, {
              host: `web-${(from + i) % 50}`,
              outcome: (from + i) % 10 === 0 ? 'failure' : 'success',
            }),
          ),
        );
      const during = () => T0 + 3_600_000;
      const builder = new HotIndexBuilder(db, during, { minTail: 200 });
      const upto = () => db.prepare('SELECT hot_upto FROM event_partitions').pluck().get() as number;
      const sets = () =>
        db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_20260301_w%' ORDER BY name",
          )
          .pluck()
          .all() as string[];
      // (one event a minute: all of them on the first day)
      await add(0, 150);
      expect(builder.all()).toBe(0); // too few rows yet
      await add(150, 150);
      // One index per step, then the switch.
      expect(builder.step()).toBe(true);
      expect(upto()).toBe(0);
      expect(builder.all()).toBeGreaterThan(1);
      expect(upto()).toBe(300);
      expect(sets().every((n) => n.startsWith('events_20260301_w300_'))).toBe(true);
      await add(300, 60);
      expect(builder.all()).toBe(0); // under minTail past the watermark
      await add(360, 200);
      expect(builder.all()).toBeGreaterThan(1);
      expect(upto()).toBe(560);
      expect(sets().every((n) => n.startsWith('events_20260301_w560_'))).toBe(true);
      await add(560, 40);
      const search = new SqliteEventSearch(db);
      const plan = (q: string) => {
        const st = search.statement(['a'], q, {
          limit: 10,
          from: new Date(T0),
          to: new Date(T0 + 86_400_000),
        });
        return (db.prepare(`EXPLAIN QUERY PLAN ${st.sql}`).all(...st.params) as Array<{ detail: string }>)
          .map((r) => r.detail)
          .join('\n');
      };
      expect(plan('host.name:web-1 | stats count()')).toMatch(
        /INDEX events_20260301_w560_h_host_name \(tenant=\? AND h_host_name=\?/,
      );
      // The watermark term does not turn a count into a scan of the rows by seq...
      expect(plan('| stats count()')).toMatch(/COVERING INDEX events_20260301_tenant_ts/);
      // ...and with no all-columns index here, two keys are not read through one key's index.
      expect(plan('| stats count() by user.name, event.outcome')).not.toMatch(/h_user_name \(tenant=\?\)/);
      // Counts by hot fields read the watermark's rollup for the rows under it (the older mark's
      // rollup went with its indexes), its indexes for marked rows, and the rows after it.
      const rollups = () =>
        db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%rollup%'")
          .pluck()
          .all();
      expect(rollups()).toEqual(['events_20260301_rollup_w560']);
      const grouped = plan('event.outcome:failure | stats count() by host.name');
      expect(grouped).toMatch(/events_20260301_rollup_w560/);
      expect(grouped).toMatch(/INDEX events_20260301_w560_h_event_outcome/);
      const byHost = await search.search(['a'], 'event.outcome:failure | stats count() by host.name', {
        limit: 100,
      });
      expect(byHost.kind === 'table' ? byHost.rows.reduce((n, row) => n + Number(row[1]), 0) : -1).toBe(60);
      // Rows under the watermark and after it are all counted.
      const r = await search.search(['a'], 'host.name:web-1 | stats count()', { limit: 10 });
      expect(r.kind === 'table' ? r.rows : []).toEqual([[12]]);
      // Once the day is over, its own indexes replace the watermark's.
      new HotIndexBuilder(db, () => T0 + 2 * 86_400_000).all();
      expect(rollups()).toEqual(['events_20260301_rollup']);
      expect(sets()).toEqual([]);
      expect(upto()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('drops the rollups of a day with the day', async () => {
    const db = openDatabase(path.join(dir, 'drop-rollups.db'));
    try {
      const store = new SqliteEventStore(db, { backgroundIndexing: false });
      await store.append(Array.from({ length: 20 }, (_, i) => plainEvent(i)));
      const rollups = () =>
        db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%rollup%' ORDER BY name").pluck().all();
      new HotIndexBuilder(db, () => T0 + 3_600_000, { minTail: 1 }).all();
      expect(rollups()).toContain('events_20260301_rollup_w20');
      dropPartition(db, Math.floor(T0 / 86_400_000));
      expect(rollups()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('leaves the day being written alone and indexes a day once it is over', async () => {
    const db = openDatabase(path.join(dir, 'builder.db'));
    try {
      const store = new SqliteEventStore(db, { backgroundIndexing: false });
      await store.append([plainEvent(0, { host: 'a', user: 'b', code: 'c' })]);
      const indexes = () =>
        db
          .prepare(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_20260301_h_%'",
          )
          .pluck()
          .get();
      // 30 minutes after the day's end: within the grace for late events.
      expect(new HotIndexBuilder(db, () => T0 + 86_400_000 + 1_800_000).all()).toBe(0);
      expect(indexes()).toBe(0);
      const steps = new HotIndexBuilder(db, () => T0 + 2 * 86_400_000).all();
      // An index per step, then the rollup, then the statistics.
      expect(indexes()).toBe(steps - 2);
      expect(indexes()).toBeGreaterThan(0);
      // A day indexed before the all-hot-columns index existed gets it, in one step.
      db.exec('DROP INDEX events_20260301_hot_cover');
      expect(new HotIndexBuilder(db, () => T0 + 2 * 86_400_000).all()).toBe(1);
      expect(indexes()).toBe(steps - 2);
      // And one made before rollups gets its rollup, in one step.
      db.exec('DROP TABLE events_20260301_rollup');
      expect(new HotIndexBuilder(db, () => T0 + 2 * 86_400_000).all()).toBe(1);
      // A late event into the indexed day is still stored and found through the index.
      await store.append([plainEvent(1, { host: 'late', user: 'b', code: 'c' })]);
      const r = await new SqliteEventSearch(db).search(['a'], 'host.name:LATE', { limit: 10 });
      expect(r.kind === 'events' ? r.events.length : -1).toBe(1);
    } finally {
      db.close();
    }
  });
});
