/**
 * Sigma correlation evaluation over event time. State is kept per (correlation, group-by key):
 * the matching entries inside the timespan. Monotone conditions (gt/gte and the temporal types)
 * fire as soon as they hold, then the group starts over; the others (lt/lte/eq/neq) are judged
 * when the window closes, i.e. when the watermark (latest event time seen) minus the lateness
 * bound passes the window's end. Events older than watermark - lateness are counted and dropped.
 * State is bounded (groups per correlation, entries per group) and serialisable as JSON.
 */
import { fail, ok, type Parsed } from '../../schema/result.js';
import { EventCtx } from '../sigma/event-context.js';
import { fieldAccessor, type LogsourceSpec } from '../sigma/pipelines.js';
import type { CompareOp, CompiledRule, CorrelationRule, Level } from '../sigma/types.js';

export interface CorrelationInput {
  /** id of the rule (or correlation) that matched */
  ruleId: string;
  event: Record<string, unknown>;
  /** event time in ms; taken from the event's @timestamp when omitted */
  time?: number;
  /**
   * Feed only this correlation, and do not chain what fires into the correlations listening to it:
   * a partitioned deployment routes each (correlation, group) to the node that owns it, chains too.
   */
  correlationId?: string;
}

export interface CorrelationAlert {
  correlationId: string;
  title: string;
  level: Level;
  type: CorrelationRule['type'];
  group: Record<string, string>;
  windowStart: number;
  windowEnd: number;
  /** the aggregate that satisfied the condition (count, distinct count, sum, ...) */
  value: number;
  ruleIds: string[];
}

export interface CorrelationOptions {
  /** how far behind the newest event an event may arrive and still count (default 60 s) */
  latenessMs?: number;
  /** groups kept per correlation before the oldest is evicted (default 100,000) */
  maxGroups?: number;
  /** entries kept per group before the oldest is dropped (default 10,000) */
  maxEntries?: number;
}

interface Entry {
  t: number;
  r: string;
  v?: string | number | undefined;
}
interface GroupState {
  entries: Entry[];
}
interface Snapshot {
  version: 1;
  watermark: number;
  dropped: number;
  late?: number;
  evicted: number;
  groups: Record<string, Record<string, GroupState>>;
}

const MONOTONE = new Set<CompareOp>(['gt', 'gte']);

/**
 * Occurrences of one rule kept per group of a temporal correlation. A temporal correlation asks
 * whether each rule occurred (in order) within the window, and it fires as soon as that holds, so
 * an arriving event needs the latest occurrences, not every one: without this a building block
 * that fires all day (a password login waiting for a brute force from its address) piled up
 * entries per address without end, and each new one re-sorted them all.
 */
const TEMPORAL_KEPT_PER_RULE = 16;

/** Drops the oldest occurrence of `rule` when it has more than TEMPORAL_KEPT_PER_RULE. */
function keepRecent(entries: Entry[], rule: string): void {
  let n = 0;
  let oldest = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]!.r !== rule) continue;
    n++;
    oldest = i;
  }
  if (n > TEMPORAL_KEPT_PER_RULE) entries.splice(oldest, 1);
}

function compare(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'eq':
      return a === b;
    default:
      return a !== b;
  }
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

export class CorrelationEngine {
  private readonly correlations: CorrelationRule[];
  /** rule id or name → correlations listening to it */
  private readonly listeners = new Map<string, CorrelationRule[]>();
  /** rule id → canonical reference names (id and name) */
  private readonly names = new Map<string, string[]>();
  private readonly logsources = new Map<string, LogsourceSpec>();
  private groups = new Map<string, Map<string, GroupState>>();
  private watermark = -Infinity;
  private readonly lateness: number;
  private readonly maxGroups: number;
  private readonly maxEntries: number;
  private readonly ctx = new EventCtx();
  /** events not correlated: later than the lateness bound, or without a time */
  dropped = 0;
  /** of `dropped`, the events older than the watermark minus the lateness bound */
  late = 0;
  /** groups evicted because a correlation exceeded maxGroups */
  evicted = 0;

  constructor(
    correlations: readonly CorrelationRule[],
    rules: readonly CompiledRule[] = [],
    opts: CorrelationOptions = {},
  ) {
    this.correlations = [...correlations];
    this.lateness = opts.latenessMs ?? 60_000;
    this.maxGroups = opts.maxGroups ?? 100_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    for (const r of rules) {
      this.names.set(r.id, r.name ? [r.id, r.name] : [r.id]);
      this.logsources.set(r.id, r.logsource);
    }
    for (const c of correlations) {
      this.names.set(c.id, c.name ? [c.id, c.name] : [c.id]);
      for (const ref of c.rules) {
        const list = this.listeners.get(ref) ?? [];
        list.push(c);
        this.listeners.set(ref, list);
      }
      this.groups.set(c.id, new Map());
    }
  }

