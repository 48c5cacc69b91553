/**
 * HTTP NDJSON ingest into SQLite, end to end: the built server as a child process, several
 * concurrent clients; an event counts only once its request was acknowledged (= durable).
 */
import { rmSync } from 'node:fs';
import { runCli, startServer, tempDataDir } from '../test/support/server-process.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 1000;
const CONCURRENCY = 4;

function makeBody(seq: number): string {
  const lines: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    lines.push(
      JSON.stringify({
        '@timestamp': new Date(Date.UTC(2026, 10, 1, 0, 0, 0, seq * BATCH + i)).toISOString(),
        message: `Failed password for invalid user u${i % 97} from 10.0.${i % 250}.${i % 200} port ${1024 + i} ssh2`,
        host: { name: `host-${i % 50}` },
        source: { ip: `10.0.${i % 250}.${i % 200}`, port: 1024 + i },
        user: { name: `u${i % 97}` },
        event: { category: ['authentication'], outcome: 'failure', action: 'ssh_login' },
      }),
    );
  }
  return lines.join('\n');
}

const dataDir = tempDataDir();
const srv = await startServer(dataDir);
const token = runCli(['token', 'create', '--role', 'ingest'], { VIGIL_DATA_DIR: dataDir }).stdout.trim();
const bodies = Array.from({ length: 8 }, (_, i) => makeBody(i));
let sent = 0;
let acked = 0;
const start = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (sent < TOTAL) {
      const seq = sent / BATCH;
      sent += BATCH;
      const r = await fetch(`${srv.base}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: bodies[seq % bodies.length] });
      const body = (await r.json()) as { accepted: number };
      acked += body.accepted;
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
await srv.stop();
rmSync(dataDir, { recursive: true, force: true });
console.log(JSON.stringify({ name: 'http-ndjson-ingest-sqlite', events: acked, seconds: +seconds.toFixed(3), eventsPerSecond: Math.round(acked / seconds), batch: BATCH, concurrency: CONCURRENCY }));
