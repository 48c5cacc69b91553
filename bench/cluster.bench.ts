/**
 * Cluster mode throughput on this machine, through the BUILT server (`dist/cli.js`): real
 * `vigil start --role ...` processes over the local PostgreSQL and NATS JetStream.
 *
 * 1. Ingest into PostgreSQL vs SQLite: one `all` process each, the same events posted over HTTP
 *    (batches of 1,000, 4 in flight); acknowledged events/s and server CPU per event.
 * 2. End to end with 1 and with 2 detect nodes (plus one api, ingest and worker node): events
 *    posted to the ingest node until every expected detection is recorded; events/s acknowledged
 *    and detected, and the detect consumer's lag (messages pending + unacknowledged) sampled
 *    every 250 ms. 1 % of the events are failed SSH logins (a Sigma detection each, and brute-force
 *    correlations over 50 addresses, partitioned across the detect nodes).
 * Prints one JSON line per result. BENCH_EVENTS (default 100,000).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { NatsBus } from '../src/bus/nats/nats-bus.js';
import { freshDatabase } from '../src/test-support/postgres.js';
import { NATS_URL } from '../src/test-support/services.js';
import { loginCookie, tempDataDir, type ServerProcess } from '../test/support/server-process.js';
import { benchCli, cpuSeconds, startBenchServer } from './server.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH = 1000;
const CONCURRENCY = 4;
const SSH_FAILED = '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const machine = () => ({ load1: Number(loadavg()[0]!.toFixed(2)), cores: cpus().length });

const doc = (i: number, run: string) =>
  i % 100 === 0
    ? {
        '@timestamp': new Date(Date.now() - 1000).toISOString(),
        message: `Failed password for root from 198.18.0.${i % 50} port ${1024 + (i % 60000)} ssh2 ${run}`,
        event: { module: 'system', dataset: 'system.auth' },
        host: { name: `bastion${i % 4}` },
        source: { ip: `198.18.0.${i % 50}` },
        user: { name: 'root' },
        process: { name: 'sshd' },
      }
    : {
        '@timestamp': new Date(Date.now() - 1000).toISOString(),
        message: `GET /api/items/${i} 200 ${run}`,
        host: { name: `web${i % 20}` },
        user: { name: `user${i % 50}` },
        event: { dataset: 'bench' },
      };

async function post(base: string, token: string, run: string): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += BATCH;
      if (start >= TOTAL) return;
      const body = Array.from({ length: Math.min(BATCH, TOTAL - start) }, (_, k) => doc(start + k, run));
      for (;;) {
        const r = await fetch(`${base}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        await r.arrayBuffer();
        if (r.status === 200) break;
        if (r.status !== 429 && r.status !== 503) throw new Error(`ingest answered ${r.status}`);
        await sleep(Number(r.headers.get('retry-after') ?? 1) * 1000);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (performance.now() - t0) / 1000;
}

/** One `all` process on SQLite, then one on PostgreSQL: the same events, acknowledged per second. */
async function ingestStores(): Promise<void> {
  for (const store of ['sqlite', 'postgres'] as const) {
    const dataDir = tempDataDir();
    const env: Record<string, string> = { VIGIL_LOG_LEVEL: 'warn' };
    const db = store === 'postgres' ? await freshDatabase('bench_ingest') : undefined;
    if (db) env.VIGIL_DATABASE_URL = db.url;
    const srv = await startBenchServer(dataDir, env);
    try {
      const token = benchCli(['token', 'create', '--role', 'ingest'], {
        ...env,
        VIGIL_DATA_DIR: dataDir,
        VIGIL_ADMIN_PASSWORD: 'e2e-admin-password',
      }).trim();
      const cpu0 = cpuSeconds(srv.child.pid!);
      const seconds = await post(srv.base, token, `ingest-${store}`);
      const cpu = cpuSeconds(srv.child.pid!) - cpu0;
      process.stdout.write(
        JSON.stringify({
          name: `cluster-ingest-${store}`,
          events: TOTAL,
          seconds: +seconds.toFixed(2),
          eventsPerSecond: Math.round(TOTAL / seconds),
          serverCpuUsPerEvent: +((cpu * 1e6) / TOTAL).toFixed(1),
          ...machine(),
        }) + '\n',
      );
    } finally {
      await srv.stop();
      await db?.drop();
    }
  }
}