  /** Feeds rule matches in event-time order (roughly); returns the correlations that fired. */
  process(inputs: readonly CorrelationInput[]): CorrelationAlert[] {
    const out: CorrelationAlert[] = [];
    for (const input of inputs) {
      this.ctx.reset(input.event);
      const t = input.time ?? this.ctx.timestamp();
      if (t === undefined) {
        this.dropped++;
        continue;
      }
      if (t < this.watermark - this.lateness) {
        this.dropped++;
        this.late++;
        continue;
      }
      if (t > this.watermark) {
        this.watermark = t;
        this.closeWindows(out);
      }
      this.feed(input.ruleId, input.event, t, out, 0, input.correlationId);
    }
    return out;
  }

  /** Each correlation listening to `ruleId`, with the group key this match has there. */
  routes(ruleId: string, event: Record<string, unknown>): Array<{ correlationId: string; key: string }> {
    const refs = this.names.get(ruleId) ?? [ruleId];
    const out: Array<{ correlationId: string; key: string }> = [];
    const seen = new Set<CorrelationRule>();
    for (const ref of refs) {
      for (const c of this.listeners.get(ref) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        this.ctx.reset(event);
        const key = this.groupKey(c, c.rules.find((x) => refs.includes(x)) ?? ruleId, ruleId);
        if (key !== undefined) out.push({ correlationId: c.id, key });
      }
    }
    return out;
  }

  /** Closes every window (e.g. at the end of a replay) and returns what fires. */
  flush(): CorrelationAlert[] {
    const out: CorrelationAlert[] = [];
    this.closeWindows(out, Infinity);
    return out;
  }

  private feed(
    ruleId: string,
    event: Record<string, unknown>,
    t: number,
    out: CorrelationAlert[],
    depth: number,
    only?: string,
  ): void {
    if (depth > 8) return; // correlation chains deeper than this are cycles
    const refs = this.names.get(ruleId) ?? [ruleId];
    const seen = new Set<CorrelationRule>();
    for (const ref of refs) {
      for (const c of this.listeners.get(ref) ?? []) {
        if (seen.has(c) || (only !== undefined && c.id !== only)) continue;
        seen.add(c);
        this.ctx.reset(event);
        const ref0 = c.rules.find((x) => refs.includes(x)) ?? ruleId;
        const key = this.groupKey(c, ref0, ruleId);
        if (key === undefined) continue;
        const v = c.field ? this.valueOf(c.field, ruleId) : undefined;
        const groups = this.groups.get(c.id)!;
        let g = groups.get(key);
        if (!g) {
          if (groups.size >= this.maxGroups) {
            const oldest = groups.keys().next().value;
            if (oldest !== undefined) groups.delete(oldest);
            this.evicted++;
          }
          g = { entries: [] };
          groups.set(key, g);
        }
        g.entries.push({ t, r: ref0, v });
        if (g.entries.length > this.maxEntries) g.entries.shift();
        else if (c.type === 'temporal' || c.type === 'temporal_ordered') keepRecent(g.entries, ref0);
        const monotone =
          c.type === 'temporal' ||
          c.type === 'temporal_ordered' ||
          c.condition.every((x) => MONOTONE.has(x.op));
        if (!monotone) continue;
        const lo = t - c.timespanMs;
        const inWindow = g.entries.filter((e) => e.t >= lo && e.t <= t);
        const value = this.aggregate(c, inWindow);
        if (value !== undefined && this.holds(c, value)) {
          const alert = this.alert(c, key, inWindow, value);
          out.push(alert);
          groups.delete(key);
          if (only === undefined) this.feed(c.id, { ...event, ...alert.group }, t, out, depth + 1);
        }
      }
    }
  }

  private closeWindows(out: CorrelationAlert[], now = this.watermark - this.lateness): void {
    for (const c of this.correlations) {
      const groups = this.groups.get(c.id)!;
      const monotone =
        c.type === 'temporal' ||
        c.type === 'temporal_ordered' ||
        c.condition.every((x) => MONOTONE.has(x.op));
      for (const [key, g] of groups) {
        g.entries.sort((a, b) => a.t - b.t);
        while (g.entries.length > 0 && g.entries[0]!.t + c.timespanMs < now) {
          const start = g.entries[0]!.t;
          const end = start + c.timespanMs;
          const inWindow = g.entries.filter((e) => e.t <= end);
          if (!monotone) {
            const value = this.aggregate(c, inWindow);
            if (value !== undefined && this.holds(c, value)) out.push(this.alert(c, key, inWindow, value));
            g.entries = g.entries.slice(inWindow.length);
          } else g.entries.shift(); // sliding: the oldest entry can no longer join a window
        }
        if (g.entries.length === 0) groups.delete(key);
      }
    }
  }

