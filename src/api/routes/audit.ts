import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyAuditChain } from '../../auth/audit-chain.js';
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
}
