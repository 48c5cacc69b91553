/**
 * Runs queued Sigma retro-hunts, one job at a time per worker. The range is walked oldest first in
 * time slices (sized to hold a few thousand events each, so paging never reaches deep offsets);
 * after each slice the job checkpoints its cursor, which is where a job resumes when its worker
 * stopped or died. Hits are kept (up to MAX_STORED_HITS) and, when asked, published as detections
 * with the live detection ids, so the alert flow folds them like any other.
 *
 * Like live detection, a hunt runs the Sigma correlations in its rule text over the matches (in
 * event time: slices go oldest first and each slice's matches are sorted), and a hunt that raises
 * alerts leaves out what the tenant's rule exceptions suppress, so a tuned-out false positive does
 * not come back as a retro-hunt alert. The correlations' open windows are checkpointed with the
 * cursor, so a job resumed on another worker carries them on.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus } from '../bus/ports.js';
import {
  CorrelationEngine,
  type CorrelationAlert,
  type CorrelationInput,
} from '../detect/correlation/evaluator.js';
import { silencedByCorrelations } from '../detect/correlation/generate.js';
import { DetectionEngine } from '../detect/engine.js';
import { loadRulesFromText } from '../detect/sigma/loader.js';
import type { CompiledRule, CorrelationRule } from '../detect/sigma/types.js';
import { shortHash } from '../detections/ids.js';
import { DETECTIONS_SUBJECT } from '../detections/live.js';
import { RulePolicy } from '../detections/policy.js';
import { fromCorrelation, fromSigma } from '../detections/records.js';
import type { VigilEvent } from '../schema/ecs.js';
import type { DetectionRecord, EventStore, RuleExceptionStore } from '../store/ports.js';
import {
  MAX_STORED_HITS,
  type HuntRule,
  type SigmaHunt,
  type SigmaHuntHit,
  type SigmaHuntStore,
} from './sigma-hunts.js';

export interface SigmaHuntRunnerOptions {
  /** How often an idle worker looks for queued jobs. */
  pollMs: number;
  leaseMs: number;
  pageSize: number;
}

const DEFAULTS: SigmaHuntRunnerOptions = { pollMs: 2000, leaseMs: 60_000, pageSize: 1000 };

/** Slice length bounds: a slice holds about TARGET_SLICE events once the walk has adapted. */
const MIN_SLICE_MS = 1000;
const MAX_SLICE_MS = 86_400_000;
const TARGET_SLICE = 5000;

/** A hunt's rules, compiled: detection rules, and the correlations over their matches. */
export interface CompiledHunt {
  engine: DetectionEngine;
  /** what the job lists: its detection rules and correlations */
  rules: HuntRule[];
  detection: CompiledRule[];
  correlations: CorrelationRule[];
  /** rules whose own matches only feed correlations (Sigma's `generate: false`) */
  silenced: Set<string>;
}

/**
 * Compiles a hunt's rules (those of `ruleIds`, else all); throws with the loader's reason when
 * none is usable. A chosen correlation brings the rules it counts, chosen or not.
 */
export function compileHuntRules(yaml: string, ruleIds?: string[]): CompiledHunt {
  const loaded = loadRulesFromText(yaml, 'retro-hunt');
  const chosen = (id: string) => !ruleIds || ruleIds.includes(id);
  const correlations = loaded.correlations.filter((c) => chosen(c.id));
  const counted = new Set(correlations.flatMap((c) => c.rules));
  const detection = loaded.rules.filter(
    (r) => chosen(r.id) || counted.has(r.id) || (r.name !== undefined && counted.has(r.name)),
  );
  if (detection.length === 0)
    throw new Error(
      `no usable Sigma rule (${loaded.rejected[0]?.reason ?? 'the text holds no detection rule'})`,
    );
  return {
    engine: new DetectionEngine(detection, { filters: loaded.filters }),
    rules: [...detection, ...correlations].map((r) => ({ id: r.id, title: r.title, level: r.level })),
    detection,
    correlations,
    silenced: silencedByCorrelations({ rules: detection, correlations }),
  };
}

/** The hit of a fired correlation: no one event, so its key names the group and the window. */
export const correlationHitKey = (c: CorrelationAlert): string =>
  `corr:${new Date(c.windowStart).toISOString()}:${JSON.stringify(c.group)}`;

/** What one job evaluates with: its rules, its correlations' state, the tenant's exceptions. */
interface HuntRun {
  compiled: CompiledHunt;
  correlation: CorrelationEngine | undefined;
  policy: RulePolicy | undefined;
}

