/**
 * The event shape Vigil stores: a subset of the Elastic Common Schema (ECS), nested JSON as ECS
 * documents are. Every stored event has an id, a time, a tenant and the time it was ingested.
 * Source-specific fields stay under their own namespace (`winlog.*`, `zeek.*`, `suricata.*`, ...)
 * because Sigma rules name them and investigators want them; they are typed as open records.
 */

export type EventKind = 'event' | 'alert' | 'metric' | 'state' | 'signal' | 'pipeline_error';
export type EventOutcome = 'success' | 'failure' | 'unknown';

export interface EcsEventField {
  id: string;
  kind?: EventKind;
  category?: string[];
  type?: string[];
  outcome?: EventOutcome;
  action?: string;
  code?: string;
  dataset?: string;
  module?: string;
  provider?: string;
  severity?: number;
  original?: string;
  ingested: string;
  created?: string;
  duration?: number;
  [extra: string]: unknown;
}

export interface EcsHost { name?: string; hostname?: string; ip?: string[]; os?: { family?: string; name?: string; version?: string }; [k: string]: unknown }
export interface EcsEndpoint { ip?: string; port?: number; domain?: string; mac?: string; bytes?: number; packets?: number; user?: { name?: string }; geo?: { country_iso_code?: string }; as?: { number?: number; organization?: { name?: string } }; [k: string]: unknown }
export interface EcsUser { name?: string; id?: string; domain?: string; email?: string; target?: { name?: string; domain?: string }; [k: string]: unknown }
export interface EcsProcess { pid?: number; name?: string; executable?: string; command_line?: string; args?: string[]; parent?: EcsProcess; hash?: Record<string, string>; [k: string]: unknown }
export interface EcsNetwork { transport?: string; protocol?: string; direction?: string; bytes?: number; packets?: number; community_id?: string; iana_number?: string; [k: string]: unknown }

export interface VigilEvent {
  '@timestamp': string;
  event: EcsEventField;
  organization: { id: string };
  message?: string;
  tags?: string[];
  labels?: Record<string, string>;
  host?: EcsHost;
  source?: EcsEndpoint;
  destination?: EcsEndpoint;
  client?: EcsEndpoint;
  server?: EcsEndpoint;
  network?: EcsNetwork;
  user?: EcsUser;
  process?: EcsProcess;
  file?: { path?: string; name?: string; hash?: Record<string, string>; [k: string]: unknown };
  dns?: { question?: { name?: string; type?: string }; answers?: unknown[]; [k: string]: unknown };
  url?: { full?: string; domain?: string; path?: string; original?: string; [k: string]: unknown };
  http?: { request?: { method?: string }; response?: { status_code?: number }; [k: string]: unknown };
  user_agent?: { original?: string };
  log?: { level?: string; syslog?: Record<string, unknown>; file?: { path?: string }; [k: string]: unknown };
  observer?: { name?: string; type?: string; vendor?: string; product?: string; hostname?: string; [k: string]: unknown };
  rule?: { id?: string; name?: string; [k: string]: unknown };
  threat?: Record<string, unknown>;
  related?: { ip?: string[]; user?: string[]; hosts?: string[]; hash?: string[] };
  input?: { type?: string; id?: string };
  /** Source-specific namespaces: winlog, zeek, suricata, cef, netflow, ... */
  [namespace: string]: unknown;
}

/** An event before the pipeline stamps it with id, tenant and ingest time. */
export type RawEventDoc = Record<string, unknown>;

/** Documented list of the ECS fields Vigil indexes and maps to. */
export const HOT_FIELDS = [
  '@timestamp',
  'event.kind',
  'event.category',
  'event.action',
  'event.dataset',
  'event.outcome',
  'event.code',
  'host.name',
  'source.ip',
  'destination.ip',
  'user.name',
  'process.name',
] as const;
