import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Permission } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import { ApiError } from './errors.js';

/**
 * Who may call a route: a permission from the matrix, `authenticated` (any logged-in principal,
 * e.g. logout, "me"), or `public` (health, login). Every route must say one of these: the server
 * refuses to start with a route that does not (see authorize.ts).
 */
export type Access = Permission | 'authenticated' | 'public';

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  access: Access;
  summary: string;
  tags?: string[];
  body?: B;
  query?: Q;
  params?: P;
  /** Response schema for the OpenAPI document. */
  response?: z.ZodType;
  handler: (ctx: {
    req: FastifyRequest;
    reply: FastifyReply;
    principal: Principal | undefined;
    body: z.infer<B>;
    query: z.infer<Q>;
    params: z.infer<P>;
  }) => Promise<unknown>;
}

export interface OpenApiEntry {
  method: string;
  url: string;
  access: Access;
  summary: string;
  tags: string[];
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  response?: z.ZodType;
  rawBody?: string;
}

export const openApiRegistry = new WeakMap<FastifyInstance, OpenApiEntry[]>();

function registry(app: FastifyInstance): OpenApiEntry[] {
  let list = openApiRegistry.get(app);
  if (!list) {
    list = [];
    openApiRegistry.set(app, list);
  }
  return list;
}

function parseOr400<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.infer<S> {
  if (!schema) return undefined as z.infer<S>;
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const details = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
    throw new ApiError('bad_request', `${details[0]!.path}: ${details[0]!.message}`, details);
  }
  return r.data;
}

/** Registers a validated route and records it for the OpenAPI document. */
export function route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined>(
  app: FastifyInstance,
  spec: RouteSpec<B, Q, P>,
  docApp: FastifyInstance = app,
): void {
  registry(docApp).push({
    method: spec.method, url: spec.url, access: spec.access, summary: spec.summary, tags: spec.tags ?? [],
    body: spec.body, query: spec.query, params: spec.params, response: spec.response,
  });
  app.route({
    method: spec.method,
    url: spec.url,
    config: { access: spec.access },
    handler: async (req, reply) => {
      const body = parseOr400(spec.body, req.body, 'body');
      const query = parseOr400(spec.query, req.query, 'query');
      const params = parseOr400(spec.params, req.params, 'params');
      const result = await spec.handler({ req, reply, principal: req.principal, body, query, params });
      if (reply.sent) return reply;
      return result;
    },
  });
}

/** Records a route registered by hand (raw-body ingest routes) in the OpenAPI document. */
export function documentRoute(app: FastifyInstance, entry: Omit<OpenApiEntry, 'tags'> & { tags?: string[] }): void {
  registry(app).push({ ...entry, tags: entry.tags ?? [] });
}

export function openApiDocument(app: FastifyInstance, version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  const toSchema = (s: z.ZodType) => z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' });
  for (const e of registry(app)) {
    const path = e.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const op: Record<string, unknown> = {
      summary: e.summary,
      tags: e.tags,
      'x-vigil-access': e.access,
      security: e.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
      responses: {
        '200': { description: 'OK', ...(e.response ? { content: { 'application/json': { schema: toSchema(e.response) } } } : {}) },
        ...(e.access === 'public' ? {} : { '401': { description: 'not authenticated' }, '403': { description: 'role not allowed' } }),
        '400': { description: 'invalid request; the message names the field' },
      },
    };
    const parameters: unknown[] = [];
    for (const [where, schema] of [['query', e.query], ['path', e.params]] as const) {
      if (!schema) continue;
      const js = toSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
      }
    }
    if (parameters.length > 0) op.parameters = parameters;
    if (e.body) op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(e.body) } } };
    if (e.rawBody) op.requestBody = { required: true, content: { [e.rawBody]: { schema: { type: 'string' } } } };
    (paths[path] ??= {})[e.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil API', version, description: 'Vigil security operations platform' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token (vigil token create)' },
        session: { type: 'apiKey', in: 'cookie', name: 'vigil_session', description: 'Session from POST /api/v1/auth/login; writes need x-csrf-token' },
      },
    },
    paths,
  };
}
