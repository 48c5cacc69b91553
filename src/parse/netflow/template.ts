/**
 * A learned (options) template, compiled into parallel arrays so decoding a record is one tight
 * loop with no lookups by name. Also the value decoders for each abstract IE type, which accept
 * reduced-size encodings (RFC 7011 §6.2: an unsigned64 counter may arrive in 1, 2, 4... octets).
 */
import { ianaIe, IeType, V9_SCOPE_NAMES } from './information-elements.js';
import { formatIPv4, formatIPv6, formatMac, toHex } from './ip-address.js';
import { isoFromMillis } from './iso-time.js';
import { SLOT_BY_IE, type FlowKeys } from './flow-keys.js';

/** IPFIX's marker for a field whose length is carried in each record. */
export const VARIABLE_LENGTH = 65535;

export interface FieldSpec {
  id: number;
  length: number;
  /** IANA Private Enterprise Number; 0 for IANA IEs. */
  enterprise: number;
  /** v9 options scope fields use their own type numbers (1 system .. 5 template), not IE ids. */
  v9Scope?: boolean;
}

export interface Template {
  id: number;
  isOptions: boolean;
  scopeCount: number;
  names: string[];
  types: IeType[];
  lengths: number[];
  /** Slot for the ECS mapper, -1 when the field is only kept under `netflow.*`. */
  slots: number[];
  /** Smallest possible record (a variable-length field counts one octet). */
  minLength: number;
  hasVariable: boolean;
  /** Identity of the layout, to tell a refresh from a redefinition. */
  signature: string;
}

export function compileTemplate(id: number, fields: FieldSpec[], isOptions: boolean, scopeCount: number): Template {
  const names: string[] = [];
  const types: IeType[] = [];
  const lengths: number[] = [];
  const slots: number[] = [];
  let minLength = 0;
  let hasVariable = false;
  let signature = `${id}/${isOptions ? 'o' : 't'}/${scopeCount}`;
  for (const f of fields) {
    let name: string;
    let type: IeType;
    let slot = -1;
    if (f.v9Scope) {
      name = V9_SCOPE_NAMES[f.id] ?? `scope_${f.id}`;
      type = f.length <= 8 ? IeType.Unsigned : IeType.Octets;
    } else if (f.enterprise !== 0) {
      name = `enterprise_${f.enterprise}_${f.id}`;
      type = IeType.Octets;
    } else {
      const info = ianaIe(f.id);
      name = info?.name ?? `ie_${f.id}`;
      type = info?.type ?? (f.length <= 8 && f.length !== VARIABLE_LENGTH ? IeType.Unsigned : IeType.Octets);
      slot = SLOT_BY_IE[f.id] ?? -1;
    }
    names.push(name);
    types.push(type);
    lengths.push(f.length);
    slots.push(slot);
    if (f.length === VARIABLE_LENGTH) {
      hasVariable = true;
      minLength += 1;
    } else {
      minLength += f.length;
    }
    signature += `,${f.v9Scope ? 's' : ''}${f.enterprise}:${f.id}:${f.length}`;
  }
  return { id, isOptions, scopeCount, names, types, lengths, slots, minLength, hasVariable, signature };
}

const NTP_UNIX_OFFSET_S = 2208988800;
const TWO_32 = 4294967296;

function readUnsigned(buf: Buffer, off: number, len: number): number {
  switch (len) {
    case 1:
      return buf[off]!;
    case 2:
      return buf.readUInt16BE(off);
    case 4:
      return buf.readUInt32BE(off);
    case 8:
      return buf.readUInt32BE(off) * TWO_32 + buf.readUInt32BE(off + 4);
    default: {
      // Exact up to 2^53; larger 64-bit counters lose low bits, which no dashboard will notice.
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + buf[off + i]!;
      return v;
    }
  }
}

function readSigned(buf: Buffer, off: number, len: number): number {
  const u = readUnsigned(buf, off, len);
  const top = 2 ** (8 * len - 1);
  return u >= top ? u - 2 * top : u;
}

