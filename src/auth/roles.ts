export const ROLES = ['admin', 'manager', 'analyst', 'investigator', 'responder', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Tokens may also carry `ingest`: a shipper's credential that can only send events. */
export const TOKEN_ROLES = [...ROLES, 'ingest'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

export function isTokenRole(v: string): v is TokenRole {
  return (TOKEN_ROLES as readonly string[]).includes(v);
}