  private holds(c: CorrelationRule, value: number): boolean {
    return c.condition.every((x) => compare(x.op, value, x.value));
  }

  private aggregate(c: CorrelationRule, entries: Entry[]): number | undefined {
    switch (c.type) {
      case 'event_count':
        return entries.length;
      case 'value_count':
        return new Set(entries.filter((e) => e.v !== undefined).map((e) => String(e.v))).size;
      case 'value_sum':
      case 'value_avg':
      case 'value_percentile': {
        const nums = entries.map((e) => Number(e.v)).filter((n) => Number.isFinite(n));
        if (nums.length === 0) return undefined;
        if (c.type === 'value_sum') return nums.reduce((a, b) => a + b, 0);
        if (c.type === 'value_avg') return nums.reduce((a, b) => a + b, 0) / nums.length;
        return percentile(nums, c.percentile ?? 50);
      }
      case 'temporal': {
        const seen = new Set(entries.map((e) => e.r));
        return c.rules.every((r) => seen.has(r)) ? seen.size : undefined;
      }
      case 'temporal_ordered': {
        // each rule must have an occurrence after the previous rule's occurrence
        let i = 0;
        for (const e of [...entries].sort((a, b) => a.t - b.t)) if (e.r === c.rules[i]) i++;
        return i === c.rules.length ? i : undefined;
      }
    }
  }

  private alert(c: CorrelationRule, key: string, entries: Entry[], value: number): CorrelationAlert {
    const times = entries.map((e) => e.t);
    return {
      correlationId: c.id,
      title: c.title,
      level: c.level,
      type: c.type,
      group: JSON.parse(key) as Record<string, string>,
      windowStart: Math.min(...times),
      windowEnd: Math.max(...times),
      value,
      ruleIds: [...new Set(entries.map((e) => e.r))].sort(),
    };
  }

  /** Group key as JSON of group-by values; aliases pick the field per referenced rule. */
  private groupKey(c: CorrelationRule, ref: string, ruleId: string): string | undefined {
    const key: Record<string, string> = {};
    for (const name of c.groupBy) {
      const alias = c.aliases[name];
      const field = alias ? (alias[ref] ?? alias[ruleId]) : name;
      if (field === undefined) return undefined;
      const v = this.valueOf(field, ruleId);
      key[name] = v === undefined ? '' : String(v);
    }
    return JSON.stringify(key);
  }

  private valueOf(field: string, ruleId: string): string | number | undefined {
    const direct = this.ctx.event[field];
    if (typeof direct === 'string' || typeof direct === 'number') return direct;
    const ls = this.logsources.get(ruleId) ?? {};
    const v = fieldAccessor(ls, field).get(this.ctx);
    return typeof v === 'string' || typeof v === 'number' ? v : undefined;
  }

  snapshot(): string {
    const groups: Snapshot['groups'] = {};
    for (const [cid, m] of this.groups) groups[cid] = Object.fromEntries(m);
    const s: Snapshot = {
      version: 1,
      watermark: this.watermark,
      dropped: this.dropped,
      late: this.late,
      evicted: this.evicted,
      groups,
    };
    return JSON.stringify(s, (_k, v: unknown) => (v === -Infinity ? null : v));
  }

  /** Open groups across all correlations (for the state-size gauge). */
  get groupCount(): number {
    let n = 0;
    for (const m of this.groups.values()) n += m.size;
    return n;
  }

  /**
   * Restores state saved by snapshot(); a malformed snapshot is refused and state is left as is.
   * Only correlations this engine knows, and that `keep` accepts, get their groups back: after a
   * rule change, a correlation whose definition changed starts empty rather than mixing meanings.
   */
  restore(json: string, keep: (correlationId: string) => boolean = () => true): Parsed<void> {
    let s: Snapshot;
    try {
      s = JSON.parse(json) as Snapshot;
    } catch (e) {
      return fail(`snapshot is not JSON: ${(e as Error).message}`);
    }
    if (
      s === null ||
      typeof s !== 'object' ||
      s.version !== 1 ||
      typeof s.groups !== 'object' ||
      s.groups === null
    ) {
      return fail('snapshot is not a version 1 correlation snapshot');
    }
    this.watermark = s.watermark ?? -Infinity;
    this.dropped = Number(s.dropped) || 0;
    this.late = Number(s.late) || 0;
    this.evicted = Number(s.evicted) || 0;
    this.groups = new Map();
    for (const c of this.correlations) {
      const saved = keep(c.id) ? (s.groups[c.id] ?? {}) : {};
      const valid = Object.entries(saved).filter(([, g]) => Array.isArray(g?.entries));
      // A snapshot from a run with a larger bound keeps its newest groups (insertion order is age).
      const excess = Math.max(0, valid.length - this.maxGroups);
      this.evicted += excess;
      this.groups.set(c.id, new Map(valid.slice(excess)));
    }
    return ok(undefined);
  }
}
