import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { describeStorageContract } from '../contract/storage.contract.js';
import { PG_URL, serviceAvailable } from '../../test-support/services.js';
import { openPostgresStorage } from './index.js';

const target = new URL(PG_URL);
const available = await serviceAvailable('PostgreSQL', target.hostname, Number(target.port || 5432));

/** Each run gets its own database, so contract tests start empty and runs never meet. */
const dbName = `vigil_test_${process.pid}_${Date.now().toString(36)}`;
const adminUrl = PG_URL;
const testUrl = (() => {
  const u = new URL(PG_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

let counter = 0;
async function freshDatabase(): Promise<string> {
  const name = `${dbName}_${counter++}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(testUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

describe.runIf(available)('PostgreSQL storage', () => {
  const made: string[] = [];
  afterAll(async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    for (let i = 0; i < counter; i++) await c.query(`DROP DATABASE IF EXISTS ${dbName}_${i} WITH (FORCE)`);
    await c.end();
    void made;
  });

  let lastUrl = '';
  describeStorageContract(
    'postgres',
    async () => {
      lastUrl = await freshDatabase();
      return openPostgresStorage(lastUrl);
    },
    async (s) => {
      await s.close();
      return openPostgresStorage(lastUrl);
    },
  );
});
