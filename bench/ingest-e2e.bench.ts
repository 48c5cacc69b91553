/**
 * End-to-end ingest through the BUILT server (`dist/cli.js start`, run `npx tsc -p
 * tsconfig.build.json` first) into its SQLite file: events acknowledged and stored per second.
 * Syslog has no acknowledgement, so it is timed until the last line is a row in the database;
 * the HTTP protocols are timed until the last request was answered with success (= durable).
 * One fresh server per protocol. Prints one JSON line per result.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { tempDataDir, type ServerProcess } from '../test/support/server-process.js';
import { benchCli, cpuSeconds, rssMb, startBenchServer } from './server.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 1000;
const CONCURRENCY = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const machine = () => ({ load1: Number(loadavg()[0]!.toFixed(2)), cores: cpus().length });
/** Only the protocols named in BENCH_ONLY (comma-separated parts of their names), else all. */
const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const selected = (name: string) => only.length === 0 || only.some((o) => name.includes(o));
/** The server's CPU cost: microseconds of user+system CPU per event over the timed interval. */
const cpuFigures = (pid: number, cpuAtStart: number, events: number) => {
  const cpu = cpuSeconds(pid) - cpuAtStart;
  return {
    serverCpuSeconds: +cpu.toFixed(2),
    serverCpuUsPerEvent: +((cpu * 1e6) / events).toFixed(2),
    serverRssMb: rssMb(pid),
  };
};

async function withServer<T>(
  fn: (srv: ServerProcess, token: string, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = tempDataDir();
  const srv = await startBenchServer(dataDir, { VIGIL_LOG_LEVEL: 'warn' });
  try {
    const token = benchCli(['token', 'create', '--role', 'ingest'], {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_ADMIN_PASSWORD: 'e2e-admin-password',
    }).trim();
    return await fn(srv, token, dataDir);
  } finally {
    await srv.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function rowCount(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
  try {
    // seq grows by one per stored row in a fresh database, and max(seq) costs nothing to poll.
    return (db.prepare('SELECT max(seq) AS n FROM events').get() as { n: number | null }).n ?? 0;
  } finally {
    db.close();
  }
}

const ts = (i: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, 0) + i).toISOString();
const doc = (i: number) => ({
  '@timestamp': ts(i),
  message: `Accepted password for user${i % 50} from 10.0.${(i >> 8) & 255}.${i & 255} port 22 ssh2`,
  host: { name: `web${i % 20}` },
  user: { name: `user${i % 50}` },
  event: { dataset: 'bench' },
});

/**
 * A server's auth and system log: 1 % password logins over SSH (a Sigma rule matches each, so
 * detection, alerting and their writes are part of the cost), the rest routine lines no rule
 * flags. Before this mix every line was a password login, which measured a SOC raising an alert
 * per event (19,200 events/s, 48.5 CPU-µs per event on this machine).
 */
function syslogLine(j: number): string {
  const host = `web${j % 20}`;
  if (j % 100 === 0)
    return `<38>Nov 28 04:00:00 ${host} sshd[${1000 + (j % 9000)}]: Accepted password for user${j % 50} from 10.0.${(j >> 8) & 255}.${j & 255} port 22 ssh2\n`;
  return j % 2 === 0
    ? `<30>Nov 28 04:00:00 ${host} systemd[1]: Started Session ${j} of User user${j % 50}.\n`
    : `<86>Nov 28 04:00:00 ${host} CRON[${2000 + (j % 9000)}]: pam_unix(cron:session): session closed for user user${j % 50}\n`;
}

async function syslogOneConnection(): Promise<void> {
  if (!selected('syslog-tcp-1-connection')) return;
  await withServer(async (srv, _token, dataDir) => {
    const cpu0 = cpuSeconds(srv.child.pid!);
    const started = performance.now();
    const sock = net.connect(srv.ports.syslog!, '127.0.0.1');
    await new Promise<void>((r, j) => {
      sock.once('connect', r);
      sock.once('error', j);
    });
    for (let i = 0; i < TOTAL; i += 500) {
      let chunk = '';
      for (let j = i; j < Math.min(TOTAL, i + 500); j++)
        chunk += syslogLine(j);
      if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
    }
    await new Promise<void>((r) => sock.end(r));
    const sentAt = performance.now();
    let n = 0;
    while ((n = rowCount(dataDir)) < TOTAL) await sleep(50);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify({
        name: 'ingest-e2e/syslog-tcp-1-connection',
        events: n,
        seconds: +seconds.toFixed(3),
        eventsPerSecond: Math.round(n / seconds),
        sendSeconds: +((sentAt - started) / 1000).toFixed(3),
        ...cpuFigures(srv.child.pid!, cpu0, n),
        ...machine(),
      }),
    );
  });
}

async function httpProtocol(
  name: string,
  url: string,
  auth: (t: string) => string,
  body: (seq: number) => string,
  ok: (status: number, text: string) => boolean,
): Promise<void> {
  if (!selected(name)) return;
  await withServer(async (srv, token) => {
    const requests = Math.ceil(TOTAL / BATCH);
    // Bodies are built before the clock starts: the figure is the server's, not the client's.
    const bodies = Array.from({ length: requests }, (_, i) => body(i));
    let next = 0;
    let acked = 0;
    let retries = 0;
    const cpu0 = cpuSeconds(srv.child.pid!);
    const started = performance.now();
    const worker = async () => {
      for (let i = next++; i < requests; i = next++) {
        for (;;) {
          const r = await fetch(`${srv.base}${url}`, {
            method: 'POST',
            headers: { authorization: auth(token), 'content-type': 'application/x-ndjson' },
            body: bodies[i],
          });
          const text = await r.text();
          if (r.status === 429 || r.status === 503) {
            retries++;
            await sleep(100);
            continue;
          }
          if (!ok(r.status, text)) throw new Error(`${name}: ${r.status} ${text.slice(0, 200)}`);
          acked += BATCH;
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify({
        name: `ingest-e2e/${name}`,
        events: acked,
        seconds: +seconds.toFixed(3),
        eventsPerSecond: Math.round(acked / seconds),
        batch: BATCH,
        concurrency: CONCURRENCY,
        retries,
        ...cpuFigures(srv.child.pid!, cpu0, acked),
        ...machine(),
      }),
    );
  });
}

const docs = (seq: number) => Array.from({ length: BATCH }, (_, i) => doc(seq * BATCH + i));

await syslogOneConnection();
await httpProtocol(
  'elasticsearch-bulk',
  '/_bulk',
  (t) => `ApiKey ${t}`,
  (seq) =>
    docs(seq)
      .map((d, i) => `{"create":{"_index":"logs-bench","_id":"b-${seq}-${i}"}}\n${JSON.stringify(d)}\n`)
      .join(''),
  (s, text) => s === 200 && text.includes('"errors":false'),
);
await httpProtocol(
  'splunk-hec',
  '/services/collector/event',
  (t) => `Splunk ${t}`,
  (seq) =>
    docs(seq)
      .map((d) => JSON.stringify({ event: d, sourcetype: 'bench' }))
      .join(''),
  (s, text) => s === 200 && text.includes('"code":0'),
);
await httpProtocol(
  'api-events-ndjson',
  '/api/v1/events',
  (t) => `Bearer ${t}`,
  (seq) =>
    docs(seq)
      .map((d) => JSON.stringify(d))
      .join('\n'),
  (s) => s === 200,
);
