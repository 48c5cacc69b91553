import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import {
  ALL_TENANTS,
  INDICATOR_TYPES,
  normalizeValue,
  SEVERITIES,
  TLPS,
  type Indicator,
  type IndicatorInput,
  type IndicatorType,
} from '../../intel/indicator.js';
import { parseCidr, parseIp } from '../../intel/ip.js';
import { FEED_KINDS, type Feed, type IndicatorPageQuery, type Warninglist } from '../../intel/ports.js';
import { indicatorsCsv, mispEvent, mispHashes, stableUuid, stixBundle } from '../../intel/share.js';
import { mispWarninglistSchema } from '../../intel/warninglists.js';
import type { IntelService } from '../../intel/service.js';
import type { AuditLog } from '../../store/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants, targetTenant } from '../tenancy.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');
const tenantParam = z.string().max(63).optional();

const indicatorBody = z
  .object({
    type: z.enum(INDICATOR_TYPES),
    value: z.string().min(1).max(8192),
    name: z.string().max(500).optional(),
    description: z.string().max(10_000).optional(),
    confidence: z.number().int().min(0).max(100).optional(),
    severity: z.enum(SEVERITIES).optional(),
    tlp: z.enum(TLPS).optional(),
    validUntil: isoTime.nullable().optional(),
    tags: z.array(z.string().max(200)).max(100).optional(),
    attack: z
      .array(z.string().regex(/^T\d{4}(\.\d{3})?$/i))
      .max(50)
      .optional(),
    source: z.string().min(1).max(200).optional(),
  })
  .strict();

const feedOptions = z
  .object({
    column: z.union([z.number().int().min(0), z.string().max(100)]).optional(),
    typeColumn: z.union([z.number().int().min(0), z.string().max(100)]).optional(),
    delimiter: z.string().length(1).optional(),
    type: z.enum(INDICATOR_TYPES).optional(),
    confidence: z.number().int().min(0).max(100).optional(),
    severity: z.enum(SEVERITIES).optional(),
    tlp: z.enum(TLPS).optional(),
    validDays: z.number().int().min(1).max(3650).optional(),
    tags: z.array(z.string().max(200)).max(50).optional(),
    collection: z.string().max(200).optional(),
    apiRoot: z.string().url().optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
    match: z.record(z.string().regex(/^[a-z_]{1,30}$/), z.string().max(500)).optional(),
    mispScope: z.enum(['attributes', 'events']).optional(),
    mispTags: z.array(z.string().min(1).max(200)).max(50).optional(),
    mispTypes: z
      .array(z.string().regex(/^[a-z0-9|-]{1,64}$/i))
      .max(100)
      .optional(),
  })
  .strict();

const feedBody = z
  .object({
    name: z.string().min(1).max(100),
    kind: z.enum(FEED_KINDS),
    url: z.string().min(1).max(2000),
    scheduleMinutes: z
      .number()
      .int()
      .min(0)
      .max(60 * 24 * 30)
      .default(60),
    enabled: z.boolean().default(true),
    auth: z
      .object({
        type: z.enum(['none', 'basic', 'bearer', 'header']),
        username: z.string().max(200).optional(),
        secret: z.string().max(4000).optional(),
        header: z.string().max(100).optional(),
      })
      .strict()
      .default({ type: 'none' }),
    options: feedOptions.default({}),
    tenant: tenantParam,
  })
  .strict();

/** A feed as the API shows it: the secret is never returned. */
const publicFeed = (f: Feed) => ({
  ...f,
  auth: {
    type: f.auth.type,
    username: f.auth.username,
    header: f.auth.header,
    hasSecret: Boolean(f.auth.secret),
  },
});

/** Writes may target the global set (`*`) only as an admin; otherwise one of the caller's tenants. */
function writeTarget(p: Principal, requested?: string): string {
  if (requested === ALL_TENANTS) {
    if (p.role !== 'admin')
      throw new ApiError('forbidden', 'only an admin may write global (tenant "*") intel');
    return ALL_TENANTS;
  }
  return targetTenant(p, requested);
}