/** NTP 64-bit timestamp (RFC 7011 §6.1.9-10) -> epoch milliseconds. */
function readNtpMillis(buf: Buffer, off: number, micros: boolean): number {
  const secs = buf.readUInt32BE(off);
  let frac = buf.readUInt32BE(off + 4);
  // dateTimeMicroseconds: the low 11 bits of the fraction are not significant.
  if (micros) frac = frac - (frac % 2048);
  return (secs - NTP_UNIX_OFFSET_S) * 1000 + (frac / TWO_32) * 1000;
}

const isoOrUndefined = isoFromMillis;

// Second result of decodeValue, kept in a module variable to avoid a result object per field.
let keyOut: number | string | undefined;

/**
 * Decodes one value and returns it as stored under `netflow.*`; also leaves in `keyOut` the value
 * the ECS mapper reads: a number for numeric and date types (dates in epoch ms), a string for
 * addresses.
 */
function decodeValue(type: IeType, buf: Buffer, off: number, len: number): unknown {
  switch (type) {
    case IeType.Unsigned:
      if (len >= 1 && len <= 8) {
        const v = readUnsigned(buf, off, len);
        return ((keyOut = v), v);
      }
      break;
    case IeType.Signed:
      if (len >= 1 && len <= 8) {
        const v = readSigned(buf, off, len);
        return ((keyOut = v), v);
      }
      break;
    case IeType.Float:
      if (len === 4) {
        const v = buf.readFloatBE(off);
        return ((keyOut = v), v);
      }
      if (len === 8) {
        const v = buf.readDoubleBE(off);
        return ((keyOut = v), v);
      }
      break;
    case IeType.Boolean:
      if (len === 1) return ((keyOut = buf[off]), buf[off] === 1);
      break;
    case IeType.Mac:
      if (len === 6) {
        const v = formatMac(buf, off);
        return ((keyOut = v), v);
      }
      break;
    case IeType.IPv4:
      if (len === 4) {
        const v = formatIPv4(buf, off);
        return ((keyOut = v), v);
      }
      break;
    case IeType.IPv6:
      if (len === 16) {
        const v = formatIPv6(buf, off);
        return ((keyOut = v), v);
      }
      break;
    case IeType.String: {
      let end = off + len;
      while (end > off && buf[end - 1] === 0) end--;
      const v = buf.toString('utf8', off, end);
      return ((keyOut = v), v);
    }
    case IeType.DateSeconds:
      if (len >= 1 && len <= 8) {
        const ms = readUnsigned(buf, off, len) * 1000;
        return ((keyOut = ms), isoOrUndefined(ms));
      }
      break;
    case IeType.DateMillis:
      if (len >= 1 && len <= 8) {
        const ms = readUnsigned(buf, off, len);
        return ((keyOut = ms), isoOrUndefined(ms));
      }
      break;
    case IeType.DateMicros:
    case IeType.DateNanos:
      if (len === 8) {
        const ms = readNtpMillis(buf, off, type === IeType.DateMicros);
        return ((keyOut = ms), isoOrUndefined(ms));
      }
      break;
    case IeType.Octets:
      break;
  }
  return ((keyOut = undefined), toHex(buf, off, len));
}

/**
 * Decodes the record at `off` into `out` (the `netflow.*` object) and `keys`. Returns the offset
 * after the record, or -1 if the record runs past `end` (a truncated or padded tail).
 */
export function decodeRecord(tpl: Template, buf: Buffer, off: number, end: number, out: Record<string, unknown>, keys: FlowKeys): number {
  const { names, types, lengths, slots } = tpl;
  let p = off;
  for (let i = 0; i < names.length; i++) {
    let len = lengths[i]!;
    if (len === VARIABLE_LENGTH) {
      if (p >= end) return -1;
      len = buf[p++]!;
      if (len === 255) {
        if (p + 2 > end) return -1;
        len = buf.readUInt16BE(p);
        p += 2;
      }
    }
    if (p + len > end) return -1;
    if (len > 0) {
      keyOut = undefined;
      const raw = decodeValue(types[i]!, buf, p, len);
      if (raw !== undefined) out[names[i]!] = raw;
      const slot = slots[i]!;
      if (slot >= 0) keys[slot] = keyOut;
    }
    p += len;
  }
  return p;
}
