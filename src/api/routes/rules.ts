import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { explain } from '../../detect/explain.js';
import { loadRulesFromText } from '../../detect/sigma/loader.js';
import type { LiveDetection } from '../../detections/live.js';
import type { RuleManager } from '../../detections/manager.js';
import { GLOBAL } from '../../detections/ports.js';
import { UPLOAD_FILE_PREFIX, type RuleOrigin } from '../../detections/rule-set.js';
import type { RuleException, RuleExceptionStore } from '../../store/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants, targetTenant } from '../tenancy.js';
import { rawBodyScope } from './events.js';

export interface RuleRouteDeps {
  manager: RuleManager;
  live: LiveDetection;
  exceptions: RuleExceptionStore;
}

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');
const ruleIdParam = z.object({ id: z.string().min(1).max(200) });
const tenantQuery = z.object({ tenant: z.string().min(1).max(63).optional() });
const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

/** A write's scope: a tenant, or null for every tenant (admin only, the default for an admin). */
function writeScope(p: Principal, requested: string | undefined): string | null {
  if (requested === GLOBAL || (requested === undefined && p.role === 'admin')) {
    if (p.role !== 'admin') throw new ApiError('forbidden', 'only an admin changes rules for every tenant');
    return null;
  }
  return targetTenant(p, requested);
}

const visible = (p: Principal, o: RuleOrigin | undefined): boolean =>
  o?.tenant == null || p.tenants.includes(o.tenant);
const actorOf = (p: Principal, ip: string) => ({ name: p.name, ip });

