import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AlertActions, NotFound, type Actor } from '../../alerts/actions.js';
import { TriageError } from '../../alerts/lifecycle.js';
import { toDetectionFinding } from '../../alerts/ocsf.js';
import {
  ALERT_STATUSES,
  ALERT_VERDICTS,
  SEVERITIES,
  type AlertQuery,
  type AlertStore,
} from '../../alerts/ports.js';
import { computeSocMetrics } from '../../alerts/soc-metrics.js';
import type { Principal } from '../../auth/principal.js';
import type { EventStore } from '../../store/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants } from '../tenancy.js';
import { periodQuery, resolvePeriod } from '../period.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');
const SORTS = [
  'lastSeen',
  '-lastSeen',
  'severity',
  '-severity',
  'createdAt',
  '-createdAt',
  'count',
  '-count',
] as const;
/** A comma-separated list of allowed values (`status=new,acknowledged`). */
const csvOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .max(200)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)));
const tag = z.string().min(1).max(64);
const idParams = z.object({ id: z.string().min(1).max(100) });

const listQuery = z.object({
  tenant: z.string().max(63).optional(),
  status: csvOf(ALERT_STATUSES).optional(),
  severity: csvOf(SEVERITIES).optional(),
  rule: z.string().max(200).optional(),
  /** `type:value` of the alerts' entity; `none` (or empty) for alerts about no entity. */
  entity: z.string().max(600).optional(),
  assignee: z.string().max(100).optional(),
  tag: tag.optional(),
  q: z.string().min(1).max(200).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  sort: z.enum(SORTS).default('-lastSeen'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** `host:web-1` as an entity filter; `none` (or `''`) means alerts about no entity. */
function entityFilter(s: string | undefined): AlertQuery['entity'] {
  if (s === undefined) return undefined;
  if (s === '' || s === 'none') return null;
  const colon = s.indexOf(':');
  if (colon <= 0) throw new ApiError('bad_request', 'entity: expected type:value');
  return { type: s.slice(0, colon), value: s.slice(colon + 1) };
}

function toQuery(p: Principal, q: z.infer<typeof listQuery>): AlertQuery {
  return {
    tenants: readTenants(p, q.tenant),
    status: q.status,
    severity: q.severity,
    ruleId: q.rule,
    entity: entityFilter(q.entity),
    assignee: q.assignee,
    tag: q.tag,
    text: q.q,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    sort: q.sort,
    limit: q.limit,
    offset: q.offset,
  };
}

/** Domain refusals become API errors; anything else is a real failure. */
async function mapped<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof NotFound) throw new ApiError('not_found', e.message);
    if (e instanceof TriageError) throw new ApiError(e.code, e.message);
    throw e;
  }
}

const actorOf = (p: Principal | undefined, ip: string): Actor => ({ name: p?.name ?? 'anonymous', ip });

export interface AlertRouteDeps {
  alerts: AlertStore;
  events: EventStore;
  actions: AlertActions;
  version: string;
}

