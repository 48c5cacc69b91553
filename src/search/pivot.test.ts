import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../schema/ecs.js';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqliteEventSearch } from '../store/sqlite/event-search.js';
import { SqliteEventStore } from '../store/sqlite/events.js';
import { eventsAround, pivotQuery } from './pivot.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function ev(id: string, offsetS: number, host: string, user: string, tenant = 'a'): VigilEvent {
  return {
    '@timestamp': new Date(T0 + offsetS * 1000).toISOString(),
    event: { id, ingested: new Date(T0).toISOString() },
    organization: { id: tenant },
    host: { name: host },
    user: { name: user },
  } as VigilEvent;
}

describe('eventsAround (real SQLite)', () => {
  let db: Db;
  let search: SqliteEventSearch;
  beforeAll(async () => {
    db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-pivot-')), 'vigil.db'));
    await new SqliteEventStore(db).append([
      ev('anchor', 0, 'ws-1', 'alice'),
      ev('same-host-before', -200, 'ws-1', 'bob'),
      ev('same-host-edge', 300, 'ws-1', 'carol'),
      ev('same-host-late', 301, 'ws-1', 'alice'),
      ev('other-host', 10, 'ws-2', 'alice'),
      ev('other-tenant', 5, 'ws-1', 'alice', 'b'),
    ]);
    search = new SqliteEventSearch(db);
  });
  afterAll(() => db?.close());

  const ids = (r: Awaited<ReturnType<typeof eventsAround>>) =>
    r.found && 'events' in r ? r.events.map((e) => (e as VigilEvent).event?.id).sort() : [];

  it('returns same-host events within ± the window, inclusive of its edges, in the caller tenant only', async () => {
    const r = await eventsAround(search, ['a'], {
      eventId: 'anchor',
      by: 'host',
      windowMs: 300_000,
      limit: 100,
    });
    expect(ids(r)).toEqual(['anchor', 'same-host-before', 'same-host-edge']);
    expect(r).toMatchObject({ query: 'host.name:"ws-1"' });
  });

  it('pivots on the user instead', async () => {
    const r = await eventsAround(search, ['a'], {
      eventId: 'anchor',
      by: 'user',
      windowMs: 60_000,
      limit: 100,
    });
    expect(ids(r)).toEqual(['anchor', 'other-host']);
  });

  it('does not find an event of another tenant', async () => {
    expect(
      await eventsAround(search, ['b'], { eventId: 'anchor', by: 'host', windowMs: 1000, limit: 10 }),
    ).toEqual({
      found: false,
    });
  });

  it('quotes pivot values so query syntax in a value stays literal', () => {
    expect(pivotQuery('user.name', 'a" OR *')).toBe('user.name:"a\\" OR *"');
    expect(pivotQuery('destination.port', 443)).toBe('destination.port:443');
  });
});
