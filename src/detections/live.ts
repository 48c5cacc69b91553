import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, Subscription } from '../bus/ports.js';
import { CorrelationEngine, type CorrelationAlert } from '../detect/correlation/evaluator.js';
import { silencedByCorrelations } from '../detect/correlation/generate.js';
import { DetectionEngine } from '../detect/engine.js';
import type { CorrelationRule, LoadResult } from '../detect/sigma/types.js';
import type { SourceDetection } from '../ingest/health/silent-monitor.js';
import type { Counter } from '../metrics/registry.js';
import { STORED_SUBJECT } from '../pipeline/ingest.js';
import type { VigilEvent } from '../schema/ecs.js';
import type { DetectionRecord, DetectionStore } from '../store/ports.js';
import { RulePolicy } from './policy.js';
import { fromCorrelation, fromSigma, fromSourceHealth } from './records.js';
import type { BuiltRuleSet, RuleOrigin } from './rule-set.js';

export const DETECTIONS_SUBJECT = 'detections';

export interface LiveCounters {
  detections?: Counter;
  /** detections an exception suppressed, by kind */
  suppressed?: Counter;
  /** matches not correlated because they arrived later than the lateness bound */
  late?: Counter;
  /** correlation groups dropped because a correlation reached its group bound */
  evicted?: Counter;
}

export interface LiveOptions {
  latenessMs?: number;
  maxGroups?: number;
  counters?: LiveCounters;
  /**
   * Cluster mode: correlation runs on the node owning each (correlation, group) partition. This
   * node then routes matches to `correlate.<tenant>.<partition>` instead of correlating itself.
   */
  correlationPartitions?: number;
}

/** Subject root of routed correlation inputs: `correlate.<tenant>.<partition>`. */
export const CORRELATE_SUBJECT = 'correlate';

/** Matches bound for one partition's correlation state. */
export interface CorrelationBatch {
  /** Stable: the same matches routed again carry the same id (the owner counts them once). */
  id: string;
  tenant: string;
  partition: number;
  items: Array<{ correlationId: string; key: string; ruleId: string; event: Record<string, unknown> }>;
}

/** One compiled rule set; replaced as a whole so a batch never sees half of a reload. */
interface ActiveSet {
  built: BuiltRuleSet;
  engine: DetectionEngine;
  correlationMeta: Map<string, CorrelationRule>;
  /** correlation id → its definition, to tell whether state may carry over a reload */
  fingerprints: Map<string, string>;
  /** rules and correlations that only feed correlations (Sigma `generate: false`) */
  silenced: Set<string>;
}

const fingerprint = (c: CorrelationRule): string =>
  JSON.stringify([
    c.type,
    c.rules,
    c.groupBy,
    c.timespanMs,
    c.condition,
    c.field ?? null,
    c.percentile ?? null,
    c.aliases,
  ]);

const asBuilt = (rules: LoadResult | BuiltRuleSet): BuiltRuleSet =>
  'loaded' in rules ? rules : { loaded: rules, missing: [], origin: new Map() };

/**
 * Live detection: consumes stored events from the bus, runs the Sigma engine and the correlation
 * engine (one per tenant, so group state never mixes tenants), applies per-tenant enable/disable and
 * exceptions, and publishes detection records.
 *
 * A reload compiles a new set and swaps it in with one assignment; evaluation of a batch is
 * synchronous and reads the set once, so every batch runs wholly on the old or the new rules.
 */
export class LiveDetection {
  private active: ActiveSet;
  private policy: RulePolicy;
  private correlations = new Map<string, CorrelationEngine>();
  /** partition → tenant → engine: the state of the partitions this node owns (cluster mode). */
  private partitionEngines = new Map<number, Map<string, CorrelationEngine>>();
  private readonly partitions: number;
  private sub: Subscription | undefined;
  private readonly latenessMs: number;
  private readonly maxGroups: number;
  private readonly counters: LiveCounters;
  /** set when correlation state changed since the last snapshot() */
  dirty = false;

  constructor(
    private readonly bus: Bus,
    rules: LoadResult | BuiltRuleSet,
    private readonly log: Logger,
    counterOrOpts?: Counter | LiveOptions,
    policy: RulePolicy = new RulePolicy(),
  ) {
    const opts: LiveOptions =
      counterOrOpts && 'inc' in counterOrOpts
        ? { counters: { detections: counterOrOpts } }
        : (counterOrOpts ?? {});
    this.latenessMs = opts.latenessMs ?? 60_000;
    this.maxGroups = opts.maxGroups ?? 100_000;
    this.counters = opts.counters ?? {};
    this.partitions = opts.correlationPartitions ?? 0;
    this.policy = policy;
    this.active = this.compile(asBuilt(rules));
  }

