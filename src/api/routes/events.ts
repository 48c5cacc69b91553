import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { decodeJsonBody } from '../../pipeline/ndjson.js';
import { parseSimpleQuery } from '../../search/simple-query.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants, targetTenant } from '../tenancy.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');

/** Ingest routes take the body as raw bytes: NDJSON and bulk formats are not one JSON document. */
export function rawBodyScope(app: FastifyInstance, bodyLimit: number, register: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    register(scope);
  });
}

export function eventRoutes(app: FastifyInstance, ctx: ApiContext): void {
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
    method: 'GET', url: '/api/v1/events/search', access: 'events:read', summary: 'Search stored events, newest first', tags: ['events'],
    query: z.object({
      q: z.string().max(4096).default(''),
      from: isoTime.optional(),
      to: isoTime.optional(),
      limit: z.coerce.number().int().min(1).max(10_000).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      tenant: z.string().max(63).optional(),
    }),
    handler: async ({ principal, query }) => {
      const parsed = parseSimpleQuery(query.q);
      if (!parsed.ok) throw new ApiError('bad_request', `query.q: ${parsed.reason}`, { column: parsed.column });
      return ctx.storage.events.search({
        tenants: readTenants(principal!, query.tenant),
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        filters: parsed.query.filters,
        text: parsed.query.text,
        limit: query.limit,
        offset: query.offset,
      });
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
