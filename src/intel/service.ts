/**
 * Threat intelligence capability: the indicator store, live matching of stored events, feeds on
 * their schedules, imports and retro-hunts, and the `/api/v1/intel` routes.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { intelRoutes } from '../api/routes/intel.js';
import type { Capability, CapabilityContext } from '../capability.js';
import type { EventStore } from '../store/ports.js';
import type { ImportContext, ImportResult } from './feeds/common.js';
import { importMispEvent } from './feeds/misp.js';
import { importPlainList } from './feeds/plain-list.js';
import { FeedRunner, type PullOutcome } from './feeds/runner.js';
import { importStix } from './feeds/stix-bundle.js';
import { ALL_TENANTS, type IndicatorInput } from './indicator.js';
import { IntelMatcher } from './live.js';
import { IndicatorIndex } from './match-index.js';
import type { Feed, FeedOptions, HuntJob, IntelStore } from './ports.js';
import { newHuntJob, runRetroHunt } from './retro-hunt.js';

export interface IntelOptions {
  /** new indicators are looked for in this many days of stored events; 0 turns it off */
  retroHuntDays: number;
  /** how often due feeds are looked for */
  feedCheckMs: number;
  /** directories local (file) feeds may be read from; default `<dataDir>/intel-feeds` */
  fileRoots?: string[];
}

const DEFAULTS: IntelOptions = { retroHuntDays: 7, feedCheckMs: 30_000 };

/** The intel store; PostgreSQL has none yet, and intel then stays off (start-up says so). */
function intelStoreFor(ctx: CapabilityContext): { store: IntelStore; close: () => void } | undefined {
  if (ctx.storage.kind !== 'sqlite') return undefined;
  return { store: ctx.storage.intel, close: () => undefined };
}

export type ImportFormat = 'stix' | 'misp' | 'csv';

/** What the routes call; every method is tenant-scoped by its caller. */
export class IntelService {
  private hunts = new Set<Promise<unknown>>();

  constructor(
    readonly store: IntelStore,
    readonly matcher: IntelMatcher,
    readonly runner: FeedRunner,
    private readonly events: EventStore,
    private readonly log: Logger,
    private readonly opts: IntelOptions,
    private readonly tenantsOf: () => Promise<string[]>,
  ) {}

  /** Stores indicators and context, refreshes matching, and hunts for the new ones in history. */
  async apply(
    result: ImportResult,
    requestedBy = 'intel',
  ): Promise<{ inserted: number; updated: number; hunts: string[] }> {
    let inserted = 0;
    let updated = 0;
    const newIds: string[] = [];
    for (let i = 0; i < result.indicators.length; i += 5000) {
      const r = await this.store.upsertIndicators(result.indicators.slice(i, i + 5000));
      inserted += r.inserted;
      updated += r.updated;
      newIds.push(...r.newIds);
      // Into the live index at once, from the merged records (their validity is the merged one).
      for (let j = 0; j < r.ids.length; j += 500)
        for (const ind of await this.store.getIndicators(r.ids.slice(j, j + 500))) this.matcher.put(ind);
    }
    if (result.objects.length > 0) await this.store.putObjects(result.objects);
    const hunts =
      newIds.length > 0 && this.opts.retroHuntDays > 0 ? await this.huntFor(newIds, requestedBy) : [];
    return { inserted, updated, hunts };
  }