/** Rule management: list, read, upload, delete, enable/disable, reload, and exceptions. */
export function ruleRoutes(app: FastifyInstance, deps: RuleRouteDeps): void {
  const { manager, live } = deps;

  /** The tenant whose enable state a read shows: the one asked for, else the caller's only one. */
  const viewTenant = (p: Principal, requested?: string): string | undefined => {
    if (requested) return readTenants(p, requested)[0];
    return p.tenants.length === 1 ? p.tenants[0] : undefined;
  };
  const enabledIn = (id: string, tenant: string | undefined): boolean => {
    const policy = live.rulePolicy;
    return tenant === undefined ? policy.globallyEnabled(id) : policy.enabledFor(id, tenant, live.origin(id));
  };

  route(app, {
    method: 'GET',
    url: '/api/v1/rules',
    access: 'rules:read',
    summary: 'Loaded detection rules (with source and enabled state) and the ones rejected, with reasons',
    tags: ['rules'],
    query: z.object({
      limit: z.coerce.number().int().min(1).max(10_000).default(500),
      offset: z.coerce.number().int().min(0).default(0),
      tenant: z.string().min(1).max(63).optional(),
    }),
    handler: async ({ principal, query }) => {
      const p = principal!;
      const t = viewTenant(p, query.tenant);
      const r = live.rules;
      const meta = (id: string) => {
        const o = live.origin(id);
        return {
          source: o?.source ?? 'config',
          ...(o?.tenant ? { tenant: o.tenant } : {}),
          enabled: enabledIn(id, t),
        };
      };
      const list = [
        ...r.rules.map((x) => ({
          kind: 'rule',
          id: x.id,
          title: x.title,
          level: x.level,
          tags: x.tags,
          status: x.status,
          file: x.file,
          ...meta(x.id),
        })),
        ...r.correlations.map((x) => ({
          kind: 'correlation',
          id: x.id,
          title: x.title,
          level: x.level,
          tags: x.tags,
          type: x.type,
          file: x.file,
          ...meta(x.id),
        })),
        ...r.filters.map((x) => ({
          kind: 'filter',
          id: x.id,
          title: x.title,
          rules: x.rules,
          file: x.file,
          ...meta(x.id),
        })),
      ].filter((x) => visible(p, live.origin(x.id)));
      const uploadTenant = new Map(manager.uploadList.map((u) => [`${UPLOAD_FILE_PREFIX}${u.id}`, u.tenant]));
      const rejected = r.rejected.filter((x) => {
        const tenant = uploadTenant.get(x.file);
        return tenant == null || p.tenants.includes(tenant);
      });
      return { total: list.length, rules: list.slice(query.offset, query.offset + query.limit), rejected };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/rules/exceptions',
    access: 'rules:read',
    summary: 'Rule exceptions (tuning) of the caller’s tenants',
    tags: ['rules'],
    query: z.object({
      tenant: z.string().min(1).max(63).optional(),
      rule: z.string().min(1).max(200).optional(),
      includeExpired: z.enum(['true', 'false']).optional(),
    }),
    handler: async ({ principal, query }) => ({
      exceptions: await deps.exceptions.list(readTenants(principal!, query.tenant), {
        ruleId: query.rule,
        includeExpired: query.includeExpired === 'true',
      }),
    }),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/rules/exceptions',
    access: 'exceptions:manage',
    summary:
      'Suppress a rule’s detections whose event matches every field (case-insensitive), in one tenant, optionally until a time',
    tags: ['rules'],
    body: z.object({
      ruleId: z.string().min(1).max(200),
      match: z
        .array(z.object({ field: z.string().min(1).max(200), value: z.string().max(1000) }))
        .min(1)
        .max(20),
      reason: z.string().min(1).max(2000),
      expiresAt: isoTime.nullable().optional(),
      tenant: z.string().min(1).max(63).optional(),
    }),
    query: tenantQuery,
    handler: async ({ req, reply, principal, body, query }) => {
      const p = principal!;
      const tenant = targetTenant(p, body.tenant ?? query.tenant);
      if (
        body.ruleId !== '*' &&
        !live.origin(body.ruleId) &&
        !live.rules.rules.some((r) => r.id === body.ruleId)
      )
        throw new ApiError(
          'bad_request',
          `body.ruleId: no loaded rule ${body.ruleId} (use * for every rule)`,
        );
      const expiresAt = body.expiresAt ? new Date(body.expiresAt).toISOString() : null;
      if (expiresAt !== null && Date.parse(expiresAt) <= Date.now())
        throw new ApiError('bad_request', 'body.expiresAt: must be in the future');
      const e: RuleException = {
        id: randomUUID(),
        tenant,
        ruleId: body.ruleId,
        match: body.match,
        reason: body.reason,
        createdBy: p.name,
        createdAt: new Date().toISOString(),
        expiresAt,
      };
      await manager.addException(e, req.ip);
      void reply.code(201);
      return e;
    },
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/rules/exceptions/:id',
    access: 'exceptions:manage',
    summary: 'Remove a rule exception',
    tags: ['rules'],
    params: ruleIdParam,
    query: tenantQuery,
    handler: async ({ req, principal, params, query }) => {
      const p = principal!;
      const tenants = query.tenant ? readTenants(p, query.tenant) : p.tenants;
      const found = (await deps.exceptions.list(tenants, { includeExpired: true })).find(
        (x) => x.id === params.id,
      );
      if (!found || !(await manager.removeException(found.tenant, found.id, actorOf(p, req.ip))))
        throw new ApiError('not_found', `no exception ${params.id}`);
      return { deleted: params.id };
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/rules/test',
    access: 'rules:read',
    summary:
      'Test Sigma rules (YAML, or a loaded rule by id) against sample events: for each event and rule, whether it matched, and why, selection by selection and field by field',
    tags: ['rules'],
    body: z
      .object({
        yaml: z.string().min(1).max(500_000).optional(),
        ruleId: z.string().min(1).max(200).optional(),
        events: z.array(z.record(z.string(), z.unknown())).min(1).max(100),
      })
      .strict()
      .refine((b) => (b.yaml === undefined) !== (b.ruleId === undefined), 'give either yaml or ruleId'),
    handler: async ({ principal, body }) => {
      let yaml = body.yaml;
      if (body.ruleId !== undefined) {
        const r = live.rules.rules.find((x) => x.id === body.ruleId);
        if (!r || !visible(principal!, live.origin(r.id)))
          throw new ApiError('not_found', `no rule ${body.ruleId}`);
        yaml = manager.yamlOf(r.id, r.file);
        if (yaml === undefined)
          throw new ApiError('not_found', `the text of rule ${body.ruleId} is not readable`);
      }
      const loaded = loadRulesFromText(yaml!, 'test');
      const rules = body.ruleId ? loaded.rules.filter((r) => r.id === body.ruleId) : loaded.rules;
      if (rules.length === 0)
        throw new ApiError(
          'bad_request',
          `body.yaml: no usable rule (${loaded.rejected[0]?.reason ?? 'the text holds no detection rule'})`,
        );
      return {
        rules: rules.map((r) => ({ id: r.id, title: r.title, level: r.level })),
        rejected: loaded.rejected,
        results: body.events.map((event, index) => ({
          index,
          explanations: rules.map((r) => explain(r, event)),
        })),
      };
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/rules/reload',
    access: 'rules:manage',
    summary: 'Recompile the rule set from its sources (correlation state of unchanged correlations is kept)',
    tags: ['rules'],
    // Harmless for other tenants: it recompiles the same sources; a manager may need it after an update.
    handler: async ({ req, principal }) => manager.reload('api', actorOf(principal!, req.ip)),
  });

  rawBodyScope(app, MAX_UPLOAD_BYTES, (scope) => {
    route(
      scope,
      {
        method: 'POST',
        url: '/api/v1/rules',
        access: 'rules:manage',
        summary:
          'Upload Sigma rules: a YAML body (one or more documents; ?tenant= limits them to one tenant) or JSON {"yaml","tenant"}. 400 lists every problem with its line',
        tags: ['rules'],
        query: tenantQuery,
        handler: async ({ req, reply, principal, query }) => {
          const p = principal!;
          const raw = req.body;
          if (!Buffer.isBuffer(raw) || raw.length === 0)
            throw new ApiError('bad_request', 'body: expected Sigma YAML');
          let yaml = raw.toString('utf8');
          let requested = query.tenant;
          if (/json/i.test(req.headers['content-type'] ?? '')) {
            let parsed: unknown;
            try {
              parsed = JSON.parse(yaml);
            } catch {
              throw new ApiError('bad_request', 'body: not JSON');
            }
            const b = z
              .object({ yaml: z.string().min(1), tenant: z.string().min(1).max(63).optional() })
              .safeParse(parsed);
            if (!b.success)
              throw new ApiError(
                'bad_request',
                `body.${b.error.issues[0]!.path.join('.') || 'yaml'}: ${b.error.issues[0]!.message}`,
              );
            yaml = b.data.yaml;
            requested = b.data.tenant ?? requested;
          }
          const tenant = writeScope(p, requested);
          const r = await manager.upload(yaml, tenant, actorOf(p, req.ip));
          if (!r.ok) {
            const first = r.problems[0]!;
            throw new ApiError(
              r.status === 'conflict' ? 'conflict' : 'bad_request',
              `${first.line !== undefined ? `line ${first.line}: ` : ''}${first.reason}`,
              r.problems,
            );
          }
          void reply.code(201);
          return { id: r.id, ruleIds: r.ruleIds, replaced: r.replaced, tenant };
        },
      },
      app,
    );
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/rules/:id',
    access: 'rules:read',
    summary: 'One rule: metadata, enabled state and its YAML',
    tags: ['rules'],
    params: ruleIdParam,
    query: tenantQuery,
    handler: async ({ principal, params, query }) => {
      const p = principal!;
      const r = live.rules;
      const x =
        r.rules.find((y) => y.id === params.id) ??
        r.correlations.find((y) => y.id === params.id) ??
        r.filters.find((y) => y.id === params.id);
      const o = live.origin(params.id);
      if (!x || !visible(p, o)) throw new ApiError('not_found', `no rule ${params.id}`);
      const upload = manager.findUpload(params.id);
      const policy = live.rulePolicy;
      const tenantSettings = Object.fromEntries(
        Object.entries(policy.tenantSettings(x.id)).filter(([t]) => p.tenants.includes(t)),
      );
      return {
        kind: x.kind,
        id: x.id,
        title: x.title,
        ...('level' in x ? { level: x.level } : {}),
        ...('tags' in x ? { tags: x.tags } : {}),
        ...('status' in x ? { status: x.status } : {}),
        source: o?.source ?? 'config',
        file: x.file,
        line: x.line,
        ...(upload
          ? {
              upload: {
                id: upload.id,
                tenant: upload.tenant,
                ruleIds: upload.ruleIds,
                createdBy: upload.createdBy,
                createdAt: upload.createdAt,
                updatedAt: upload.updatedAt,
              },
            }
          : {}),
        enabled: enabledIn(x.id, viewTenant(p, query.tenant)),
        globallyEnabled: policy.globallyEnabled(x.id),
        tenantSettings,
        yaml: manager.yamlOf(x.id, x.file) ?? null,
      };
    },
  });

  route(app, {
    method: 'PATCH',
    url: '/api/v1/rules/:id',
    access: 'rules:manage',
    summary:
      'Enable or disable a rule for one tenant, or (admin, no tenant) for every tenant without its own setting',
    tags: ['rules'],
    params: ruleIdParam,
    body: z.object({ enabled: z.boolean(), tenant: z.string().min(1).max(63).optional() }),
    query: tenantQuery,
    handler: async ({ req, principal, params, body, query }) => {
      const p = principal!;
      const scope = writeScope(p, body.tenant ?? query.tenant);
      const known = live.origin(params.id) !== undefined || live.rules.rules.some((r) => r.id === params.id);
      if (!known || !visible(p, live.origin(params.id)))
        throw new ApiError('not_found', `no rule ${params.id}`);
      // A filter narrows the rules it names; switching it off would widen them, so it is deleted instead.
      if (live.rules.filters.some((f) => f.id === params.id))
        throw new ApiError('bad_request', `${params.id} is a filter; filters are not enabled or disabled`);
      const s = await manager.setEnabled(params.id, scope ?? GLOBAL, body.enabled, actorOf(p, req.ip));
      return { id: params.id, enabled: s.enabled, tenant: scope ?? GLOBAL };
    },
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/rules/:id',
    access: 'rules:manage',
    summary: 'Delete an uploaded rule (with the other rules of its upload)',
    tags: ['rules'],
    params: ruleIdParam,
    handler: async ({ req, principal, params }) => {
      const p = principal!;
      const upload = manager.findUpload(params.id);
      if (!upload || (upload.tenant !== null && !p.tenants.includes(upload.tenant))) {
        const loaded = live.origin(params.id);
        if (loaded && visible(p, loaded))
          throw new ApiError(
            'conflict',
            `rule ${params.id} comes from ${loaded.source} files, not an upload; disable it instead`,
          );
        throw new ApiError('not_found', `no uploaded rule ${params.id}`);
      }
      if (upload.tenant === null && p.role !== 'admin')
        throw new ApiError('forbidden', 'only an admin deletes rules of every tenant');
      const removed = await manager.removeUpload(upload, actorOf(p, req.ip));
      return { deleted: removed };
    },
  });
}
