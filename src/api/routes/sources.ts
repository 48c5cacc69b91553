import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SourceHealth } from '../../ingest/health/source-health.js';
import { route } from '../route.js';
import { readTenants } from '../tenancy.js';

const counts = { received: z.number(), parsed: z.number(), failed: z.number() };
const sourcesResponse = z.object({
  inputs: z.array(
    z.object({
      input: z.string(), tenant: z.string(), kind: z.string(), silentAfterMinutes: z.number(),
      state: z.enum(['active', 'silent', 'never']), lastSeen: z.string().nullable(), ...counts,
      hostCount: z.number(), evictedHosts: z.number(),
      hosts: z.array(z.object({ host: z.string(), tenant: z.string(), firstSeen: z.string(), lastSeen: z.string(), state: z.enum(['active', 'silent']), ...counts })),
    }),
  ),
});

/** Which inputs and sending hosts deliver, and which went quiet. Hosts are filtered to the caller's tenants. */
export function sourceRoutes(app: FastifyInstance, health: SourceHealth): void {
  route(app, {
    method: 'GET', url: '/api/v1/sources', access: 'metrics:read', summary: 'Inputs and their sending hosts: counts, last seen, active/silent/never', tags: ['sources'],
    query: z.object({ tenant: z.string().max(63).optional() }),
    response: sourcesResponse,
    handler: async ({ principal, query }) => {
      const tenants = new Set(readTenants(principal!, query.tenant));
      const inputs = [];
      for (const inp of health.snapshot()) {
        const hosts = inp.hosts.filter((h) => tenants.has(h.tenant));
        // An input shared by tenants (HTTP) is listed with only the caller's hosts and their totals.
        if (!tenants.has(inp.tenant) && hosts.length === 0) continue;
        if (hosts.length === inp.hosts.length) {
          inputs.push(inp);
          continue;
        }
        const sum = (k: 'received' | 'parsed' | 'failed') => hosts.reduce((a, h) => a + h[k], 0);
        const lastSeen = hosts.reduce<string | null>((a, h) => (a === null || h.lastSeen > a ? h.lastSeen : a), null);
        inputs.push({
          ...inp, hosts, hostCount: hosts.length, received: sum('received'), parsed: sum('parsed'), failed: sum('failed'), lastSeen,
          state: hosts.length === 0 ? ('never' as const) : hosts.some((h) => h.state === 'active') ? ('active' as const) : ('silent' as const),
        });
      }
      return { inputs };
    },
  });
}
