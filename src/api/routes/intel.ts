import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import {
  ALL_TENANTS,
  INDICATOR_TYPES,
  normalizeValue,
  SEVERITIES,
  TLPS,
  type IndicatorInput,
} from '../../intel/indicator.js';
import { FEED_KINDS, type Feed } from '../../intel/ports.js';
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
    handler: async ({ principal, body, req }) => {
      const tenant = writeTarget(principal!, body.tenant);
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
    handler: async ({ principal, body, req }) => {
      const tenant = writeTarget(principal!, body.tenant);
      if (body.kind === 'taxii')
        throw new ApiError('bad_request', 'body.kind: TAXII feeds are not supported yet');
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
    handler: async ({ principal, body }) => {
      const tenant = targetTenant(principal!, body.tenant);
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
    }),
  });
}
