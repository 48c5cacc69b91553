/**
 * EVTX parse-only throughput on one core: every sample .evtx file read into memory first, then
 * parsed to evtx_dump-style JSON records. Prints one JSON line per result.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readEvtx } from '../src/parse/evtx/index.js';

const SAMPLES = resolve(import.meta.dirname, '../../shared/data/evtx-attack-samples');

function list(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) list(p, out);
    else if (name.toLowerCase().endsWith('.evtx')) out.push(p);
  }
  return out;
}

const buffers = list(SAMPLES).map((f) => readFileSync(f));
const bytes = buffers.reduce((n, b) => n + b.length, 0);

function pass(): { records: number; failures: number } {
  let records = 0;
  let failures = 0;
  for (const b of buffers) {
    for (const r of readEvtx(b, { verifyChecksums: false })) {
      if (r.ok) records++;
      else failures++;
    }
  }
  return { records, failures };
}

pass(); // warm-up: JIT and caches
const rounds = 3;
let records = 0;
let failures = 0;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
for (let i = 0; i < rounds; i++) {
  const r = pass();
  records += r.records;
  failures += r.failures;
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
// The machine may be shared: CPU time of this process is the steadier figure.
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify({
    name: 'evtx.parse',
    events: records,
    seconds: Number(seconds.toFixed(3)),
    eventsPerSecond: Math.round(records / seconds),
    files: buffers.length,
    megabytesPerSecond: Number(((bytes * rounds) / 1e6 / seconds).toFixed(1)),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    eventsPerCpuSecond: Math.round(records / cpuSeconds),
    failures,
  }),
);
