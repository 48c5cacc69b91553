/**
 * Sigma benchmark: load+compile of all SigmaHQ rules, then events/s on one core over OTRF
 * Windows events with 100, 1,000 and all rules. Prints one JSON line per result.
 */
import { loadRules } from '../src/detect/sigma/loader.js';
import { DetectionEngine } from '../src/detect/engine.js';
import { otrfZips, readOtrfZip } from '../src/detect/otrf-fixture.js';

const RULES = new URL('../../shared/data/sigma/rules/', import.meta.url).pathname;
const TARGET_EVENTS = Number(process.env['SIGMA_BENCH_EVENTS'] ?? 100_000);

// The machine is shared: CPU seconds (process.cpuUsage) are reported beside wall time.
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};
const t0 = performance.now();
const c0 = process.cpuUsage();
const loaded = loadRules(RULES);
const loadSeconds = (performance.now() - t0) / 1000;
const loadCpu = cpuSeconds(c0);
console.log(
  JSON.stringify({
    name: 'sigma.load_compile',
    events: 0,
    seconds: loadSeconds,
    cpuSeconds: loadCpu,
    eventsPerSecond: 0,
    documents: loaded.documents,
    rules: loaded.rules.length,
    rejected: loaded.rejected.length,
  }),
);

const events: Record<string, unknown>[] = [];
for (const z of otrfZips()) {
  for (const e of readOtrfZip(z)) events.push(e);
}
while (events.length < TARGET_EVENTS) events.push(...events.slice(0, TARGET_EVENTS - events.length));
events.length = Math.min(events.length, TARGET_EVENTS);

// Deterministic subsets: every k-th rule so each subset spans all logsources.
const subset = (n: number): typeof loaded.rules => {
  if (n >= loaded.rules.length) return loaded.rules;
  const step = loaded.rules.length / n;
  return Array.from({ length: n }, (_, i) => loaded.rules[Math.floor(i * step)]!);
};

const only = process.env['SIGMA_BENCH_ONLY'];
const sizes = only === 'all' ? [loaded.rules.length] : [100, 1000, loaded.rules.length];
for (const n of sizes) {
  const rules = subset(n);
  const engine = new DetectionEngine(rules);
  engine.evaluate(events.slice(0, 20_000)); // warm up JIT and build logsource buckets
  const t = performance.now();
  const c = process.cpuUsage();
  let detections = 0;
  for (let i = 0; i < events.length; i += 1000) detections += engine.evaluate(events.slice(i, i + 1000)).length;
  const seconds = (performance.now() - t) / 1000;
  const cpu = cpuSeconds(c);
  console.log(
    JSON.stringify({
      name: `sigma.evaluate.${n === loaded.rules.length ? 'all' : n}_rules`,
      events: events.length,
      seconds,
      eventsPerSecond: Math.round(events.length / seconds),
      cpuSeconds: cpu,
      eventsPerCpuSecond: Math.round(events.length / cpu),
      rules: rules.length,
      detections,
    }),
  );
}
