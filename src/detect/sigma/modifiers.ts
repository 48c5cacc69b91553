/**
 * Value transformations of Sigma modifiers that rewrite the rule value before matching
 * (encodings, windash permutations, placeholder expansion) and the CIDR parser.
 * All transformations work on plain text; the caller refuses wildcards where an encoding
 * would make them meaningless.
 */
import { fail, ok, type Parsed } from '../../schema/result.js';

export const KNOWN_MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 'exists', 'cased', 'neq', 'windash',
  're', 'i', 'm', 's', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide',
  'lt', 'lte', 'gt', 'gte', 'minute', 'hour', 'day', 'week', 'month', 'year',
  'cidr', 'expand', 'fieldref',
]);

/** Text as UTF-8 bytes, except that strings produced by utf16* (one char per byte) stay bytes. */
function bytesOf(s: string, binary: boolean): Buffer {
  return binary ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8');
}

export function base64(s: string, binary: boolean): string {
  return bytesOf(s, binary).toString('base64');
}

/**
 * The three encodings of a value at byte offsets 0, 1 and 2 inside a longer base64 stream,
 * trimmed to the characters that do not depend on the neighbouring bytes.
 */
export function base64Offsets(s: string, binary: boolean): string[] {
  const val = bytesOf(s, binary);
  const out: string[] = [];
  const starts = [0, 2, 3];
  const ends = [0, -3, -2];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), val]).toString('base64');
    const end = ends[(val.length + i) % 3]!;
    const piece = enc.slice(starts[i], end === 0 ? undefined : end);
    if (piece) out.push(piece);
  }
  return out;
}

/** Encodes to UTF-16 and returns the bytes as a one-char-per-byte string. */
export function utf16(s: string, mode: 'le' | 'be' | 'bom'): string {
  const le = Buffer.from(s, 'utf16le');
  let bytes = le;
  if (mode === 'be') {
    bytes = Buffer.from(le);
    bytes.swap16();
  } else if (mode === 'bom') bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  return bytes.toString('latin1');
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/**
 * Every spelling of a command-line flag: a `-` or `/` that starts a word (after start of text
 * or a non-word character, before a word character) may be any dash Windows accepts.
 */
export function windash(s: string, limit = 512): Parsed<string[]> {
  const positions: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '-' && c !== '/') continue;
    const prev = i === 0 ? '' : s[i - 1]!;
    const next = s[i + 1] ?? '';
    if (!/\w/.test(prev) && /\w/.test(next)) positions.push(i);
  }
  if (positions.length === 0) return ok([s]);
  if (DASHES.length ** positions.length > limit) return fail(`windash on '${s}' would create more than ${limit} variants`);
  let variants = [''];
  let last = 0;
  for (const pos of positions) {
    const chunk = s.slice(last, pos);
    const next: string[] = [];
    for (const v of variants) for (const d of DASHES) next.push(v + chunk + d);
    variants = next;
    last = pos + 1;
  }
  const tail = s.slice(last);
  return ok(variants.map((v) => v + tail));
}

/** Replaces `%name%` placeholders with every combination of configured values. */
export function expandPlaceholders(s: string, config: Readonly<Record<string, readonly string[]>>): Parsed<string[]> {
  const names = [...s.matchAll(/%([A-Za-z0-9_.-]+)%/g)].map((m) => m[1]!);
  if (names.length === 0) return ok([s]);
  let variants = [s];
  for (const name of new Set(names)) {
    const values = Object.prototype.hasOwnProperty.call(config, name) ? config[name] : undefined;
    if (!values || values.length === 0) return fail(`placeholder %${name}% has no values in the expand configuration`);
    const next: string[] = [];
    for (const v of variants) for (const r of values) next.push(v.split(`%${name}%`).join(r));
    variants = next;
    if (variants.length > 4096) return fail(`expanding placeholders in '${s}' creates more than 4096 values`);
  }
  return ok(variants);
}

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDR

/** An address as 16 bytes (IPv4 mapped to ::ffff:a.b.c.d so one comparison serves both). */
export function parseIp(s: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  if (s.includes(':')) {
    let str = s;
    const pct = str.indexOf('%');
    if (pct !== -1) str = str.slice(0, pct);
    let tail: number[] = [];
    const lastColon = str.lastIndexOf(':');
    const lastPart = str.slice(lastColon + 1);
    if (lastPart.includes('.')) {
      const v4 = parseIp(lastPart);
      if (!v4) return undefined;
      tail = [(v4[12]! << 8) | v4[13]!, (v4[14]! << 8) | v4[15]!];
      str = str.slice(0, lastColon + 1) + '0:0';
    }
    const halves = str.split('::');
    if (halves.length > 2) return undefined;
    const parse = (h: string): number[] | undefined => {
      if (h === '') return [];
      const groups: number[] = [];
      for (const g of h.split(':')) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        groups.push(parseInt(g, 16));
      }
      return groups;
    };
    const head = parse(halves[0]!);
    const rest = halves.length === 2 ? parse(halves[1]!) : [];
    if (!head || !rest) return undefined;
    let groups: number[];
    if (halves.length === 2) {
      const fill = 8 - head.length - rest.length;
      if (fill < 1) return undefined;
      groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
    } else groups = head;
    if (groups.length !== 8) return undefined;
    if (tail.length) groups.splice(6, 2, ...tail);
    for (let i = 0; i < 8; i++) {
      out[i * 2] = groups[i]! >> 8;
      out[i * 2 + 1] = groups[i]! & 0xff;
    }
    return out;
  }
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  out[10] = 0xff;
  out[11] = 0xff;
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1]);
    if (n > 255) return undefined;
    out[12 + i] = n;
  }
  return out;
}

export interface Cidr {
  net: Uint8Array;
  bits: number;
  v4: boolean;
}

function isV4Mapped(ip: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

export function parseCidr(s: string): Parsed<Cidr> {
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  const net = parseIp(addr);
  if (!net) return fail(`'${s}' is not an IPv4 or IPv6 network`);
  const v4 = !addr.includes(':');
  const max = v4 ? 32 : 128;
  const len = slash === -1 ? max : Number(s.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max || (slash !== -1 && !/^\d+$/.test(s.slice(slash + 1)))) {
    return fail(`'${s}' has an invalid prefix length (0-${max})`);
  }
  return ok({ net, bits: v4 ? len + 96 : len, v4 });
}

export function inCidr(ip: Uint8Array, c: Cidr): boolean {
  if (isV4Mapped(ip) !== c.v4) return false;
  let bits = c.bits;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== (c.net[i]! & mask)) return false;
  }
  return true;
}
