import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyAuditChain } from '../../auth/audit-chain.js';
import type { AuditRecord } from '../../store/ports.js';
import type { ApiContext } from '../context.js';
import { route } from '../route.js';

export function auditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, {
    method: 'GET', url: '/api/v1/audit', access: 'audit:read', summary: 'The audit trail, oldest first, filterable', tags: ['audit'],
    query: z.object({
      after: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      action: z.string().max(100).optional(),
      actor: z.string().max(100).optional(),
    }),
    handler: async ({ principal, query }) => {
      // System-wide records (logins, users) belong to no tenant: only an admin sees the whole trail.
      const tenants = principal!.role === 'admin' ? undefined : principal!.tenants;
      const records = await ctx.storage.audit.list({ tenants, limit: query.limit, afterSeq: query.after, action: query.action, actor: query.actor });
      return { records };
    },
  });

  route(app, {
    method: 'GET', url: '/api/v1/audit/verify', access: 'audit:read', summary: 'Verify the hash chain of the whole audit trail', tags: ['audit'],
    handler: async () => verifyAuditChain(ctx.storage.audit.all()),
  });

  route(app, {
    method: 'GET', url: '/api/v1/audit/export', access: 'audit:read', summary: 'Export the audit trail (NDJSON or CSV), filtered by action, actor and time', tags: ['audit'],
    query: z.object({
      format: z.enum(['ndjson', 'csv']).default('ndjson'),
      action: z.string().max(100).optional(),
      actor: z.string().max(100).optional(),
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
    }),
    handler: async ({ principal, query, reply }) => {
      const tenants = principal!.role === 'admin' ? undefined : new Set(principal!.tenants);
      const from = query.from ? Date.parse(query.from) : -Infinity;
      const to = query.to ? Date.parse(query.to) : Infinity;
      const keep = (r: AuditRecord): boolean =>
        (!tenants || (r.tenant !== null && tenants.has(r.tenant))) &&
        (!query.action || r.action === query.action) &&
        (!query.actor || r.actor === query.actor) &&
        Date.parse(r.ts) >= from &&
        Date.parse(r.ts) < to;
      const records = ctx.storage.audit.all();
      const csv = query.format === 'csv';
      async function* lines(): AsyncGenerator<string> {
        if (csv) yield 'seq,ts,actor,tenant,action,target,ip,before,after,prev_hash,hash\n';
        for await (const r of records) {
          if (!keep(r)) continue;
          yield csv ? `${[r.seq, r.ts, r.actor, r.tenant, r.action, r.target, r.ip, JSON.stringify(r.before), JSON.stringify(r.after), r.prevHash, r.hash].map(csvField).join(',')}\n` : `${JSON.stringify(r)}\n`;
        }
      }
      void reply
        .header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="vigil-audit.${csv ? 'csv' : 'ndjson'}"`);
      return Readable.from(lines());
    },
  });
}

/** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as formulas. */
function csvField(v: string | number | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
