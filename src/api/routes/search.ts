import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { parseQuery } from '../../search/parser.js';
import { QueryError, QueryTimeout, type EventSearch, type SearchResult } from '../../search/ports.js';
import { printQuery } from '../../search/print.js';
import { eventsAround, PIVOT_FIELDS } from '../../search/pivot.js';
import { sigmaToQuery } from '../../search/sigma-to-query.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants } from '../tenancy.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');

export const searchInput = {
  q: z.string().max(4096).default(''),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  tenant: z.string().max(63).optional(),
};

const searchBody = z.object(searchInput);

/** The search port when the storage provides one (wired in store/sqlite/index.ts). */

/**
 * Runs a search for a caller: tenants come from the principal (narrowed by `tenant`), never from
 * the query. Language errors become 400 with the column for the UI to underline.
 */
export async function runSearch(
  search: EventSearch,
  principal: Principal,
  input: z.infer<typeof searchBody>,
): Promise<SearchResult> {
  try {
    return await search.search(readTenants(principal, input.tenant), input.q, {
      from: input.from ? new Date(input.from) : undefined,
      to: input.to ? new Date(input.to) : undefined,
      limit: input.limit,
      offset: input.offset,
    });
  } catch (e) {
    if (e instanceof QueryError)
      throw new ApiError('bad_request', `query.q: ${e.message}`, { column: e.column, expected: e.expected });
    if (e instanceof QueryTimeout) throw new ApiError('unavailable', e.message);
    throw e;
  }
}

export function searchRoutes(app: FastifyInstance, search: EventSearch): void {
  route(app, {
    method: 'POST',
    url: '/api/v1/search',
    access: 'events:read',
    tags: ['search'],
    summary:
      'Search stored events in the query language; a query with stats/timechart/top/rare returns a table',
    body: searchBody,
    response: z.object({
      kind: z.enum(['events', 'table']),
      total: z.number(),
      events: z.array(z.record(z.string(), z.unknown())).optional(),
      columns: z.array(z.string()).optional(),
      rows: z.array(z.array(z.unknown())).optional(),
      took_ms: z.number(),
    }),
    handler: async ({ principal, body }) => runSearch(search, principal!, body),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/search/validate',
    access: 'events:read',
    tags: ['search'],
    summary:
      'Check a query without running it: ok with its normal form, or what was expected at which column',
    body: z.object({ q: z.string().max(4096) }),
    handler: async ({ body }) => {
      const r = parseQuery(body.q);
      if (r.ok) return { ok: true, normalized: printQuery(r.query) };
      return { ok: false, error: { message: r.reason, column: r.column, expected: r.expected } };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/search/fields',
    access: 'events:read',
    tags: ['search'],
    summary: 'Field names seen in recent events, for autocomplete',
    query: z.object({
      tenant: z.string().max(63).optional(),
      sample: z.coerce.number().int().min(1).max(5000).default(500),
    }),
    handler: async ({ principal, query }) => ({
      fields: await search.fields(readTenants(principal!, query.tenant), { sample: query.sample }),
    }),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/search/from-sigma',
    access: 'events:read',
    tags: ['search'],
    summary:
      'Convert a Sigma rule (YAML) to a query: everything the rule would have matched, or why it cannot be expressed',
    body: z.object({
      yaml: z
        .string()
        .min(1)
        .max(256 * 1024),
    }),
    handler: async ({ body }) => sigmaToQuery(body.yaml),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/search/around',
    access: 'events:read',
    tags: ['search'],
    summary: 'Events of the same host or user within ± a window of one event (a pivot)',
    query: z.object({
      event_id: z.string().min(1).max(256),
      by: z.enum(Object.keys(PIVOT_FIELDS) as ['host', 'user']).default('host'),
      window_s: z.coerce
        .number()
        .int()
        .min(1)
        .max(7 * 86_400)
        .default(300),
      limit: z.coerce.number().int().min(1).max(10_000).default(200),
      tenant: z.string().max(63).optional(),
    }),
    handler: async ({ principal, query }) => {
      const r = await eventsAround(search, readTenants(principal!, query.tenant), {
        eventId: query.event_id,
        by: query.by,
        windowMs: query.window_s * 1000,
        limit: query.limit,
      });
      if (!r.found) throw new ApiError('not_found', `event ${query.event_id} not found`);
      if ('missing' in r) throw new ApiError('bad_request', `the event has no ${r.missing} to pivot on`);
      return r;
    },
  });
}
