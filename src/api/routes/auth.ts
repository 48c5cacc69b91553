import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuthError } from '../../auth/service.js';
import { SESSION_COOKIE } from '../authorize.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });

/** Per-address login budget per minute, on top of the per-account lockout. */
class LoginRateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly perMinute: number) {}
  take(ip: string, now = Date.now()): number | undefined {
    const w = this.windows.get(ip);
    if (!w || now - w.start >= 60_000) {
      if (this.windows.size > 10_000) this.windows.clear();
      this.windows.set(ip, { start: now, count: 1 });
      return undefined;
    }
    w.count++;
    return w.count > this.perMinute ? Math.ceil((w.start + 60_000 - now) / 1000) : undefined;
  }
}

export function authRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const limiter = new LoginRateLimiter(ctx.config.auth.loginRatePerMinute);

  route(app, {
    method: 'POST', url: '/api/v1/auth/login', access: 'public', summary: 'Log in; sets the session cookie and returns the CSRF token', tags: ['auth'],
    body: loginBody,
    response: z.object({ user: z.object({ username: z.string(), role: z.string(), tenants: z.array(z.string()) }), csrfToken: z.string(), expiresAt: z.string() }),
    handler: async ({ req, reply, body }) => {
      const retry = limiter.take(req.ip);
      if (retry !== undefined) throw new ApiError('too_many_requests', 'too many login attempts from this address', undefined, retry);
      try {
        const r = await ctx.auth.login(body.username, body.password, req.ip);
        void reply.setCookie(SESSION_COOKIE, r.sessionId, {
          path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.config.auth.secureCookies, expires: new Date(r.expiresAt),
        });
        return { user: { username: r.user.username, role: r.user.role, tenants: r.user.tenants }, csrfToken: r.csrfToken, expiresAt: r.expiresAt };
      } catch (e) {
        if (e instanceof AuthError && e.code === 'locked') throw new ApiError('too_many_requests', e.message, undefined, e.retryAfterSeconds);
        if (e instanceof AuthError) throw new ApiError('unauthorized', e.message);
        throw e;
      }
    },
  });

  route(app, {
    method: 'POST', url: '/api/v1/auth/logout', access: 'authenticated', summary: 'End this session', tags: ['auth'],
    handler: async ({ req, reply }) => {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) await ctx.auth.logout(cookie, req.ip);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  });

  route(app, {
    method: 'GET', url: '/api/v1/me', access: 'authenticated', summary: 'Who am I: name, role, tenants', tags: ['auth'],
    handler: async ({ principal }) => ({ kind: principal!.kind, name: principal!.name, role: principal!.role, tenants: principal!.tenants, csrfToken: principal!.csrfToken }),
  });
}
