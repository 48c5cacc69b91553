/**
 * Live indicator matching: every stored batch is checked against the in-memory index and each hit
 * is published as an `indicator` detection on `detections.<tenant>`. The index is rebuilt from the
 * store after changes (debounced) and swapped in whole, so a batch sees the old or the new set.
 */
import type { Logger } from 'pino';
import type { Bus, Subscription } from '../bus/ports.js';
import { DETECTIONS_SUBJECT } from '../detections/live.js';
import type { Counter } from '../metrics/registry.js';
import { STORED_SUBJECT } from '../pipeline/ingest.js';
import type { VigilEvent } from '../schema/ecs.js';
import type { DetectionRecord } from '../store/ports.js';
import { toDetection } from './detections.js';
import type { Indicator } from './indicator.js';
import { buildIndex, IndicatorIndex, type Hit } from './match-index.js';
import type { IntelStore, SightingKind } from './ports.js';
import { WarninglistFilter } from './warninglists.js';

/** Matches of one batch, aggregated per indicator, tenant and outcome. */
export interface SightingBatch {
  indicatorId: string;
  tenant: string;
  kind: Extract<SightingKind, 'match' | 'suppressed'>;
  count: number;
  source: 'live' | 'retro-hunt';
  /** a suppression's reason */
  note: string | null;
  /** the first event it was seen in */
  eventId: string;
}

export const INTEL_GROUP = 'intel';

export class IntelMatcher {
  index = new IndicatorIndex();
  private sub: Subscription | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private details = new Map<string, Indicator>();
  /** changes made while a rebuild reads the store, re-applied to the new index when it is swapped in */
  private duringReload: Array<(idx: IndicatorIndex) => void> | undefined;
  /** warninglists and allowlists applied to hits */
  filter = new WarninglistFilter([]);
  /** where sightings of each batch go; a failure there is logged, never fails matching */
  onSightings: ((batch: SightingBatch[]) => Promise<void>) | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly store: IntelStore,
    private readonly log: Logger,
    private readonly hits?: Counter,
  ) {}

  /** Rebuilds the index from the store now. */
  async reload(): Promise<void> {
    const started = Date.now();
    this.duringReload = [];
    let next: IndicatorIndex;
    try {
      next = await buildIndex((now, cb) => this.store.forEachLive(now, cb));
    } catch (err) {
      this.duringReload = undefined;
      throw err;
    }
    for (const change of this.duringReload) change(next);
    this.duringReload = undefined;
    next.adoptSequences(this.index);
    this.index = next;
    this.details.clear();
    this.log.info(
      { indicators: next.size, ms: Date.now() - started, rejected: next.rejected },
      'indicator index built',
    );
  }

  /** Adds or updates one indicator in the live index now, and refreshes its cached details. */
  put(ind: Indicator): void {
    // A warned indicator is kept in the store but never matched.
    if (ind.warning) return this.expire(ind.id, 0);
    this.details.delete(ind.id);
    const change = (idx: IndicatorIndex): void =>
      idx.add({
        id: ind.id,
        tenant: ind.tenant,
        type: ind.type,
        value: ind.value,
        validUntil: ind.validUntil ? Date.parse(ind.validUntil) : Infinity,
      });
    change(this.index);
    this.duringReload?.push(change);
  }

  /** Ends an indicator's validity in the live index now. */
  expire(id: string, at: number): void {
    this.details.delete(id);
    const change = (idx: IndicatorIndex): void => void idx.expire(id, at);
    change(this.index);
    this.duringReload?.push(change);
  }

  /** Rebuild soon, once for a burst of changes (drops expired indicators from memory). */
  scheduleReload(delayMs = 250): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      this.reloading = this.reload()
        .catch((err: unknown) =>
          this.log.error({ err }, 'indicator index rebuild failed; the previous one stays'),
        )
        .finally(() => (this.reloading = undefined));
    }, delayMs);
    this.reloadTimer.unref();
  }

  /** Waits for a scheduled or running rebuild (tests, and callers that need the new set in force). */
  async settled(): Promise<void> {
    if (this.reloadTimer) {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = undefined;
      this.reloading = this.reload();
    }
    await this.reloading;
  }

  /** Hits of a batch against an index (the live one unless given), as detection records. */
  async detect(
    events: VigilEvent[],
    index: IndicatorIndex = this.index,
    extra: Record<string, unknown> = {},
  ): Promise<DetectionRecord[]> {
    const now = Date.now();
    const found: Array<{ hit: Hit; event: VigilEvent }> = [];
    for (const event of events) for (const hit of index.match(event, now)) found.push({ hit, event });
    if (found.length === 0) return [];
    const missing = [...new Set(found.map((f) => f.hit.indicator.id))].filter((id) => !this.details.has(id));
    if (missing.length > 0) {
      if (this.details.size > 10_000) this.details.clear();
      for (const ind of await this.store.getIndicators(missing)) this.details.set(ind.id, ind);
    }
    const iso = new Date(now).toISOString();
    const out: DetectionRecord[] = [];
    const sightings = new Map<string, SightingBatch>();
    const source = extra.retroHunt ? 'retro-hunt' : 'live';
    for (const { hit, event } of found) {
      const ind = this.details.get(hit.indicator.id);
      if (!ind) continue;
      const tenant = event.organization.id;
      // The event's value may be benign even when the indicator is not (a wide CIDR, a parent domain).
      const warning = this.filter.check(tenant, ind.type, hit.value);
      const kind = warning ? 'suppressed' : 'match';
      const note = warning ? `${warning.kind} ${warning.list}: ${warning.reason}` : null;
      const key = `${ind.id}\n${tenant}\n${kind}\n${note ?? ''}`;
      const cur = sightings.get(key);
      if (cur) cur.count++;
      else
        sightings.set(key, {
          indicatorId: ind.id,
          tenant,
          kind,
          count: 1,
          source,
          note,
          eventId: event.event.id,
        });
      if (!warning) out.push(toDetection(hit, ind, event, iso, extra));
    }
    if (this.onSightings && sightings.size > 0)
      await this.onSightings([...sightings.values()]).catch((err: unknown) =>
        this.log.warn({ err }, 'recording indicator sightings failed; the matches are published anyway'),
      );
    return out;
  }

  /** Publishes records grouped by tenant, as live detection does. */
  async publish(records: DetectionRecord[]): Promise<void> {
    const byTenant = new Map<string, DetectionRecord[]>();
    for (const r of records) byTenant.set(r.tenant, [...(byTenant.get(r.tenant) ?? []), r]);
    for (const [tenant, list] of byTenant) {
      for (const r of list) this.hits?.inc({ level: r.level });
      await this.bus.publish(`${DETECTIONS_SUBJECT}.${tenant}`, list);
    }
  }

  async start(): Promise<void> {
    this.sub = await this.bus.consume<VigilEvent[]>(
      `${STORED_SUBJECT}.>`,
      INTEL_GROUP,
      async (msg) => {
        const records = await this.detect(msg.data);
        if (records.length > 0) await this.publish(records);
      },
      {
        maxDeliver: 3,
        onDeadLetter: (_m, err) =>
          this.log.error({ err }, 'indicator matching failed on a batch three times; batch skipped'),
      },
    );
  }

  async stop(): Promise<void> {
    clearTimeout(this.reloadTimer);
    await this.sub?.stop();
    await this.reloading;
  }
}
