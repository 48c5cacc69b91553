import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../schema/ecs.js';
import { QueryError, QueryTimeout, type SearchResult } from '../../search/ports.js';
import { openDatabase, type Db } from './db.js';
import { SqliteEventSearch } from './event-search.js';
import { SqliteEventStore } from './events.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const HOSTS = ['web-1', 'web-2', 'db-1', 'DC-01'];
const USERS = ['alice', 'bob', 'root', 'svc_backup', "o'brien"];

/** 400 varied ECS events of tenant `a` (every 30 s from T0) plus 50 of tenant `b`. */
function corpus(): VigilEvent[] {
  const out: VigilEvent[] = [];
  for (let i = 0; i < 400; i++) {
    const e: VigilEvent = {
      '@timestamp': new Date(T0 + i * 30_000).toISOString(),
      event: {
        id: `a-${i}`,
        ingested: new Date(T0).toISOString(),
        category: i % 2 ? ['authentication'] : ['network', 'session'],
        outcome: i % 5 === 0 ? 'failure' : 'success',
        severity: i % 7,
        code: String(4624 + (i % 3)),
      },
      organization: { id: 'a' },
      host: { name: HOSTS[i % 4]! },
      user: { name: USERS[i % 5]! },
      source: {
        ip:
          i % 3 === 0
            ? `10.0.${i % 256}.${i % 200}`
            : i % 3 === 1
              ? `192.168.1.${i % 250}`
              : `2001:db8::${i.toString(16)}`,
      },
      destination: { port: [22, 443, 3389][i % 3]!, bytes: i * 10 },
      message:
        i === 7
          ? 'mimikatz sekurlsa::logonpasswords "quoted" C:\\Temp'
          : `login ${i % 2 ? 'failed' : 'ok'} for ${USERS[i % 5]}`,
    };
    out.push(e);
  }
  // A flat-keyed event as OTRF/Winlogbeat exports sometimes are.
  out.push({
    '@timestamp': new Date(T0 + 5000).toISOString(),
    event: { id: 'flat-1', ingested: new Date(T0).toISOString() },
    organization: { id: 'a' },
    'host.name': 'flat-host',
    'process.command_line': 'powershell -enc AAAA',
  } as VigilEvent);
  for (let i = 0; i < 50; i++) {
    out.push({
      '@timestamp': new Date(T0 + i * 1000).toISOString(),
      event: { id: `b-${i}`, ingested: new Date(T0).toISOString(), severity: 9 },
      organization: { id: 'b' },
      host: { name: 'web-1' },
      user: { name: 'alice' },
      source: { ip: '10.0.0.5' },
      message: 'tenant b secret',
    });
  }
  return out;
}

let db: Db;
let search: SqliteEventSearch;
const run = (q: string, tenants = ['a'], opts: Partial<{ from: Date; to: Date; limit: number }> = {}) =>
  search.search(tenants, q, { limit: 1000, ...opts });
const events = async (q: string, tenants = ['a']) => {
  const r = await run(q, tenants);
  if (r.kind !== 'events') throw new Error('expected events');
  return r;
};
const table = async (q: string, tenants = ['a']) => {
  const r = await run(q, tenants);
  if (r.kind !== 'table') throw new Error('expected a table');
  return r as Extract<SearchResult, { kind: 'table' }>;
};
const ids = (r: { events: unknown[] }) => r.events.map((e) => (e as VigilEvent).event.id);

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-search-'));
  db = openDatabase(path.join(dir, 'vigil.db'));
  const store = new SqliteEventStore(db);
  await store.append(corpus());
  search = new SqliteEventSearch(db);
});
afterAll(() => db.close());

