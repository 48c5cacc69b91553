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
  /** Upload, enable/disable and reload rules. */
  'rules:manage',
  /** Rule exceptions (tuning), usually made from an alert. */
  'exceptions:manage',
  'alerts:read',
  /** Acknowledge, assign, comment, close alerts. */
  'alerts:write',
  'cases:read',
  /** Create, edit, merge and close cases; add observables and comments. */
  'cases:write',
  /** Work the tasks of a case (status, assignee, notes). */
  'tasks:write',
  'evidence:read',
  'evidence:write',
  /** Case templates and SLAs. */
  'templates:manage',
  'reports:read',
  /** Indicators, feeds and their health. */
  'intel:read',
  /** Add, expire and import indicators; configure feeds. */
  'intel:manage',
  /** Playbooks, their runs and versions. */
  'playbooks:read',
  /** Run a playbook by hand, replay a run as a dry run. */
  'playbooks:run',
  /** Write playbooks, connectors settings and secrets. */
  'playbooks:manage',
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

const READS: Permission[] = PERMISSIONS.filter((p) => p.endsWith(':read'));

export const MATRIX: Readonly<Record<TokenRole, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  // Everything inside the tenant; not the system or other tenants.
  manager: new Set<Permission>(PERMISSIONS.filter((p) => p !== 'system:config' && p !== 'tenants:manage')),
  analyst: new Set<Permission>([
    'events:read',
    'detections:read',
    'rules:read',
    'exceptions:manage',
    'alerts:read',
    'alerts:write',
    'cases:read',
    'cases:write',
    'tasks:write',
    'evidence:read',
    'reports:read',
    'intel:read',
    'intel:manage',
    'playbooks:read',
    'playbooks:run',
    'deadletters:read',
    'metrics:read',
  ]),
  investigator: new Set<Permission>([
    'events:read',
    'detections:read',
    'rules:read',
    'alerts:read',
    'cases:read',
    'cases:write',
    'tasks:write',
    'evidence:read',
    'evidence:write',
    'reports:read',
    'intel:read',
    'playbooks:read',
    'deadletters:read',
    'metrics:read',
  ]),
  responder: new Set<Permission>([
    'events:read',
    'detections:read',
    'rules:read',
    'alerts:read',
    'cases:read',
    'tasks:write',
    'evidence:read',
    'intel:read',
    'playbooks:read',
    'playbooks:run',
    'metrics:read',
  ]),
  // The auditor reads everything and changes nothing.
  auditor: new Set<Permission>(READS),
  ingest: new Set<Permission>(['events:ingest']),
};

export function can(role: TokenRole, permission: Permission): boolean {
  return MATRIX[role].has(permission);
}
