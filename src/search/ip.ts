import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP addresses as sortable keys: 32 lowercase hex digits of the 128-bit address, IPv4 mapped into
 * `::ffff:0:0/96`. A network is then the key range [first, last], which any SQL engine compares as
 * text, and the same function can feed an expression index later. 128 bits do not fit SQLite's
 * 64-bit INTEGER, hence text.
 */
export function ipKey(text: string): string | null {
  if (isIPv4(text)) return '00000000000000000000ffff' + v4Hex(text);
  if (!isIPv6(text) || text.includes('%')) return null;
  let s = text.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const h = v4Hex(tail);
    s = `${s.slice(0, lastColon + 1)}${h.slice(0, 4)}:${h.slice(4)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const a = head ? head.split(':') : [];
  const b = rest === undefined ? [] : rest ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - a.length - b.length;
  const groups = [...a, ...new Array<string>(fill).fill('0'), ...b];
  if (groups.length !== 8) return null;
  return groups.map((g) => g.padStart(4, '0')).join('');
}

function v4Hex(text: string): string {
  return text
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('');
}

/** `10.0.0.0/8` or `fe80::/10` → first and last key of the network; undefined when not a network. */
export function parseCidr(text: string): { lo: string; hi: string } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const v4 = isIPv4(addr);
  const bits = Number(bitsText) + (v4 ? 96 : 0);
  if (bits > 128 || (v4 && bits < 96)) return undefined;
  const key = ipKey(addr);
  if (!key) return undefined;
  let lo = '';
  let hi = '';
  // Bit by bit over the hex digits: keep the prefix, clear (lo) or set (hi) the rest.
  for (let d = 0; d < 32; d++) {
    const nibble = parseInt(key[d]!, 16);
    const keep = Math.max(0, Math.min(4, bits - d * 4));
    const mask = (0xf << (4 - keep)) & 0xf;
    lo += (nibble & mask).toString(16);
    hi += ((nibble & mask) | (~mask & 0xf)).toString(16);
  }
  return { lo, hi };
}
