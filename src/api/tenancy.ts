import type { Principal } from '../auth/principal.js';
import { ApiError } from './errors.js';

/** Tenants a read covers: the caller's, narrowed to the one asked for. Asking for another is 403. */
export function readTenants(p: Principal, requested?: string): string[] {
  if (!requested) return p.tenants;
  if (!p.tenants.includes(requested)) throw new ApiError('forbidden', `no access to tenant ${requested}`);
  return [requested];
}

/** The tenant a write goes to. A principal with several tenants must say which. */
export function targetTenant(p: Principal, requested?: string): string {
  if (requested) {
    if (!p.tenants.includes(requested)) throw new ApiError('forbidden', `no access to tenant ${requested}`);
    return requested;
  }
  if (p.tenants.length === 1) return p.tenants[0]!;
  if (p.tenants.includes('default')) return 'default';
  if (p.tenants.length === 0) throw new ApiError('forbidden', 'this principal belongs to no tenant');
  throw new ApiError('bad_request', 'query.tenant: required when the caller belongs to several tenants');
}
