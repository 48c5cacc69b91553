/**
 * What the signed-in role may do, from the server's own permission matrix (one source of truth).
 * The console hides what a role cannot press; the server still enforces every call.
 */
import { MATRIX, type Permission } from '../../src/auth/permissions';

export type { Permission };

export function can(role: string | undefined, permission: Permission): boolean {
  if (!role || !Object.hasOwn(MATRIX, role)) return false;
  return MATRIX[role as keyof typeof MATRIX].has(permission);
}