  private compile(built: BuiltRuleSet): ActiveSet {
    const l = built.loaded;
    const engine = new DetectionEngine(l.rules, { filters: l.filters });
    for (const r of l.rules) if (this.policy.offEverywhere(r.id)) engine.disable(r.id);
    const correlationMeta = new Map<string, CorrelationRule>();
    const fingerprints = new Map<string, string>();
    for (const c of l.correlations) {
      correlationMeta.set(c.id, c);
      fingerprints.set(c.id, fingerprint(c));
    }
    return { built, engine, correlationMeta, fingerprints, silenced: silencedByCorrelations(l) };
  }

  get rules(): LoadResult {
    return this.active.built.loaded;
  }

  get ruleSet(): BuiltRuleSet {
    return this.active.built;
  }

  get rulePolicy(): RulePolicy {
    return this.policy;
  }

  get ruleCount(): number {
    return this.rules.rules.length + this.rules.correlations.length;
  }

  origin(id: string): RuleOrigin | undefined {
    return this.active.built.origin.get(id);
  }

  /** Open correlation groups over all tenants. */
  get correlationGroups(): number {
    let n = 0;
    for (const c of this.correlations.values()) n += c.groupCount;
    return n;
  }

  /**
   * Replaces the rule set. Correlation state moves to the new engines for every correlation that
   * still exists with the same definition; the others start empty.
   */
  swap(rules: BuiltRuleSet): void {
    const prev = this.active;
    const next = this.compile(rules);
    const moved = new Map<string, CorrelationEngine>();
    if (next.built.loaded.correlations.length > 0) {
      for (const [tenant, old] of this.correlations) {
        const c = this.newCorrelationEngine(next);
        c.restore(old.snapshot(), (id) => prev.fingerprints.get(id) === next.fingerprints.get(id));
        moved.set(tenant, c);
      }
    }
    const movedPartitions = new Map<number, Map<string, CorrelationEngine>>();
    for (const [p, engines] of this.partitionEngines) {
      const m = new Map<string, CorrelationEngine>();
      for (const [tenant, old] of engines) {
        const c = this.newCorrelationEngine(next);
        c.restore(old.snapshot(), (id) => prev.fingerprints.get(id) === next.fingerprints.get(id));
        m.set(tenant, c);
      }
      movedPartitions.set(p, m);
    }
    this.active = next;
    this.correlations = moved;
    this.partitionEngines = movedPartitions;
    this.dirty = true;
  }

  /** New enable/disable settings or exceptions; applies from the next batch on. */
  setPolicy(policy: RulePolicy): void {
    this.policy = policy;
    const { engine, built } = this.active;
    for (const r of built.loaded.rules) {
      if (policy.offEverywhere(r.id)) engine.disable(r.id);
      else engine.enable(r.id);
    }
  }

  private newCorrelationEngine(set: ActiveSet): CorrelationEngine {
    const l = set.built.loaded;
    return new CorrelationEngine(l.correlations, l.rules, {
      latenessMs: this.latenessMs,
      maxGroups: this.maxGroups,
    });
  }

  private correlationFor(set: ActiveSet, tenant: string): CorrelationEngine | undefined {
    if (set.built.loaded.correlations.length === 0) return undefined;
    let c = this.correlations.get(tenant);
    if (!c) {
      c = this.newCorrelationEngine(set);
      this.correlations.set(tenant, c);
    }
    return c;
  }

  /** Evaluates one batch of stored events (all of one tenant) and returns the detection records. */
  evaluate(events: VigilEvent[], now = new Date().toISOString()): DetectionRecord[] {
    return this.evaluateBatch(events, now).records;
  }

