import { isIP } from 'node:net';
import RE2 from 're2';
import type { Value } from './ast.js';

type Fn = (...args: Value[]) => Value;

const str = (v: Value): string =>
  typeof v === 'string' ? v : v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
const list = (v: Value): Value[] => (Array.isArray(v) ? v : v === null ? [] : [v]);
const MAX_REGEX = 1000;
const regexCache = new Map<string, RE2>();

function re(pattern: Value, flags = ''): RE2 {
  const p = str(pattern);
  if (p.length > MAX_REGEX) throw new Error('pattern too long');
  const key = `${flags}/${p}`;
  let r = regexCache.get(key);
  if (!r) {
    // RE2 runs in linear time whatever the pattern: playbook authors cannot stall the engine.
    r = new RE2(p, flags);
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(key, r);
  }
  return r;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function ipv6ToBigInt(ip: string): bigint | undefined {
  if (isIP(ip) !== 6) return undefined;
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const expand = (g: string[]): string[] =>
    g.flatMap((x) =>
      x.includes('.')
        ? (() => {
            const n = ipv4ToInt(x) ?? 0;
            return [(n >>> 16).toString(16), (n & 0xffff).toString(16)];
          })()
        : [x],
    );
  const hh = expand(h);
  const tt = expand(t);
  const groups =
    tail === undefined ? hh : [...hh, ...Array<string>(8 - hh.length - tt.length).fill('0'), ...tt];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function cidrMatch(ip: Value, cidr: Value): boolean {
  const [net, bitsText] = str(cidr).split('/');
  const addr = str(ip);
  if (!net) return false;
  if (isIP(addr) === 4 && isIP(net) === 4) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (ipv4ToInt(addr)! & mask) >>> 0 === (ipv4ToInt(net)! & mask) >>> 0;
  }
  const a = ipv6ToBigInt(addr);
  const n = ipv6ToBigInt(net);
  if (a === undefined || n === undefined) return false;
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 128) return false;
  const shift = BigInt(128 - bits);
  return a >> shift === n >> shift;
}

/** The whole function library. Pure functions of JSON values; nothing reaches the process. */
export const FUNCTIONS: Readonly<Record<string, Fn>> = Object.freeze({
  string: (v) => str(v),
  number: (v) => {
    const n = typeof v === 'number' ? v : Number(str(v).trim());
    return Number.isFinite(n) && str(v).trim() !== '' ? n : null;
  },
  lower: (v) => str(v).toLowerCase(),
  upper: (v) => str(v).toUpperCase(),
  trim: (v) => str(v).trim(),
  len: (v) =>
    Array.isArray(v) ? v.length : typeof v === 'object' && v !== null ? Object.keys(v).length : str(v).length,
  contains: (h, n) =>
    Array.isArray(h)
      ? h.some((x) => JSON.stringify(x) === JSON.stringify(n))
      : str(h).toLowerCase().includes(str(n).toLowerCase()),
  startswith: (s, p) => str(s).toLowerCase().startsWith(str(p).toLowerCase()),
  endswith: (s, p) => str(s).toLowerCase().endsWith(str(p).toLowerCase()),
  split: (s, sep) => str(s).split(str(sep)),
  join: (xs, sep) =>
    list(xs)
      .map(str)
      .join(sep === undefined ? ',' : str(sep)),
  replace: (s, from, to) => str(s).split(str(from)).join(str(to)),
  substr: (s, start, length) =>
    str(s).substr(Number(start ?? 0), length === undefined || length === null ? undefined : Number(length)),
  matches: (s, pattern) => re(pattern, 'i').test(str(s)),
  extract: (s, pattern) => {
    const out: Value[] = [];
    const r = re(pattern, 'g');
    r.lastIndex = 0;
    for (let m = r.exec(str(s)); m && out.length < 10_000; m = r.exec(str(s))) {
      out.push(m[1] ?? m[0]);
      if (m[0] === '') r.lastIndex++;
    }
    return out;
  },
  first: (xs) => list(xs)[0] ?? null,
  last: (xs) => list(xs).at(-1) ?? null,
  unique: (xs) => {
    const seen = new Set<string>();
    return list(xs).filter((x) => {
      const k = JSON.stringify(x);
      return seen.has(k) ? false : (seen.add(k), true);
    });
  },
  flatten: (xs) => list(xs).flatMap((x) => list(x)),
  sort: (xs) =>
    [...list(xs)].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0,
    ),
  keys: (o) => (typeof o === 'object' && o !== null && !Array.isArray(o) ? Object.keys(o) : []),
  values: (o) => (typeof o === 'object' && o !== null && !Array.isArray(o) ? Object.values(o) : []),
  sum: (xs) => list(xs).reduce<number>((a, x) => a + (typeof x === 'number' ? x : 0), 0),
  min: (xs) =>
    list(xs)
      .filter((x): x is number => typeof x === 'number')
      .reduce<number | null>((a, x) => (a === null || x < a ? x : a), null),
  max: (xs) =>
    list(xs)
      .filter((x): x is number => typeof x === 'number')
      .reduce<number | null>((a, x) => (a === null || x > a ? x : a), null),
  default: (v, d) => (v === null || v === '' ? d! : v),
  cidr_match: (ip, cidr) => cidrMatch(ip, cidr),
  is_ip: (v) => isIP(str(v)) !== 0,
  is_private_ip: (v) =>
    [
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '127.0.0.0/8',
      '169.254.0.0/16',
      'fc00::/7',
      'fe80::/10',
      '::1/128',
    ].some((c) => cidrMatch(v, c)),
  now: () => new Date().toISOString(),
  to_time: (v) => {
    const t = Date.parse(str(v));
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  },
  /** Seconds between two times (b - a). */
  seconds_between: (a, b) => {
    const x = Date.parse(str(a));
    const y = Date.parse(str(b));
    return Number.isNaN(x) || Number.isNaN(y) ? null : (y - x) / 1000;
  },
  format: (template, ...args) => {
    let i = 0;
    return str(template).replace(/\{\}/g, () => str(args[i++] ?? null));
  },
});
