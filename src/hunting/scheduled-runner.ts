/**
 * Runs scheduled searches: on every tick, each enabled schedule whose next window has closed is
 * claimed (a lease, so two workers never run it at once), run over its window, turned into
 * detections on `detections.<tenant>` and marked done. Detection ids come from search, window and
 * group: a window that runs twice (a worker died after publishing) raises nothing new.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus } from '../bus/ports.js';
import { detectionId, shortHash } from '../detections/ids.js';
import { DETECTIONS_SUBJECT } from '../detections/live.js';
import type { Counter } from '../metrics/registry.js';
import type { Expr, Query } from '../search/ast.js';
import { parseQueryOrThrow } from '../search/parser.js';
import { printQuery } from '../search/print.js';
import type { EventSearch } from '../search/ports.js';
import type { DetectionRecord } from '../store/ports.js';
import type { SavedSearch, SavedSearchStore } from './saved-searches.js';
import type { SearchSchedule, SearchScheduleStore } from './scheduled-searches.js';
import { dueWindowEnd, newTerms, thresholdHits, type Schedule } from './schedules.js';

export const SCHEDULED_SEARCH_KIND = 'scheduled_search';

export interface ScheduledRunnerOptions {
  tickMs: number;
  /** How long a claimed run may take before another worker may take it over. */
  leaseMs: number;
  /** A window runs this long after it closes, so late events still land in it. */
  graceMs: number;
  /** Groups (threshold `by`, new-terms values) read per run; more are ignored and reported. */
  maxGroups: number;
}

export const DEFAULT_RUNNER_OPTIONS: ScheduledRunnerOptions = {
  tickMs: 30_000,
  leaseMs: 5 * 60_000,
  graceMs: 30_000,
  maxGroups: 1000,
};

/** Events sampled per hit so the alert shows what matched. */
const SAMPLE_EVENTS = 10;
/** Values per history query of a new-terms run: keeps each OR list short. */
const TERMS_PER_QUERY = 100;

export interface ScheduledRunnerDeps {
  schedules: SearchScheduleStore;
  savedSearches: SavedSearchStore;
  search: EventSearch;
  bus: Bus;
  log: Logger;
  runs?: Counter;
  worker?: string;
}

/** Why a saved search cannot be scheduled as it stands, or undefined when it can. */
export function unschedulable(query: string): string | undefined {
  let q: Query;
  try {
    q = parseQueryOrThrow(query);
  } catch (e) {
    return (e as Error).message;
  }
  if (q.pipes.length > 0)
    return 'a scheduled search runs the filter of its saved search and does the counting itself; remove the pipes (| ...) from the query';
  return undefined;
}

interface Hit {
  group: Record<string, string>;
  count: number;
  extra: Record<string, unknown>;
  filter?: Expr;
}

const and = (a: Expr | undefined, b: Expr): Expr => (a ? { type: 'and', items: [a, b] } : b);
const equals = (field: string, value: string): Expr => ({
  type: 'match',
  field,
  value: { kind: 'string', value },
});

