import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { openApiDocument, route } from '../route.js';

export function systemRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, {
    method: 'GET', url: '/api/v1/health', access: 'public', summary: 'Liveness: the process serves requests', tags: ['system'],
    response: z.object({ status: z.literal('ok') }),
    handler: async () => ({ status: 'ok' }),
  });
  route(app, {
    method: 'GET', url: '/api/v1/version', access: 'public', summary: 'Vigil version and storage mode', tags: ['system'],
    handler: async () => ({ version: ctx.version, storage: ctx.storage.kind }),
  });
  route(app, {
    method: 'GET', url: '/api/v1/openapi.json', access: 'public', summary: 'This OpenAPI document', tags: ['system'],
    handler: async () => openApiDocument(app, ctx.version),
  });
  route(app, {
    method: 'GET', url: '/metrics', access: 'metrics:read', summary: 'Prometheus metrics', tags: ['system'],
    handler: async ({ reply }) => {
      void reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      return ctx.metrics.registry.render();
    },
  });
}
