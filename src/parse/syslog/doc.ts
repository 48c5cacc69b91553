/** Small helpers for building ECS documents by hand, without per-field path splitting. */

export type Doc = Record<string, unknown>;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** True for keys that must never be assigned on a plain object built from untrusted input. */
export function unsafeKey(k: string): boolean {
  return FORBIDDEN.has(k);
}

/** Child object `key` of `parent`, created when absent (or when a scalar is in the way). */
export function obj(parent: Doc, key: string): Doc {
  const cur = parent[key];
  if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) return cur as Doc;
  const created: Doc = {};
  parent[key] = created;
  return created;
}

/** Appends to `related.<kind>` without duplicates. */
export function addRelated(doc: Doc, kind: 'ip' | 'user' | 'hosts' | 'hash', value: string | undefined): void {
  if (!value || value === '-') return;
  const related = obj(doc, 'related');
  const list = related[kind];
  if (Array.isArray(list)) {
    if (!list.includes(value)) list.push(value);
  } else related[kind] = [value];
}

/** Merges `src` into `dst`: objects recursively, arrays as a union, scalars from `src` win. */
export function deepMerge(dst: Doc, src: Doc): Doc {
  for (const k of Object.keys(src)) {
    if (unsafeKey(k)) continue;
    const sv = src[k];
    const dv = dst[k];
    if (Array.isArray(sv) && Array.isArray(dv)) {
      for (const v of sv) if (!dv.includes(v)) dv.push(v);
    } else if (isPlain(sv) && isPlain(dv)) {
      deepMerge(dv, sv);
    } else if (sv !== undefined) {
      dst[k] = sv;
    }
  }
  return dst;
}

function isPlain(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Port number from text, or undefined if it is not one. */
export function toPort(s: string | undefined): number | undefined {
  if (!s || s.length > 5) return undefined;
  const n = toUint(s);
  return n !== undefined && n <= 65535 ? n : undefined;
}

/** Non-negative safe integer from decimal text, or undefined. */
export function toUint(s: string | undefined): number | undefined {
  if (!s || s.length > 15) return undefined;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return v;
}

/** Loose IPv4/IPv6 shape check: enough to decide whether a token may go into `*.ip`. */
export function looksLikeIp(s: string | undefined): s is string {
  if (!s || s.length < 2 || s.length > 45) return false;
  if (s.includes(':')) return /^[0-9A-Fa-f:.]+(%[\w.-]+)?$/.test(s) && s.split(':').length >= 3;
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    const n = toUint(p);
    if (n === undefined || n > 255 || p.length > 3) return false;
  }
  return true;
}

const TRANSPORTS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '47': 'gre', '50': 'esp', '51': 'ah', '58': 'ipv6-icmp', '132': 'sctp' };

/** `network.transport` from a protocol name or IANA number. */
export function transportName(p: string): string {
  return TRANSPORTS[p] ?? p.toLowerCase();
}

/** Sets `<ns>.ip` (when it looks like an IP, else `<ns>.address`) and related.ip. */
export function setEndpointIp(doc: Doc, ns: 'source' | 'destination', value: string | undefined): void {
  if (!value || value === '-') return;
  const ep = obj(doc, ns);
  ep.address = value;
  if (looksLikeIp(value)) {
    ep.ip = value;
    addRelated(doc, 'ip', value);
  }
}

export function setEndpointPort(doc: Doc, ns: 'source' | 'destination', value: string | undefined): void {
  const p = toPort(value);
  if (p !== undefined) obj(doc, ns).port = p;
}
