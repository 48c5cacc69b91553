/**
 * The tenant the console works in, for users of several tenants (an MSSP analyst, an admin):
 * undefined means all of them. Every API request and the live stream carry it as `?tenant=`, so
 * lists show that tenant only and writes go there; the server still checks each request.
 */
import { useSyncExternalStore } from 'react';

const KEY = 'vigil.tenant';
const subs = new Set<() => void>();

function stored(): string | undefined {
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

let current = stored();

export const selectedTenant = (): string | undefined => current;

export function selectTenant(t: string | undefined): void {
  if (t === current) return;
  current = t;
  try {
    if (t) localStorage.setItem(KEY, t);
    else localStorage.removeItem(KEY);
  } catch {
    // private mode: the choice lasts for this tab only
  }
  for (const f of subs) f();
}

export function onTenantChange(f: () => void): () => void {
  subs.add(f);
  return () => subs.delete(f);
}

export function useSelectedTenant(): string | undefined {
  return useSyncExternalStore(onTenantChange, selectedTenant);
}