  /**
   * Evaluates a batch: Sigma detections, and either the correlations fired here or, partitioned,
   * the matches to route to the owners of their correlation groups.
   */
  evaluateBatch(
    events: VigilEvent[],
    now = new Date().toISOString(),
  ): { records: DetectionRecord[]; routed: CorrelationBatch[] } {
    const set = this.active;
    const policy = this.policy;
    const tenant = events[0]?.organization.id;
    if (tenant === undefined) return { records: [], routed: [] };
    const nowMs = Date.parse(now);
    const kept = set.engine.evaluate(events).filter((d) => {
      if (!policy.enabledFor(d.ruleId, tenant, set.built.origin.get(d.ruleId))) return false;
      if (!policy.hasExceptions(tenant)) return true;
      const ex = policy.exceptionFor(tenant, d.ruleId, events[d.eventIndex], d.matchedFields, nowMs);
      if (ex) this.counters.suppressed?.inc({ kind: 'sigma' });
      return ex === undefined;
    });
    const out = kept
      .filter((d) => !set.silenced.has(d.ruleId))
      .map((d) => fromSigma(d, events[d.eventIndex]!, now));
    if (this.partitions > 0) {
      const router = kept.length > 0 ? this.correlationFor(set, tenant) : undefined;
      const routed = router
        ? this.route(
            router,
            tenant,
            kept.map((d) => ({ ruleId: d.ruleId, event: events[d.eventIndex]! })),
          )
        : [];
      return { records: out, routed };
    }
    const corr = kept.length > 0 ? this.correlationFor(set, tenant) : undefined;
    if (corr) {
      const late0 = corr.late;
      const evicted0 = corr.evicted;
      const fired = corr.process(kept.map((d) => ({ ruleId: d.ruleId, event: events[d.eventIndex]! })));
      this.dirty = true;
      if (corr.late > late0) this.counters.late?.inc({}, corr.late - late0);
      if (corr.evicted > evicted0) this.counters.evicted?.inc({}, corr.evicted - evicted0);
      for (const c of fired) {
        const r = this.correlationRecord(set, policy, tenant, c, nowMs, now);
        if (r) out.push(r);
      }
    }
    return { records: out, routed: [] };
  }

  /** A fired correlation as a detection record, unless it only feeds others, is off or excepted. */
  private correlationRecord(
    set: ActiveSet,
    policy: RulePolicy,
    tenant: string,
    c: CorrelationAlert,
    nowMs: number,
    now: string,
  ): DetectionRecord | undefined {
    if (set.silenced.has(c.correlationId)) return undefined;
    if (!policy.enabledFor(c.correlationId, tenant, set.built.origin.get(c.correlationId))) return undefined;
    if (policy.hasExceptions(tenant) && policy.exceptionFor(tenant, c.correlationId, c.group, [], nowMs)) {
      this.counters.suppressed?.inc({ kind: 'correlation' });
      return undefined;
    }
    const meta = set.correlationMeta.get(c.correlationId);
    return fromCorrelation(c, tenant, meta?.tags ?? [], meta?.attack ?? { techniques: [], tactics: [] }, now);
  }

  /** Groups matches by the partition of each (correlation, group key) they feed. */
  private route(
    router: CorrelationEngine,
    tenant: string,
    matches: ReadonlyArray<{ ruleId: string; event: Record<string, unknown> }>,
  ): CorrelationBatch[] {
    const byPartition = new Map<number, CorrelationBatch['items']>();
    for (const m of matches) {
      for (const r of router.routes(m.ruleId, m.event)) {
        const p = partitionOf(`${tenant}\n${r.correlationId}\n${r.key}`, this.partitions);
        let items = byPartition.get(p);
        if (!items) byPartition.set(p, (items = []));
        items.push({ correlationId: r.correlationId, key: r.key, ruleId: m.ruleId, event: m.event });
      }
    }
    return [...byPartition].map(([partition, items]) => ({
      id: batchId(partition, items),
      tenant,
      partition,
      items,
    }));
  }

  /**
   * Runs routed matches through this node's state for their partition: the correlations that fire
   * (as detection records) and, for those other correlations listen to, the matches to route on.
   */
  correlatePartition(
    batch: CorrelationBatch,
    now = new Date().toISOString(),
  ): { records: DetectionRecord[]; routed: CorrelationBatch[] } {
    const set = this.active;
    const policy = this.policy;
    const { tenant } = batch;
    const nowMs = Date.parse(now);
    let engines = this.partitionEngines.get(batch.partition);
    if (!engines) this.partitionEngines.set(batch.partition, (engines = new Map()));
    let corr = engines.get(tenant);
    if (!corr) {
      if (set.built.loaded.correlations.length === 0) return { records: [], routed: [] };
      corr = this.newCorrelationEngine(set);
      engines.set(tenant, corr);
    }
    const records: DetectionRecord[] = [];
    const chained: Array<{ ruleId: string; event: Record<string, unknown> }> = [];
    const late0 = corr.late;
    const evicted0 = corr.evicted;
    for (const item of batch.items) {
      for (const c of corr.process([
        { ruleId: item.ruleId, event: item.event, correlationId: item.correlationId },
      ])) {
        // What fired on this match (not a window another match closed) feeds the correlations after it.
        if (c.correlationId === item.correlationId && JSON.stringify(c.group) === item.key)
          chained.push({ ruleId: c.correlationId, event: { ...item.event, ...c.group } });
        const r = this.correlationRecord(set, policy, tenant, c, nowMs, now);
        if (r) records.push(r);
      }
    }
    if (corr.late > late0) this.counters.late?.inc({}, corr.late - late0);
    if (corr.evicted > evicted0) this.counters.evicted?.inc({}, corr.evicted - evicted0);
    return { records, routed: chained.length > 0 ? this.route(corr, tenant, chained) : [] };
  }

