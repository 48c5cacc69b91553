/**
 * Indicator matching benchmark: INTEL_BENCH_INDICATORS (default 100,000) indicators of mixed types
 * (IPv4, CIDR, IPv6, domains, URLs, SHA-256, file names, STIX patterns) stored in a real SQLite
 * file, loaded into the match index, then INTEL_BENCH_EVENTS (default 200,000) ECS events with
 * several matchable fields each (about 1% hitting) checked against it. Prints one JSON line:
 * events per second of inline matching, hits, index build time and the heap the index takes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  indicatorId,
  normalizeValue,
  type IndicatorInput,
  type IndicatorType,
} from '../src/intel/indicator.js';
import { buildIndex } from '../src/intel/match-index.js';
import type { VigilEvent } from '../src/schema/ecs.js';
import { openDatabase } from '../src/store/sqlite/db.js';
import { SqliteIntelStore } from '../src/store/sqlite/intel.js';

const N = Number(process.env.INTEL_BENCH_INDICATORS ?? 100_000);
const EVENTS = Number(process.env.INTEL_BENCH_EVENTS ?? 200_000);
/** `1`: skip SQLite and fill the index directly (to measure matching at 1M without a long load) */
const MEMORY_ONLY = process.env.INTEL_BENCH_MEMORY_ONLY === '1';

let seed = 0x1d7e1;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number): number => Math.floor(rand() * n);
const ipv4 = (): string => `${1 + int(222)}.${int(256)}.${int(256)}.${int(256)}`;
const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
const word = (): string =>
  Array.from({ length: 5 + int(8) }, () => 'abcdefghijklmnopqrstuvwxyz'[int(26)]).join('');
const domain = (): string => `${word()}.${['com', 'net', 'org', 'info', 'io'][int(5)]}`;

function makeIndicator(i: number): { type: IndicatorType; value: string } {
  const r = i % 100;
  if (r < 35) return { type: 'ipv4', value: ipv4() };
  if (r < 40) return { type: 'cidr', value: `${ipv4()}/${16 + int(13)}` };
  if (r < 42) return { type: 'ipv6', value: `2001:db8:${hex(4)}::${hex(4)}` };
  if (r < 65) return { type: 'domain', value: domain() };
  if (r < 72) return { type: 'url', value: `http://${domain()}/${word()}/${word()}.php?id=${int(1e6)}` };
  if (r < 92) return { type: 'sha256', value: hex(64) };
  if (r < 95) return { type: 'filename', value: `${word()}.exe` };
  if (r < 99)
    return { type: 'stix', value: `[ipv4-addr:value = '${ipv4()}' OR domain-name:value = '${domain()}']` };
  return { type: 'stix', value: `[file:hashes.'SHA-256' = '${hex(64)}' AND file:name = '${word()}.dll']` };
}

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-intel-bench-'));
try {
  const db = openDatabase(path.join(dir, 'vigil.db'));
  const store = new SqliteIntelStore(db);
  const sample: Array<{ type: IndicatorType; value: string }> = [];
  let t0 = performance.now();
  const direct: IndicatorInput[] = [];
  for (let i = 0; i < N; i += 10_000) {
    const batch: IndicatorInput[] = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const ind = makeIndicator(j);
      const v = normalizeValue(ind.type, ind.value);
      if (!v.ok) continue;
      batch.push({ tenant: 'default', type: ind.type, value: v.value, source: 'bench' });
      if (j % 97 === 0) sample.push(ind);
    }
    if (MEMORY_ONLY) direct.push(...batch);
    else await store.upsertIndicators(batch);
  }
  const storeSeconds = (performance.now() - t0) / 1000;

  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  t0 = performance.now();
  const index = MEMORY_ONLY
    ? await buildIndex((_now, cb) => {
        for (const d of direct.splice(0))
          cb({
            id: indicatorId(d.tenant, d.type, d.value),
            tenant: d.tenant,
            type: d.type,
            value: d.value,
            validUntil: Infinity,
          });
        return Promise.resolve(0);
      })
    : await buildIndex((now, cb) => store.forEachLive(now, cb));
  const buildSeconds = (performance.now() - t0) / 1000;
  global.gc?.();
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

  // Events: a firewall/DNS/process mix; about 1 in 100 carries a value from the indicator set.
  const events: VigilEvent[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const hit = i % 100 === 0 ? sample[int(sample.length)] : undefined;
    const e: VigilEvent = {
      '@timestamp': new Date(Date.UTC(2026, 10, 28, 0, 0, 0) + i * 10).toISOString(),
      event: { id: `e${i}`, ingested: '2026-11-28T00:00:00.000Z' },
      organization: { id: 'default' },
      source: { ip: `10.${int(256)}.${int(256)}.${int(256)}`, port: 1024 + int(60000) },
      destination: { ip: ipv4(), port: 443 },
      related: { ip: [] },
    };
    if (i % 3 === 0) e.dns = { question: { name: `www.${domain()}` } };
    if (i % 5 === 0) e.url = { full: `https://${domain()}/${word()}`, domain: domain() };
    if (i % 7 === 0) e.process = { name: `${word()}.exe`, hash: { sha256: hex(64) } };
    if (hit) {
      if (hit.type === 'ipv4' || hit.type === 'ipv6') e.destination!.ip = hit.value;
      else if (hit.type === 'domain') e.dns = { question: { name: `a.${hit.value}` } };
      else if (hit.type === 'url') e.url = { full: hit.value };
      else if (hit.type === 'sha256') e.file = { hash: { sha256: hit.value.toUpperCase() } };
      else if (hit.type === 'filename') e.file = { name: hit.value };
    }
    events.push(e);
  }
  // Warm up the JIT on a slice, then time the whole run.
  for (let i = 0; i < 5000; i++) index.match(events[i]!);
  let hits = 0;
  t0 = performance.now();
  const now = Date.now();
  for (const e of events) hits += index.match(e, now).length;
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  process.stdout.write(
    JSON.stringify({
      name: MEMORY_ONLY ? 'intel-match-memory' : 'intel-match',
      indicators: index.size,
      unindexedPatterns: index.unindexedPatterns,
      events: EVENTS,
      seconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(EVENTS / seconds),
      microsPerEvent: Number(((seconds * 1e6) / EVENTS).toFixed(2)),
      hits,
      storeSeconds: Number(storeSeconds.toFixed(2)),
      buildSeconds: Number(buildSeconds.toFixed(2)),
      indexHeapMB: Math.round(heapMB),
    }) + '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
