import { z } from 'zod';
import { periodQuery, resolvePeriod } from '../api/period.js';
import { route } from '../api/route.js';
import { readTenants } from '../api/tenancy.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { DEFAULT_SLA } from '../cases/sla.js';
import { complianceMarkdown, complianceReport } from './compliance.js';
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
  route(http, {
    method: 'GET',
    url: '/api/v1/reports/compliance',
    access: 'audit:read',
    summary:
      'Compliance report for a period: MTTD/MTTA/MTTR per severity, noisy rules, sign-ins and access changes, data access, audit-chain verification (JSON or Markdown)',
    tags: ['reports'],
    query: z.object({
      tenant: z.string().max(63).optional(),
      ...periodQuery,
      format: z.enum(['json', 'markdown']).default('json'),
    }),
    handler: async ({ principal, query, reply, req }) => {
      const tenants = readTenants(principal!, query.tenant);
      const now = new Date();
      const { from, to } = resolvePeriod(query, now);
      const report = await complianceReport(
        { alerts: storage.alerts, audit: storage.audit },
        { tenants, from, to, now, by: principal!.name },
      );
      await storage.audit.append({
        actor: principal!.name,
        tenant: tenants.length === 1 ? tenants[0]! : null,
        action: 'report.compliance',
        target: `${report.period.from}/${report.period.to}`,
        ip: req.ip,
        before: null,
        after: { tenants, format: query.format },
      });
      if (query.format === 'json') return report;
      return reply
        .type('text/markdown; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="vigil-compliance-${report.period.to.slice(0, 10)}.md"`,
        )
        .send(complianceMarkdown(report));
    },
  });
  return Promise.resolve({ close: () => Promise.resolve() });
}
