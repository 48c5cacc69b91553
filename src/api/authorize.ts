import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import type { AuthService } from '../auth/service.js';
import { ApiError } from './errors.js';
import type { Access } from './route.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const SESSION_COOKIE = 'vigil_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The credential in an Authorization header. Shippers speak different dialects: `Bearer <t>`
 * everywhere, `Splunk <t>` (HEC), `ApiKey <t>` or `ApiKey base64(id:t)` and Basic with the token
 * as password (Elasticsearch clients).
 */
export function credentialFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const sp = header.indexOf(' ');
  if (sp < 0) return undefined;
  const scheme = header.slice(0, sp).toLowerCase();
  const value = header.slice(sp + 1).trim();
  if (scheme === 'bearer' || scheme === 'splunk') return value;
  if (scheme === 'apikey') {
    if (value.startsWith('vgl_')) return value;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

async function resolvePrincipal(req: FastifyRequest, auth: AuthService): Promise<Principal | undefined> {
  const presented = credentialFromHeader(req.headers.authorization);
  if (presented) return auth.fromToken(presented);
  const cookie = req.cookies[SESSION_COOKIE];
  if (cookie) return auth.fromSession(cookie);
  return undefined;
}

/** The one enforcement point: every request passes here before its handler runs. */
export function installAuthorization(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', undefined);

  app.addHook('onRoute', (opts) => {
    const access = (opts.config)?.access;
    if (!access) throw new Error(`route ${String(opts.method)} ${opts.url} declares no access rule`);
  });

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    // Unknown URLs (404) have no route config; they need no principal.
    if (!access) return;
    const principal = await resolvePrincipal(req, auth);
    req.principal = principal;
    if (access === 'public') return;
    if (!principal) throw new ApiError('unauthorized', 'authentication required');
    if (principal.kind === 'user' && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (sent !== principal.csrfToken) throw new ApiError('forbidden', 'missing or wrong x-csrf-token header for a cookie-authenticated change');
    }
    if (access === 'authenticated') return;
    if (!can(principal.role, access)) throw new ApiError('forbidden', `role ${principal.role} may not ${access}`);
  });
}
