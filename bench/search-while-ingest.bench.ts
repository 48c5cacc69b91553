/**
 * Ingest throughput while searches run: the "falls by no more than 20 %". A SQLite event
 * store is filled with BASE events (default 1,000,000, over 7 days), then NEW events (default
 * 200,000) are appended through the real SqliteEventStore twice: once alone, once while a worker
 * thread with its own connection runs a loop of searches (a filtered 24-hour count, a rare word,
 * a stats by host) through the real SqliteEventSearch. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { VigilEvent } from '../src/schema/ecs.js';
import { openDatabase } from '../src/store/sqlite/db.js';
import { SqliteEventStore } from '../src/store/sqlite/events.js';

const BASE = Number(process.env.BENCH_BASE_EVENTS ?? 1_000_000);
const NEW = Number(process.env.BENCH_NEW_EVENTS ?? 200_000);
const BATCH = 500;
const START = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

const event = (i: number, ts: number): VigilEvent => ({
  '@timestamp': new Date(ts).toISOString(),
  event: {
    id: `ev-${i}`,
    ingested: new Date(ts).toISOString(),
    outcome: i % 4 === 0 ? 'failure' : 'success',
  },
  organization: { id: 'acme' },
  host: { name: `host-${i % 50}` },
  user: { name: `user-${i % 40}` },
  source: { ip: `10.${i % 7}.${i % 250}.${(i * 7) % 250}` },
  message:
    i % 5000 === 1
      ? `mimikatz run ${i}`
      : `session opened for user-${i % 40} from port ${1024 + (i % 60000)}`,
});

async function append(
  store: SqliteEventStore,
  from: number,
  n: number,
  ts: (i: number) => number,
): Promise<number> {
  const t0 = performance.now();
  for (let at = from; at < from + n; at += BATCH) {
    const batch: VigilEvent[] = [];
    for (let i = at; i < Math.min(from + n, at + BATCH); i++) batch.push(event(i, ts(i)));
    await store.append(batch);
  }
  return n / ((performance.now() - t0) / 1000);
}

const SEARCHER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { openDatabase } = await import(workerData.db);
  const { SqliteEventSearch } = await import(workerData.search);
  const db = openDatabase(workerData.file);
  const s = new SqliteEventSearch(db, { timeoutMs: 60000 });
  const from = new Date(workerData.from), to = new Date(workerData.to);
  const queries = ['event.outcome:failure AND host.name:host-4 | stats count()', 'mimikatz', '| stats count() by host.name'];
  let n = 0, stop = false;
  parentPort.on('message', () => { stop = true; });
  while (!stop) {
    await s.search(['acme'], queries[n % queries.length], { from, to, limit: 100 });
    n++;
    await new Promise((r) => setImmediate(r));
  }
  db.close();
  parentPort.postMessage(n);
})();
`;

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-contention-'));
try {
  const file = path.join(dir, 'vigil.db');
  const db = openDatabase(file);
  const store = new SqliteEventStore(db);
  await append(store, 0, BASE, (i) => START + Math.floor((i * 7 * DAY) / BASE));
  // New events arrive "now": the last day of the range.
  const now = (i: number) => START + 7 * DAY + (i % 3_600_000);
  const alone = await append(store, BASE, NEW, now);
  const worker = new Worker(SEARCHER, {
    eval: true,
    workerData: {
      file,
      // The searcher runs the built code (npm run bench builds first): a worker has no TypeScript loader.
      db: new URL('../dist/store/sqlite/db.js', import.meta.url).href,
      search: new URL('../dist/store/sqlite/event-search.js', import.meta.url).href,
      from: START + 3 * DAY,
      to: START + 4 * DAY,
    },
  });
  await new Promise((r) => setTimeout(r, 500));
  const busy = await append(store, BASE + NEW, NEW, now);
  const searches = new Promise<number>((r) => worker.once('message', (n: number) => r(n)));
  worker.postMessage('stop');
  const ran = await searches;
  await worker.terminate();
  db.close();
  console.log(
    JSON.stringify({
      name: 'search-while-ingest',
      baseEvents: BASE,
      newEvents: NEW,
      ingestAloneEventsPerSecond: Math.round(alone),
      ingestWhileSearchingEventsPerSecond: Math.round(busy),
      ratio: +(busy / alone).toFixed(3),
      searchesRun: ran,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
