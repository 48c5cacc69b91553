import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api/errors.js';
import type { Duty } from './roles.js';

/** Served by every node, whatever its role: load balancers and Prometheus ask each node. */
const SYSTEM_ROUTES = new Set(['/api/v1/health', '/api/v1/version', '/api/v1/openapi.json', '/metrics']);

export type RouteKind = 'system' | 'ingest' | 'api';

/** Ingest routes are the ones shippers call: they carry the `events:ingest` access (HEC health is public). */
export function routeKind(url: string | undefined, access: unknown): RouteKind {
  if (url !== undefined && SYSTEM_ROUTES.has(url)) return 'system';
  if (access === 'events:ingest' || url?.startsWith('/services/collector')) return 'ingest';
  return 'api';
}

/**
 * Answers 404 for routes this node's role does not serve, so a misrouted request fails plainly
 * instead of half-working (an API route on a node without its consumers, an ingest route on a
 * console node). Capabilities register their routes everywhere; this hook is the one place that
 * decides which a node serves.
 */
export function scopeRoutes(http: FastifyInstance, duties: ReadonlySet<Duty>): void {
  if (duties.has('ingest') && duties.has('api')) return;
  http.addHook('onRequest', async (req, reply) => {
    const url = req.routeOptions.url;
    if (url === undefined) return; // unmatched: the not-found handler answers
    const kind = routeKind(url, (req.routeOptions.config as { access?: unknown } | undefined)?.access);
    if (kind === 'system' || duties.has(kind)) return;
    const e = new ApiError(
      'not_found',
      `no route ${req.method} ${req.url.split('?')[0]} on this node (role: ${[...duties].join(', ')}); send it to a node with the ${kind} role`,
    );
    return reply.code(404).send(e.toJSON());
  });
}
