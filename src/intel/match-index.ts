/**
 * The in-memory index that checks every stored event against every live indicator at a cost that
 * does not grow with the number of indicators: a hash map per type for exact values, one map per
 * CIDR prefix length present (at most 33 + 129 lookups per address), domains by walking their
 * label suffixes (an indicator for example.com also matches a.b.example.com), URLs normalized.
 * STIX pattern indicators are registered under the exact values their comparisons name, so only
 * events that hit one of those are evaluated; patterns that name none are evaluated on every event.
 */
import type { VigilEvent } from '../schema/ecs.js';
import { getField } from '../schema/fields.js';
import { ALL_TENANTS, normalizeDomain, normalizeUrl, type IndicatorType } from './indicator.js';
import { ipText, parseCidr, parseIp, prefixKey } from './ip.js';
import type { LiveIndicator } from './ports.js';
import {
  isSingleObservation,
  leafObservations,
  type Comparison,
  type Observation,
} from './stix/pattern-ast.js';
import { matchPattern } from './stix/pattern-match.js';
import { parsePattern } from './stix/pattern-parser.js';
import { hashAlgorithm, pathKey } from './stix/stix-ecs.js';

/** Which event fields each indicator type is looked up in. */
export const TYPE_FIELDS: Record<Exclude<IndicatorType, 'stix' | 'ipv6' | 'cidr'>, string[]> = {
  ipv4: ['source.ip', 'destination.ip', 'client.ip', 'server.ip', 'host.ip', 'related.ip', 'dns.resolved_ip'],
  domain: [
    'dns.question.name',
    'url.domain',
    'destination.domain',
    'source.domain',
    'server.domain',
    'client.domain',
    'tls.client.server_name',
  ],
  url: ['url.full', 'url.original'],
  md5: ['file.hash.md5', 'process.hash.md5', 'process.parent.hash.md5', 'dll.hash.md5', 'related.hash'],
  sha1: ['file.hash.sha1', 'process.hash.sha1', 'process.parent.hash.sha1', 'dll.hash.sha1', 'related.hash'],
  sha256: [
    'file.hash.sha256',
    'process.hash.sha256',
    'process.parent.hash.sha256',
    'dll.hash.sha256',
    'related.hash',
  ],
  sha512: ['file.hash.sha512', 'process.hash.sha512', 'dll.hash.sha512', 'related.hash'],
  ssdeep: ['file.hash.ssdeep', 'process.hash.ssdeep'],
  email: [
    'email.from.address',
    'email.to.address',
    'email.sender.address',
    'user.email',
    'source.user.email',
  ],
  filename: ['file.name', 'process.name', 'dll.name'],
  'user-agent': ['user_agent.original'],
  ja3: ['tls.client.ja3'],
  ja3s: ['tls.server.ja3s'],
  ja4: ['tls.client.ja4'],
  'registry-key': ['registry.path', 'registry.key'],
  asn: ['source.as.number', 'destination.as.number'],
};

/** Lookup key spaces; IPv4/IPv6/CIDR share the address structures. */
type Space = Exclude<IndicatorType, 'ipv4' | 'ipv6' | 'cidr' | 'stix'>;

interface CompiledPattern {
  ast: Observation;
  single: boolean;
  /** longest WITHIN of the pattern, bounding how long events are kept for it */
  windowMs: number;
}

interface Entry {
  ind: LiveIndicator;
  /** set for STIX indicators registered under one of their values */
  pattern?: CompiledPattern;
}

type Bucket = Entry | Entry[];

export interface Hit {
  indicator: LiveIndicator;
  /** the event field that matched (`stix-pattern` for a pattern) */
  field: string;
  value: string;
  /** for sequence patterns: every event of the match, in order */
  eventIds?: string[];
}

const push = <K>(m: Map<K, Bucket>, k: K, e: Entry): void => {
  const cur = m.get(k);
  if (cur === undefined) m.set(k, e);
  else if (Array.isArray(cur)) cur.push(e);
  else m.set(k, [cur, e]);
};

/** Values a pattern comparison requires, as index keys; undefined when it requires none. */
type Key = { space: Space | 'ip'; value: string };