export class ScheduledSearchRunner {
  private readonly opts: ScheduledRunnerOptions;
  private readonly worker: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: ScheduledRunnerDeps,
    opts: Partial<ScheduledRunnerOptions> = {},
  ) {
    this.opts = { ...DEFAULT_RUNNER_OPTIONS, ...opts };
    this.worker = deps.worker ?? `worker-${randomUUID()}`;
  }

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: unknown) => this.deps.log.error({ err }, 'scheduled searches: tick failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.opts.tickMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs every due schedule once; returns the detections raised. */
  async tick(now = Date.now()): Promise<DetectionRecord[]> {
    const raised: DetectionRecord[] = [];
    for (const s of await this.deps.schedules.listEnabled()) {
      if (this.stopped) break;
      const end = dueWindowEnd(
        s.schedule,
        s.lastWindowEnd ? Date.parse(s.lastWindowEnd) : undefined,
        now - this.opts.graceMs,
      );
      if (end === undefined) continue;
      if (
        !(await this.deps.schedules.claim(
          s.tenant,
          s.searchId,
          this.worker,
          new Date(now),
          new Date(now + this.opts.leaseMs),
        ))
      )
        continue;
      raised.push(...(await this.runClaimed(s, end)));
    }
    return raised;
  }

  private async runClaimed(s: SearchSchedule, end: number): Promise<DetectionRecord[]> {
    const runAt = new Date().toISOString();
    try {
      const saved = await this.deps.savedSearches.get(s.tenant, s.searchId);
      if (!saved) {
        // The search went away under its schedule: the schedule has nothing left to run.
        await this.deps.schedules.remove(s.tenant, s.searchId);
        return [];
      }
      const records = await this.evaluate(s, saved, end);
      if (records.length > 0)
        await this.deps.bus.publish(`${DETECTIONS_SUBJECT}.${s.tenant}`, records, {
          id: shortHash(records.map((r) => r.id).join('\n')),
        });
      await this.deps.schedules.finish(s.tenant, s.searchId, this.worker, {
        status: 'ok',
        error: null,
        hits: records.length,
        runAt,
        windowEnd: new Date(end).toISOString(),
      });
      this.deps.runs?.inc({ status: 'ok' });
      return records;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.deps.log.warn({ err, tenant: s.tenant, search: s.searchId }, 'scheduled search run failed');
      await this.deps.schedules
        .finish(s.tenant, s.searchId, this.worker, { status: 'error', error, hits: 0, runAt })
        .catch(() => undefined);
      this.deps.runs?.inc({ status: 'error' });
      return [];
    }
  }

  /** The detections one window of a schedule raises. Exposed for previews and tests. */
  async evaluate(s: SearchSchedule, saved: SavedSearch, end: number): Promise<DetectionRecord[]> {
    const why = unschedulable(saved.query);
    if (why) throw new Error(why);
    const where = parseQueryOrThrow(saved.query).where;
    const sc = s.schedule;
    const start = end - sc.windowMinutes * 60_000;
    const hits = await this.hits(s.tenant, sc, where, start, end);
    const missed =
      s.lastWindowEnd === null
        ? 0
        : Math.max(0, Math.round((start - Date.parse(s.lastWindowEnd)) / (sc.everyMinutes * 60_000)));
    const records: DetectionRecord[] = [];
    for (const h of hits) {
      const eventIds =
        records.length < 50
          ? await this.sample(s.tenant, h.filter ? and(where, h.filter) : where, start, end)
          : [];
      const groupKey = JSON.stringify(h.group);
      records.push({
        id: detectionId(end, `sched\n${s.tenant}\n${s.searchId}\n${end}\n${groupKey}`),
        tenant: s.tenant,
        ts: new Date(end).toISOString(),
        detectedAt: new Date().toISOString(),
        kind: SCHEDULED_SEARCH_KIND,
        ruleId: `search:${s.searchId}`,
        title: sc.title ?? saved.name,
        level: sc.level,
        tags: ['scheduled-search', `schedule.${sc.kind}`],
        attack: { techniques: [], tactics: [] },
        eventIds,
        details: {
          searchId: s.searchId,
          searchName: saved.name,
          query: saved.query,
          schedule: sc.kind,
          windowStart: new Date(start).toISOString(),
          windowEnd: new Date(end).toISOString(),
          count: h.count,
          ...(Object.keys(h.group).length > 0 ? { group: h.group } : {}),
          ...(missed > 0 ? { missedWindows: missed } : {}),
          ...h.extra,
        },
      });
    }
    return records;
  }

  private async hits(
    tenant: string,
    sc: Schedule,
    where: Expr | undefined,
    start: number,
    end: number,
  ): Promise<Hit[]> {
    switch (sc.kind) {
      case 'no_data': {
        const n = await this.count(tenant, where, start, end);
        return n === 0 ? [{ group: {}, count: 0, extra: {} }] : [];
      }
      case 'threshold': {
        if (!sc.by) {
          const n = await this.count(tenant, where, start, end);
          return thresholdHits(sc, new Map([['', n]])).map((h) => ({
            group: {},
            count: h.count,
            extra: { op: sc.op, threshold: sc.value },
          }));
        }
        const counts = await this.countBy(tenant, where, sc.by, start, end);
        return thresholdHits(sc, counts).map((h) => ({
          group: { [sc.by!]: h.group },
          count: h.count,
          extra: { op: sc.op, threshold: sc.value, by: sc.by },
          filter: equals(sc.by!, h.group),
        }));
      }
      case 'new_terms': {
        const window = await this.countBy(tenant, where, sc.field, start, end);
        const historyFrom = end - sc.historyDays * 86_400_000;
        const seen = new Set<string>();
        const values = [...window.keys()];
        for (let i = 0; i < values.length; i += TERMS_PER_QUERY) {
          const chunk = values.slice(i, i + TERMS_PER_QUERY);
          const any: Expr = { type: 'or', items: chunk.map((v) => equals(sc.field, v)) };
          for (const v of (await this.countBy(tenant, and(where, any), sc.field, historyFrom, start)).keys())
            seen.add(v);
        }
        return newTerms(values, seen).map((v) => ({
          group: { [sc.field]: v },
          count: window.get(v) ?? 0,
          extra: { field: sc.field, term: v, historyDays: sc.historyDays },
          filter: equals(sc.field, v),
        }));
      }
    }
  }

  private async count(tenant: string, where: Expr | undefined, start: number, end: number): Promise<number> {
    const r = await this.run(
      tenant,
      { where, pipes: [{ cmd: 'stats', aggs: [{ fn: 'count' }], by: [] }] },
      start,
      end,
      1,
    );
    const v = r.kind === 'table' ? r.rows[0]?.[0] : r.total;
    return Number(v ?? 0);
  }

  /** Event count per value of `field` (events without it are left out). */
  private async countBy(
    tenant: string,
    where: Expr | undefined,
    field: string,
    start: number,
    end: number,
  ): Promise<Map<string, number>> {
    const r = await this.run(
      tenant,
      { where, pipes: [{ cmd: 'stats', aggs: [{ fn: 'count' }], by: [field] }] },
      start,
      end,
      this.opts.maxGroups,
    );
    const out = new Map<string, number>();
    if (r.kind !== 'table') return out;
    const vi = r.columns.indexOf(field);
    const ci = r.columns.indexOf('count');
    for (const row of r.rows) {
      const v = row[vi];
      // Groups are scalar field values; arrays or objects cannot be matched back as a term.
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
      if (v === '') continue;
      out.set(String(v), Number(row[ci] ?? 0));
    }
    return out;
  }

  private async sample(
    tenant: string,
    where: Expr | undefined,
    start: number,
    end: number,
  ): Promise<string[]> {
    const r = await this.run(tenant, { where, pipes: [] }, start, end, SAMPLE_EVENTS);
    if (r.kind !== 'events') return [];
    return r.events
      .map((e) => (e as { event?: { id?: unknown } }).event?.id)
      .filter((id): id is string => typeof id === 'string');
  }

  private run(tenant: string, q: Query, start: number, end: number, limit: number) {
    // `to` is exclusive: an event exactly on the boundary belongs to the next window.
    return this.deps.search.search([tenant], printQuery(q), {
      from: new Date(start),
      to: new Date(end),
      limit,
    });
  }
}