export class SigmaHuntRunner {
  private readonly opts: SigmaHuntRunnerOptions;
  private readonly worker = `hunt-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      hunts: SigmaHuntStore;
      events: EventStore;
      bus: Bus;
      log: Logger;
      /** the tenants' rule exceptions, applied to the alerts a hunt raises */
      exceptions?: RuleExceptionStore;
    },
    opts: Partial<SigmaHuntRunnerOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.runNext()
        .catch((err: unknown) => this.deps.log.error({ err }, 'retro-hunt runner failed'))
        .then((ran) => {
          // Straight on to the next job after one ran; wait only when the queue was empty.
          if (!this.stopped) this.timer = setTimeout(loop, ran ? 0 : this.opts.pollMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops after the current page; a running job goes back to the queue and resumes later. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Claims and runs one job; false when none was waiting. */
  async runNext(): Promise<boolean> {
    const now = Date.now();
    const job = await this.deps.hunts.claimNext(
      this.worker,
      new Date(now),
      new Date(now + this.opts.leaseMs),
    );
    if (!job) return false;
    await this.run(job);
    return true;
  }

  private async run(job: SigmaHunt): Promise<void> {
    const { hunts } = this.deps;
    let compiled: CompiledHunt;
    try {
      compiled = compileHuntRules(
        (await hunts.ruleYaml(job.id)) ?? '',
        job.rules.map((r) => r.id),
      );
    } catch (e) {
      await hunts.finish(job.id, this.worker, 'failed', (e as Error).message);
      return;
    }
    const exceptions =
      job.raiseAlerts && this.deps.exceptions ? await this.deps.exceptions.list([job.tenant]) : [];
    const hunt: HuntRun = {
      compiled,
      correlation:
        compiled.correlations.length > 0
          ? new CorrelationEngine(compiled.correlations, compiled.detection)
          : undefined,
      policy: exceptions.length > 0 ? new RulePolicy([], exceptions) : undefined,
    };
    // A resumed job carries on its correlation windows from its last checkpoint.
    const saved = hunt.correlation && job.cursor ? await hunts.correlationState(job.id) : null;
    if (hunt.correlation && saved) {
      const restored = hunt.correlation.restore(saved);
      if (!restored.ok)
        this.deps.log.warn({ hunt: job.id, reason: restored.reason }, 'retro-hunt correlation state dropped');
    }
    const from = Date.parse(job.from);
    const to = Date.parse(job.to);
    const base = { tenants: [job.tenant] };
    try {
      let { total } = await this.deps.events.search({
        ...base,
        from: new Date(from),
        to: new Date(to),
        limit: 1,
      });
      let scanned = job.scanned;
      let hits = job.hits;
      let cursor = job.cursor ? Date.parse(job.cursor) : from;
      let slice = Math.min(3_600_000, Math.max(MIN_SLICE_MS, to - cursor));
      const checkpoint = () =>
        hunts.progress(job.id, this.worker, {
          total,
          scanned,
          hits,
          cursor: new Date(cursor).toISOString(),
          leaseUntil: new Date(Date.now() + this.opts.leaseMs),
          correlationState: hunt.correlation?.snapshot() ?? null,
        });
      while (cursor < to && scanned < job.maxEvents) {
        if (this.stopped) {
          await hunts.release(job.id, this.worker);
          return;
        }
        const sliceEnd = Math.min(to, cursor + slice);
        const r = await this.scanSlice(job, hunt, cursor, sliceEnd, job.maxEvents - scanned, hits);
        scanned += r.scanned;
        hits += r.hits;
        cursor = sliceEnd;
        slice = nextSlice(slice, r.total);
        total = Math.max(total, scanned);
        const state = await checkpoint();
        if (!state) return; // another worker took the job over (our lease ran out): it carries on
        if (state.cancelRequested) {
          await hunts.finish(job.id, this.worker, 'cancelled', null);
          return;
        }
      }
      // Windows still open at the end of the range are judged now (lt/lte/eq conditions).
      if (hunt.correlation) {
        hits += await this.recordCorrelations(job, hunt, hunt.correlation.flush(), hits);
        if (!(await checkpoint())) return;
      }
      await hunts.finish(job.id, this.worker, 'done', null);
    } catch (e) {
      this.deps.log.warn({ err: e, hunt: job.id }, 'retro-hunt failed');
      await hunts.finish(job.id, this.worker, 'failed', (e as Error).message);
    }
  }

  /** Reads one slice page by page; returns what it read and found. */
  private async scanSlice(
    job: SigmaHunt,
    hunt: HuntRun,
    start: number,
    end: number,
    budget: number,
    hitsBefore: number,
  ): Promise<{ total: number; scanned: number; hits: number }> {
    let offset = 0;
    let total = 0;
    let hits = 0;
    const matches: CorrelationInput[] = [];
    for (;;) {
      const page = await this.deps.events.search({
        tenants: [job.tenant],
        from: new Date(start),
        to: new Date(end), // exclusive: the next slice starts there
        limit: Math.min(this.opts.pageSize, budget - offset),
        offset,
      });
      total = page.total;
      if (page.events.length === 0) break;
      hits += await this.record(job, hunt, page.events, hitsBefore + hits, matches);
      offset += page.events.length;
      if (page.events.length < this.opts.pageSize || offset >= budget) break;
    }
    if (hunt.correlation && matches.length > 0) {
      // Pages come newest first; correlations count in event time.
      matches.sort((a, b) => a.time! - b.time!);
      hits += await this.recordCorrelations(job, hunt, hunt.correlation.process(matches), hitsBefore + hits);
    }
    return { total, scanned: offset, hits };
  }

  /** Keeps one page's rule matches as hits (and alerts); adds what correlations count to `matches`. */
  private async record(
    job: SigmaHunt,
    hunt: HuntRun,
    events: VigilEvent[],
    hitsBefore: number,
    matches: CorrelationInput[],
  ): Promise<number> {
    const found = hunt.compiled.engine.evaluate(events);
    if (found.length === 0) return 0;
    const now = new Date().toISOString();
    const nowMs = Date.parse(now);
    const stored: SigmaHuntHit[] = [];
    const records: DetectionRecord[] = [];
    for (const d of found) {
      const ev = events[d.eventIndex]!;
      if (hitsBefore + stored.length < MAX_STORED_HITS)
        stored.push({
          huntId: job.id,
          eventId: ev.event.id,
          ruleId: d.ruleId,
          title: d.title,
          level: d.level,
          ts: ev['@timestamp'],
        });
      // As live: an excepted match neither alerts nor counts toward a correlation.
      if (hunt.policy?.exceptionFor(job.tenant, d.ruleId, ev, d.matchedFields, nowMs)) continue;
      if (hunt.correlation) matches.push({ ruleId: d.ruleId, event: ev, time: Date.parse(ev['@timestamp']) });
      if (job.raiseAlerts && !hunt.compiled.silenced.has(d.ruleId)) {
        const r = fromSigma(d, ev, now);
        records.push({ ...r, details: { ...r.details, retroHunt: job.id } });
      }
    }
    await this.deps.hunts.addHits(stored);
    await this.publish(job, records);
    return found.length;
  }

  /** Keeps fired correlations as hits and, when asked, raises them (unless excepted). */
  private async recordCorrelations(
    job: SigmaHunt,
    hunt: HuntRun,
    fired: CorrelationAlert[],
    hitsBefore: number,
  ): Promise<number> {
    if (fired.length === 0) return 0;
    const now = new Date().toISOString();
    const nowMs = Date.parse(now);
    const stored: SigmaHuntHit[] = [];
    const records: DetectionRecord[] = [];
    for (const c of fired) {
      if (hitsBefore + stored.length < MAX_STORED_HITS)
        stored.push({
          huntId: job.id,
          eventId: correlationHitKey(c),
          ruleId: c.correlationId,
          title: c.title,
          level: c.level,
          ts: new Date(c.windowEnd).toISOString(),
        });
      if (!job.raiseAlerts || hunt.compiled.silenced.has(c.correlationId)) continue;
      if (hunt.policy?.exceptionFor(job.tenant, c.correlationId, c.group, [], nowMs)) continue;
      const meta = hunt.compiled.correlations.find((x) => x.id === c.correlationId);
      const r = fromCorrelation(
        c,
        job.tenant,
        meta?.tags ?? [],
        meta?.attack ?? { techniques: [], tactics: [] },
        now,
      );
      records.push({ ...r, details: { ...r.details, retroHunt: job.id } });
    }
    await this.deps.hunts.addHits(stored);
    await this.publish(job, records);
    return fired.length;
  }

  private async publish(job: SigmaHunt, records: DetectionRecord[]): Promise<void> {
    if (records.length > 0)
      await this.deps.bus.publish(`${DETECTIONS_SUBJECT}.${job.tenant}`, records, {
        id: shortHash(`hunt\n${records.map((r) => r.id).join('\n')}`),
      });
  }
}

/** The next slice length: aim at TARGET_SLICE events per slice. */
export function nextSlice(slice: number, seen: number): number {
  const scaled = seen === 0 ? slice * 4 : Math.round((slice * TARGET_SLICE) / seen);
  return Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, Math.min(scaled, slice * 4)));
}
