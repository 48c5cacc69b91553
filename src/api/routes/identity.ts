import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { ROLES, TOKEN_ROLES } from '../../auth/roles.js';
import { ALL_TENANTS, AuthError } from '../../auth/service.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';

const actorOf = (p: Principal | undefined, ip: string) => ({ name: p?.name ?? 'anonymous', ip });

function mapAuthError(e: unknown): never {
  if (e instanceof AuthError) {
    const code = e.code === 'invalid_credentials' ? 'unauthorized' : e.code === 'locked' ? 'too_many_requests' : e.code;
    throw new ApiError(code, e.message);
  }
  throw e;
}

/** A non-admin may hand out only what it holds: no admin role, no tenant outside its own. */
function checkDelegation(p: Principal, role: string, tenants: string[]): void {
  if (p.role === 'admin') return;
  if (role === 'admin') throw new ApiError('forbidden', 'only an admin may grant the admin role');
  for (const t of tenants) {
    if (t === ALL_TENANTS || !p.tenants.includes(t)) throw new ApiError('forbidden', `no access to tenant ${t}`);
  }
}

const userView = (u: { username: string; role: string; tenants: string[]; disabled: boolean; lockedUntil: string | null; createdAt: string }) => ({
  username: u.username, role: u.role, tenants: u.tenants, disabled: u.disabled, lockedUntil: u.lockedUntil, createdAt: u.createdAt,
});

export function identityRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, {
    method: 'GET', url: '/api/v1/users', access: 'users:read', summary: 'List users visible to the caller', tags: ['users'],
    handler: async ({ principal }) => {
      const users = await ctx.storage.identity.listUsers();
      const visible = principal!.role === 'admin' ? users : users.filter((u) => u.tenants.some((t) => principal!.tenants.includes(t)));
      return { users: visible.map(userView) };
    },
  });

  route(app, {
    method: 'POST', url: '/api/v1/users', access: 'users:manage', summary: 'Create a user', tags: ['users'],
    body: z.object({
      username: z.string().min(1).max(64),
      password: z.string().min(1).max(1024),
      role: z.enum(ROLES),
      tenants: z.array(z.string()).min(1).max(1000),
    }),
    handler: async ({ req, reply, principal, body }) => {
      checkDelegation(principal!, body.role, body.tenants);
      const u = await ctx.auth.createUser(actorOf(principal, req.ip), body).catch(mapAuthError);
      void reply.code(201);
      return userView(u);
    },
  });

  route(app, {
    method: 'PATCH', url: '/api/v1/users/:username', access: 'users:manage', summary: 'Change role, tenants, password or disable a user', tags: ['users'],
    params: z.object({ username: z.string().min(1).max(64) }),
    body: z.object({
      role: z.enum(ROLES).optional(),
      tenants: z.array(z.string()).min(1).max(1000).optional(),
      disabled: z.boolean().optional(),
      password: z.string().min(1).max(1024).optional(),
    }).strict(),
    handler: async ({ req, principal, params, body }) => {
      const target = await ctx.storage.identity.getUserByName(params.username);
      if (!target) throw new ApiError('not_found', `no user ${params.username}`);
      checkDelegation(principal!, target.role, target.tenants);
      checkDelegation(principal!, body.role ?? target.role, body.tenants ?? target.tenants);
      return userView(await ctx.auth.updateUser(actorOf(principal, req.ip), params.username, body).catch(mapAuthError));
    },
  });

  route(app, {
    method: 'GET', url: '/api/v1/tokens', access: 'tokens:manage', summary: 'List API tokens (never their secrets)', tags: ['tokens'],
    handler: async ({ principal }) => {
      const all = await ctx.storage.identity.listTokens();
      const visible = principal!.role === 'admin' ? all : all.filter((t) => principal!.tenants.includes(t.tenant));
      return { tokens: visible.map(({ secretHash: _s, ...t }) => t) };
    },
  });

  route(app, {
    method: 'POST', url: '/api/v1/tokens', access: 'tokens:manage', summary: 'Create an API token; the secret is shown only in this response', tags: ['tokens'],
    body: z.object({ name: z.string().min(1).max(100), role: z.enum(TOKEN_ROLES), tenant: z.string().min(1).optional() }),
    handler: async ({ req, reply, principal, body }) => {
      const tenant = body.tenant ?? principal!.tenants[0];
      if (!tenant) throw new ApiError('bad_request', 'body.tenant: required (the caller has no tenant)');
      checkDelegation(principal!, body.role, [tenant]);
      const { token, record } = await ctx.auth.createToken(actorOf(principal, req.ip), { name: body.name, role: body.role, tenant }).catch(mapAuthError);
      void reply.code(201);
      const { secretHash: _s, ...view } = record;
      return { ...view, token };
    },
  });

  route(app, {
    method: 'DELETE', url: '/api/v1/tokens/:id', access: 'tokens:manage', summary: 'Revoke an API token', tags: ['tokens'],
    params: z.object({ id: z.string().min(1).max(64) }),
    handler: async ({ req, principal, params }) => {
      const t = await ctx.storage.identity.getToken(params.id);
      if (!t || (principal!.role !== 'admin' && !principal!.tenants.includes(t.tenant))) throw new ApiError('not_found', `no token ${params.id}`);
      await ctx.auth.revokeToken(actorOf(principal, req.ip), params.id).catch(mapAuthError);
      return { revoked: params.id };
    },
  });

  route(app, {
    method: 'GET', url: '/api/v1/tenants', access: 'authenticated', summary: 'Tenants the caller belongs to', tags: ['tenants'],
    handler: async ({ principal }) => ({
      tenants: (await ctx.storage.identity.listTenants()).filter((t) => principal!.tenants.includes(t.id)),
    }),
  });

  route(app, {
    method: 'POST', url: '/api/v1/tenants', access: 'tenants:manage', summary: 'Create a tenant', tags: ['tenants'],
    body: z.object({ id: z.string().min(1).max(63), name: z.string().min(1).max(200) }),
    handler: async ({ req, reply, principal, body }) => {
      await ctx.auth.createTenant(actorOf(principal, req.ip), body.id, body.name).catch(mapAuthError);
      void reply.code(201);
      return { id: body.id, name: body.name };
    },
  });
}
