/**
 * Alerting benchmark: detections for ALERT_BENCH_ALERTS (default 100,000) distinct rule+host keys,
 * each repeated a skewed number of times (most once, a noisy few dozens of times), published on the
 * real MemoryBus in batches the way live detection publishes them, and folded by the real alert
 * consumer into a real SQLite file (WAL, synchronous=FULL). Their events are stored first, untimed,
 * because the consumer reads them for observables. Prints one JSON line per result:
 * detections and alerts per second, the dedup ratio, and list/metrics query latency at that size.
 */
import Database from 'better-sqlite3';
import fastify from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startAlerting } from '../src/alerts/service.js';
import { AuthService } from '../src/auth/service.js';
import { MemoryBus } from '../src/bus/memory/memory-bus.js';
import { loadConfig } from '../src/config/load.js';
import { createVigilMetrics } from '../src/metrics/registry.js';
import type { VigilEvent } from '../src/schema/ecs.js';
import type { DetectionRecord } from '../src/store/ports.js';
import { openSqliteStorage, SQLITE_FILE } from '../src/store/sqlite/index.js';

const ALERTS = Number(process.env.ALERT_BENCH_ALERTS ?? 100_000);
const RULES = 200;
const BATCH = 100;
const LEVELS = [
  'low',
  'low',
  'low',
  'low',
  'low',
  'low',
  'medium',
  'medium',
  'medium',
  'high',
  'high',
  'critical',
];
const START = Date.UTC(2026, 10, 1, 0, 0, 0);

// Deterministic PRNG (mulberry32) so every run folds the same stream.
let seed = 0x5eed;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
/** Repeats per alert: half fire once, a long tail fires dozens of times (noisy rules on busy hosts). */
const repeats = (): number => {
  const r = rand();
  if (r < 0.5) return 1;
  if (r < 0.8) return 2 + Math.floor(rand() * 3);
  if (r < 0.95) return 5 + Math.floor(rand() * 6);
  return 11 + Math.floor(rand() * 20);
};

// The plan: per detection, its key (rule+host) and event time; keys start spread over 12 hours and
// their repeats fall within 40 minutes, inside the one-hour dedup window.
const keyOf: number[] = [];
const tsOf: number[] = [];
for (let k = 0; k < ALERTS; k++) {
  const start = START + Math.floor(rand() * 12 * 3600_000);
  const n = repeats();
  for (let j = 0; j < n; j++) {
    keyOf.push(k);
    tsOf.push(start + Math.floor(rand() * 40 * 60_000));
  }
}
const order = Array.from(keyOf.keys()).sort((a, b) => tsOf[a]! - tsOf[b]!);
const DETECTIONS = order.length;

const ruleOf = (k: number) => k % RULES;
const hostOf = (k: number) => `host-${Math.floor(k / RULES)}`;
const eventOf = (i: number): VigilEvent => {
  const k = keyOf[i]!;
  return {
    '@timestamp': new Date(tsOf[i]!).toISOString(),
    event: { id: `ev-${i}`, ingested: new Date(tsOf[i]! + 500).toISOString(), dataset: 'system.auth' },
    organization: { id: 'default' },
    message: `Failed password for user${i % 300} from 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    host: { name: hostOf(k) },
    source: { ip: `203.0.113.${i % 250}` },
    user: { name: `user${(k * 7) % 300}` },
    process: { executable: '/usr/sbin/sshd', pid: 1000 + (i % 5000) },
  };
};
const detectionOf = (i: number): DetectionRecord => {
  const rule = ruleOf(keyOf[i]!);
  return {
    id: `det-${i}`,
    tenant: 'default',
    ts: new Date(tsOf[i]!).toISOString(),
    detectedAt: new Date(tsOf[i]! + 1000).toISOString(),
    kind: 'sigma',
    ruleId: `rule-${rule}`,
    title: `Bench rule ${rule}`,
    level: LEVELS[rule % LEVELS.length]!,
    tags: ['attack.credential_access'],
    attack: { techniques: ['t1110'], tactics: ['credential_access'] },
    eventIds: [`ev-${i}`],
    details: { matchedSelections: ['keywords'] },
  };
};

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-alerts-bench-'));
const storage = openSqliteStorage(dir);
try {
  for (let s = 0; s < DETECTIONS; s += 2000) {
    await storage.events.append(order.slice(s, s + 2000).map(eventOf));
  }
  const bus = new MemoryBus();
  const http = fastify();
  const config = loadConfig({ env: {} });
  const cap = await startAlerting({
    config,
    storage,
    bus,
    http,
    log: pino({ level: 'warn' }),
    metrics: createVigilMetrics(),
    auth: new AuthService(storage.identity, storage.audit, config.auth),
  });
  const probe = new Database(path.join(dir, SQLITE_FILE), { readonly: true });
  const folded = probe.prepare('SELECT count(*) AS n FROM alert_detections');

  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let s = 0; s < DETECTIONS; s += BATCH) {
    await bus.publish('detections.default', order.slice(s, s + BATCH).map(detectionOf));
  }
  // Done when every detection (plus the risk alerts' own records) has its link row.
  for (;;) {
    const n = (folded.get() as { n: number }).n;
    const risk = (
      probe.prepare("SELECT count(*) AS n FROM alerts WHERE kind = 'risk'").get() as { n: number }
    ).n;
    if (n >= DETECTIONS + risk) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  const alerts = (
    probe.prepare("SELECT count(*) AS n FROM alerts WHERE kind != 'risk'").get() as { n: number }
  ).n;
  const riskAlerts = (
    probe.prepare("SELECT count(*) AS n FROM alerts WHERE kind = 'risk'").get() as { n: number }
  ).n;
  console.log(
    JSON.stringify({
      name: 'alerts.fold_detections',
      events: DETECTIONS,
      detections: DETECTIONS,
      alerts,
      riskAlerts,
      seconds: +seconds.toFixed(2),
      cpuSeconds: +cpu.toFixed(2),
      eventsPerSecond: Math.round(DETECTIONS / seconds),
      detectionsPerSecond: Math.round(DETECTIONS / seconds),
      alertsPerSecond: Math.round((alerts + riskAlerts) / seconds),
      /** Share of detections folded into an existing alert instead of opening one. */
      dedupRatio: +(1 - alerts / DETECTIONS).toFixed(4),
      batch: BATCH,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    }),
  );

  const time = async <T>(f: () => Promise<T>): Promise<number> => {
    await f();
    const t = performance.now();
    for (let i = 0; i < 5; i++) await f();
    return +((performance.now() - t) / 5).toFixed(2);
  };
  const end = new Date(Date.now() + 1);
  console.log(
    JSON.stringify({
      name: 'alerts.queries',
      events: 0,
      seconds: 0,
      eventsPerSecond: 0,
      alerts: alerts + riskAlerts,
      listOpenBySeverityMs: await time(() =>
        storage.alerts.list({ tenants: ['default'], status: ['new'], sort: '-severity', limit: 100 }),
      ),
      listByRuleMs: await time(() =>
        storage.alerts.list({ tenants: ['default'], ruleId: 'rule-7', limit: 100 }),
      ),
      textSearchMs: await time(() =>
        storage.alerts.list({ tenants: ['default'], text: 'host-42', limit: 100 }),
      ),
      metricsTimingsMs: await time(() => storage.alerts.timings(['default'], new Date(0), end)),
    }),
  );
  probe.close();
  await cap.close();
  await bus.close();
  await http.close();
} finally {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
}
