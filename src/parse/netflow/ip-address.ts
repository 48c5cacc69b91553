/**
 * Address rendering and parsing for flow records. Kept local (no `node:net` parsing per record)
 * because decoding formats tens of thousands of addresses per packet batch.
 */

export function formatIPv4(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** RFC 5952 text form: lowercase, longest run (>= 2) of zero groups collapsed, first one on ties. */
export function formatIPv6(buf: Uint8Array, off: number): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (buf[off + 2 * i]! << 8) | buf[off + 2 * i + 1]!;
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // An IPv4-mapped address (::ffff:a.b.c.d) reads better in its dotted form, as RFC 5952 §5 advises.
  if (bestStart === 0 && bestLen === 5 && groups[5] === 0xffff) return `::ffff:${formatIPv4(buf, off + 12)}`;
  if (bestLen < 2) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(':');
  return `${head}::${tail}`;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `aa:bb:cc:dd:ee:ff`, the form NetFlow collectors print raw MACs in. */
export function formatMac(buf: Uint8Array, off: number): string {
  return `${HEX[buf[off]!]}:${HEX[buf[off + 1]!]}:${HEX[buf[off + 2]!]}:${HEX[buf[off + 3]!]}:${HEX[buf[off + 4]!]}:${HEX[buf[off + 5]!]}`;
}

/** ECS wants MACs as uppercase hyphen-separated octets. */
export function macToEcs(mac: string): string {
  return mac.toUpperCase().replace(/:/g, '-');
}

export function toHex(buf: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += HEX[buf[off + i]!];
  return s;
}

/** Parses dotted IPv4 into 4 bytes, or undefined. Strict: no leading '+', no empty parts, each part <= 255. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let val = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || part === 3) return undefined;
      out[part++] = val;
      val = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      val = val * 10 + (c - 48);
      digits++;
      if (val > 255 || digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  if (part !== 3 || digits === 0) return undefined;
  out[3] = val;
  return out;
}

/** Parses RFC 4291 text IPv6 (with `::` and an optional dotted IPv4 tail) into 16 bytes, or undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) return undefined;
  const parseSide = (side: string): number[] | undefined => {
    if (side === '') return [];
    const parts = side.split(':');
    const words: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        words.push(parseInt(p, 16));
      }
    }
    return words;
  };
  let words: number[];
  if (dbl === -1) {
    const w = parseSide(text);
    if (!w || w.length !== 8) return undefined;
    words = w;
  } else {
    const left = parseSide(text.slice(0, dbl));
    const right = parseSide(text.slice(dbl + 2));
    if (!left || !right || left.length + right.length > 7) return undefined;
    words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

/**
 * Splits an exporter address given as `ip:port`, `[v6]:port` or a bare address. A bare IPv6
 * address with a trailing `:port` is ambiguous; we read the last group as a port only when the
 * rest still parses as IPv6 and the whole does not.
 */
export function splitHostPort(addr: string): { ip: string; port?: number } {
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']');
    if (close > 0) {
      const ip = addr.slice(1, close);
      const rest = addr.slice(close + 1);
      const port = rest.startsWith(':') ? Number(rest.slice(1)) : NaN;
      return Number.isInteger(port) && port >= 0 && port <= 65535 ? { ip, port } : { ip };
    }
    return { ip: addr };
  }
  const colon = addr.lastIndexOf(':');
  if (colon === -1) return { ip: addr };
  const host = addr.slice(0, colon);
  const port = Number(addr.slice(colon + 1));
  const portOk = addr.length > colon + 1 && Number.isInteger(port) && port >= 0 && port <= 65535;
  if (!host.includes(':')) return portOk ? { ip: host, port } : { ip: addr };
  if (parseIPv6(addr)) return { ip: addr };
  return portOk && parseIPv6(host) ? { ip: host, port } : { ip: addr };
}
