import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_OBSERVABLES, type ObservableEnricher } from '../../enrich/observables.js';
import { route } from '../route.js';
import { targetTenant } from '../tenancy.js';

const body = z
  .object({
    observables: z
      .array(z.object({ type: z.string().min(1).max(40), value: z.string().min(1).max(2048) }).strict())
      .min(1)
      .max(MAX_OBSERVABLES),
  })
  .strict();

/**
 * Observable enrichment for the console: the tenant's live indicators an observable matches
 * (sources, reports, sightings, false-positive marks) and offline country/AS for addresses.
 */
export function enrichRoutes(app: FastifyInstance, enricher: ObservableEnricher): void {
  route(app, {
    method: 'POST',
    url: '/api/v1/enrich/observables',
    access: 'intel:read',
    tags: ['intel'],
    summary: 'Intel hits and country/AS for up to 100 observables (type, value)',
    query: z.object({ tenant: z.string().max(63).optional() }),
    body,
    handler: async ({ principal, query, body: b }) => ({
      observables: await enricher.enrich(targetTenant(principal!, query.tenant), b.observables),
    }),
  });
}
