import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { MemoryBus } from '../../bus/memory/memory-bus.js';
import { canSee, type SavedSearch, type SavedSearchStore } from '../../hunting/saved-searches.js';
import { ScheduledSearchRunner, unschedulable } from '../../hunting/scheduled-runner.js';
import type { SearchScheduleStore } from '../../hunting/scheduled-searches.js';
import { scheduleInput } from '../../hunting/schedules.js';
import type { EventSearch } from '../../search/ports.js';
import type { AuditLog } from '../../store/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants, targetTenant } from '../tenancy.js';

const idParams = z.object({ id: z.string().uuid() });
const tenantQuery = z.object({ tenant: z.string().max(63).optional() });
const scheduleBody = z.object({ schedule: scheduleInput, enabled: z.boolean().default(true) }).strict();

export interface ScheduledSearchDeps {
  schedules: SearchScheduleStore;
  savedSearches: SavedSearchStore;
  search: EventSearch;
  audit: AuditLog;
  log: Logger;
}

/**
 * Schedules of saved searches: who may read the search may read its schedule; setting one makes
 * the search raise alerts, which is rule management (`rules:manage`). A preview runs the last
 * closed window now and returns what it would raise, without raising it.
 */
export function scheduledSearchRoutes(app: FastifyInstance, d: ScheduledSearchDeps): void {
  // Previews evaluate only; the bus is never published to.
  const preview = new ScheduledSearchRunner({ ...d, bus: new MemoryBus(1) });

  async function visibleSearch(p: Principal, tenant: string | undefined, id: string): Promise<SavedSearch> {
    const s = await d.savedSearches.get(targetTenant(p, tenant), id);
    if (!s || !canSee(s, p.id)) throw new ApiError('not_found', `saved search ${id} not found`);
    return s;
  }

  route(app, {
    method: 'GET',
    url: '/api/v1/scheduled-searches',
    access: 'events:read',
    tags: ['search'],
    summary: 'Scheduled searches the caller can see, with their last run',
    query: tenantQuery,
    handler: async ({ principal, query }) => {
      const p = principal!;
      const tenants = readTenants(p, query.tenant);
      const out = [];
      for (const s of await d.schedules.list(tenants)) {
        const saved = await d.savedSearches.get(s.tenant, s.searchId);
        if (saved && canSee(saved, p.id)) out.push({ ...s, name: saved.name, query: saved.query });
      }
      return { schedules: out };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/saved-searches/:id/schedule',
    access: 'events:read',
    tags: ['search'],
    summary: 'The schedule of a saved search and its last run',
    params: idParams,
    query: tenantQuery,
    handler: async ({ principal, params, query }) => {
      const saved = await visibleSearch(principal!, query.tenant, params.id);
      const s = await d.schedules.get(saved.tenant, saved.id);
      if (!s) throw new ApiError('not_found', `saved search ${params.id} has no schedule`);
      return s;
    },
  });

  route(app, {
    method: 'PUT',
    url: '/api/v1/saved-searches/:id/schedule',
    access: 'rules:manage',
    tags: ['search'],
    summary: 'Schedule a saved search (threshold, new_terms or no_data) so that it raises alerts',
    params: idParams,
    query: tenantQuery,
    body: scheduleBody,
    handler: async ({ principal, params, query, body, req }) => {
      const p = principal!;
      const saved = await visibleSearch(p, query.tenant, params.id);
      const why = unschedulable(saved.query);
      if (why) throw new ApiError('bad_request', `query: ${why}`);
      const before = (await d.schedules.get(saved.tenant, saved.id)) ?? null;
      const after = await d.schedules.put(saved.tenant, saved.id, p.id, body.schedule, body.enabled);
      await d.audit.append({
        actor: p.name,
        tenant: saved.tenant,
        action: 'search.schedule.set',
        target: saved.id,
        ip: req.ip,
        before: before && { schedule: before.schedule, enabled: before.enabled },
        after: { schedule: after.schedule, enabled: after.enabled },
      });
      return after;
    },
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/saved-searches/:id/schedule',
    access: 'rules:manage',
    tags: ['search'],
    summary: 'Stop running a saved search on a schedule',
    params: idParams,
    query: tenantQuery,
    handler: async ({ principal, params, query, req }) => {
      const p = principal!;
      const saved = await visibleSearch(p, query.tenant, params.id);
      const before = await d.schedules.get(saved.tenant, saved.id);
      if (!before) throw new ApiError('not_found', `saved search ${params.id} has no schedule`);
      await d.schedules.remove(saved.tenant, saved.id);
      await d.audit.append({
        actor: p.name,
        tenant: saved.tenant,
        action: 'search.schedule.delete',
        target: saved.id,
        ip: req.ip,
        before: { schedule: before.schedule, enabled: before.enabled },
        after: null,
      });
      return { deleted: true };
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/saved-searches/:id/schedule/preview',
    access: 'events:read',
    tags: ['search'],
    summary: 'What a schedule would raise over its last closed window, without raising anything',
    params: idParams,
    query: tenantQuery,
    body: z.object({ schedule: scheduleInput }).strict(),
    handler: async ({ principal, params, query, body }) => {
      const saved = await visibleSearch(principal!, query.tenant, params.id);
      const why = unschedulable(saved.query);
      if (why) throw new ApiError('bad_request', `query: ${why}`);
      const step = body.schedule.everyMinutes * 60_000;
      const end = Math.floor(Date.now() / step) * step;
      const now = new Date().toISOString();
      const detections = await preview.evaluate(
        {
          searchId: saved.id,
          tenant: saved.tenant,
          owner: principal!.id,
          schedule: body.schedule,
          enabled: true,
          lastWindowEnd: null,
          lastRunAt: null,
          lastStatus: null,
          lastError: null,
          lastHits: 0,
          createdAt: now,
          updatedAt: now,
        },
        saved,
        end,
      );
      return {
        windowStart: new Date(end - body.schedule.windowMinutes * 60_000).toISOString(),
        windowEnd: new Date(end).toISOString(),
        detections,
      };
    },
  });
}
