import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../test-support/postgres.js';
import { PG_URL, serviceAvailable } from '../test-support/services.js';
import { until } from '../test-support/until.js';
import { partitionHolders, PgPartitionOwnership, type PartitionHooks } from './partition-ownership.js';

const target = new URL(PG_URL);
const pgUp = await serviceAvailable('PostgreSQL', target.hostname, Number(target.port || 5432));
const P = 12;

describe.runIf(pgUp)('correlation partition ownership over PostgreSQL advisory locks', () => {
  let url = '';
  let drop: () => Promise<void>;
  let watch: pg.Client;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    ({ url, drop } = await freshDatabase('parts'));
    watch = new pg.Client({ connectionString: url });
    await watch.connect();
  });
  afterAll(async () => {
    await watch?.end();
    await drop?.();
  });

  /** Records each node's acquire/release calls, and checks no partition is ever acquired twice at once. */
  function recorder() {
    const owner = new Map<number, string>();
    const errors: string[] = [];
    const hooksFor = (node: string): PartitionHooks => ({
      acquire: async (p) => {
        if (owner.has(p)) errors.push(`${node} acquired ${p} while ${owner.get(p)} held it`);
        owner.set(p, node);
      },
      release: async (p) => {
        if (owner.get(p) === node) owner.delete(p);
      },
    });
    return { owner, errors, hooksFor };
  }

  it('shares partitions between members, hands a leaver’s and a dead member’s over, never two owners at once', async () => {
    const rec = recorder();
    const a = new PgPartitionOwnership(url, P, log, 100, 'node-a');
    const b = new PgPartitionOwnership(url, P, log, 100, 'node-b');
    const c = new PgPartitionOwnership(url, P, log, 100, 'node-c');
    await a.start(rec.hooksFor('a'));
    expect(a.owned().size).toBe(P);
    await b.start(rec.hooksFor('b'));
    await c.start(rec.hooksFor('c'));
    await until(
      async () => ([a, b, c].every((x) => x.owned().size === 4) ? true : undefined),
      10_000,
      'a balanced share',
    );
    const held = await partitionHolders(watch);
    expect(held.size).toBe(P);
    expect(new Set(held.values()).size).toBe(3);

    await b.stop(); // graceful: b releases (saves) and unlocks
    await until(
      async () => (a.owned().size + c.owned().size === P ? true : undefined),
      10_000,
      'b’s share taken',
    );
    // c dies: it works on nothing from now on; its session goes and PostgreSQL drops the locks.
    for (const [p, n] of rec.owner) if (n === 'c') rec.owner.delete(p);
    await c.abandon();
    await until(async () => (a.owned().size === P ? true : undefined), 10_000, 'everything back on a');
    expect((await partitionHolders(watch)).size).toBe(P);
    expect(rec.errors).toEqual([]);
    await a.stop();
    expect((await partitionHolders(watch)).size).toBe(0);
  }, 60_000);
});
