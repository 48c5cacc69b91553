import { type Parsed, ok, fail } from '../../schema/result.js';

/**
 * Packet capture containers: classic pcap (either byte order, micro- or nanosecond stamps) and
 * pcapng (SHB/IDB/EPB/SPB/OPB blocks, either byte order, per-interface time resolution). Packets
 * are yielded as views into the input buffer; a broken record ends the walk with one failure.
 */
export interface Packet {
  index: number;
  /** Capture time: whole seconds since the epoch and nanoseconds within the second. */
  seconds: number;
  nanos: number;
  linkType: number;
  data: Buffer;
  origLength: number;
}

export const PCAP_MAGICS = [0xa1b2c3d4, 0xa1b23c4d];
export const PCAPNG_SHB = 0x0a0d0d0a;

export function isPcap(buf: Buffer): boolean {
  if (buf.length < 4) return false;
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  return PCAP_MAGICS.includes(le) || PCAP_MAGICS.includes(be);
}

export function isPcapng(buf: Buffer): boolean {
  return buf.length >= 12 && buf.readUInt32LE(0) === PCAPNG_SHB;
}

function* readPcapClassic(buf: Buffer): Generator<Parsed<Packet>> {
  if (buf.length < 24) {
    yield fail('pcap: file shorter than its 24-byte header');
    return;
  }
  const le = PCAP_MAGICS.includes(buf.readUInt32LE(0));
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const nano = u32(0) === 0xa1b23c4d;
  const linkType = u32(20) & 0x0fffffff;
  let off = 24;
  let index = 0;
  while (off + 16 <= buf.length) {
    const seconds = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const orig = u32(off + 12);
    if (incl > buf.length - off - 16) {
      yield fail(`pcap: packet ${index + 1} at offset ${off} claims ${incl} bytes, past the end of the file`);
      return;
    }
    if ((nano && frac >= 1e9) || (!nano && frac >= 1e6)) {
      yield fail(`pcap: packet ${index + 1} has an invalid sub-second field ${frac}`);
      return;
    }
    yield ok({ index: index++, seconds, nanos: nano ? frac : frac * 1000, linkType, data: buf.subarray(off + 16, off + 16 + incl), origLength: orig });
    off += 16 + incl;
  }
  if (off !== buf.length) yield fail(`pcap: ${buf.length - off} trailing bytes after the last full packet`);
}

interface Iface { linkType: number; ticksPerSecond: bigint }

function* readPcapng(buf: Buffer): Generator<Parsed<Packet>> {
  let off = 0;
  let le = true;
  let ifaces: Iface[] = [];
  let index = 0;
  while (off + 12 <= buf.length) {
    const typeLE = buf.readUInt32LE(off);
    if (typeLE === PCAPNG_SHB) {
      const bom = buf.readUInt32LE(off + 8);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else {
        yield fail(`pcapng: bad byte-order magic in section header at offset ${off}`);
        return;
      }
      ifaces = [];
    }
    const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const type = u32(off);
    const len = u32(off + 4);
    if (len < 12 || len % 4 !== 0 || len > buf.length - off) {
      yield fail(`pcapng: block at offset ${off} has invalid length ${len}`);
      return;
    }
    if (u32(off + len - 4) !== len) {
      yield fail(`pcapng: block at offset ${off} has mismatched trailing length`);
      return;
    }
    const body = off + 8;
    const bodyEnd = off + len - 4;
    if (type === 1) {
      if (bodyEnd - body < 8) {
        yield fail(`pcapng: interface block at offset ${off} too short`);
        return;
      }
      let ticks = 1_000_000n;
      // Options: code(2) length(2) value padded to 4; if_tsresol (9) sets the time unit.
      let o = body + 8;
      while (o + 4 <= bodyEnd) {
        const code = u16(o);
        const olen = u16(o + 2);
        if (code === 0 || o + 4 + olen > bodyEnd) break;
        if (code === 9 && olen >= 1) {
          const v = buf[o + 4]!;
          const exp = BigInt(v & 0x7f);
          if (exp <= 60n) ticks = v & 0x80 ? 1n << exp : 10n ** exp;
        }
        o += 4 + ((olen + 3) & ~3);
      }
      ifaces.push({ linkType: u16(body), ticksPerSecond: ticks });
    } else if (type === 6 || type === 2) {
      // EPB: iface(4) tsHigh tsLow capLen origLen; obsolete packet block: iface(2) drops(2) then the same.
      if (bodyEnd - body < 20) {
        yield fail(`pcapng: packet block at offset ${off} too short`);
        return;
      }
      const ifId = type === 6 ? u32(body) : u16(body);
      const iface = ifaces[ifId];
      if (!iface) {
        yield fail(`pcapng: packet block at offset ${off} names unknown interface ${ifId}`);
        return;
      }
      const hi = u32(body + 4);
      const lo = u32(body + 8);
      const cap = u32(body + 12);
      const orig = u32(body + 16);
      if (cap > bodyEnd - body - 20) {
        yield fail(`pcapng: packet block at offset ${off} claims ${cap} captured bytes, more than the block holds`);
        return;
      }
      const t = (BigInt(hi) << 32n) | BigInt(lo);
      const seconds = Number(t / iface.ticksPerSecond);
      const nanos = Number(((t % iface.ticksPerSecond) * 1_000_000_000n) / iface.ticksPerSecond);
      yield ok({ index: index++, seconds, nanos, linkType: iface.linkType, data: buf.subarray(body + 20, body + 20 + cap), origLength: orig });
    } else if (type === 3) {
      const iface = ifaces[0];
      if (!iface) {
        yield fail(`pcapng: simple packet block at offset ${off} before any interface block`);
        return;
      }
      const orig = u32(body);
      const cap = Math.min(orig, bodyEnd - body - 4);
      yield ok({ index: index++, seconds: 0, nanos: 0, linkType: iface.linkType, data: buf.subarray(body + 4, body + 4 + cap), origLength: orig });
    }
    off += len;
  }
  if (off !== buf.length) yield fail(`pcapng: ${buf.length - off} trailing bytes after the last block`);
}

/** Walks the packets of a pcap or pcapng buffer. Never throws; a failure item ends the walk. */
export function* readPackets(buf: Buffer): Generator<Parsed<Packet>> {
  if (isPcapng(buf)) yield* readPcapng(buf);
  else if (isPcap(buf)) yield* readPcapClassic(buf);
  else yield fail('not a pcap or pcapng capture (unknown magic)');
}
