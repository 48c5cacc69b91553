/**
 * Event storage benchmark: EVENT_BENCH_EVENTS (default 200,000) ECS events spread evenly over 7 days
 * for 2 tenants, appended in batches of 500 to a real SQLite file (WAL, synchronous=FULL) through
 * the real SqliteEventStore, then searched through the real SqliteEventSearch:
 * - a filtered query over a 1-hour range (newest 100, and its count),
 * - free text (a rare word and a common word) over 24 hours and over all 7 days, top 100,
 * - `| stats count()` over 24 hours and EventStore.count() over everything,
 * - retention of the oldest day.
 * Prints one JSON line per result; query figures are the median of 5 runs after one warm-up.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { VigilEvent } from '../src/schema/ecs.js';
import { openDatabase } from '../src/store/sqlite/db.js';
import { SqliteEventSearch } from '../src/store/sqlite/event-search.js';
import { SqliteEventStore } from '../src/store/sqlite/events.js';
import { PlannerStats } from '../src/store/sqlite/planner-stats.js';
import { HotIndexBuilder } from '../src/store/sqlite/hot-index-builder.js';

const EVENTS = Number(process.env.EVENT_BENCH_EVENTS ?? 200_000);
const DAYS = 7;
const BATCH = 500;
const START = Date.UTC(2026, 10, 1);
const SPAN = DAYS * 86_400_000;
const HOSTS = Array.from({ length: 50 }, (_, i) => `host-${i}`);
const USERS = ['alice', 'bob', 'carol', 'dave', 'svc_backup', 'administrator'];
const WORDS = ['accepted', 'failed', 'session', 'opened', 'closed', 'connection', 'reset', 'timeout'];

function makeEvent(i: number): VigilEvent {
  const ts = START + Math.floor((i * SPAN) / EVENTS);
  const rare = i % 5000 === 1;
  return {
    '@timestamp': new Date(ts).toISOString(),
    event: {
      id: `ev-${i}`,
      ingested: new Date(ts + 500).toISOString(),
      category: ['authentication'],
      outcome: i % 4 === 0 ? 'failure' : 'success',
      severity: i % 8,
      code: String(4624 + (i % 5)),
    },
    organization: { id: i % 10 === 0 ? 'beta' : 'acme' },
    host: { name: HOSTS[i % HOSTS.length]! },
    user: { name: USERS[i % USERS.length]! },
    source: { ip: `10.${i % 7}.${i % 250}.${(i * 7) % 250}`, port: 1024 + (i % 60000) },
    destination: { ip: '192.168.0.10', port: 22 },
    process: { name: 'sshd', pid: 1000 + (i % 30000) },
    message: rare
      ? `mimikatz sekurlsa::logonpasswords run by ${USERS[i % USERS.length]}`
      : `${WORDS[i % WORDS.length]} ${WORDS[(i >> 3) % WORDS.length]} for ${USERS[i % USERS.length]} from port ${1024 + (i % 60000)}`,
  };
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeIt(fn: () => Promise<unknown>): Promise<{ ms: number; result: unknown }> {
  let result = await fn();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    result = await fn();
    times.push(performance.now() - t);
  }
  return { ms: Math.round(median(times) * 100) / 100, result };
}

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-event-bench-'));
try {
  const db = openDatabase(path.join(dir, 'vigil.db'));
  // EVENT_BENCH_BACKGROUND_FTS=0: ingest without the background FTS indexer running alongside.
  const store = new SqliteEventStore(db, {
    backgroundIndexing: process.env.EVENT_BENCH_BACKGROUND_FTS !== '0',
  });
  const search = new SqliteEventSearch(db, { timeoutMs: 120_000 });

  const t0 = performance.now();
  for (let at = 0; at < EVENTS; at += BATCH) {
    const batch: VigilEvent[] = [];
    for (let i = at; i < Math.min(EVENTS, at + BATCH); i++) batch.push(makeEvent(i));
    await store.append(batch);
  }
  const seconds = (performance.now() - t0) / 1000;
  // Whatever the background indexer has not caught up with yet, timed on its own.
  const fts = (store as { fullText?: { step(n: number): number } }).fullText;
  const i0 = performance.now();
  let indexed = 0;
  // EVENT_BENCH_SKIP_FTS_CATCHUP=1: ingest figures only, without waiting for the indexer.
  if (fts && process.env.EVENT_BENCH_SKIP_FTS_CATCHUP !== '1')
    for (let n = 1; n > 0; indexed += n) n = fts.step(5000);
  const indexSeconds = (performance.now() - i0) / 1000;
  // What the background loop does once a minute: the finished days' hot-field indexes (one per
  // step, timed here as the longest an append waits for one) and the planner statistics.
  // EVENT_BENCH_NO_HOT_INDEX=1: every day as the day being written before its first watermark
  // (hot columns, no indexes); EVENT_BENCH_WATERMARK=1: every day as the day being written with
  // a watermark at its last row (partial indexes over all of it, no tail).
  const watermark = process.env.EVENT_BENCH_WATERMARK === '1';
  const builder = watermark ? new HotIndexBuilder(db, () => START, { minTail: 1 }) : new HotIndexBuilder(db);
  let longestStepMs = 0;
  const h0 = performance.now();
  const buildHot =
    process.env.EVENT_BENCH_INGEST_ONLY !== '1' && process.env.EVENT_BENCH_NO_HOT_INDEX !== '1';
  for (let more = buildHot; more;) {
    const s0 = performance.now();
    more = builder.step();
    longestStepMs = Math.max(longestStepMs, performance.now() - s0);
  }
  const hotIndexSeconds = (performance.now() - h0) / 1000;
  new PlannerStats(db).refresh();
  db.pragma('wal_checkpoint(TRUNCATE)');
  console.log(
    JSON.stringify({
      name: 'event-storage.ingest',
      events: EVENTS,
      seconds: Math.round(seconds * 100) / 100,
      eventsPerSecond: Math.round(EVENTS / seconds),
      diskBytesPerEvent: Math.round(dirBytes(dir) / EVENTS),
      ftsRowsLeftAfterIngest: indexed,
      ftsCatchUpSeconds: Math.round(indexSeconds * 100) / 100,
      hotIndexSeconds: Math.round(hotIndexSeconds * 100) / 100,
      hotIndexLongestStepMs: Math.round(longestStepMs),
    }),
  );

  // EVENT_BENCH_INGEST_ONLY=1: the ingest figure alone (for repeated before/after comparisons).
  if (process.env.EVENT_BENCH_INGEST_ONLY === '1') process.exit(0);
  const day = (d: number) => new Date(START + d * 86_400_000);
  const hourFrom = new Date(START + 3 * 86_400_000 + 10 * 3_600_000);
  const hourTo = new Date(hourFrom.getTime() + 3_600_000);
  const cases: Array<{ name: string; run: () => Promise<unknown> }> = [
    {
      name: 'filtered-1h-top100',
      run: () =>
        search.search(['acme'], 'host.name:host-4 AND event.outcome:failure', {
          from: hourFrom,
          to: hourTo,
          limit: 100,
        }),
    },
    {
      name: 'filtered-1h-count',
      run: () =>
        search.search(['acme'], 'event.outcome:failure | stats count()', {
          from: hourFrom,
          to: hourTo,
          limit: 10,
        }),
    },
    {
      name: 'filtered-24h-count',
      run: () =>
        search.search(['acme'], 'event.outcome:failure AND host.name:host-4 | stats count()', {
          from: day(3),
          to: day(4),
          limit: 10,
        }),
    },
    {
      name: 'freetext-rare-24h-top100',
      run: () => search.search(['acme'], 'mimikatz', { from: day(3), to: day(4), limit: 100 }),
    },
    {
      name: 'freetext-rare-7d-top100',
      run: () => search.search(['acme'], 'mimikatz', { from: day(0), to: day(7), limit: 100 }),
    },
    {
      name: 'freetext-common-24h-top100',
      run: () => search.search(['acme'], 'timeout', { from: day(3), to: day(4), limit: 100 }),
    },
    {
      name: 'stats-count-24h',
      run: () => search.search(['acme'], '| stats count()', { from: day(3), to: day(4), limit: 10 }),
    },
    {
      name: 'stats-count-by-host-7d',
      run: () => search.search(['acme'], '| stats count() by host.name', { limit: 100 }),
    },
    {
      name: 'stats-count-by-user-outcome-7d',
      run: () => search.search(['acme'], '| stats count() by user.name, event.outcome', { limit: 100 }),
    },
    {
      // A week that starts and ends off the hour, as "the last 7 days" does: the finished days'
      // rollups answer the whole hours, the rows the two partial ones.
      name: 'stats-count-by-user-outcome-7d-unaligned',
      run: () =>
        search.search(['acme'], 'event.outcome:failure | stats count() by user.name, host.name', {
          from: new Date(day(0).getTime() + 5_417_000),
          to: new Date(day(7).getTime() - 1_234_000),
          limit: 100,
        }),
    },
    {
      name: 'timechart-1h-by-outcome-7d',
      run: () => search.search(['acme'], '| timechart span=1h count() by event.outcome', { limit: 1000 }),
    },
    {
      name: 'cidr-24h-count',
      run: () =>
        search.search(['acme'], 'source.ip:10.3.0.0/16 | stats count()', {
          from: day(3),
          to: day(4),
          limit: 10,
        }),
    },
    {
      name: 'top-host-24h',
      run: () =>
        search.search(['acme'], 'event.outcome:failure | top host.name', {
          from: day(3),
          to: day(4),
          limit: 10,
        }),
    },
    { name: 'store-count-all', run: () => store.count(['acme']) },
  ];
  for (const c of cases) {
    const { ms, result } = await timeIt(c.run);
    const r = result as { total?: number } | number;
    console.log(
      JSON.stringify({
        name: `event-storage.${c.name}`,
        events: EVENTS,
        ms,
        total: typeof r === 'number' ? r : r.total,
      }),
    );
  }
  // Retention of the oldest day (all tenants): a dropped table now, row deletes before.
  const r0 = performance.now();
  const deleted = await store.deleteOlderThan(day(1));
  console.log(
    JSON.stringify({
      name: 'event-storage.retention-drop-oldest-day',
      events: EVENTS,
      ms: Math.round((performance.now() - r0) * 100) / 100,
      deleted,
    }),
  );
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
