/**
 * Memory under volume: streams BENCH_EVENTS syslog lines (default 2,000,000; 10,000,000 works,
 * it just takes ~5x longer) over ONE TCP connection into the BUILT server (run `npx tsc -p
 * tsconfig.build.json` first) and samples the server's RSS (/proc/<pid>/status VmRSS) every
 * second until every line is a row. Bounded memory means RSS at 100% of the volume is not
 * materially above RSS at 25%. Prints one JSON line.
 */
import Database from 'better-sqlite3';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { tempDataDir } from '../test/support/server-process.js';
import { cpuSeconds, rssMb, startBenchServer } from './server.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** BENCH_RSS_LOG=file: also write every sample (t, sent, stored, rss) there, one JSON line each. */
const rssLog = process.env.BENCH_RSS_LOG;

const dataDir = tempDataDir();
const srv = await startBenchServer(dataDir, { VIGIL_LOG_LEVEL: 'warn' });
const pid = srv.child.pid!;
const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
// event_usage is kept exact by the day tables' triggers: a cheap count across every day.
const stored = () =>
  (db.prepare('SELECT coalesce(sum(events), 0) AS n FROM event_usage').get() as { n: number }).n;
try {
  const startRss = rssMb(pid);
  const samples: Array<{ t: number; sent: number; stored: number; rss: number }> = [];
  let sent = 0;
  const cpu0 = cpuSeconds(pid);
  const started = performance.now();
  const sampler = setInterval(
    () =>
      samples.push({
        t: Math.round((performance.now() - started) / 1000),
        sent,
        stored: stored(),
        rss: rssMb(pid),
      }),
    1000,
  );

  const sock = net.connect(srv.ports.syslog!, '127.0.0.1');
  await new Promise<void>((r, j) => {
    sock.once('connect', r);
    sock.once('error', j);
  });
  for (let i = 0; i < TOTAL; i += 1000) {
    let chunk = '';
    for (let j = i; j < Math.min(TOTAL, i + 1000); j++) {
      chunk += `<38>Nov 28 04:00:00 web${j % 20} sshd[${1000 + (j % 9000)}]: Accepted password for user${j % 50} from 10.0.${(j >> 8) & 255}.${j & 255} port 22 ssh2 seq=${j}\n`;
    }
    if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
    sent = Math.min(TOTAL, i + 1000);
  }
  await new Promise<void>((r) => sock.end(r));
  // rowid grows by one per stored row in a fresh database: cheap to poll at millions of rows.
  while (stored() < TOTAL) await sleep(500);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const last = rssMb(pid);
  const cpu = cpuSeconds(pid) - cpu0;
  samples.push({ t: Math.round(seconds), sent, stored: TOTAL, rss: last });
  if (rssLog) writeFileSync(rssLog, samples.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const rss = samples.map((s) => s.rss);
  const at = (frac: number) => samples.find((s) => s.sent >= TOTAL * frac)?.rss ?? last;
  const rss25 = at(0.25);
  const rss100 = at(1);
  console.log(
    JSON.stringify({
      name: 'ingest-memory/syslog-tcp-1-connection',
      events: TOTAL,
      seconds: +seconds.toFixed(1),
      eventsPerSecond: Math.round(TOTAL / seconds),
      serverCpuUsPerEvent: +((cpu * 1e6) / TOTAL).toFixed(2),
      rssStartMb: startRss,
      rssMinMb: Math.min(...rss),
      rssMaxMb: Math.max(...rss),
      rssLastMb: last,
      rssAt25PctMb: rss25,
      rssAt100PctMb: rss100,
      // More than 20% (and 32 MB) above the 25% mark would mean memory follows volume.
      grewWithVolume: rss100 > rss25 * 1.2 && rss100 - rss25 > 32,
      load1: Number(loadavg()[0]!.toFixed(2)),
      cores: cpus().length,
    }),
  );
} finally {
  db.close();
  await srv.stop();
  // 10 million events are ~14 GB of SQLite: never leave them behind.
  rmSync(dataDir, { recursive: true, force: true });
}
