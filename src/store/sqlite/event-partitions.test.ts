import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../schema/ecs.js';
import { openDatabase, type Db } from './db.js';
import { SqliteEventSearch } from './event-search.js';
import { SqliteEventStore } from './events.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');

function ev(i: number, ts: number, extra: Record<string, unknown> = {}, tenant = 'a'): VigilEvent {
  return {
    '@timestamp': new Date(ts).toISOString(),
    event: { id: `e-${i}`, ingested: new Date(T0 + 10 * DAY).toISOString() },
    organization: { id: tenant },
    host: { name: `host-${i % 3}` },
    message: i % 10 === 0 ? `mimikatz run ${i} "quoted"` : `Accepted password for user${i % 4}`,
    ...extra,
  } as VigilEvent;
}

const tmpFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'vigil-parts-')), 'vigil.db');
const tables = (db: Db) =>
  (db.prepare('SELECT name FROM event_partitions ORDER BY day').pluck().all() as string[]).join(',');

let open: Db[] = [];
afterEach(() => {
  for (const db of open) if (db.open) db.close();
  open = [];
});
function fresh(): { db: Db; store: SqliteEventStore; search: SqliteEventSearch } {
  const db = openDatabase(tmpFile());
  open.push(db);
  return {
    db,
    store: new SqliteEventStore(db, { backgroundIndexing: false }),
    search: new SqliteEventSearch(db),
  };
}

