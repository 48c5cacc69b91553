/**
 * Decoding of BinXML typed values (libyal "Windows XML Event Log (EVTX) format", value types).
 * Values are turned straight into the JSON scalars evtx_dump writes: integers and booleans stay
 * numbers/booleans, everything else (hex integers, GUIDs, SIDs, times, reals, binary) is text.
 */

export class EvtxFormatError extends Error {}

/** The value types of the format; the 0x80 bit marks an array of the base type. */
export const VT = {
  Null: 0x00,
  String: 0x01,
  Ansi: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
  ArrayFlag: 0x80,
} as const;

export type Scalar = string | number | boolean | null;

const TWO32 = 4294967296;
/** Milliseconds between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
const FILETIME_EPOCH_DELTA_MS = 11644473600000;
/** Largest magnitude a JS Date accepts. */
const MAX_DATE_MS = 8.64e15;

const HEX_UPPER: string[] = [];
for (let i = 0; i < 256; i++) HEX_UPPER.push(i.toString(16).toUpperCase().padStart(2, '0'));

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Unsigned 64-bit little-endian as a JS number when exact, else as a decimal string. */
export function readU64(buf: Buffer, off: number): number | string {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4);
  if (hi < 0x200000) return hi * TWO32 + lo;
  return buf.readBigUInt64LE(off).toString();
}

function readI64(buf: Buffer, off: number): number | string {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readInt32LE(off + 4);
  if (hi >= -0x200000 && hi < 0x200000) return hi * TWO32 + lo;
  return buf.readBigInt64LE(off).toString();
}

function hexLower64(buf: Buffer, off: number): string {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4);
  if (hi === 0) return '0x' + lo.toString(16);
  return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

/**
 * FILETIME (100 ns ticks since 1601) as ISO 8601 UTC with microseconds, the precision evtx_dump
 * prints. The split arithmetic keeps every tick exact without BigInt: 2^32 = 429496 * 10^4 + 7296.
 */
export function filetimeToIso(buf: Buffer, off: number): string {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4);
  const r = hi * 7296 + lo;
  const msSince1601 = hi * 429496 + Math.floor(r / 10000);
  const subMsTicks = r % 10000;
  const unixMs = msSince1601 - FILETIME_EPOCH_DELTA_MS;
  if (!(Math.abs(unixMs) <= MAX_DATE_MS)) return `FILETIME(0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')})`;
  const iso = new Date(unixMs).toISOString();
  // toISOString ends with ".mmmZ": append the three microsecond digits before the Z.
  return iso.slice(0, -1) + pad(Math.floor(subMsTicks / 10), 3) + 'Z';
}