/** api + ingest + worker + `detectNodes` detect processes; events in, detections out. */
async function endToEnd(detectNodes: number): Promise<void> {
  const run = `b${process.pid}_${detectNodes}_${Date.now().toString(36)}`;
  const db = await freshDatabase('bench_cluster');
  const prefix = `VIGILBENCH_${run}`;
  const dataDir = tempDataDir();
  const configFile = path.join(dataDir, 'cluster.yaml');
  writeFileSync(
    configFile,
    `database:\n  url: ${db.url}\nnats:\n  url: ${NATS_URL}\n  streamPrefix: ${prefix}\nsyslog:\n  port: 0\n`,
  );
  const nodes: ServerProcess[] = [];
  const start = async (role: string, i = 0) => {
    const n = await startBenchServer(path.join(dataDir, `${role}${i}`), {
      VIGIL_CONFIG: configFile,
      VIGIL_ROLE: role,
      VIGIL_LOG_LEVEL: 'warn',
    });
    nodes.push(n);
    return n;
  };
  const nc = await connect({ servers: NATS_URL });
  try {
    const api = await start('api');
    const [ingest] = await Promise.all([
      start('ingest'),
      start('worker'),
      ...Array.from({ length: detectNodes }, (_, i) => start('detect', i)),
    ]);
    const { cookie } = await loginCookie(api.base, 'admin', 'e2e-admin-password');
    const token = benchCli(['token', 'create', '--role', 'ingest'], {
      VIGIL_CONFIG: configFile,
      VIGIL_DATA_DIR: dataDir,
    }).trim();
    const jsm = await jetstreamManager(nc);
    const stream = `${prefix}_events`;
    const lag: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          for await (const c of jsm.consumers.list(stream))
            if (c.name.startsWith('detect-')) lag.push(c.num_pending + c.num_ack_pending);
        } catch {
          // the stream appears with the first batch
        }
        await sleep(250);
      }
    })();
    const expected = TOTAL / 100;
    const t0 = performance.now();
    const ackSeconds = await post(ingest.base, token, run);
    for (;;) {
      const r = await fetch(`${api.base}/api/v1/detections?rule=${SSH_FAILED}&limit=1`, {
        headers: { cookie },
      });
      const { total } = (await r.json()) as { total: number };
      if (total >= expected) break;
      if (performance.now() - t0 > 600_000) throw new Error(`only ${total} of ${expected} detections`);
      await sleep(100);
    }
    const detectSeconds = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    const sorted = [...lag].sort((a, b) => a - b);
    process.stdout.write(
      JSON.stringify({
        name: `cluster-e2e-detect-nodes-${detectNodes}`,
        events: TOTAL,
        ackSeconds: +ackSeconds.toFixed(2),
        ackedEventsPerSecond: Math.round(TOTAL / ackSeconds),
        detectedSeconds: +detectSeconds.toFixed(2),
        detectedEventsPerSecond: Math.round(TOTAL / detectSeconds),
        consumerLagBatches: { max: sorted.at(-1) ?? 0, p50: sorted[Math.floor(sorted.length / 2)] ?? 0 },
        ...machine(),
      }) + '\n',
    );
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await nc.close();
    const bus = await NatsBus.open({ url: NATS_URL, streamPrefix: prefix });
    await bus.deleteStreamsWithPrefix();
    await bus.close();
    await db.drop();
  }
}

await ingestStores();
await endToEnd(1);
await endToEnd(2);
