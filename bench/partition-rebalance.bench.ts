/**
 * Scale-out simulation for correlation partitions (cluster mode), against the real PostgreSQL:
 * K detect "nodes" (each its own database session, as separate machines would have) join one by
 * one, then one leaves gracefully and one crashes (its session just goes, as when a machine
 * dies). Measured: time until the assignment is balanced after each join, partitions moved per
 * join against the ideal, time until every partition has an owner again after a leave and a crash.
 * Prints one JSON line. BENCH_PARTITIONS (default 64), BENCH_NODES (default 8).
 */
import pg from 'pg';
import { pino } from 'pino';
import { partitionHolders, PgPartitionOwnership } from '../src/detections/partition-ownership.js';
import { PG_URL } from '../src/test-support/services.js';

const P = Number(process.env.BENCH_PARTITIONS ?? 64);
const K = Number(process.env.BENCH_NODES ?? 8);
const INTERVAL_MS = 1000; // the product's rebalance period
const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dbName = `vigil_bench_parts_${process.pid}`;
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = (() => {
  const u = new URL(PG_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const watch = new pg.Client({ connectionString: url });
await watch.connect();

interface Node {
  name: string;
  own: PgPartitionOwnership;
}
const nodes: Node[] = [];
let ops = 0;
const hooks = {
  acquire: async () => {
    ops++;
  },
  release: async () => {
    ops++;
  },
};

/** partition → session name of its holder. */
async function holders(): Promise<Map<number, string>> {
  const byPid = await partitionHolders(watch);
  const names = await watch.query<{ pid: number; app: string }>(
    `SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const app = new Map(names.rows.map((r) => [Number(r.pid), r.app]));
  return new Map([...byPid].map(([p, pid]) => [p, app.get(pid) ?? '?']));
}

/** Waits until every partition is held and no live node holds more than its share. */
async function settle(live: number): Promise<{ ms: number; held: Map<number, string> }> {
  const t0 = performance.now();
  const target = Math.ceil(P / live);
  for (;;) {
    const h = await holders();
    const per = new Map<string, number>();
    for (const n of h.values()) per.set(n, (per.get(n) ?? 0) + 1);
    if (h.size === P && per.size === live && [...per.values()].every((c) => c <= target))
      return { ms: Math.round(performance.now() - t0), held: h };
    if (performance.now() - t0 > 60_000) throw new Error(`did not settle: ${JSON.stringify([...per])}`);
    await sleep(20);
  }
}

const joins: Array<{ nodes: number; msToBalanced: number; moved: number; idealMoved: number }> = [];
let before = new Map<number, string>();
for (let k = 1; k <= K; k++) {
  const n: Node = {
    name: `bench-node-${k}`,
    own: new PgPartitionOwnership(url, P, log, INTERVAL_MS, `bench-node-${k}`),
  };
  nodes.push(n);
  await n.own.start(hooks);
  const { ms, held } = await settle(k);
  const moved = [...held].filter(([p, name]) => before.has(p) && before.get(p) !== name).length;
  // A join must move at least the newcomer's share away from the others.
  joins.push({ nodes: k, msToBalanced: ms, moved, idealMoved: k === 1 ? 0 : Math.floor(P / k) });
  before = held;
}

// A graceful leave: the node saves and unlocks, the others take its share.
const leaving = nodes.pop()!;
const tLeave = performance.now();
await leaving.own.stop();
const leave = await settle(nodes.length);
const leaveMs = Math.round(performance.now() - tLeave);

// A crash: the node's session just goes (as when its machine dies); PostgreSQL drops its locks.
const crashing = nodes.pop()!;
const tCrash = performance.now();
await crashing.own.abandon();
const crash = await settle(nodes.length);
const crashMs = Math.round(performance.now() - tCrash);

const opsTotal = ops;
for (const n of nodes) await n.own.stop();
await watch.end();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.end();

process.stdout.write(
  JSON.stringify({
    name: 'correlation-partitions-rebalance',
    partitions: P,
    nodes: K,
    rebalanceIntervalMs: INTERVAL_MS,
    joins,
    leave: { msToCovered: leaveMs, settledAfterMs: leave.ms },
    crash: { msToCovered: crashMs, settledAfterMs: crash.ms },
    handovers: opsTotal,
  }) + '\n',
);
