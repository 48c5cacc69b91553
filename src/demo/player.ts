/**
 * Plays scenarios in real time: every scenario starts at once, each step is sent when its moment
 * comes, and records carry the time they are sent at, so correlations see a live attack unfold.
 */
import { Rng } from './random.js';
import type { Scenario, Step } from './scenario.js';
import type { Sink } from './transport.js';

export interface PlayOptions {
  sink: Sink;
  print: (line: string) => void;
  syslogTimeZone: string;
  signal?: AbortSignal;
  /** seed for repeatable runs; random otherwise */
  seed?: number;
}

export interface PlayReport {
  records: number;
  failures: number;
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function size(s: Step): number {
  const d = s.delivery;
  return d.via === 'syslog' ? d.lines.length : d.docs.length;
}

async function playOne(
  scenario: Scenario,
  steps: Step[],
  start: number,
  opts: PlayOptions,
): Promise<PlayReport> {
  const report = { records: 0, failures: 0 };
  for (const step of steps) {
    await sleep(start + step.at - Date.now(), opts.signal);
    if (opts.signal?.aborted) break;
    if (step.what) opts.print(`demo: [${scenario.name}] ${step.what}`);
    try {
      await opts.sink.send(step.delivery);
      report.records += size(step);
    } catch (e) {
      report.failures++;
      opts.print(`demo: [${scenario.name}] could not send a step: ${(e as Error).message}`);
    }
  }
  return report;
}

/** Plays every scenario once, concurrently; resolves when the last step is sent. */
export async function playOnce(scenarios: readonly Scenario[], opts: PlayOptions): Promise<PlayReport> {
  const seeds = opts.seed === undefined ? undefined : new Rng(opts.seed);
  const start = Date.now() + 250;
  const runs = scenarios.map((s) => {
    const rng = new Rng(seeds ? seeds.int(0, 2 ** 31) : undefined);
    const steps = s.attack({ rng, start, syslogTimeZone: opts.syslogTimeZone });
    if (!opts.sink.hasSyslog && steps.some((x) => x.delivery.via === 'syslog')) {
      opts.print(`demo: [${s.name}] skipped: it needs the syslog input, which is disabled`);
      return Promise.resolve({ records: 0, failures: 0 });
    }
    opts.print(
      `demo: [${s.name}] ${s.title}${s.techniques.length ? ` (ATT&CK ${s.techniques.join(', ')})` : ''}`,
    );
    return playOne(s, steps, start, opts);
  });
  const reports = await Promise.all(runs);
  return reports.reduce((a, b) => ({ records: a.records + b.records, failures: a.failures + b.failures }), {
    records: 0,
    failures: 0,
  });
}
