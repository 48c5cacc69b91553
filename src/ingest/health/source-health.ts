/**
 * Per input and per sending host: what arrived, how much of it parsed, and when it was last seen.
 * Fed by the listeners (one call per datagram or per batch of frames), read by the sources route,
 * the metrics endpoint and the silent-source monitor. Memory stays bounded: each input keeps at
 * most `maxHostsPerInput` hosts and forgets the least recently seen one first.
 */
import type { MetricsRegistry } from '../../metrics/registry.js';

export interface SourceCounts {
  received: number;
  parsed: number;
  failed: number;
}

export interface InputRegistration {
  input: string;
  tenant: string;
  /** `syslog-udp`, `netflow`, `http`...: shown to operators, not interpreted. */
  kind?: string;
  silentAfterMinutes: number;
}

export type SourceState = 'active' | 'silent' | 'never';

/** Mutable state of one sending host; owned by the tracker (the monitor reads and flags it). */
export interface HostEntry {
  host: string;
  tenant: string;
  received: number;
  parsed: number;
  failed: number;
  firstSeen: number;
  lastSeen: number;
  /** lastSeen at the time a silent detection was published; undefined while not reported silent. */
  reportedSilentAt?: number;
}

export interface InputEntry {
  input: string;
  tenant: string;
  kind: string;
  silentAfterMs: number;
  /** Insertion order is recency order: the first key is the least recently seen host. */
  hosts: Map<string, HostEntry>;
  evicted: number;
  lastSeen: number | undefined;
}

export interface HostSnapshot extends SourceCounts {
  host: string;
  tenant: string;
  firstSeen: string;
  lastSeen: string;
  state: Exclude<SourceState, 'never'>;
}

export interface InputSnapshot extends SourceCounts {
  input: string;
  tenant: string;
  kind: string;
  silentAfterMinutes: number;
  state: SourceState;
  lastSeen: string | null;
  hostCount: number;
  evictedHosts: number;
  hosts: HostSnapshot[];
}

export interface SourceHealthOptions {
  maxHostsPerInput?: number;
  /** Threshold for inputs recorded without being registered (HTTP, for instance). */
  defaultSilentAfterMinutes?: number;
  defaultTenant?: string;
  /** Registers `vigil_source_last_seen_seconds{input}`. */
  registry?: MetricsRegistry;
  now?: () => number;
}

export class SourceHealth {
  private readonly inputs = new Map<string, InputEntry>();
  private readonly maxHosts: number;
  private readonly defaultSilentAfterMs: number;
  private readonly defaultTenant: string;
  private readonly lastSeenGauge;
  readonly now: () => number;

  constructor(opts: SourceHealthOptions = {}) {
    this.maxHosts = Math.max(1, opts.maxHostsPerInput ?? 10_000);
    this.defaultSilentAfterMs = (opts.defaultSilentAfterMinutes ?? 60) * 60_000;
    this.defaultTenant = opts.defaultTenant ?? 'default';
    this.now = opts.now ?? Date.now;
    this.lastSeenGauge = opts.registry?.gauge('vigil_source_last_seen_seconds', 'Unix time of the last record received, by input');
  }

  /** Declares an input so it is listed (state `never`) before anything arrives. Idempotent. */
  register(reg: InputRegistration): InputEntry {
    const existing = this.inputs.get(reg.input);
    if (existing) {
      existing.tenant = reg.tenant;
      existing.kind = reg.kind ?? existing.kind;
      existing.silentAfterMs = reg.silentAfterMinutes * 60_000;
      return existing;
    }
    const entry: InputEntry = {
      input: reg.input, tenant: reg.tenant, kind: reg.kind ?? reg.input, silentAfterMs: reg.silentAfterMinutes * 60_000,
      hosts: new Map(), evicted: 0, lastSeen: undefined,
    };
    this.inputs.set(reg.input, entry);
    // A gauge without samples renders nothing, so an input that never sent has no series.
    this.lastSeenGauge?.set(() => (entry.lastSeen === undefined ? 0 : entry.lastSeen / 1000), { input: reg.input });
    return entry;
  }

  /**
   * Counts what `host` sent to `input`. `at` is epoch milliseconds. `tenant` overrides the input's
   * (HTTP ingest serves several tenants through one input).
   */
  record(input: string, host: string, counts: SourceCounts, at: number = this.now(), tenant?: string): void {
    const inp = this.inputs.get(input) ?? this.register({ input, tenant: tenant ?? this.defaultTenant, silentAfterMinutes: this.defaultSilentAfterMs / 60_000 });
    const key = tenant === undefined || tenant === inp.tenant ? host : `${tenant}/${host}`;
    let h = inp.hosts.get(key);
    if (h) {
      // Re-inserting moves the host to the most recent end.
      inp.hosts.delete(key);
    } else {
      if (inp.hosts.size >= this.maxHosts) {
        const oldest = inp.hosts.keys().next().value;
        if (oldest !== undefined) inp.hosts.delete(oldest);
        inp.evicted++;
      }
      h = { host, tenant: tenant ?? inp.tenant, received: 0, parsed: 0, failed: 0, firstSeen: at, lastSeen: at };
    }
    inp.hosts.set(key, h);
    h.received += counts.received;
    h.parsed += counts.parsed;
    h.failed += counts.failed;
    if (at > h.lastSeen) h.lastSeen = at;
    if (inp.lastSeen === undefined || at > inp.lastSeen) inp.lastSeen = at;
  }

  /** Live entries, for the monitor; callers must not add or remove hosts. */
  entries(): IterableIterator<InputEntry> {
    return this.inputs.values();
  }

  snapshot(now: number = this.now()): InputSnapshot[] {
    const out: InputSnapshot[] = [];
    for (const inp of this.inputs.values()) {
      const hosts: HostSnapshot[] = [];
      let received = 0;
      let parsed = 0;
      let failed = 0;
      let anyActive = false;
      for (const h of inp.hosts.values()) {
        const state = now - h.lastSeen > inp.silentAfterMs ? 'silent' : 'active';
        if (state === 'active') anyActive = true;
        received += h.received;
        parsed += h.parsed;
        failed += h.failed;
        hosts.push({
          host: h.host, tenant: h.tenant, received: h.received, parsed: h.parsed, failed: h.failed,
          firstSeen: new Date(h.firstSeen).toISOString(), lastSeen: new Date(h.lastSeen).toISOString(), state,
        });
      }
      hosts.sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0)); // most recently seen first
      out.push({
        input: inp.input, tenant: inp.tenant, kind: inp.kind, silentAfterMinutes: inp.silentAfterMs / 60_000,
        state: inp.lastSeen === undefined ? 'never' : anyActive ? 'active' : 'silent',
        lastSeen: inp.lastSeen === undefined ? null : new Date(inp.lastSeen).toISOString(),
        received, parsed, failed, hostCount: inp.hosts.size, evictedHosts: inp.evicted, hosts,
      });
    }
    return out;
  }
}

/** Counts for a batch of ingest items: the shape listeners already build. */
export function countItems(items: ReadonlyArray<{ ok: boolean }>): SourceCounts {
  let parsed = 0;
  for (const it of items) if (it.ok) parsed++;
  return { received: items.length, parsed, failed: items.length - parsed };
}