export function intelRoutes(
  app: FastifyInstance,
  deps: { service: IntelService; audit: AuditLog; newId: () => string },
): void {
  const { service, audit } = deps;
  const store = service.store;
  const visibleFeed = async (p: Principal, id: string): Promise<Feed> => {
    const f = await store.getFeed(id);
    if (!f || (f.tenant !== ALL_TENANTS && !p.tenants.includes(f.tenant)))
      throw new ApiError('not_found', `no feed ${id}`);
    return f;
  };

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/indicators',
    access: 'intel:read',
    summary: 'Search indicators (own tenant and global), newest change first',
    tags: ['intel'],
    query: z.object({
      type: z.enum(INDICATOR_TYPES).optional(),
      value: z.string().max(8192).optional(),
      q: z.string().max(200).optional(),
      source: z.string().max(200).optional(),
      includeExpired: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      tenant: tenantParam,
    }),
    handler: async ({ principal, query }) => {
      let value = query.value;
      if (value !== undefined && query.type) {
        const n = normalizeValue(query.type, value);
        if (n.ok) value = n.value;
      }
      return store.searchIndicators(readTenants(principal!, query.tenant), {
        type: query.type,
        value,
        text: query.q,
        source: query.source,
        includeExpired: query.includeExpired === 'true',
        limit: query.limit,
        offset: query.offset,
      });
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/indicators/:id',
    access: 'intel:read',
    summary: 'One indicator with its sources and provenance',
    tags: ['intel'],
    params: z.object({ id: z.string().max(100) }),
    handler: async ({ principal, params }) => {
      const ind = await store.getIndicator(principal!.tenants, params.id);
      if (!ind) throw new ApiError('not_found', `no indicator ${params.id}`);
      return ind;
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/intel/indicators',
    access: 'intel:manage',
    summary: 'Add indicators (merged with existing ones of the same type and value)',
    tags: ['intel'],
    body: z.object({ indicators: z.array(indicatorBody).min(1).max(10_000), tenant: tenantParam }).strict(),
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, body, query, req }) => {
      const tenant = writeTarget(principal!, body.tenant ?? query.tenant);
      const items: IndicatorInput[] = [];
      const rejected: Array<{ index: number; reason: string }> = [];
      body.indicators.forEach((i, index) => {
        const n = normalizeValue(i.type, i.value);
        if (!n.ok) return rejected.push({ index, reason: n.reason });
        items.push({ ...i, tenant, value: n.value, source: i.source ?? `analyst:${principal!.name}` });
      });
      if (items.length === 0)
        throw new ApiError(
          'bad_request',
          `body.indicators.${rejected[0]!.index}.value: ${rejected[0]!.reason}`,
          rejected,
        );
      const r = await service.addIndicators(items, principal!.name);
      await audit.append({
        actor: principal!.name,
        tenant: tenant === ALL_TENANTS ? null : tenant,
        action: 'intel.indicators.add',
        target: null,
        ip: req.ip,
        before: null,
        after: { count: items.length, inserted: r.inserted, updated: r.updated },
      });
      return { ...r, rejected };
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/intel/indicators/:id/expire',
    access: 'intel:manage',
    summary: 'End an indicator now: it stops matching',
    tags: ['intel'],
    params: z.object({ id: z.string().max(100) }),
    handler: async ({ principal, params, req }) => {
      const before = await store.getIndicator(principal!.tenants, params.id);
      if (!before || (before.tenant === ALL_TENANTS && principal!.role !== 'admin'))
        throw new ApiError('not_found', `no indicator ${params.id}`);
      const at = new Date();
      const after = await store.expireIndicator(principal!.tenants, params.id, at);
      service.matcher.expire(params.id, at.getTime());
      await audit.append({
        actor: principal!.name,
        tenant: before.tenant === ALL_TENANTS ? null : before.tenant,
        action: 'intel.indicator.expire',
        target: params.id,
        ip: req.ip,
        before: { validUntil: before.validUntil },
        after: { validUntil: after?.validUntil ?? null },
      });
      return after;
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/intel/import',
    access: 'intel:manage',
    summary: 'Import a STIX 2.1 bundle, a MISP event (JSON) or a plain/CSV list (text/plain)',
    tags: ['intel'],
    query: z.object({
      format: z.enum(['stix', 'misp', 'csv']),
      source: z.string().min(1).max(200),
      tenant: tenantParam,
      type: z.enum(INDICATOR_TYPES).optional(),
      column: z.string().max(100).optional(),
      confidence: z.coerce.number().int().min(0).max(100).optional(),
      severity: z.enum(SEVERITIES).optional(),
    }),
    body: z.unknown(),
    handler: async ({ principal, query, body, req }) => {
      const tenant = writeTarget(principal!, query.tenant);
      const column =
        query.column === undefined
          ? undefined
          : /^\d+$/.test(query.column)
            ? Number(query.column)
            : query.column;
      const parsed = service.parseImport(
        query.format,
        body,
        { tenant, source: query.source, confidence: query.confidence, severity: query.severity },
        { type: query.type, column },
      );
      if (!parsed.ok) throw new ApiError('bad_request', `body: ${parsed.reason}`);
      const r = await service.apply(parsed.value, principal!.name);
      await audit.append({
        actor: principal!.name,
        tenant: tenant === ALL_TENANTS ? null : tenant,
        action: 'intel.import',
        target: query.source,
        ip: req.ip,
        before: null,
        after: {
          format: query.format,
          indicators: parsed.value.indicators.length,
          inserted: r.inserted,
          updated: r.updated,
        },
      });
      return {
        indicators: parsed.value.indicators.length,
        objects: parsed.value.objects.length,
        inserted: r.inserted,
        updated: r.updated,
        skipped: parsed.value.skipped,
        rejected: parsed.value.rejected.slice(0, 100),
        rejectedCount: parsed.value.rejected.length,
        hunts: r.hunts,
      };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/objects',
    access: 'intel:read',
    summary: 'Context objects from feeds: malware, threat actors, reports, observables, MISP events',
    tags: ['intel'],
    query: z.object({
      type: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      tenant: tenantParam,
    }),
    handler: async ({ principal, query }) => ({
      objects: await store.listObjects(readTenants(principal!, query.tenant), {
        type: query.type,
        limit: query.limit,
      }),
    }),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/feeds',
    access: 'intel:read',
    summary: 'Feeds with their health (last pull, count, errors); secrets are not shown',
    tags: ['intel'],
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, query }) => ({
      feeds: (await store.listFeeds(readTenants(principal!, query.tenant))).map(publicFeed),
    }),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/intel/feeds',
    access: 'intel:manage',
    summary: 'Configure a feed (STIX bundle, TAXII 2.1 collection, MISP feed directory, CSV/plain list)',
    tags: ['intel'],
    body: feedBody,
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, body, query, req }) => {
      const tenant = writeTarget(principal!, body.tenant ?? query.tenant);
      if ((await store.listFeeds([tenant])).some((f) => f.name === body.name && f.tenant === tenant))
        throw new ApiError('conflict', `a feed named ${body.name} exists`);
      const feed: Feed = {
        id: `feed-${deps.newId()}`,
        tenant,
        name: body.name,
        kind: body.kind,
        url: body.url,
        scheduleMinutes: body.scheduleMinutes,
        enabled: body.enabled,
        auth: body.auth,
        options: body.options,
        health: {
          lastPullAt: null,
          lastSuccessAt: null,
          lastCount: 0,
          lastError: null,
          consecutiveFailures: 0,
        },
        etag: null,
        lastModified: null,
        cursor: null,
        createdBy: principal!.name,
        createdAt: new Date().toISOString(),
      };
      await store.createFeed(feed);
      await audit.append({
        actor: principal!.name,
        tenant: tenant === ALL_TENANTS ? null : tenant,
        action: 'intel.feed.create',
        target: feed.id,
        ip: req.ip,
        before: null,
        after: publicFeed(feed),
      });
      return publicFeed(feed);
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/intel/feeds/:id/pull',
    access: 'intel:manage',
    summary: 'Pull a feed now; answers with the outcome and the feed health',
    tags: ['intel'],
    params: z.object({ id: z.string().max(100) }),
    handler: async ({ principal, params }) => service.pullFeed(await visibleFeed(principal!, params.id)),
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/intel/feeds/:id',
    access: 'intel:manage',
    summary: 'Remove a feed (its indicators stay until they expire)',
    tags: ['intel'],
    params: z.object({ id: z.string().max(100) }),
    handler: async ({ principal, params, req }) => {
      const f = await visibleFeed(principal!, params.id);
      await store.deleteFeed(f.id);
      await audit.append({
        actor: principal!.name,
        tenant: f.tenant === ALL_TENANTS ? null : f.tenant,
        action: 'intel.feed.delete',
        target: f.id,
        ip: req.ip,
        before: publicFeed(f),
        after: null,
      });
      return { deleted: f.id };
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/intel/hunts',
    access: 'intel:manage',
    summary: 'Start a retro-hunt: stored events of a range checked against all live indicators',
    tags: ['intel'],
    body: z
      .object({
        days: z.number().int().min(1).max(3650).optional(),
        from: isoTime.optional(),
        to: isoTime.optional(),
        tenant: tenantParam,
      })
      .strict(),
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, body, query }) => {
      const tenant = targetTenant(principal!, body.tenant ?? query.tenant);
      const to = body.to ? new Date(body.to) : new Date();
      const from = body.from ? new Date(body.from) : new Date(to.getTime() - (body.days ?? 7) * 86_400_000);
      if (from >= to) throw new ApiError('bad_request', 'body.from: must be before body.to');
      return service.startHunt({ tenant, from, to, requestedBy: principal!.name });
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/hunts',
    access: 'intel:read',
    summary: 'Retro-hunt jobs, newest first',
    tags: ['intel'],
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), tenant: tenantParam }),
    handler: async ({ principal, query }) => ({
      hunts: await store.listHunts(readTenants(principal!, query.tenant), query.limit),
    }),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/hunts/:id',
    access: 'intel:read',
    summary: 'One retro-hunt job: progress, hits, error',
    tags: ['intel'],
    params: z.object({ id: z.string().max(100) }),
    handler: async ({ principal, params }) => {
      const h = await store.getHunt(principal!.tenants, params.id);
      if (!h) throw new ApiError('not_found', `no hunt ${params.id}`);
      return h;
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/stats',
    access: 'intel:read',
    summary: 'Match index size and pattern indicators evaluated on every event',
    tags: ['intel'],
    handler: async () => ({
      liveIndicators: service.matcher.index.size,
      unindexedPatterns: service.matcher.index.unindexedPatterns,
      rejectedPatterns: service.matcher.index.rejected,
      /** warninglists and allowlists in force on this node */
      lists: service.matcher.filter.size,
    }),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/intel/indicators/:id/sightings',
    access: 'intel:manage',
    summary:
      'Record a sighting: true-positive, or false-positive (lowers confidence; enough of them end the indicator)',
    tags: ['intel'],
    params: z.object({ id: z.string().max(100) }),
    body: z
      .object({
        kind: z.enum(['true-positive', 'false-positive', 'match']),
        note: z.string().max(2000).optional(),
        eventId: z.string().max(200).optional(),
        tenant: tenantParam,
      })
      .strict(),
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, params, body, query, req }) => {
      const ind = await store.getIndicator(principal!.tenants, params.id);
      if (!ind) throw new ApiError('not_found', `no indicator ${params.id}`);
      // A global indicator is sighted in the caller's tenant; its confidence is shared by all.
      const tenant =
        ind.tenant === ALL_TENANTS ? targetTenant(principal!, body.tenant ?? query.tenant) : ind.tenant;
      if (body.kind === 'false-positive' && !body.note)
        throw new ApiError('bad_request', 'body.note: say why it is a false positive');
      const after = await service.sight(ind, {
        tenant,
        kind: body.kind,
        note: body.note,
        eventId: body.eventId,
        source: `analyst:${principal!.name}`,
      });
      await audit.append({
        actor: principal!.name,
        tenant,
        action: 'intel.indicator.sighting',
        target: ind.id,
        ip: req.ip,
        before: { confidence: ind.confidence, validUntil: ind.validUntil },
        after: {
          kind: body.kind,
          note: body.note ?? null,
          confidence: after?.confidence,
          validUntil: after?.validUntil,
        },
      });
      return after;
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/indicators/:id/sightings',
    access: 'intel:read',
    summary: 'Sightings of an indicator, newest first: matches, confirmations, false positives, suppressions',
    tags: ['intel'],
    params: z.object({ id: z.string().max(100) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), tenant: tenantParam }),
    handler: async ({ principal, params, query }) => {
      const ind = await store.getIndicator(principal!.tenants, params.id);
      if (!ind) throw new ApiError('not_found', `no indicator ${params.id}`);
      return {
        sightings: await store.listSightings(readTenants(principal!, query.tenant), ind.id, query.limit),
      };
    },
  });

  const listView = (w: Warninglist) => ({ ...w, entries: undefined, entryCount: w.entries.length });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/warninglists',
    access: 'intel:read',
    summary: 'Warninglists (global) and allowlists (per tenant) that keep benign values from alerting',
    tags: ['intel'],
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, query }) => ({
      lists: (await store.listWarninglists(readTenants(principal!, query.tenant))).map(listView),
    }),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/warninglists/:id',
    access: 'intel:read',
    summary: 'One list with its entries',
    tags: ['intel'],
    params: z.object({ id: z.string().max(200) }),
    handler: async ({ principal, params }) => {
      const w = await store.getWarninglist(params.id);
      if (!w || (w.tenant !== ALL_TENANTS && !principal!.tenants.includes(w.tenant)))
        throw new ApiError('not_found', `no list ${params.id}`);
      return w;
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/intel/warninglists',
    access: 'intel:manage',
    summary:
      'Add or replace a list in MISP warninglist format (kind warninglist: global, admin only; allowlist: a tenant)',
    tags: ['intel'],
    query: z.object({
      kind: z.enum(['warninglist', 'allowlist']).default('allowlist'),
      tenant: tenantParam,
      enabled: z.enum(['true', 'false']).optional(),
    }),
    body: mispWarninglistSchema,
    handler: async ({ principal, query, body, req }) => {
      const tenant =
        query.kind === 'warninglist'
          ? writeTarget(principal!, ALL_TENANTS)
          : writeTarget(principal!, query.tenant);
      const bad = body.type === 'cidr' ? body.list.find((e) => !parseCidr(e) && !parseIp(e)) : undefined;
      if (bad !== undefined)
        throw new ApiError('bad_request', `body.list: not a CIDR network: ${bad.slice(0, 64)}`);
      const w = await service.putList(body, {
        tenant,
        kind: query.kind,
        by: principal!.name,
        enabled: query.enabled === undefined ? undefined : query.enabled === 'true',
      });
      await audit.append({
        actor: principal!.name,
        tenant: tenant === ALL_TENANTS ? null : tenant,
        action: 'intel.warninglist.put',
        target: w.id,
        ip: req.ip,
        before: null,
        after: listView(w),
      });
      return listView(w);
    },
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/intel/warninglists/:id',
    access: 'intel:manage',
    summary: 'Remove a list',
    tags: ['intel'],
    params: z.object({ id: z.string().max(200) }),
    handler: async ({ principal, params, req }) => {
      const w = await store.getWarninglist(params.id);
      if (!w || (w.tenant !== ALL_TENANTS && !principal!.tenants.includes(w.tenant)))
        throw new ApiError('not_found', `no list ${params.id}`);
      if (w.tenant === ALL_TENANTS) writeTarget(principal!, ALL_TENANTS);
      await service.deleteList(w.id);
      await audit.append({
        actor: principal!.name,
        tenant: w.tenant === ALL_TENANTS ? null : w.tenant,
        action: 'intel.warninglist.delete',
        target: w.id,
        ip: req.ip,
        before: listView(w),
        after: null,
      });
      return { deleted: w.id };
    },
  });

  /** Every shareable indicator of the caller's tenant (and global ones), oldest change first. */
  const shareable = async (p: Principal, tenant: string | undefined, types?: IndicatorType[]) => {
    const t = targetTenant(p, tenant);
    const out: Indicator[] = [];
    const q: IndicatorPageQuery = { tlps: service.shareableTlps(), limit: 5000, types };
    for (;;) {
      const rows = await store.pageIndicators([t], q);
      const now = Date.now();
      out.push(...rows.filter((i) => !i.warning && (!i.validUntil || Date.parse(i.validUntil) > now)));
      if (rows.length < q.limit || out.length >= 100_000)
        return { tenant: t, indicators: out.slice(0, 100_000) };
      const last = rows[rows.length - 1]!;
      q.after = { updatedAt: last.updatedAt, id: last.id };
    }
  };

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/export',
    access: 'intel:read',
    summary:
      'Export live indicators as a STIX 2.1 bundle, CSV or a MISP event; only up to the configured TLP, never TLP:RED',
    tags: ['intel'],
    query: z.object({
      format: z.enum(['stix', 'csv', 'misp']),
      type: z.enum(INDICATOR_TYPES).optional(),
      tenant: tenantParam,
    }),
    handler: async ({ principal, query, reply }) => {
      const { tenant, indicators } = await shareable(
        principal!,
        query.tenant,
        query.type ? [query.type] : undefined,
      );
      if (query.format === 'csv') {
        void reply.type('text/csv; charset=utf-8');
        void reply.header('content-disposition', `attachment; filename="vigil-indicators-${tenant}.csv"`);
        return indicatorsCsv(indicators);
      }
      if (query.format === 'stix') return stixBundle(indicators, `export:${tenant}`);
      return mispEvent(indicators, {
        uuid: stableUuid(`misp-event:${tenant}`),
        info: `Vigil indicators (${tenant})`,
        orgName: 'Vigil',
      });
    },
  });

  // Vigil as a MISP feed: one event per tenant, in the layout MISP (and Vigil's misp feeds) pull.
  const mispFeedEvent = async (p: Principal, tenant: string | undefined) => {
    const { tenant: t, indicators } = await shareable(p, tenant);
    return mispEvent(indicators, {
      uuid: stableUuid(`misp-event:${t}`),
      info: `Vigil indicators (${t})`,
      orgName: 'Vigil',
    });
  };

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/misp-feed/manifest.json',
    access: 'intel:read',
    summary: 'MISP feed manifest of the shareable indicators',
    tags: ['intel'],
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, query }) => {
      const e = (await mispFeedEvent(principal!, query.tenant)).Event;
      return { [String(e.uuid)]: { info: e.info, timestamp: e.timestamp, date: e.date, Tag: [] } };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/misp-feed/hashes.csv',
    access: 'intel:read',
    summary: 'MISP feed hashes.csv: md5 of each attribute value and its event',
    tags: ['intel'],
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, query, reply }) => {
      void reply.type('text/csv; charset=utf-8');
      return mispHashes([await mispFeedEvent(principal!, query.tenant)]);
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/intel/misp-feed/:file',
    access: 'intel:read',
    summary: 'MISP feed event file (<uuid>.json)',
    tags: ['intel'],
    params: z.object({ file: z.string().regex(/^[0-9a-f-]{36}\.json$/) }),
    query: z.object({ tenant: tenantParam }),
    handler: async ({ principal, params, query }) => {
      const ev = await mispFeedEvent(principal!, query.tenant);
      if (`${String(ev.Event.uuid)}.json` !== params.file)
        throw new ApiError('not_found', `no event ${params.file}`);
      return ev;
    },
  });
}