const SPACE_OF_PATH: Record<string, Space | 'ip'> = {
  'ipv4-addr:value': 'ip',
  'ipv6-addr:value': 'ip',
  'network-traffic:dst_ref.value': 'ip',
  'network-traffic:src_ref.value': 'ip',
  'domain-name:value': 'domain',
  'url:value': 'url',
  'email-addr:value': 'email',
  'email-message:from_ref.value': 'email',
  'email-message:sender_ref.value': 'email',
  'file:name': 'filename',
  'windows-registry-key:key': 'registry-key',
  'win-registry-key:key': 'registry-key',
  'user-agent:value': 'user-agent',
  'x-user-agent:value': 'user-agent',
};

function keysOf(c: Comparison): Key[] | undefined {
  switch (c.kind) {
    case 'exists':
      return undefined;
    case 'or': {
      const all: Key[] = [];
      for (const t of c.terms) {
        const k = keysOf(t);
        if (!k) return undefined;
        all.push(...k);
      }
      return all;
    }
    case 'and': {
      let best: Key[] | undefined;
      for (const t of c.terms) {
        const k = keysOf(t);
        if (k && (!best || k.length < best.length)) best = k;
      }
      return best;
    }
    case 'cmp': {
      if (c.negated || (c.op !== '=' && c.op !== 'IN')) return undefined;
      const lits = Array.isArray(c.value) ? c.value : [c.value];
      if (lits.some((l) => l.type !== 'string')) return undefined;
      let space: Space | 'ip' | undefined = SPACE_OF_PATH[pathKey(c.path)];
      const first = c.path.steps[0];
      const alg = c.path.steps[1];
      if (
        !space &&
        c.path.objectType === 'file' &&
        first?.kind === 'prop' &&
        first.name === 'hashes' &&
        alg?.kind === 'prop'
      ) {
        const a = hashAlgorithm(alg.name);
        if (a === 'md5' || a === 'sha1' || a === 'sha256' || a === 'sha512' || a === 'ssdeep') space = a;
      }
      if (!space) return undefined;
      const keys: Key[] = [];
      for (const l of lits) {
        const raw = (l as { value: string }).value;
        const v = normalizeKey(space, raw);
        if (v === undefined) return undefined;
        keys.push({ space, value: v });
      }
      return keys;
    }
  }
}

function normalizeKey(space: Space | 'ip', raw: string): string | undefined {
  switch (space) {
    case 'ip': {
      const c = parseCidr(raw);
      return c ? (c.bits === (c.ip.v === 4 ? 32 : 128) ? ipText(c.ip) : raw) : undefined;
    }
    case 'domain':
      return normalizeDomain(raw);
    case 'url':
      return normalizeUrl(raw);
    case 'ssdeep':
    case 'user-agent':
      return raw;
    default:
      return raw.toLowerCase();
  }
}

function windowOf(o: Observation): number {
  if (o.kind === 'observation') return 0;
  if (o.kind === 'qualified')
    return Math.max(o.qualifier.kind === 'within' ? o.qualifier.seconds * 1000 : 0, windowOf(o.expr));
  return Math.max(...o.terms.map(windowOf));
}

interface MatchState {
  tenant: string | undefined;
  now: number;
  hits: Hit[];
  seen: Set<string> | undefined;
  candidates: Entry[] | undefined;
}

const maskV4 = (n: number, bits: number): number => (bits === 0 ? 0 : (n & (~0 << (32 - bits))) >>> 0);

/** Events kept per (tenant, sequence pattern) and sequence buffers kept in all. */
const MAX_SEQ_EVENTS = 64;
const MAX_SEQ_BUFFERS = 10_000;