  /** The state of one owned partition, every tenant, as JSON. */
  partitionSnapshot(partition: number): string {
    const engines = this.partitionEngines.get(partition) ?? new Map<string, CorrelationEngine>();
    return JSON.stringify(Object.fromEntries([...engines].map(([t, c]) => [t, c.snapshot()])));
  }

  /** Takes over a partition's saved state (when this node acquires it); false when it does not parse. */
  restorePartition(partition: number, json: string | undefined): boolean {
    const engines = new Map<string, CorrelationEngine>();
    this.partitionEngines.set(partition, engines);
    if (!json || this.active.built.loaded.correlations.length === 0) return true;
    let saved: Record<string, string>;
    try {
      saved = JSON.parse(json) as Record<string, string>;
    } catch {
      return false;
    }
    for (const [tenant, snap] of Object.entries(saved)) {
      const c = this.newCorrelationEngine(this.active);
      if (typeof snap === 'string' && c.restore(snap).ok) engines.set(tenant, c);
    }
    return true;
  }

  /** Forgets a partition this node no longer owns. */
  dropPartition(partition: number): void {
    this.partitionEngines.delete(partition);
  }

  /** Correlation state of every tenant, as JSON snapshots. */
  snapshot(): Array<{ tenant: string; snapshot: string }> {
    this.dirty = false;
    return [...this.correlations].map(([tenant, c]) => ({ tenant, snapshot: c.snapshot() }));
  }

  /** Restores saved state (at start); a snapshot that does not parse is logged and skipped. */
  restore(items: ReadonlyArray<{ tenant: string; snapshot: string }>): number {
    let restored = 0;
    for (const { tenant, snapshot } of items) {
      const c = this.correlationFor(this.active, tenant);
      if (!c) return restored;
      const r = c.restore(snapshot);
      if (!r.ok) this.log.warn({ tenant, reason: r.reason }, 'correlation state not restored');
      else restored++;
    }
    return restored;
  }

  async start(): Promise<void> {
    this.sub = await this.bus.consume<VigilEvent[]>(
      `${STORED_SUBJECT}.>`,
      'detect',
      async (msg) => {
        const { records, routed } = this.evaluateBatch(msg.data);
        await this.publishRouted(routed);
        if (records.length === 0) return;
        for (const r of records) this.counters.detections?.inc({ level: r.level, kind: r.kind });
        await this.bus.publish(`${DETECTIONS_SUBJECT}.${records[0]!.tenant}`, records);
      },
      {
        maxDeliver: 3,
        onDeadLetter: (_m, err) =>
          this.log.error({ err }, 'detection failed on a batch three times; batch skipped'),
      },
    );
  }

  async stop(): Promise<void> {
    await this.sub?.stop();
  }

  /** Hands routed matches to their partitions' owners; resolves when the bus holds them. */
  async publishRouted(batches: readonly CorrelationBatch[]): Promise<void> {
    for (const b of batches)
      await this.bus.publish(`${CORRELATE_SUBJECT}.${b.tenant}.${b.partition}`, b, { id: b.id });
  }

  /** Publishes detections a partition produced (the caller counts them). */
  async publishRecords(records: readonly DetectionRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const r of records) this.counters.detections?.inc({ level: r.level, kind: r.kind });
    await this.bus.publish(`${DETECTIONS_SUBJECT}.${records[0]!.tenant}`, records, {
      id: createHash('sha1')
        .update(records.map((r) => r.id).join('\n'))
        .digest('base64url'),
    });
  }
}

/** Stable partition of a key: FNV-1a (32 bit), so every node routes a key the same way. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

function batchId(partition: number, items: CorrelationBatch['items']): string {
  const h = createHash('sha1').update(String(partition));
  for (const i of items) {
    const ev = (i.event as { event?: { id?: unknown } }).event?.id;
    h.update(
      `\n${i.correlationId}\n${i.ruleId}\n${i.key}\n${typeof ev === 'string' ? ev : JSON.stringify(i.event)}`,
    );
  }
  return h.digest('base64url');
}

/** Stores every detection published on the bus, whatever produced it (rules, source health...). */
export async function recordDetections(bus: Bus, store: DetectionStore, log: Logger): Promise<Subscription> {
  return bus.consume<DetectionRecord[] | SourceDetection>(
    `${DETECTIONS_SUBJECT}.>`,
    'record',
    async (msg) => {
      const records = Array.isArray(msg.data) ? msg.data : [fromSourceHealth(msg.data)];
      await store.add(records);
    },
    {
      maxDeliver: 10,
      onDeadLetter: (_m, err) => log.error({ err }, 'could not store detections after 10 attempts'),
    },
  );
}
