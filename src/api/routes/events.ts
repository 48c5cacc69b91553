import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { decodeJsonBody } from '../../pipeline/ndjson.js';
import { runSearch, SearchRecorder, searchInput } from './search.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants, targetTenant } from '../tenancy.js';

/** Ingest routes take the body as raw bytes: NDJSON and bulk formats are not one JSON document. */
export function rawBodyScope(app: FastifyInstance, bodyLimit: number, register: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    register(scope);
  });
}

export function eventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const recorder = new SearchRecorder(ctx.storage.audit, ctx.storage.searchHistory);
  rawBodyScope(app, ctx.config.http.bodyLimitBytes, (scope) => {
    route(
      scope,
      {
        method: 'POST', url: '/api/v1/events', access: 'events:ingest',
        summary: 'Send events as NDJSON or a JSON array; 200 only once the accepted events are durable', tags: ['events'],
        query: z.object({ tenant: z.string().max(63).optional() }),
        response: z.object({ accepted: z.number(), rejected: z.array(z.object({ index: z.number(), reason: z.string() })) }),
        handler: async ({ req, reply, principal, query }) => {
          const body = req.body;
          if (!Buffer.isBuffer(body) || body.length === 0) throw new ApiError('bad_request', 'body: expected NDJSON or a JSON array of events');
          const tenant = targetTenant(principal!, query.tenant);
          const result = await ctx.ingest.ingest(tenant, 'http', decodeJsonBody(body), req.ip);
          if (result.accepted === 0 && result.rejected.length > 0) {
            void reply.code(400);
            return { error: { code: 'bad_request', message: result.rejected[0]!.reason, details: result.rejected }, accepted: 0, rejected: result.rejected };
          }
          return result;
        },
      },
      app,
    );
  });

  route(app, {
    method: 'GET', url: '/api/v1/events/search', access: 'events:read', summary: 'Search stored events in the query language (docs/query-language.md), newest first', tags: ['events'],
    query: z.object(searchInput),
    handler: async ({ principal, query, req }) => {
      const r = await runSearch(ctx.storage.search, principal!, query, recorder, req.ip);
      // The contract shape ({total, events}) holds for tables too, with the table beside it.
      return r.kind === 'events' ? r : { ...r, events: [] };
    },
  });

  route(app, {
    method: 'GET', url: '/api/v1/events/:id', access: 'events:read', summary: 'One stored event by id', tags: ['events'],
    params: z.object({ id: z.string().min(1).max(128) }),
    handler: async ({ principal, params }) => {
      const e = await ctx.storage.events.get(principal!.tenants, params.id);
      if (!e) throw new ApiError('not_found', `no event ${params.id}`);
      return e;
    },
  });

  route(app, {
    method: 'GET', url: '/api/v1/deadletters', access: 'deadletters:read', summary: 'Records that could not be ingested, with their reason', tags: ['events'],
    query: z.object({ input: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100), tenant: z.string().max(63).optional() }),
    handler: async ({ principal, query }) => ({
      deadLetters: await ctx.storage.deadLetters.list(readTenants(principal!, query.tenant), { limit: query.limit, input: query.input }),
      total: await ctx.storage.deadLetters.count(readTenants(principal!, query.tenant)),
    }),
  });
}
