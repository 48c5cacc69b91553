/**
 * Scale-out simulation for partition leases in NATS JetStream KV (src/cluster/partitions.ts),
 * against the real NATS: K members, each with its own connection as separate machines would have,
 * join one by one (1 → K), then one leaves gracefully and one crashes (abandoned: its leases just
 * run out on the server). Measured: time to a balanced assignment after each join and partitions
 * moved against the minimum, time to full coverage after a leave and after a crash (where the
 * lease time dominates: both are reported), and KV operations per second, in total and while idle.
 * Prints one JSON line. BENCH_PARTITIONS (default 64), BENCH_NODES (default 8), BENCH_LEASE_MS
 * (default 1500).
 */
import { connect } from '@nats-io/transport-node';
import { PartitionCoordinator, targetShare } from '../src/cluster/partitions.js';
import { NATS_URL } from '../src/test-support/services.js';

const P = Number(process.env.BENCH_PARTITIONS ?? 64);
const K = Number(process.env.BENCH_NODES ?? 8);
const LEASE_MS = Number(process.env.BENCH_LEASE_MS ?? 1500);
const bucket = `vigil_bench_parts_${process.pid}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const live: PartitionCoordinator[] = [];
const all: PartitionCoordinator[] = [];
let doubleOwned = 0;

/** partition → member, from every live member's own owned(); counts any partition claimed twice. */
function owners(): Map<number, string> {
  const m = new Map<number, string>();
  for (const c of live) {
    for (const p of c.owned()) {
      if (m.has(p)) doubleOwned++;
      m.set(p, c.memberId);
    }
  }
  return m;
}

function isBalanced(m: Map<number, string>): boolean {
  if (m.size !== P) return false;
  const lo = Math.floor(P / live.length);
  const hi = Math.ceil(P / live.length);
  return live.every((c) => c.owned().size >= lo && c.owned().size <= hi);
}

async function waitFor(f: (m: Map<number, string>) => boolean, what: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const m = owners();
    if (f(m)) return Math.round(performance.now() - t0);
    if (performance.now() - t0 > 60_000) throw new Error(`no ${what} after 60 s`);
    await sleep(5);
  }
}

function member(k: number): PartitionCoordinator {
  const c = new PartitionCoordinator({
    servers: NATS_URL,
    bucket,
    memberId: `bench-${k}`,
    partitions: P,
    leaseMs: LEASE_MS,
    onError: (e) => process.stderr.write(`partition bench: ${String(e)}\n`),
  });
  all.push(c);
  return c;
}

const kvOps = () => all.reduce((n, c) => n + c.kvOps, 0);
const tStart = performance.now();

const joins: Array<{ members: number; msToBalanced: number; moved: number; minimumMoved: number }> = [];
for (let k = 1; k <= K; k++) {
  const before = owners();
  const held = new Map<string, number>();
  for (const m of before.values()) held.set(m, (held.get(m) ?? 0) + 1);
  const c = member(k);
  const t0 = performance.now();
  await c.start();
  live.push(c);
  await waitFor(isBalanced, `balance with ${k} members`);
  const ms = Math.round(performance.now() - t0);
  const after = owners();
  const moved = [...before].filter(([p, m]) => after.get(p) !== m).length;
  // The fewest moves any balanced plan needs: what old members hold above their new share.
  const plan = targetShare([...held.keys(), c.memberId], P, held);
  const minimumMoved = [...held].reduce((n, [m, h]) => n + Math.max(0, h - (plan.get(m) ?? 0)), 0);
  if (k > 1) joins.push({ members: k, msToBalanced: ms, moved, minimumMoved });
}

// Idle: K members only renewing and checking, nothing to move.
const idleOps0 = kvOps();
const idleT0 = performance.now();
await sleep(3 * LEASE_MS);
const idleOpsPerSecond = Math.round(((kvOps() - idleOps0) * 1000) / (performance.now() - idleT0));

// A graceful leave: the leaver hands its partitions over and frees the keys at once.
const leaver = live.pop()!;
const tLeave = performance.now();
await leaver.stop();
const leaveStopMs = Math.round(performance.now() - tLeave);
await waitFor((m) => m.size === P, 'coverage after a leave');
const leaveCoveredMs = Math.round(performance.now() - tLeave);
await waitFor(isBalanced, 'balance after a leave');
const leave = {
  msToStop: leaveStopMs,
  msToCovered: leaveCoveredMs,
  msToBalanced: Math.round(performance.now() - tLeave),
};

// A crash: nothing released; the others wait for the server to expire the leases.
const crashed = live.pop()!;
const lost = crashed.owned().size;
const tCrash = performance.now();
await crashed.abandon();
await waitFor((m) => m.size === P, 'coverage after a crash');
const crashCoveredMs = Math.round(performance.now() - tCrash);
await waitFor(isBalanced, 'balance after a crash');
const crash = {
  partitionsLost: lost,
  leaseMs: LEASE_MS,
  msToCovered: crashCoveredMs,
  msToBalanced: Math.round(performance.now() - tCrash),
};

const seconds = (performance.now() - tStart) / 1000;
const totalOps = kvOps();
for (const c of live) await c.stop();
const admin = await connect({ servers: NATS_URL });
await PartitionCoordinator.deleteBucket(admin, bucket);
await admin.close();

process.stdout.write(
  JSON.stringify({
    name: 'partition-leases-nats-kv',
    partitions: P,
    members: K,
    leaseMs: LEASE_MS,
    renewEveryMs: Math.floor(LEASE_MS / 3),
    joins,
    leave,
    crash,
    kvOps: totalOps,
    seconds: Math.round(seconds * 100) / 100,
    kvOpsPerSecond: Math.round(totalOps / seconds),
    idleKvOpsPerSecond: idleOpsPerSecond,
    doubleOwnedSamples: doubleOwned,
  }) + '\n',
);
