import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { can } from '../../auth/permissions.js';
import { compileHuntRules } from '../../hunting/sigma-hunt-runner.js';
import { huntRequest, type SigmaHunt, type SigmaHuntStore } from '../../hunting/sigma-hunts.js';
import type { AuditLog } from '../../store/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants, targetTenant } from '../tenancy.js';

const idParams = z.object({ id: z.string().min(1).max(100) });
const tenantQuery = z.object({ tenant: z.string().max(63).optional() });

/** Roles that may cancel anyone's hunt in their tenant, not only their own. */
const CURATORS = new Set(['admin', 'manager']);

const withProgress = (h: SigmaHunt) => ({
  ...h,
  // The share of the range's events read; a range still growing can make it dip.
  progress:
    h.status === 'done' ? 1 : h.total > 0 ? Math.min(1, h.scanned / Math.min(h.total, h.maxEvents)) : 0,
});

/**
 * Sigma retro-hunts: queue a job over stored events (a worker runs it), follow its progress,
 * read its hits, cancel it. Raising alerts from a hunt needs `alerts:write` too. Creation and
 * cancellation are audited.
 */
export function sigmaHuntRoutes(app: FastifyInstance, hunts: SigmaHuntStore, audit: AuditLog): void {
  route(app, {
    method: 'POST',
    url: '/api/v1/hunts/sigma',
    access: 'events:read',
    tags: ['search'],
    summary: 'Start a Sigma retro-hunt over stored events (202: queued)',
    query: tenantQuery,
    body: huntRequest,
    handler: async ({ principal, query, body, req, reply }) => {
      const p = principal!;
      const tenant = targetTenant(p, query.tenant);
      if (body.raise_alerts && !can(p.role, 'alerts:write'))
        throw new ApiError('forbidden', 'raise_alerts needs the alerts:write permission');
      let rules: SigmaHunt['rules'];
      try {
        rules = compileHuntRules(body.rule, body.rule_ids).rules;
      } catch (e) {
        throw new ApiError('bad_request', `rule: ${(e as Error).message}`);
      }
      const now = new Date().toISOString();
      const hunt: SigmaHunt = {
        id: `sigma-hunt-${randomUUID()}`,
        tenant,
        status: 'queued',
        rules,
        from: new Date(body.from).toISOString(),
        to: new Date(body.to ?? now).toISOString(),
        raiseAlerts: body.raise_alerts,
        maxEvents: body.max_events,
        total: 0,
        scanned: 0,
        hits: 0,
        cursor: null,
        error: null,
        requestedBy: p.name,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        cancelRequested: false,
      };
      await hunts.create(hunt, body.rule);
      await audit.append({
        actor: p.name,
        tenant,
        action: 'hunt.sigma.create',
        target: hunt.id,
        ip: req.ip,
        before: null,
        after: { rules: rules.map((r) => r.id), from: hunt.from, to: hunt.to, raiseAlerts: hunt.raiseAlerts },
      });
      void reply.code(202);
      return withProgress(hunt);
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/hunts/sigma',
    access: 'events:read',
    tags: ['search'],
    summary: 'Recent Sigma retro-hunts, newest first',
    query: tenantQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    handler: async ({ principal, query }) => ({
      hunts: (await hunts.list(readTenants(principal!, query.tenant), query.limit)).map(withProgress),
    }),
  });

  async function find(
    p: NonNullable<Parameters<typeof readTenants>[0]>,
    tenant: string | undefined,
    id: string,
  ) {
    for (const t of readTenants(p, tenant)) {
      const h = await hunts.get(t, id);
      if (h) return h;
    }
    throw new ApiError('not_found', `hunt ${id} not found`);
  }

  route(app, {
    method: 'GET',
    url: '/api/v1/hunts/sigma/:id',
    access: 'events:read',
    tags: ['search'],
    summary: 'One retro-hunt: status and progress',
    params: idParams,
    query: tenantQuery,
    handler: async ({ principal, params, query }) =>
      withProgress(await find(principal!, query.tenant, params.id)),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/hunts/sigma/:id/hits',
    access: 'events:read',
    tags: ['search'],
    summary: 'Events a retro-hunt matched (event id, rule, time), newest first',
    params: idParams,
    query: tenantQuery.extend({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    handler: async ({ principal, params, query }) => {
      const h = await find(principal!, query.tenant, params.id);
      return hunts.hits(h.tenant, h.id, { limit: query.limit, offset: query.offset });
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/hunts/sigma/:id/cancel',
    access: 'events:read',
    tags: ['search'],
    summary: 'Cancel a queued or running retro-hunt (its requester, or an admin/manager)',
    params: idParams,
    query: tenantQuery,
    handler: async ({ principal, params, query, req }) => {
      const p = principal!;
      const h = await find(p, query.tenant, params.id);
      if (h.requestedBy !== p.name && !CURATORS.has(p.role))
        throw new ApiError('forbidden', 'only who started this hunt, or an admin/manager, may cancel it');
      if (h.status !== 'queued' && h.status !== 'running')
        throw new ApiError('conflict', `hunt ${h.id} already ended (${h.status})`);
      const after = await hunts.requestCancel(h.tenant, h.id);
      await audit.append({
        actor: p.name,
        tenant: h.tenant,
        action: 'hunt.sigma.cancel',
        target: h.id,
        ip: req.ip,
        before: { status: h.status },
        after: { status: after?.status ?? h.status, cancelRequested: true },
      });
      return withProgress(after ?? h);
    },
  });
}
