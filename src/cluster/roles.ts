/**
 * Roles of a process in cluster mode. One binary, five ways to run it: `all` does everything (the
 * embedded default), the others split the work so each kind of node scales on its own:
 *
 * - ingest: listeners (syslog, netflow, files) and the HTTP ingest endpoints (events, _bulk, HEC,
 *   OTLP); stores events and hands them to the bus.
 * - detect: live detection (Sigma, correlation, indicators) and the detection recorder.
 * - api: every other HTTP route (console, alerts, cases, rules, search...), no background consumers.
 * - worker: alerting, case SLA checks, notifications, playbooks.
 *
 * Every role serves health, version and metrics.
 */
import type { Capability, CapabilityContext } from '../capability.js';

export const PROCESS_ROLES = ['all', 'ingest', 'detect', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];
/** What a process does; `all` is every duty. */
export type Duty = Exclude<ProcessRole, 'all'>;
export const DUTIES: readonly Duty[] = ['ingest', 'detect', 'api', 'worker'];

export function dutiesOf(role: ProcessRole): ReadonlySet<Duty> {
  return new Set(role === 'all' ? DUTIES : [role]);
}

/** Whether this process does `duty`; a context without roles (tests, embedded) does everything. */
export function runsDuty(ctx: Pick<CapabilityContext, 'roles'>, duty: Duty): boolean {
  return !ctx.roles || ctx.roles.has(duty);
}

export class RoleConfigError extends Error {}

/**
 * A split role shares its work with other processes, which only a shared database and a shared
 * durable bus make possible: on SQLite and the in-process bus each node would be alone.
 */
export function checkRoleServices(
  role: ProcessRole,
  config: { database: { url?: string | undefined }; nats: { url?: string | undefined } },
): void {
  if (role === 'all') return;
  const missing = [
    ...(config.database.url ? [] : ['database.url (VIGIL_DATABASE_URL)']),
    ...(config.nats.url ? [] : ['nats.url (VIGIL_NATS_URL)']),
  ];
  if (missing.length > 0) {
    throw new RoleConfigError(
      `role ${role} runs as one node of a cluster and needs PostgreSQL and NATS JetStream shared by all nodes; set ${missing.join(' and ')}, or run with --role all`,
    );
  }
}

export function parseRole(value: string, origin: string): ProcessRole {
  const v = value.trim().toLowerCase();
  if ((PROCESS_ROLES as readonly string[]).includes(v)) return v as ProcessRole;
  throw new RoleConfigError(`${origin}: unknown role "${value}"; one of ${PROCESS_ROLES.join(', ')}`);
}

/** Closes a capability that was only partly started on this node (nothing to close). */
export const NOTHING: Capability = { close: () => Promise.resolve() };