  /** Retro-hunts for just these indicators, per tenant they apply to. */
  private async huntFor(ids: string[], requestedBy: string): Promise<string[]> {
    const index = new IndicatorIndex();
    const tenants = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const ind of await this.store.getIndicators(ids.slice(i, i + 500))) {
        const vu = ind.validUntil ? Date.parse(ind.validUntil) : Infinity;
        index.add({ id: ind.id, tenant: ind.tenant, type: ind.type, value: ind.value, validUntil: vu });
        tenants.add(ind.tenant);
      }
    }
    const list = tenants.has(ALL_TENANTS) ? await this.tenantsOf() : [...tenants];
    const to = new Date();
    const from = new Date(to.getTime() - this.opts.retroHuntDays * 86_400_000);
    return list.map((tenant) => this.startHunt({ tenant, from, to, requestedBy }, index).id);
  }

  /** Starts a retro-hunt in the background (all live indicators unless an index is given). */
  startHunt(
    req: { tenant: string; from: Date; to: Date; requestedBy: string },
    index?: IndicatorIndex,
  ): HuntJob {
    const job = newHuntJob(req);
    const p = (async () => {
      const idx = index ?? (await this.freshIndex());
      return runRetroHunt(
        req,
        { events: this.events, store: this.store, matcher: this.matcher, index: idx },
        job,
      );
    })()
      .catch((err: unknown) => this.log.error({ err, hunt: job.id }, 'retro-hunt failed'))
      .finally(() => this.hunts.delete(p));
    this.hunts.add(p);
    return job;
  }

  /** A separate index so a hunt's sequence state never mixes with live matching. */
  private async freshIndex(): Promise<IndicatorIndex> {
    const idx = new IndicatorIndex();
    await this.store.forEachLive(new Date(), (row) => idx.add(row));
    return idx;
  }

  parseImport(format: ImportFormat, body: unknown, ctx: ImportContext, options: FeedOptions = {}) {
    if (format === 'csv') {
      const text =
        typeof body === 'string'
          ? body
          : typeof (body as { text?: unknown })?.text === 'string'
            ? (body as { text: string }).text
            : undefined;
      if (text === undefined)
        return { ok: false as const, reason: 'csv import expects a text/plain body or {"text": "..."}' };
      return importPlainList(text, options, ctx);
    }
    return format === 'misp' ? importMispEvent(body, ctx) : importStix(body, ctx);
  }

  async addIndicators(items: IndicatorInput[], requestedBy: string) {
    return this.apply({ indicators: items, objects: [], rejected: [], skipped: 0 }, requestedBy);
  }

  pullFeed(feed: Feed): Promise<PullOutcome> {
    return this.runner.pull(feed);
  }

  async idle(): Promise<void> {
    await Promise.allSettled([...this.hunts]);
    await this.matcher.settled();
  }

  async close(): Promise<void> {
    await this.runner.stop();
    await this.matcher.stop();
    await Promise.allSettled([...this.hunts]);
  }
}

export async function startIntel(
  ctx: CapabilityContext,
  options: Partial<IntelOptions> = {},
): Promise<Capability & { intel?: IntelService }> {
  const opts = { ...DEFAULTS, ...options };
  const { storage, bus, http, log, metrics } = ctx;
  const found = intelStoreFor(ctx);
  if (!found) {
    ctx.log.warn(
      'threat intelligence is not available with PostgreSQL storage yet; indicator matching is off',
    );
    return { close: () => Promise.resolve() };
  }
  const { store, close } = found;
  const r = metrics.registry;
  const matcher = new IntelMatcher(
    bus,
    store,
    log,
    r.counter('vigil_intel_hits_total', 'Indicator matches published, by level'),
  );
  await matcher.reload();
  r.gauge('vigil_intel_indicators_live', 'Unexpired indicators in the match index').set(
    () => matcher.index.size,
  );
  // eslint-disable-next-line prefer-const -- the runner's apply needs the service built after it
  let service: IntelService;
  const runner = new FeedRunner({
    store,
    apply: (res) => service.apply(res, 'feed'),
    log,
    fileRoots: opts.fileRoots ?? [path.join(ctx.config.dataDir, 'intel-feeds')],
  });
  service = new IntelService(store, matcher, runner, storage.events, log, opts, async () =>
    (await storage.identity.listTenants()).map((t) => t.id),
  );
  await matcher.start();
  runner.start(opts.feedCheckMs);
  // Expired indicators stop matching at once; the hourly rebuild also frees their memory.
  const rebuild = setInterval(() => matcher.scheduleReload(0), 3_600_000);
  rebuild.unref();
  intelRoutes(http, { service, audit: storage.audit, newId: () => randomUUID() });
  return {
    intel: service,
    close: async () => {
      clearInterval(rebuild);
      await service.close();
      close();
    },
  };
}
