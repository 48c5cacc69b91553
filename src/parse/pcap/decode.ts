/**
 * Link, network and transport headers of one captured frame. Only what flow records and the
 * application peeks need is decoded; anything malformed yields `undefined` rather than an error,
 * because a capture routinely holds truncated or foreign frames.
 */
export interface Decoded {
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  /** IANA protocol number (6 tcp, 17 udp, 1 icmp, 58 ipv6-icmp). */
  proto: number;
  srcPort: number;
  dstPort: number;
  /** Bytes of the IP packet as it was on the wire (from the IP header). */
  ipLength: number;
  tcpFlags: number;
  icmpType: number;
  icmpCode: number;
  payload: Buffer;
}

export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276, LOOP: 108, RAW_OLD: 12 } as const;

function ipv4Text(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** RFC 5952 text form (lower case, longest zero run compressed). */
export function ipv6Text(b: Buffer, o: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(o + i * 2));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === -1) return words.map((w) => w.toString(16)).join(':');
  const head = words.slice(0, bestStart).map((w) => w.toString(16)).join(':');
  const tail = words.slice(bestStart + bestLen).map((w) => w.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** Returns the offset and ethertype of the network layer, or undefined. */
function linkLayer(frame: Buffer, linkType: number): { off: number; etherType: number } | undefined {
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (frame.length < 14) return undefined;
      let off = 12;
      let et = frame.readUInt16BE(off);
      // 802.1Q / 802.1ad tags, possibly stacked.
      let tags = 0;
      while ((et === 0x8100 || et === 0x88a8 || et === 0x9100) && tags++ < 4) {
        if (frame.length < off + 6) return undefined;
        off += 4;
        et = frame.readUInt16BE(off);
      }
      return { off: off + 2, etherType: et };
    }
    case LINKTYPE.LINUX_SLL:
      if (frame.length < 16) return undefined;
      return { off: 16, etherType: frame.readUInt16BE(14) };
    case LINKTYPE.LINUX_SLL2:
      if (frame.length < 20) return undefined;
      return { off: 20, etherType: frame.readUInt16BE(0) };
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_OLD:
      if (frame.length < 1) return undefined;
      return { off: 0, etherType: frame[0]! >> 4 === 6 ? 0x86dd : 0x0800 };
    case LINKTYPE.IPV4:
      return { off: 0, etherType: 0x0800 };
    case LINKTYPE.IPV6:
      return { off: 0, etherType: 0x86dd };
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (frame.length < 5) return undefined;
      // The address family is in the capturing host's byte order; the IP version nibble settles it.
      return { off: 4, etherType: frame[4]! >> 4 === 6 ? 0x86dd : 0x0800 };
    }
    default:
      return undefined;
  }
}

function transport(out: Decoded, b: Buffer, off: number, end: number, firstFragment: boolean): Decoded {
  if (!firstFragment) return out;
  if (out.proto === 6 && end - off >= 20) {
    out.srcPort = b.readUInt16BE(off);
    out.dstPort = b.readUInt16BE(off + 2);
    out.tcpFlags = b[off + 13]!;
    const hl = (b[off + 12]! >> 4) * 4;
    if (hl >= 20 && off + hl <= end) out.payload = b.subarray(off + hl, end);
  } else if (out.proto === 17 && end - off >= 8) {
    out.srcPort = b.readUInt16BE(off);
    out.dstPort = b.readUInt16BE(off + 2);
    out.payload = b.subarray(off + 8, end);
  } else if ((out.proto === 1 || out.proto === 58) && end - off >= 2) {
    out.icmpType = b[off]!;
    out.icmpCode = b[off + 1]!;
    out.payload = b.subarray(Math.min(off + 8, end), end);
  }
  return out;
}

const EMPTY = Buffer.alloc(0);

export function decodeFrame(frame: Buffer, linkType: number): Decoded | undefined {
  const link = linkLayer(frame, linkType);
  if (!link) return undefined;
  const b = frame;
  const o = link.off;
  if (link.etherType === 0x0800) {
    if (b.length < o + 20 || b[o]! >> 4 !== 4) return undefined;
    const ihl = (b[o]! & 0x0f) * 4;
    const total = b.readUInt16BE(o + 2);
    if (ihl < 20 || b.length < o + ihl) return undefined;
    // Captures may be snapped short, and some stacks report total=0 for TSO frames.
    const end = total >= ihl ? Math.min(b.length, o + total) : b.length;
    const fragOffset = b.readUInt16BE(o + 6) & 0x1fff;
    const out: Decoded = { ipVersion: 4, src: ipv4Text(b, o + 12), dst: ipv4Text(b, o + 16), proto: b[o + 9]!, srcPort: 0, dstPort: 0, ipLength: total >= ihl ? total : end - o, tcpFlags: 0, icmpType: -1, icmpCode: -1, payload: EMPTY };
    return transport(out, b, o + ihl, end, fragOffset === 0);
  }
  if (link.etherType === 0x86dd) {
    if (b.length < o + 40 || b[o]! >> 4 !== 6) return undefined;
    const plen = b.readUInt16BE(o + 4);
    const end = Math.min(b.length, o + 40 + plen);
    let next = b[o + 6]!;
    let off = o + 40;
    let first = true;
    // Walk extension headers: hop-by-hop, routing, destination options, fragment, AH.
    for (let hops = 0; hops < 8; hops++) {
      if (next === 0 || next === 43 || next === 60) {
        if (off + 2 > end) return undefined;
        next = b[off]!;
        off += (b[off + 1]! + 1) * 8;
      } else if (next === 44) {
        if (off + 8 > end) return undefined;
        first = (b.readUInt16BE(off + 2) & 0xfff8) === 0;
        next = b[off]!;
        off += 8;
      } else if (next === 51) {
        if (off + 2 > end) return undefined;
        next = b[off]!;
        off += (b[off + 1]! + 2) * 4;
      } else break;
    }
    if (off > end) return undefined;
    const out: Decoded = { ipVersion: 6, src: ipv6Text(b, o + 8), dst: ipv6Text(b, o + 24), proto: next, srcPort: 0, dstPort: 0, ipLength: plen + 40, tcpFlags: 0, icmpType: -1, icmpCode: -1, payload: EMPTY };
    return transport(out, b, off, end, first);
  }
  return undefined;
}
