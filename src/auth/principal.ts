import type { TokenRole } from './roles.js';

/** Who is calling: a logged-in user (session) or an API token. Resolved once per request. */
export interface Principal {
  kind: 'user' | 'token';
  id: string;
  name: string;
  role: TokenRole;
  /** Tenants this principal may read and write; already expanded from `*`. */
  tenants: string[];
  /** Set for cookie sessions: writes must echo it in `x-csrf-token`. */
  csrfToken?: string;
  sessionIdHash?: string;
}

/** The tenant a write goes to: the one asked for if allowed, else the principal's only/first one. */
export function writeTenant(p: Principal, requested?: string): string | undefined {
  if (requested) return p.tenants.includes(requested) ? requested : undefined;
  return p.tenants[0];
}
