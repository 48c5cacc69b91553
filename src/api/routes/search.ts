import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { parseQuery } from '../../search/parser.js';
import { QueryError, QueryTimeout, type EventSearch, type SearchResult } from '../../search/ports.js';
import { printQuery } from '../../search/print.js';
import { eventsAround, PIVOT_FIELDS } from '../../search/pivot.js';
import { sigmaToQuery } from '../../search/sigma-to-query.js';
import type { SearchHistoryStore } from '../../hunting/search-history.js';
import type { AuditLog } from '../../store/ports.js';
import { Readable } from 'node:stream';
import { EXPORT_FORMATS, exportResults } from '../../search/export.js';
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
  recorder?: SearchRecorder,
  ip: string | null = null,
): Promise<SearchResult> {
  const tenants = readTenants(principal, input.tenant);
  let result: SearchResult | undefined;
  let failure: unknown;
  try {
    result = await search.search(tenants, input.q, {
      from: input.from ? new Date(input.from) : undefined,
      to: input.to ? new Date(input.to) : undefined,
      limit: input.limit,
      offset: input.offset,
    });
  } catch (e) {
    failure = e;
  }
  await recorder?.record(principal, tenants, input, ip, result, failure);
  if (result) return result;
  const e = failure;
  if (e instanceof QueryError)
    throw new ApiError('bad_request', `query.q: ${e.message}`, { column: e.column, expected: e.expected });
  if (e instanceof QueryTimeout) throw new ApiError('unavailable', e.message);
  throw e;
}

/**
 * Who searched what: every search a person or token runs goes to the audit trail (`search.run`,
 * for the auditor) and to the searcher's own history.
 */
export class SearchRecorder {
  constructor(
    private readonly audit: AuditLog,
    readonly history: SearchHistoryStore,
  ) {}

  async record(
    p: Principal,
    tenants: string[],
    input: { q: string; from?: string | undefined; to?: string | undefined },
    ip: string | null,
    result: SearchResult | undefined,
    failure: unknown,
    action = 'search.run',
  ): Promise<void> {
    const error =
      failure === undefined ? null : failure instanceof Error ? failure.message : JSON.stringify(failure);
    const entry = {
      query: input.q,
      from: input.from ?? null,
      to: input.to ?? null,
      total: result?.total ?? null,
      tookMs: result ? Math.round(result.took_ms) : null,
      error,
    };
    const tenant = tenants[0] ?? 'default';
    await this.audit.append({
      actor: p.name,
      tenant: tenants.length === 1 ? tenants[0]! : null,
      action,
      target: input.q.slice(0, 200) || '*',
      ip,
      before: null,
      after: { ...entry, tenants },
    });
    if (action === 'search.run')
      await this.history.add({ tenant, owner: p.id, ...entry, at: new Date().toISOString() });
  }
}

export function searchRoutes(app: FastifyInstance, search: EventSearch, recorder?: SearchRecorder): void {
  route(app, {
    method: 'POST',
    url: '/api/v1/search',
    access: 'events:read',
    tags: ['search'],
    summary:
      'Search stored events in the query language; a query with stats/timechart/top/rare returns a table',
    body: searchBody,
    query: z.object({ tenant: searchInput.tenant }),
    response: z.object({
      kind: z.enum(['events', 'table']),
      total: z.number(),
      events: z.array(z.record(z.string(), z.unknown())).optional(),
      columns: z.array(z.string()).optional(),
      rows: z.array(z.array(z.unknown())).optional(),
      took_ms: z.number(),
    }),
    handler: async ({ principal, body, query, req }) =>
      runSearch(search, principal!, { ...body, tenant: body.tenant ?? query.tenant }, recorder, req.ip),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/search/history',
    access: 'events:read',
    tags: ['search'],
    summary: "The caller's own recent searches, newest first (query, range, total, time taken, error)",
    query: z.object({
      tenant: z.string().max(63).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: async ({ principal, query }) => ({
      searches: recorder
        ? await recorder.history.list(readTenants(principal!, query.tenant), principal!.id, query.limit)
        : [],
    }),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/search/export',
    access: 'events:read',
    tags: ['search'],
    summary:
      'Stream the results of a query as CSV or NDJSON (events page by page up to `limit`; a sorting or transforming query up to 10,000 rows)',
    query: z.object({
      q: searchInput.q,
      from: searchInput.from,
      to: searchInput.to,
      tenant: searchInput.tenant,
      format: z.enum(EXPORT_FORMATS).default('ndjson'),
      /** CSV columns for events, comma-separated. */
      fields: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
    }),
    handler: async ({ principal, query, req, reply }) => {
      const parsed = parseQuery(query.q);
      if (!parsed.ok)
        throw new ApiError('bad_request', `query.q: column ${parsed.column}: ${parsed.reason}`, {
          column: parsed.column,
          expected: parsed.expected,
        });
      const tenants = readTenants(principal!, query.tenant);
      await recorder?.record(principal!, tenants, query, req.ip, undefined, undefined, 'search.export');
      const stats = { rows: 0 };
      const chunks = exportResults(
        search,
        {
          tenants,
          query: parsed.query,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
          limit: query.limit,
          format: query.format,
          fields: query.fields
            ?.split(',')
            .map((f) => f.trim())
            .filter(Boolean),
        },
        stats,
      );
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      void reply
        .header('content-type', query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="vigil-search-${stamp}.${query.format}"`)
        .header('cache-control', 'no-store');
      // A stream the client reads at its own pace: a slow reader slows the reading, not the memory.
      return Readable.from(chunks);
    },
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