export function alertRoutes(app: FastifyInstance, deps: AlertRouteDeps): void {
  const { alerts, events, actions } = deps;

  route(app, {
    method: 'GET',
    url: '/api/v1/alerts',
    access: 'alerts:read',
    summary: 'Alerts, filtered and sorted (newest activity first by default)',
    tags: ['alerts'],
    query: listQuery,
    handler: async ({ principal, query }) => alerts.list(toQuery(principal!, query)),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/alerts/groups',
    access: 'alerts:read',
    summary: 'Alerts matching the filters, counted per rule or entity (worst severity, then newest, first)',
    tags: ['alerts'],
    query: listQuery.omit({ sort: true }).extend({
      by: z.enum(['rule', 'entity']),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
    }),
    handler: async ({ principal, query }) => {
      const { sort: _sort, ...filters } = toQuery(principal!, { ...query, sort: '-lastSeen' });
      return alerts.groups({ ...filters, by: query.by });
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/alerts/export',
    access: 'alerts:read',
    summary: 'Alerts as OCSF Detection Findings (class 2004), one JSON object per line',
    tags: ['alerts'],
    query: listQuery.extend({
      format: z.enum(['ocsf']).default('ocsf'),
      limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
    }),
    handler: async ({ principal, query, reply }) => {
      const page = await alerts.list(toQuery(principal!, query));
      const body = page.alerts.map((a) => JSON.stringify(toDetectionFinding(a, deps.version))).join('\n');
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', 'attachment; filename="alerts.ocsf.ndjson"')
        .send(body ? body + '\n' : '');
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/alerts/bulk',
    access: 'alerts:write',
    summary: 'Acknowledge, assign, close or tag many alerts at once',
    tags: ['alerts'],
    body: z
      .object({
        ids: z.array(z.string().min(1).max(100)).min(1).max(1000),
        tenant: z.string().max(63).optional(),
      })
      .and(
        z.discriminatedUnion('action', [
          z.object({ action: z.literal('ack') }),
          z.object({ action: z.literal('assign'), assignee: z.string().min(1).max(100).nullable() }),
          z.object({ action: z.literal('close'), verdict: z.enum(ALERT_VERDICTS) }),
          z.object({ action: z.literal('tag'), tags: z.array(tag).min(1).max(50) }),
          z.object({ action: z.literal('severity'), severity: z.enum(SEVERITIES) }),
        ]),
      ),
    handler: async ({ req, principal, body }) => {
      const { ids, tenant, ...action } = body;
      return actions.bulk(actorOf(principal, req.ip), readTenants(principal!, tenant), ids, action);
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/alerts/:id',
    access: 'alerts:read',
    summary: 'One alert with its detections and events',
    tags: ['alerts'],
    params: idParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    handler: async ({ principal, params, query }) => {
      const alert = await alerts.find(principal!.tenants, params.id);
      if (!alert) throw new ApiError('not_found', `no alert ${params.id}`);
      const [detections, eventIds] = await Promise.all([
        alerts.detectionsOf(alert.tenant, alert.id, query.limit),
        alerts.eventIdsOf(alert.tenant, alert.id, query.limit),
      ]);
      const found = await Promise.all(eventIds.map((id) => events.get([alert.tenant], id)));
      return { alert, detections, events: found.filter((e) => e !== undefined) };
    },
  });

  route(app, {
    method: 'PATCH',
    url: '/api/v1/alerts/:id',
    access: 'alerts:write',
    summary: 'Change status (with verdict to close), severity, assignee or tags',
    tags: ['alerts'],
    params: idParams,
    body: z
      .object({
        status: z.enum(ALERT_STATUSES).optional(),
        severity: z.enum(SEVERITIES).optional(),
        verdict: z.enum(ALERT_VERDICTS).optional(),
        assignee: z.string().min(1).max(100).nullable().optional(),
        tags: z.array(tag).max(50).optional(),
      })
      .strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(actions.update(actorOf(principal, req.ip), principal!.tenants, params.id, body)),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/alerts/:id/comments',
    access: 'alerts:write',
    summary: 'Comment on an alert',
    tags: ['alerts'],
    params: idParams,
    body: z.object({ body: z.string().trim().min(1).max(10_000) }).strict(),
    handler: async ({ req, reply, principal, params, body }) => {
      const c = await mapped(
        actions.comment(actorOf(principal, req.ip), principal!.tenants, params.id, body.body),
      );
      void reply.code(201);
      return c;
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/alerts/:id/comments',
    access: 'alerts:read',
    summary: 'Comments on an alert, oldest first',
    tags: ['alerts'],
    params: idParams,
    handler: async ({ principal, params }) => {
      const alert = await alerts.find(principal!.tenants, params.id);
      if (!alert) throw new ApiError('not_found', `no alert ${params.id}`);
      return { comments: await alerts.comments(alert.tenant, alert.id) };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/alerts/:id/similar',
    access: 'alerts:read',
    summary: 'Alerts with the same rule, the same entity or shared observables',
    tags: ['alerts'],
    params: idParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
    handler: async ({ principal, params, query }) => {
      const alert = await alerts.find(principal!.tenants, params.id);
      if (!alert) throw new ApiError('not_found', `no alert ${params.id}`);
      return alerts.similar(alert.tenant, alert.id, query.limit);
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/alerts/:id/exception',
    access: 'exceptions:manage',
    summary: "Tune: don't alert on these values again (rule exception with reason and expiry)",
    tags: ['alerts'],
    params: idParams,
    body: z
      .object({
        fields: z
          .array(z.object({ field: z.string().min(1).max(200), value: z.string().max(2048).optional() }))
          .min(1)
          .max(10),
        reason: z.string().trim().min(3).max(2000),
        /** When the exception lapses; `null` on purpose makes it permanent. */
        expiresAt: isoTime.nullable().optional(),
        expiresInHours: z
          .number()
          .positive()
          .max(24 * 366)
          .optional(),
        allRules: z.boolean().default(false),
      })
      .strict()
      // Tuning is meant to be temporary: the caller must choose an expiry (or null explicitly).
      .refine((b) => b.expiresAt !== undefined || b.expiresInHours !== undefined, {
        message: 'expiresAt or expiresInHours is required (expiresAt: null for a permanent exception)',
        path: ['expiresAt'],
      }),
    handler: async ({ req, reply, principal, params, body }) => {
      const expiresAt =
        body.expiresAt !== undefined
          ? body.expiresAt
          : new Date(Date.now() + body.expiresInHours! * 3600_000).toISOString();
      const e = await mapped(
        actions.tune(actorOf(principal, req.ip), principal!.tenants, params.id, {
          fields: body.fields,
          reason: body.reason,
          expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
          allRules: body.allRules,
        }),
      );
      void reply.code(201);
      return e;
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/metrics/soc',
    access: 'metrics:read',
    summary: 'MTTD, MTTA, MTTR per severity; volume and false-positive rate per rule; open alerts by age',
    tags: ['metrics'],
    query: z.object({ tenant: z.string().max(63).optional(), ...periodQuery }),
    handler: async ({ principal, query }) => {
      const tenants = readTenants(principal!, query.tenant);
      const now = new Date();
      const { from, to } = resolvePeriod(query, now);
      const [rows, open] = await Promise.all([alerts.timings(tenants, from, to), alerts.openWork(tenants)]);
      return computeSocMetrics(rows, open, { from, to }, now);
    },
  });
}