export class IndicatorIndex {
  private exact = new Map<Space, Map<string, Bucket>>();
  private v4 = new Map<number, Map<number, Bucket>>();
  private v6 = new Map<number, Map<string, Bucket>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];
  private unindexed: Entry[] = [];
  private sequences = new Map<string, VigilEvent[]>();
  /** every indicator in the index by id; entries share these objects, so validity edits apply in place */
  private byId = new Map<string, LiveIndicator>();
  get size(): number {
    return this.byId.size;
  }
  /** pattern indicators evaluated on every event because they name no exact value */
  get unindexedPatterns(): number {
    return this.unindexed.length;
  }
  /** STIX patterns that failed to compile when loaded */
  rejected = 0;

  /**
   * Adds an indicator, or updates the validity of one already indexed (the id is derived from
   * tenant, type and value, so nothing else can change): no rebuild is needed for either.
   */
  add(ind: LiveIndicator): void {
    const known = this.byId.get(ind.id);
    if (known) {
      known.validUntil = ind.validUntil;
      return;
    }
    this.byId.set(ind.id, ind);
    if (ind.type === 'stix') return this.addPattern(ind);
    this.addKey(
      ind.type === 'ipv4' || ind.type === 'ipv6' || ind.type === 'cidr' ? 'ip' : ind.type,
      ind.value,
      { ind },
    );
  }

  /** Takes over the open sequence-pattern state of the index this one replaces. */
  adoptSequences(previous: IndicatorIndex): void {
    this.sequences = previous.sequences;
  }

  /** Ends an indicator's validity at `at` (epoch ms); false when it is not indexed. */
  expire(id: string, at: number): boolean {
    const known = this.byId.get(id);
    if (known) known.validUntil = at;
    return known !== undefined;
  }

  private addKey(space: Space | 'ip', value: string, e: Entry): void {
    if (space !== 'ip') {
      let m = this.exact.get(space);
      if (!m) this.exact.set(space, (m = new Map()));
      push(m, value, e);
      return;
    }
    const c = parseCidr(value);
    if (!c) return;
    if (c.ip.v === 4) {
      let m = this.v4.get(c.bits);
      if (!m) {
        this.v4.set(c.bits, (m = new Map()));
        this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
      }
      push(m, c.ip.n, e);
    } else {
      let m = this.v6.get(c.bits);
      if (!m) {
        this.v6.set(c.bits, (m = new Map()));
        this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
      }
      push(m, c.ip.hex, e);
    }
  }

  private addPattern(ind: LiveIndicator): void {
    const p = parsePattern(ind.value);
    if (!p.ok) {
      this.rejected++;
      return;
    }
    const pattern: CompiledPattern = {
      ast: p.value,
      single: isSingleObservation(p.value),
      windowMs: windowOf(p.value),
    };
    const keys: Key[] = [];
    for (const leaf of leafObservations(p.value)) {
      const k = keysOf(leaf);
      if (!k) {
        this.unindexed.push({ ind, pattern });
        return;
      }
      keys.push(...k);
    }
    const seen = new Set<string>();
    for (const k of keys) {
      const id = `${k.space}\n${k.value}`;
      if (seen.has(id)) continue;
      seen.add(id);
      this.addKey(k.space, k.value, { ind, pattern });
    }
  }

  /** Matches of one event; each indicator at most once (its first matching field). */
  match(event: VigilEvent, now = Date.now()): Hit[] {
    // One state object per event and no closures: this runs for every stored event.
    const st: MatchState = {
      tenant: event.organization?.id,
      now,
      hits: [],
      seen: undefined,
      candidates: undefined,
    };
    if (this.v4.size > 0 || this.v6.size > 0)
      for (const field of TYPE_FIELDS.ipv4) {
        const v = getField(event, field);
        if (typeof v === 'string') this.scanIp(st, field, v);
        else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') this.scanIp(st, field, x);
      }
    for (const [space, m] of this.exact)
      for (const field of TYPE_FIELDS[space]) {
        const v = getField(event, field);
        if (typeof v === 'string') this.scanExact(st, space, m, field, v);
        else if (typeof v === 'number') this.scanExact(st, space, m, field, String(v));
        else if (Array.isArray(v))
          for (const x of v)
            if (typeof x === 'string' || typeof x === 'number')
              this.scanExact(st, space, m, field, String(x));
      }
    for (const e of this.unindexed) {
      const ind = e.ind;
      if (
        (ind.tenant === st.tenant || ind.tenant === ALL_TENANTS) &&
        ind.validUntil > now &&
        !st.seen?.has(ind.id)
      ) {
        (st.seen ??= new Set()).add(ind.id);
        (st.candidates ??= []).push(e);
      }
    }
    if (st.candidates)
      for (const e of st.candidates) {
        const hit = this.evaluate(e, event);
        if (hit) st.hits.push(hit);
      }
    return st.hits;
  }

  private take(st: MatchState, b: Bucket | undefined, field: string, value: string): void {
    if (b === undefined) return;
    if (!Array.isArray(b)) return this.takeOne(st, b, field, value);
    for (const e of b) this.takeOne(st, e, field, value);
  }

  private takeOne(st: MatchState, e: Entry, field: string, value: string): void {
    const ind = e.ind;
    if ((ind.tenant !== st.tenant && ind.tenant !== ALL_TENANTS) || ind.validUntil <= st.now) return;
    if (st.seen?.has(ind.id)) return;
    (st.seen ??= new Set()).add(ind.id);
    if (e.pattern) (st.candidates ??= []).push(e);
    else st.hits.push({ indicator: ind, field, value });
  }

  private scanIp(st: MatchState, field: string, raw: string): void {
    const ip = parseIp(raw);
    if (!ip) return;
    if (ip.v === 4) {
      for (const bits of this.v4Lengths)
        this.take(st, this.v4.get(bits)!.get(maskV4(ip.n, bits)), field, raw);
    } else
      for (const bits of this.v6Lengths)
        this.take(st, this.v6.get(bits)!.get(prefixKey(ip, bits) as string), field, raw);
  }

  private scanExact(st: MatchState, space: Space, m: Map<string, Bucket>, field: string, raw: string): void {
    if (space === 'domain') {
      let d = raw.toLowerCase();
      if (d.endsWith('.')) d = d.slice(0, -1);
      for (;;) {
        this.take(st, m.get(d), field, raw);
        const dot = d.indexOf('.');
        if (dot === -1) return;
        d = d.slice(dot + 1);
      }
    }
    if (space === 'url') {
      const u = normalizeUrl(raw);
      if (u) this.take(st, m.get(u), field, raw);
      return;
    }
    this.take(st, m.get(space === 'ssdeep' || space === 'user-agent' ? raw : raw.toLowerCase()), field, raw);
  }

  private evaluate(e: Entry, event: VigilEvent): Hit | undefined {
    const p = e.pattern!;
    const hit = (eventIds?: string[]): Hit => ({
      indicator: e.ind,
      field: 'stix-pattern',
      value: e.ind.value,
      ...(eventIds ? { eventIds } : {}),
    });
    if (p.single) return matchPattern(p.ast, [event]) ? hit() : undefined;
    // Sequences: keep the recent events that matched one of the pattern's observations.
    if (!leafObservations(p.ast).some((leaf) => matchPattern({ kind: 'observation', expr: leaf }, [event])))
      return undefined;
    const key = `${event.organization.id}\n${e.ind.id}`;
    let buf = this.sequences.get(key) ?? [];
    this.sequences.delete(key);
    buf.push(event);
    if (p.windowMs > 0) {
      const newest = Date.parse(event['@timestamp']);
      buf = buf.filter((x) => newest - Date.parse(x['@timestamp']) <= p.windowMs);
    }
    if (buf.length > MAX_SEQ_EVENTS) buf = buf.slice(-MAX_SEQ_EVENTS);
    this.sequences.set(key, buf);
    if (this.sequences.size > MAX_SEQ_BUFFERS) this.sequences.delete(this.sequences.keys().next().value!);
    const found = matchPattern(p.ast, buf, buf.length - 1);
    return found ? hit(found.map((i) => buf[i]!.event.id)) : undefined;
  }
}

/** Builds an index from every live indicator of a store. */
export async function buildIndex(
  forEachLive: (now: Date, cb: (row: LiveIndicator) => void) => Promise<number>,
  now = new Date(),
): Promise<IndicatorIndex> {
  const idx = new IndicatorIndex();
  await forEachLive(now, (row) => idx.add(row));
  return idx;
}