function systemtimeToIso(buf: Buffer, off: number): string {
  const year = buf.readUInt16LE(off);
  const month = buf.readUInt16LE(off + 2);
  const day = buf.readUInt16LE(off + 6);
  const hour = buf.readUInt16LE(off + 8);
  const minute = buf.readUInt16LE(off + 10);
  const second = buf.readUInt16LE(off + 12);
  const ms = buf.readUInt16LE(off + 14);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(ms, 3)}000Z`;
}

export function guidToString(buf: Buffer, off: number): string {
  const d1 = buf.readUInt32LE(off).toString(16).padStart(8, '0');
  const d2 = buf.readUInt16LE(off + 4).toString(16).padStart(4, '0');
  const d3 = buf.readUInt16LE(off + 6).toString(16).padStart(4, '0');
  let d4 = '';
  for (let i = 8; i < 10; i++) d4 += HEX_UPPER[buf[off + i]!]!;
  let d5 = '';
  for (let i = 10; i < 16; i++) d5 += HEX_UPPER[buf[off + i]!]!;
  return `${d1}-${d2}-${d3}`.toUpperCase() + `-${d4}-${d5}`;
}

function sidToString(buf: Buffer, off: number, size: number): string {
  if (size < 8) return 'S-?';
  const revision = buf[off]!;
  const count = buf[off + 1]!;
  const authority = buf.readUIntBE(off + 2, 6);
  let s = `S-${revision}-${authority}`;
  const n = Math.min(count, Math.floor((size - 8) / 4));
  for (let i = 0; i < n; i++) s += '-' + buf.readUInt32LE(off + 8 + i * 4);
  return s;
}

function hexBytes(buf: Buffer, off: number, size: number): string {
  return buf.toString('hex', off, off + size).toUpperCase();
}

/** UTF-16LE text cut at the first NUL, as substitution strings often carry a terminator. */
export function utf16z(buf: Buffer, start: number, end: number): string {
  let stop = start;
  while (stop + 1 < end && (buf[stop] !== 0 || buf[stop + 1] !== 0)) stop += 2;
  return buf.toString('utf16le', start, stop);
}

function ansiz(buf: Buffer, start: number, end: number): string {
  let stop = start;
  while (stop < end && buf[stop] !== 0) stop++;
  return buf.toString('latin1', start, stop);
}

/** Fixed width in bytes of a base (non-array) type, 0 when variable. */
function fixedSize(type: number): number {
  switch (type) {
    case VT.Int8:
    case VT.UInt8:
      return 1;
    case VT.Int16:
    case VT.UInt16:
      return 2;
    case VT.Int32:
    case VT.UInt32:
    case VT.Real32:
    case VT.Bool:
    case VT.HexInt32:
      return 4;
    case VT.Int64:
    case VT.UInt64:
    case VT.Real64:
    case VT.FileTime:
    case VT.HexInt64:
      return 8;
    case VT.Guid:
    case VT.SysTime:
      return 16;
    default:
      return 0;
  }
}

function need(size: number, want: number, type: number): void {
  if (size < want) throw new EvtxFormatError(`value of type 0x${type.toString(16)} needs ${want} bytes, has ${size}`);
}

/**
 * Decodes one scalar value of `type` occupying `size` bytes at `off` (the caller has checked the
 * bounds). BinXml (0x21) is not handled here: it needs the chunk context.
 */
export function decodeScalar(buf: Buffer, off: number, size: number, type: number): Scalar {
  if (type & VT.ArrayFlag) return decodeArray(buf, off, size, type & 0x7f);
  switch (type) {
    case VT.Null:
      return null;
    case VT.String:
      return utf16z(buf, off, off + size);
    case VT.Ansi:
      return ansiz(buf, off, off + size);
    case VT.Int8:
      need(size, 1, type);
      return buf.readInt8(off);
    case VT.UInt8:
      need(size, 1, type);
      return buf[off]!;
    case VT.Int16:
      need(size, 2, type);
      return buf.readInt16LE(off);
    case VT.UInt16:
      need(size, 2, type);
      return buf.readUInt16LE(off);
    case VT.Int32:
      need(size, 4, type);
      return buf.readInt32LE(off);
    case VT.UInt32:
      need(size, 4, type);
      return buf.readUInt32LE(off);
    case VT.Int64:
      need(size, 8, type);
      return readI64(buf, off);
    case VT.UInt64:
      need(size, 8, type);
      return readU64(buf, off);
    case VT.Real32:
      need(size, 4, type);
      return String(buf.readFloatLE(off));
    case VT.Real64:
      need(size, 8, type);
      return String(buf.readDoubleLE(off));
    case VT.Bool:
      if (size >= 4) return buf.readUInt32LE(off) !== 0;
      need(size, 1, type);
      return buf[off] !== 0;
    case VT.Binary:
      return hexBytes(buf, off, size);
    case VT.Guid:
      need(size, 16, type);
      return guidToString(buf, off);
    case VT.SizeT:
      // size_t is a pointer-width integer that Windows renders in hexadecimal.
      if (size >= 8) return hexLower64(buf, off);
      need(size, 4, type);
      return '0x' + buf.readUInt32LE(off).toString(16);
    case VT.FileTime:
      need(size, 8, type);
      return filetimeToIso(buf, off);
    case VT.SysTime:
      need(size, 16, type);
      return systemtimeToIso(buf, off);
    case VT.Sid:
      return sidToString(buf, off, size);
    case VT.HexInt32:
      need(size, 4, type);
      return '0x' + buf.readUInt32LE(off).toString(16);
    case VT.HexInt64:
      need(size, 8, type);
      return hexLower64(buf, off);
    default:
      // EvtHandle, EvtXml and unknown types: keep the bytes visible rather than dropping them.
      return hexBytes(buf, off, size);
  }
}

/** Arrays render as comma-separated text, as evtx_dump does. */
function decodeArray(buf: Buffer, off: number, size: number, base: number): string {
  const end = off + size;
  const items: string[] = [];
  if (base === VT.String) {
    let start = off;
    for (let p = off; p + 1 < end; p += 2) {
      if (buf[p] === 0 && buf[p + 1] === 0) {
        items.push(buf.toString('utf16le', start, p));
        start = p + 2;
      }
    }
    if (start + 1 < end) items.push(buf.toString('utf16le', start, end - ((end - start) & 1)));
    return items.join(',');
  }
  if (base === VT.Ansi) {
    let start = off;
    for (let p = off; p < end; p++) {
      if (buf[p] === 0) {
        items.push(buf.toString('latin1', start, p));
        start = p + 1;
      }
    }
    if (start < end) items.push(buf.toString('latin1', start, end));
    return items.join(',');
  }
  let width = fixedSize(base);
  if (base === VT.SizeT) width = size % 8 === 0 ? 8 : 4;
  if (base === VT.Sid) {
    // SIDs are variable: each one states its own sub-authority count.
    let p = off;
    while (p + 8 <= end) {
      const len = 8 + 4 * buf[p + 1]!;
      if (p + len > end) break;
      items.push(sidToString(buf, p, len));
      p += len;
    }
    return items.join(',');
  }
  if (width === 0) return hexBytes(buf, off, size);
  for (let p = off; p + width <= end; p += width) items.push(String(decodeScalar(buf, p, width, base)));
  return items.join(',');
}
