import { z } from 'zod';
import { route } from '../api/route.js';
import { readTenants } from '../api/tenancy.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { DEFAULT_SLA } from '../cases/sla.js';
import { shiftHandover } from './handover.js';

/** Reports that span capabilities (alerts and cases); read-only. */
export function startReports(ctx: CapabilityContext): Promise<Capability> {
  const { http, storage } = ctx;
  route(http, {
    method: 'GET',
    url: '/api/v1/reports/handover',
    access: 'reports:read',
    summary: 'Shift handover: opened, changed and closed in the last hours, open criticals, SLA, workload',
    tags: ['reports'],
    query: z.object({
      hours: z.coerce.number().min(1).max(168).default(12),
      tenant: z.string().max(63).optional(),
    }),
    handler: async ({ principal, query }) => {
      const tenants = readTenants(principal!, query.tenant);
      const policy =
        (tenants.length === 1 ? await storage.cases.slaPolicy(tenants[0]!) : undefined) ?? DEFAULT_SLA;
      const seesRestricted = principal!.role === 'admin' || principal!.role === 'manager';
      return shiftHandover(
        { alerts: storage.alerts, cases: storage.cases },
        {
          tenants,
          hours: query.hours,
          now: new Date(),
          atRiskFraction: policy.atRiskFraction,
          viewer: seesRestricted ? undefined : principal!.name,
        },
      );
    },
  });
  return Promise.resolve({ close: () => Promise.resolve() });
}
