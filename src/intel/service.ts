/**
 * Threat intelligence capability: the indicator store, live matching of stored events, feeds on
 * their schedules, imports and retro-hunts, and the `/api/v1/intel` routes.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { intelRoutes } from '../api/routes/intel.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { runsDuty } from '../cluster/roles.js';
import type { EventStore } from '../store/ports.js';
import type { ImportContext, ImportResult } from './feeds/common.js';
import { importMispEvent } from './feeds/misp.js';
import { importPlainList } from './feeds/plain-list.js';
import { FeedRunner, type PullOutcome } from './feeds/runner.js';
import { importStix } from './feeds/stix-bundle.js';
import { ALL_TENANTS, type Indicator, type IndicatorInput, type Tlp } from './indicator.js';
import { IntelMatcher } from './live.js';
import { IndicatorIndex } from './match-index.js';
import { followAlertVerdicts } from './verdicts.js';
import type { Feed, FeedOptions, HuntJob, IntelStore, Sighting, SightingKind, Warninglist } from './ports.js';
import { newHuntJob, runRetroHunt } from './retro-hunt.js';
import { taxiiRoutes } from '../api/routes/taxii-server.js';
import { parseMispWarninglist, WarninglistFilter, type MispWarninglist } from './warninglists.js';

export interface IntelOptions {
  /** new indicators are looked for in this many days of stored events; 0 turns it off */
  retroHuntDays: number;
  /** how often due feeds are looked for */
  feedCheckMs: number;
  /** how often a cluster node looks for indicator and list changes other nodes made */
  changePollMs: number;
  /** directories local (file) feeds may be read from; default `<dataDir>/intel-feeds` */
  fileRoots?: string[];
  /** MISP warninglists loaded as global lists at start */
  warninglistsDir?: string;
  falsePositivePenalty: number;
  expireAfterFalsePositives: number;
  /** highest TLP shared out; red never is */
  maxShareTlp: Exclude<Tlp, 'red'>;
}