describe('SqliteEventSearch on a real file', () => {
  it('filters by field, case-insensitively, over nested and flat keys', async () => {
    expect((await events('host.name:WEB-1')).total).toBe(100);
    expect(ids(await events('host.name:flat-host'))).toEqual(['flat-1']);
    expect(ids(await events('process.command_line:*-enc*'))).toEqual(['flat-1']);
  });

  it('matches array elements, numbers stored as text, wildcards and exists', async () => {
    expect((await events('event.category:authentication')).total).toBe(200);
    expect((await events('event.code:4625')).total).toBe(133);
    expect((await events('user.name:svc_*')).total).toBe(80);
    expect((await events('user.name:?ob')).total).toBe(80);
    expect((await events('process.command_line:*')).total).toBe(1);
    expect((await events('NOT host.name:*')).total).toBe(0);
  });

  it('compares and ranges numbers and strings', async () => {
    expect((await events('event.severity>=5')).total).toBe(114);
    expect((await events('event.severity:[2 TO 3]')).total).toBe(114);
    expect((await events('event.severity:{2 TO 3]')).total).toBe(57);
    expect((await events('event.severity<1')).total).toBe(58);
    expect((await events('user.name:[a TO b]')).total).toBe(80);
    expect((await events('destination.port:[* TO 100]')).total).toBe(134);
  });

  it('matches IPv4 and IPv6 networks', async () => {
    expect((await events('source.ip:10.0.0.0/8')).total).toBe(134);
    expect((await events('source.ip:192.168.1.0/24')).total).toBe(133);
    expect((await events('source.ip:2001:db8::/32')).total).toBe(133);
    expect((await events('source.ip:10.0.0.0/8 OR source.ip:2001:db8::/32')).total).toBe(267);
    expect((await events('source.ip:0.0.0.0/0')).total).toBe(267);
  });

  it('combines with AND, OR, NOT, - and parentheses; free text and phrases', async () => {
    expect((await events('host.name:web-1 AND user.name:alice')).total).toBe(20);
    expect((await events('host.name:web-1 user.name:alice')).total).toBe(20);
    expect((await events('(host.name:web-1 OR host.name:web-2) -user.name:alice')).total).toBe(160);
    // Event 7 says mimikatz instead.
    expect((await events('failed')).total).toBe(199);
    expect((await events('mimikatz "sekurlsa::logonpasswords"')).total).toBe(1);
    expect((await events('"\\"quoted\\" C:\\\\Temp"')).total).toBe(1);
    expect((await events('MIMI*')).total).toBe(1);
  });

  it('applies the time range and the limit, newest first', async () => {
    const r = await run('host.name:web-1', ['a'], {
      from: new Date(T0),
      to: new Date(T0 + 600_000),
      limit: 3,
    });
    expect(r.kind === 'events' && r.total).toBe(5);
    expect(r.kind === 'events' && ids(r)).toEqual(['a-16', 'a-12', 'a-8']);
    expect(r.took_ms).toBeGreaterThanOrEqual(0);
  });

  it('keeps tenants apart, also in aggregations', async () => {
    expect((await events('"tenant b secret"')).total).toBe(0);
    expect((await events('"tenant b secret"', ['b'])).total).toBe(50);
    expect((await events('event.severity>=9')).total).toBe(0);
    expect((await table('| stats count()', ['b'])).rows).toEqual([[50]]);
    expect((await run('*', [])).total).toBe(0);
  });

  it('stats count, dc, sum, avg, min, max by fields', async () => {
    const t = await table(
      'host.name:web* | stats count() as n, dc(user.name), sum(destination.bytes), min(event.severity), max(event.severity) by host.name',
    );
    expect(t.columns).toEqual([
      'host.name',
      'n',
      'dc(user.name)',
      'sum(destination.bytes)',
      'min(event.severity)',
      'max(event.severity)',
    ]);
    expect(t.rows).toEqual([
      ['web-1', 100, 5, 198000, 0, 6],
      ['web-2', 100, 5, 199000, 0, 6],
    ]);
    const avg = await table('| stats avg(event.severity) as a by event.outcome | sort -a');
    expect(avg.rows.map((r) => r[0])).toEqual(['success', 'failure']);
    const failures = Array.from({ length: 80 }, (_, k) => (k * 5) % 7);
    expect(avg.rows[1]![1]).toBeCloseTo(failures.reduce((a, b) => a + b, 0) / 80, 9);
    const two = await table('| stats count() by host.name, event.outcome | sort -count | head 2');
    expect(two.rows).toHaveLength(2);
    expect(two.rows[0]![2]).toBe(80);
  });

  it('timechart buckets by span', async () => {
    const t = await table('| timechart span=1h count() by host.name');
    expect(t.columns).toEqual(['_time', 'host.name', 'count']);
    expect(t.rows[0]).toEqual(['2026-01-01T00:00:00.000Z', 'DC-01', 30]);
    const all = await table('| timechart span=30m count()');
    expect(all.rows.map((r) => r[1])).toEqual([61, 60, 60, 60, 60, 60, 40]);
  });

  it('top and rare with percent', async () => {
    const t = await table('| top host.name 2');
    expect(t.columns).toEqual(['host.name', 'count', 'percent']);
    expect(t.rows.map((r) => r.slice(0, 2))).toEqual([
      ['DC-01', 100],
      ['db-1', 100],
    ]);
    expect(t.rows[0]![2]).toBeCloseTo((100 / 401) * 100, 9);
    const rare = await table('| rare host.name 1');
    expect(rare.rows[0]!.slice(0, 2)).toEqual(['flat-host', 1]);
    expect(rare.rows[0]![2]).toBeCloseTo((1 / 401) * 100, 9);
  });

  it('sort, head, fields and dedup on events', async () => {
    const r = await events(
      'user.name:* | sort +user.name, -event.severity | head 3 | fields user.name, event.severity',
    );
    expect(r.total).toBe(3);
    expect(r.events).toEqual([
      { user: { name: 'alice' }, event: { severity: 6 } },
      { user: { name: 'alice' }, event: { severity: 6 } },
      { user: { name: 'alice' }, event: { severity: 6 } },
    ]);
    const d = await events('| dedup host.name | fields host.name');
    expect(d.total).toBe(5);
    expect(d.events).toContainEqual({ host: { name: 'flat-host' } });
    expect((await table('| dedup user.name | stats count()')).rows).toEqual([[5]]);
  });

  it('refuses a bad query with its column', async () => {
    await expect(run('host.name:(')).rejects.toBeInstanceOf(QueryError);
    await expect(run('a | stats')).rejects.toMatchObject({ column: 10 });
  });

  it('treats injection attempts as plain values', async () => {
    const before = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    for (const q of [
      `host.name:"x' OR 1=1 --"`,
      `"'); DROP TABLE events; --"`,
      `user.name:"o'brien"`,
      `host.name:x\\'\\)\\ OR\\ 1=1`,
      `message:"%" OR message:"_"`,
    ]) {
      const r = await events(q);
      expect(r.events.every((e) => (e as VigilEvent).organization.id === 'a')).toBe(true);
    }
    expect((await events(`host.name:"x' OR 1=1 --"`)).total).toBe(0);
    expect((await events(`user.name:"o'brien"`)).total).toBe(80);
    expect((await events('message:"%"')).total).toBe(0);
    expect((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(before);
  });

  it('lists fields seen in recent events', async () => {
    const f = await search.fields(['a']);
    expect(f).toEqual(
      expect.arrayContaining(['host.name', 'source.ip', 'event.category', 'process.command_line']),
    );
    expect(await search.fields(['nobody'])).toEqual([]);
  });

  it('aborts a search past its time budget', async () => {
    const slow = new SqliteEventSearch(db, { timeoutMs: 0 });
    // A cross join of the corpus with itself scans long enough to cross a 0 ms deadline.
    await expect(
      slow.search(['a'], 'failed OR ok OR web* OR x* OR y* OR z* | stats dc(message) by user.name', {
        limit: 10,
      }),
    ).rejects.toBeInstanceOf(QueryTimeout);
  });
});