describe('SQLite events by UTC day', () => {
  it('stores each day in its own table and reads only the days a time range overlaps', async () => {
    const { db, store, search } = fresh();
    const events = Array.from({ length: 90 }, (_, i) => ev(i, T0 + i * 3_600_000 * 0.75));
    expect((await store.append(events)).inserted).toBe(90);
    expect(tables(db)).toBe('events_20260301,events_20260302,events_20260303');
    expect(await store.count(['a'])).toBe(90);
    // The view over all days still answers plain SQL.
    expect((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(90);

    const from = new Date(T0 + DAY + 3_600_000);
    const opts = { from, to: new Date(from.getTime() + 3_600_000), limit: 100 };
    const stmt = search.statement(['a'], 'host.name:host-1', opts).sql;
    expect(stmt).toContain('FROM events_20260302 WHERE');
    expect(stmt).not.toMatch(/events_20260301|events_20260303|FROM events WHERE/);
    const r = await search.search(['a'], 'mimikatz OR host.name:host-1', opts);
    const expected = events.filter(
      (e) =>
        Date.parse(e['@timestamp']) >= opts.from.getTime() &&
        Date.parse(e['@timestamp']) < opts.to.getTime() &&
        (e.message!.includes('mimikatz') || (e.host as { name: string }).name === 'host-1'),
    );
    expect(r.total).toBe(expected.length);
    expect(r.total).toBeGreaterThan(0);
    // A range ending at midnight does not touch the next day; nothing stored: no rows, still a table.
    expect(search.statement(['a'], 'x', { to: new Date(T0 + DAY), limit: 1 }).sql).not.toContain('20260302');
    const none = await search.search(['a'], '| stats count()', {
      from: new Date(T0 - 9 * DAY),
      to: new Date(T0 - 8 * DAY),
      limit: 5,
    });
    expect(none.kind === 'table' && none.rows).toEqual([[0]]);
  });

  it('answers free text the same before and after the FTS index is filled, and uses it', async () => {
    const { db, store, search } = fresh();
    await store.append(Array.from({ length: 300 }, (_, i) => ev(i, T0 + i * 600_000)));
    const queries = [
      'mimikatz',
      'MIMIKATZ',
      'mimi*',
      '*katz',
      'password user2',
      '"run 10 "',
      'Accepted OR mimikatz',
      'NOT mimikatz',
      'ka',
      '"\\"quoted\\""',
      'zzz-not-there',
    ];
    const answer = async () =>
      Promise.all(queries.map(async (q) => (await search.search(['a'], q, { limit: 1000 })).total));
    const before = await answer();
    expect(store.fullText.pending()).toBe(300);
    expect(store.fullText.step(10_000)).toBe(300);
    expect(store.fullText.pending()).toBe(0);
    expect(await answer()).toEqual(before);
    expect(before.slice(0, 4)).toEqual([30, 30, 30, 30]);
    expect(before[4]).toBe(60);
    expect(before[7]).toBe(270);
    expect(search.statement(['a'], 'mimikatz', { limit: 10 }).sql).toMatch(/events_fts_20260301 MATCH/);
    // Deleting indexed rows keeps the external-content index consistent.
    await store.deleteOlderThan(new Date(T0 + 12 * 3_600_000), 'a');
    for (const name of db
      .prepare("SELECT name FROM sqlite_master WHERE name LIKE 'events_fts_%' AND sql LIKE 'CREATE VIRTUAL%'")
      .pluck()
      .all() as string[])
      db.prepare(`INSERT INTO ${name}(${name}) VALUES ('integrity-check')`).run();
    expect((await search.search(['a'], 'mimikatz', { limit: 1000 })).total).toBe(30 - 8);
  });

  it('stores a re-sent event once, also when it was stamped on receipt and re-sent after midnight', async () => {
    const { store } = fresh();
    const a = ev(1, T0 + 5000);
    expect((await store.append([a])).inserted).toBe(1);
    expect((await store.append([a, ev(2, T0 + 6000)])).inserted).toBe(1);
    // No time of its own: stamped with the receive time, before and after midnight.
    const stamped = (ts: number): VigilEvent =>
      ({ ...ev(3, ts), event: { id: 'resent', ingested: new Date(ts).toISOString() } }) as VigilEvent;
    expect((await store.append([stamped(T0 + DAY - 1000)])).inserted).toBe(1);
    expect((await store.append([stamped(T0 + DAY + 2000)])).inserted).toBe(0);
    expect(await store.count(['a'])).toBe(3);
    expect((await store.get(['a'], 'resent'))?.['@timestamp']).toBe(new Date(T0 + DAY - 1000).toISOString());
  });

  it('moves a single-table database into day tables on open, keeping ids unique', async () => {
    const file = tmpFile();
    const legacy = new Database(file);
    legacy.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 2)) {
      legacy.exec(m.sql);
      legacy.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    const insert = legacy.prepare(
      'INSERT INTO events (id, tenant, ts, ingested, doc) VALUES (?, ?, ?, ?, ?)',
    );
    const old = Array.from({ length: 50 }, (_, i) => ev(i, T0 + i * 7_200_000, {}, i % 5 ? 'a' : 'b'));
    for (const e of old)
      insert.run(e.event.id, e.organization.id, Date.parse(e['@timestamp']), 0, JSON.stringify(e));
    legacy.close();

    const db = openDatabase(file);
    open.push(db);
    expect(
      (db.prepare("SELECT type FROM sqlite_master WHERE name = 'events'").get() as { type: string }).type,
    ).toBe('view');
    expect(tables(db)).toBe(
      'events_20260301,events_20260302,events_20260303,events_20260304,events_20260305',
    );
    const store = new SqliteEventStore(db, { backgroundIndexing: false });
    expect(await store.count()).toBe(50);
    expect(await store.count(['b'])).toBe(10);
    expect(await store.get(['a'], 'e-1')).toEqual(old[1]);
    expect((await store.append([old[1]!, ev(99, T0)])).inserted).toBe(1);
    expect((await new SqliteEventSearch(db).search(['b'], 'mimikatz', { limit: 100 })).total).toBe(5);
  });

  it('handles more days than one SQLite compound statement allows', async () => {
    const { db, store, search } = fresh();
    await store.append(Array.from({ length: 520 }, (_, i) => ev(i, T0 - i * DAY)));
    expect((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(520);
    expect((await search.search(['a'], 'mimikatz', { limit: 1000 })).total).toBe(52);
    expect((await store.search({ tenants: ['a'], text: ['mimikatz'], limit: 5 })).total).toBe(52);
    expect((await search.fields(['a'], { sample: 600 })).length).toBeGreaterThan(3);
  });
});
