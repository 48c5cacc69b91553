/**
 * The permission matrix: the single place that says which role may do what. The API checks it in
 * one hook (api/authorize.ts) for every route; routes name the permission they need.
 */
import type { TokenRole } from './roles.js';

export const PERMISSIONS = [
  'events:ingest',
  'events:read',
  'detections:read',
  'rules:read',
  'deadletters:read',
  'users:read',
  'users:manage',
  'tokens:manage',
  'tenants:manage',
  'audit:read',
  'metrics:read',
  'system:config',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ_ALL: Permission[] = ['events:read', 'detections:read', 'rules:read', 'deadletters:read', 'users:read', 'audit:read', 'metrics:read'];

export const MATRIX: Readonly<Record<TokenRole, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  manager: new Set<Permission>(['events:ingest', 'events:read', 'detections:read', 'rules:read', 'deadletters:read', 'users:read', 'users:manage', 'tokens:manage', 'audit:read', 'metrics:read']),
  analyst: new Set<Permission>(['events:read', 'detections:read', 'rules:read', 'deadletters:read', 'metrics:read']),
  investigator: new Set<Permission>(['events:read', 'detections:read', 'rules:read', 'deadletters:read', 'metrics:read']),
  responder: new Set<Permission>(['events:read', 'detections:read', 'rules:read', 'metrics:read']),
  // The auditor reads everything and changes nothing.
  auditor: new Set<Permission>(READ_ALL),
  ingest: new Set<Permission>(['events:ingest']),
};

export function can(role: TokenRole, permission: Permission): boolean {
  return MATRIX[role].has(permission);
}
