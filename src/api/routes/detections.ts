import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LEVEL_ORDER } from '../../detections/levels.js';
import type { DetectionStore } from '../../store/ports.js';
import { route } from '../route.js';
import { readTenants } from '../tenancy.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');

/** Detections; the rule routes are in rules.ts. */
export function detectionRoutes(app: FastifyInstance, store: DetectionStore): void {
  route(app, {
    method: 'GET',
    url: '/api/v1/detections',
    access: 'detections:read',
    summary: 'Rule matches, newest first',
    tags: ['detections'],
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      rule: z.string().max(200).optional(),
      level: z.enum(LEVEL_ORDER).optional(),
      since: isoTime.optional(),
      tenant: z.string().max(63).optional(),
    }),
    handler: async ({ principal, query }) =>
      store.list(readTenants(principal!, query.tenant), {
        limit: query.limit,
        offset: query.offset,
        ruleId: query.rule,
        minLevel: query.level,
        since: query.since ? new Date(query.since) : undefined,
      }),
  });
}
