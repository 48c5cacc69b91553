import pg from 'pg';
import { openPostgresStorage } from '../store/postgres/index.js';
import type { Storage } from '../store/ports.js';
import { PG_URL } from './services.js';

let counter = 0;

/** A new empty database on the test server; `drop` removes it (connections and all). */
export async function freshDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `vigil_${label}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** PostgreSQL storage on a database of its own (fresh, migrated); `close` drops the database. */
export async function freshPostgresStorage(label: string): Promise<Storage> {
  const db = await freshDatabase(label);
  const storage = await openPostgresStorage(db.url);
  return {
    ...storage,
    close: async () => {
      await storage.close();
      await db.drop();
    },
  };
}
