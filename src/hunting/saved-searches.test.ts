import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../store/postgres/db.js';
import { openDatabase } from '../store/sqlite/db.js';
import { PG_URL, serviceAvailable } from '../test-support/services.js';
import { PostgresSavedSearchStore } from './postgres-saved-searches.js';
import { savedSearchInput, type SavedSearchStore } from './saved-searches.js';
import { SqliteSavedSearchStore } from './sqlite-saved-searches.js';

const input = (v: unknown) => savedSearchInput.parse(v);

/** The same behaviour on every storage: a port, two real adapters. */
function describeSavedSearchStore(
  name: string,
  open: () => Promise<{ store: SavedSearchStore; close: () => Promise<void> }>,
) {
  describe(`saved searches on ${name}`, () => {
    let store: SavedSearchStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => close?.());

    it('shows a user their own searches plus shared ones of the same tenant only', async () => {
      const mine = await store.create('a', 'alice', input({ name: 'fails', query: 'event.outcome:failure' }));
      await store.create('a', 'bob', input({ name: 'bob private', query: 'x' }));
      await store.create('a', 'bob', input({ name: 'bob shared', query: 'y', shared: true }));
      await store.create('b', 'carol', input({ name: 'other tenant', query: 'z', shared: true }));
      expect((await store.listVisible('a', 'alice')).map((s) => s.name)).toEqual(['bob shared', 'fails']);
      expect(await store.get('b', mine.id)).toBeUndefined();
      expect(await store.get('a', mine.id)).toMatchObject({ owner: 'alice', shared: false });
    });

    it('updates and deletes within the tenant only', async () => {
      const s = await store.create('a', 'alice', input({ name: 'n', query: 'q' }));
      expect(await store.update('b', s.id, input({ name: 'hijack', query: 'q' }))).toBeUndefined();
      const u = await store.update('a', s.id, input({ name: 'n2', query: 'q | head 5', shared: true }));
      expect(u).toMatchObject({ name: 'n2', query: 'q | head 5', shared: true });
      expect(await store.delete('b', s.id)).toBe(false);
      expect(await store.delete('a', s.id)).toBe(true);
      expect(await store.get('a', s.id)).toBeUndefined();
    });
  });
}

describeSavedSearchStore('SQLite', async () => {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-saved-')), 'vigil.db'));
  return {
    store: new SqliteSavedSearchStore(db),
    close: async () => {
      db.close();
    },
  };
});

const target = new URL(PG_URL);
const pgUp = await serviceAvailable('PostgreSQL', target.hostname, Number(target.port || 5432));
describe.runIf(pgUp)('PostgreSQL', () => {
  describeSavedSearchStore('PostgreSQL', async () => {
    const name = `vigil_saved_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: u.toString(), max: 2 });
    await migrate(pool);
    return {
      store: new PostgresSavedSearchStore(pool),
      close: async () => {
        await pool.end();
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  });
});

describe('saved search input', () => {
  it('refuses a query that does not parse, naming the column', () => {
    const r = savedSearchInput.safeParse({ name: 'bad', query: 'a:[1 TO' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/^column 8: /);
  });
});