const DEFAULTS: IntelOptions = {
  retroHuntDays: 7,
  feedCheckMs: 30_000,
  changePollMs: 10_000,
  falsePositivePenalty: 20,
  expireAfterFalsePositives: 3,
  maxShareTlp: 'amber',
};

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/** Same list name in the same tenant and kind: same id, so re-importing a newer version replaces it. */
export const warninglistId = (tenant: string, kind: Warninglist['kind'], name: string): string =>
  `${kind === 'allowlist' ? 'al' : 'wl'}-${tenant === ALL_TENANTS ? 'global' : tenant}-${slug(name)}`;

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
  ): Promise<{ inserted: number; updated: number; warned: number; hunts: string[] }> {
    let inserted = 0;
    let updated = 0;
    let warned = 0;
    const newIds: string[] = [];
    // Re-checked on every report: a null warning clears one a since-removed list had set.
    const items = result.indicators.map((it) => {
      const warning = this.matcher.filter.check(it.tenant, it.type, it.value) ?? null;
      if (warning) warned++;
      return { ...it, warning };
    });
    for (let i = 0; i < items.length; i += 5000) {
      const r = await this.store.upsertIndicators(items.slice(i, i + 5000));
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
    return { inserted, updated, warned, hunts };
  }

  /** An analyst's (or a match's) sighting: recorded, its effect on confidence and validity applied. */
  async sight(
    ind: Indicator,
    req: {
      tenant: string;
      kind: SightingKind;
      note?: string;
      eventId?: string;
      source: string;
      count?: number;
      /** A stable id makes the sighting count once however often it is recorded. */
      id?: string;
    },
  ): Promise<Indicator | undefined> {
    const s: Sighting = {
      id: req.id ?? `sgt-${randomUUID()}`,
      tenant: req.tenant,
      indicatorId: ind.id,
      kind: req.kind,
      count: req.count ?? 1,
      source: req.source,
      note: req.note ?? null,
      eventId: req.eventId ?? null,
      at: new Date().toISOString(),
    };
    const after = await this.store.addSighting(s, this.opts);
    if (after && req.kind === 'false-positive') {
      const vu = after.validUntil ? Date.parse(after.validUntil) : Infinity;
      if (vu <= Date.now()) this.matcher.expire(after.id, vu);
      else this.matcher.put(after);
    }
    return after;
  }

  /** Rebuilds the list filter from the store (after a list changes). */
  async reloadLists(): Promise<WarninglistFilter> {
    const f = new WarninglistFilter(await this.store.listWarninglists());
    this.matcher.filter = f;
    return f;
  }

  /** Stores a MISP-format list (a warninglist, or a tenant's allowlist) under its stable id. */
  async putList(
    doc: MispWarninglist,
    where: { tenant: string; kind: Warninglist['kind']; by: string; enabled?: boolean },
  ): Promise<Warninglist> {
    const w: Warninglist = {
      id: warninglistId(where.tenant, where.kind, doc.name),
      tenant: where.tenant,
      kind: where.kind,
      name: doc.name,
      description: doc.description,
      type: doc.type,
      version: doc.version,
      entries: [...new Set(doc.list)],
      matchingAttributes: doc.matching_attributes ?? [],
      enabled: where.enabled ?? true,
      updatedBy: where.by,
      updatedAt: new Date().toISOString(),
    };
    await this.store.putWarninglist(w);
    await this.reloadLists();
    await this.rescan(w);
    return w;
  }

  async deleteList(id: string): Promise<boolean> {
    const w = await this.store.getWarninglist(id);
    const gone = await this.store.deleteWarninglist(id);
    if (gone && w) {
      await this.reloadLists();
      await this.rescan(w);
    }
    return gone;
  }

  /**
   * After a list changed: what it flagged is checked again (a removed entry or list frees those
   * indicators), and every live indicator it now covers is flagged and leaves the index. Reads the
   * live set in compact form, so it costs one pass over the indicators, not a rebuild.
   */
  private async rescan(
    list: Pick<Warninglist, 'name' | 'kind' | 'tenant'>,
  ): Promise<{ flagged: number; freed: number }> {
    const filter = this.matcher.filter;
    const at = new Date();
    const flags: Array<{ id: string; warning: NonNullable<Indicator['warning']> }> = [];
    const cleared = await this.store.clearWarnings(list, at);
    const freed: Indicator[] = [];
    for (let i = 0; i < cleared.length; i += 500)
      for (const ind of await this.store.getIndicators(cleared.slice(i, i + 500))) {
        const w = filter.check(ind.tenant, ind.type, ind.value);
        if (w) flags.push({ id: ind.id, warning: w });
        else freed.push(ind);
      }
    await this.store.forEachLive(at, (row) => {
      const w = filter.check(row.tenant, row.type, row.value);
      if (w) flags.push({ id: row.id, warning: w });
    });
    for (let i = 0; i < flags.length; i += 5000) await this.store.setWarnings(flags.slice(i, i + 5000), at);
    for (const f of flags) this.matcher.expire(f.id, 0);
    for (const ind of freed) this.matcher.put({ ...ind, warning: null });
    return { flagged: flags.length, freed: freed.length };
  }

  /** Loads `<dir>/<name>/list.json` (the misp-warninglists layout) as global lists; bad files are logged and skipped. */
  async loadListDir(dir: string): Promise<number> {
    let n = 0;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const file = path.join(dir, entry.name, 'list.json');
      try {
        const parsed = parseMispWarninglist(JSON.parse(await readFile(file, 'utf8')) as unknown);
        if (!parsed.ok) throw new Error(parsed.reason);
        const id = warninglistId(ALL_TENANTS, 'warninglist', parsed.value.name);
        const cur = await this.store.getWarninglist(id);
        // A list an admin turned off stays off; a newer version replaces the stored one.
        if (cur && cur.version >= parsed.value.version) continue;
        await this.putList(parsed.value, {
          tenant: ALL_TENANTS,
          kind: 'warninglist',
          by: 'system',
          enabled: cur?.enabled,
        });
        n++;
      } catch (err) {
        this.log.warn(
          { file, error: err instanceof Error ? err.message : String(err) },
          'warninglist not loaded',
        );
      }
    }
    return n;
  }

  /** TLPs that may leave Vigil: up to the configured maximum, never red. */
  shareableTlps(): Tlp[] {
    const order: Tlp[] = ['clear', 'green', 'amber', 'amber+strict'];
    return order.slice(0, order.indexOf(this.opts.maxShareTlp) + 1);
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
  const ic = ctx.config.intel;
  const opts: IntelOptions = {
    ...DEFAULTS,
    ...(ic
      ? {
          retroHuntDays: ic.retroHuntDays,
          warninglistsDir: ic.warninglistsDir,
          falsePositivePenalty: ic.falsePositivePenalty,
          expireAfterFalsePositives: ic.expireAfterFalsePositives,
          maxShareTlp: ic.maxShareTlp,
        }
      : {}),
    ...options,
  };
  const { storage, bus, http, log, metrics } = ctx;
  const store = storage.intel;
  const r = metrics.registry;
  const matcher = new IntelMatcher(
    bus,
    store,
    log,
    r.counter('vigil_intel_hits_total', 'Indicator matches published, by level'),
  );
  // Only nodes that match events hold the index (a million indicators is most of a gigabyte).
  const detects = runsDuty(ctx, 'detect');
  if (detects) await matcher.reload();
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
  await service.reloadLists();
  if (opts.warninglistsDir) await service.loadListDir(opts.warninglistsDir);
  matcher.onSightings = async (batch) => {
    for (const b of batch)
      await store.addSighting(
        { ...b, id: `sgt-${randomUUID()}`, at: new Date().toISOString() },
        {
          falsePositivePenalty: opts.falsePositivePenalty,
          expireAfterFalsePositives: opts.expireAfterFalsePositives,
        },
      );
  };
  await matcher.start();
  if (runsDuty(ctx, 'worker')) runner.start(opts.feedCheckMs);
  const verdicts = await followAlertVerdicts(bus, service, log);
  // Expired indicators stop matching at once; the hourly rebuild also frees their memory.
  const rebuild = setInterval(() => detects && matcher.scheduleReload(0), 3_600_000);
  rebuild.unref();
  // In a cluster other nodes write indicators and lists too: notice it and rebuild.
  let mark = await store.changeMark();
  const poll =
    storage.kind === 'sqlite'
      ? undefined
      : setInterval(
          () =>
            void (async () => {
              const m = await store.changeMark();
              if (m === mark) return;
              mark = m;
              await service.reloadLists();
              if (detects) matcher.scheduleReload(0);
            })().catch((err: unknown) => log.warn({ err }, 'checking for intel changes failed')),
          opts.changePollMs,
        );
  poll?.unref();
  intelRoutes(http, { service, audit: storage.audit, newId: () => randomUUID() });
  taxiiRoutes(http, { service, audit: storage.audit });
  return {
    intel: service,
    close: async () => {
      clearInterval(rebuild);
      clearInterval(poll);
      await verdicts.stop();
      await service.close();
    },
  };
}
