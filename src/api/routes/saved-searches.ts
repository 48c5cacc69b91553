import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { writeTenant } from '../../auth/principal.js';
import {
  canSee,
  savedSearchInput,
  type SavedSearch,
  type SavedSearchStore,
} from '../../hunting/saved-searches.js';
import type { AuditLog } from '../../store/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';

/** Roles that may edit or delete any shared search of their tenant, not only their own. */
const CURATORS = new Set(['admin', 'manager']);

function tenantOf(p: Principal, requested?: string): string {
  const t = writeTenant(p, requested);
  if (!t) throw new ApiError('forbidden', `no access to tenant ${requested ?? '(none)'}`);
  return t;
}

function mayChange(p: Principal, s: SavedSearch): boolean {
  return s.owner === p.id || (s.shared && CURATORS.has(p.role));
}

const idParams = z.object({ id: z.string().uuid() });
const tenantQuery = z.object({ tenant: z.string().max(63).optional() });

/**
 * Saved searches: private to their owner or shared in the tenant. Reading needs `events:read`
 * (a saved search is only a query; running it is a search like any other); changing one needs to
 * own it, or to be an admin/manager for a shared one. Every change is audited.
 */
export function savedSearchRoutes(app: FastifyInstance, store: SavedSearchStore, audit: AuditLog): void {
  route(app, {
    method: 'GET',
    url: '/api/v1/saved-searches',
    access: 'events:read',
    tags: ['search'],
    summary: "The caller's saved searches and those shared in the tenant",
    query: tenantQuery,
    handler: async ({ principal, query }) => ({
      searches: await store.listVisible(tenantOf(principal!, query.tenant), principal!.id),
    }),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/saved-searches',
    access: 'events:read',
    tags: ['search'],
    summary: 'Save a query (private, or shared in the tenant with shared=true)',
    query: tenantQuery,
    body: savedSearchInput,
    handler: async ({ principal, query, body, req, reply }) => {
      const tenant = tenantOf(principal!, query.tenant);
      const s = await store.create(tenant, principal!.id, body);
      await audit.append({
        actor: principal!.name,
        tenant,
        action: 'search.saved.create',
        target: s.id,
        ip: req.ip,
        before: null,
        after: s,
      });
      void reply.code(201);
      return s;
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/saved-searches/:id',
    access: 'events:read',
    tags: ['search'],
    summary: 'One saved search the caller may see',
    params: idParams,
    query: tenantQuery,
    handler: async ({ principal, params, query }) => {
      const s = await store.get(tenantOf(principal!, query.tenant), params.id);
      if (!s || !canSee(s, principal!.id))
        throw new ApiError('not_found', `saved search ${params.id} not found`);
      return s;
    },
  });

  route(app, {
    method: 'PUT',
    url: '/api/v1/saved-searches/:id',
    access: 'events:read',
    tags: ['search'],
    summary: 'Replace a saved search (its owner, or an admin/manager for a shared one)',
    params: idParams,
    query: tenantQuery,
    body: savedSearchInput,
    handler: async ({ principal, params, query, body, req }) => {
      const tenant = tenantOf(principal!, query.tenant);
      const before = await store.get(tenant, params.id);
      if (!before || !canSee(before, principal!.id))
        throw new ApiError('not_found', `saved search ${params.id} not found`);
      if (!mayChange(principal!, before))
        throw new ApiError('forbidden', 'only the owner may change this saved search');
      const after = await store.update(tenant, params.id, body);
      if (!after) throw new ApiError('not_found', `saved search ${params.id} not found`);
      await audit.append({
        actor: principal!.name,
        tenant,
        action: 'search.saved.update',
        target: params.id,
        ip: req.ip,
        before,
        after,
      });
      return after;
    },
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/saved-searches/:id',
    access: 'events:read',
    tags: ['search'],
    summary: 'Delete a saved search (its owner, or an admin/manager for a shared one)',
    params: idParams,
    query: tenantQuery,
    handler: async ({ principal, params, query, req }) => {
      const tenant = tenantOf(principal!, query.tenant);
      const before = await store.get(tenant, params.id);
      if (!before || !canSee(before, principal!.id))
        throw new ApiError('not_found', `saved search ${params.id} not found`);
      if (!mayChange(principal!, before))
        throw new ApiError('forbidden', 'only the owner may delete this saved search');
      await store.delete(tenant, params.id);
      await audit.append({
        actor: principal!.name,
        tenant,
        action: 'search.saved.delete',
        target: params.id,
        ip: req.ip,
        before,
        after: null,
      });
      return { deleted: true };
    },
  });
}
