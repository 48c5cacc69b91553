/**
 * IP address and CIDR helpers for indicator matching. IPv4 is kept as an unsigned 32-bit number,
 * IPv6 as 32 lower-case hex digits, so that a prefix is a cheap mask or slice and lookups are
 * Map hits whatever the number of indicators.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Ip = { v: 4; n: number } | { v: 6; hex: string };
export interface Cidr {
  ip: Ip;
  bits: number;
}

/** Dotted-quad fast path: events carry far more IPv4 than anything else, and this runs per field. */
function parseV4(s: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // no leading zeros (they are octal to some parsers), at most 255
      if (digits > 0 && part === 0) return undefined;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (n * 256 + part) >>> 0;
}

export function parseIp(s: string): Ip | undefined {
  const quad = parseV4(s);
  if (quad !== undefined) return { v: 4, n: quad };
  let t = s.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const zone = t.indexOf('%');
  if (zone !== -1) t = t.slice(0, zone);
  if (isIPv4(t)) {
    const p = t.split('.').map(Number);
    return { v: 4, n: ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0 };
  }
  if (!isIPv6(t)) return undefined;
  const hex = v6Hex(t);
  // IPv4-mapped addresses (::ffff:a.b.c.d) are the IPv4 address for matching purposes.
  if (hex.startsWith('00000000000000000000ffff')) return { v: 4, n: parseInt(hex.slice(24), 16) >>> 0 };
  return { v: 6, hex };
}

function v6Hex(t: string): string {
  let s = t.toLowerCase();
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const p = tail.split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  return groups.map((g) => g.padStart(4, '0')).join('');
}

export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const ip = parseIp(slash === -1 ? s : s.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.v === 4 ? 32 : 128;
  if (slash === -1) return { ip, bits: max };
  const bitsText = s.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  let bits = Number(bitsText);
  // An IPv4-mapped v6 prefix (::ffff:0:0/104) becomes the v4 prefix.
  if (ip.v === 4 && s.includes(':')) bits -= 96;
  if (bits < 0 || bits > max) return undefined;
  return { ip: maskIp(ip, bits), bits };
}

export function maskIp(ip: Ip, bits: number): Ip {
  if (ip.v === 4) return { v: 4, n: bits === 0 ? 0 : (ip.n & (~0 << (32 - bits))) >>> 0 };
  return { v: 6, hex: maskHex(ip.hex, bits) };
}

function maskHex(hex: string, bits: number): string {
  const full = bits >> 2;
  const rem = bits & 3;
  let out = hex.slice(0, full);
  if (rem) out += (parseInt(hex[full]!, 16) & (0xf << (4 - rem)) & 0xf).toString(16);
  return out.padEnd(32, '0');
}

/** Key of the network `ip/bits` (for Maps keyed per prefix length). */
export function prefixKey(ip: Ip, bits: number): string | number {
  const m = maskIp(ip, bits);
  return m.v === 4 ? m.n : m.hex;
}

export function cidrContains(c: Cidr, ip: Ip): boolean {
  if (c.ip.v !== ip.v) return false;
  const m = maskIp(ip, c.bits);
  return m.v === 4 ? m.n === (c.ip as { n: number }).n : m.hex === (c.ip as { hex: string }).hex;
}

/** Canonical text: dotted quad, or compressed lower-case IPv6 (RFC 5952). */
export function ipText(ip: Ip): string {
  if (ip.v === 4) return [ip.n >>> 24, (ip.n >>> 16) & 255, (ip.n >>> 8) & 255, ip.n & 255].join('.');
  const groups = ip.hex.match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best === -1) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function cidrText(c: Cidr): string {
  return `${ipText(c.ip)}/${c.bits}`;
}

/** Every network that holds the address, in canonical CIDR text, most specific first (33 or 129). */
export function containingNetworks(ip: Ip): string[] {
  const max = ip.v === 4 ? 32 : 128;
  const out: string[] = [];
  for (let bits = max; bits >= 0; bits--) out.push(cidrText({ ip: maskIp(ip, bits), bits }));
  return out;
}
