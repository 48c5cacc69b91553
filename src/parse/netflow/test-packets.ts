/**
 * Byte-level builders for hand-made NetFlow/IPFIX packets in tests, written from the RFC layouts
 * so expectations come from the bytes we lay down, not from the decoder.
 */
import { parseIp } from './ip-address.js';

export const u8 = (v: number): Buffer => Buffer.from([v & 0xff]);
export const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
export const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
export const u64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
};
export const ip = (text: string): Buffer => {
  const b = parseIp(text);
  if (!b) throw new Error(`bad ip ${text}`);
  return Buffer.from(b);
};
export const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

export interface V5Record {
  src: string; dst: string; nextHop?: string; input?: number; output?: number; packets: number; bytes: number;
  first: number; last: number; sport: number; dport: number; tcpFlags?: number; proto: number; tos?: number;
  srcAs?: number; dstAs?: number; srcMask?: number; dstMask?: number;
}

export function v5Packet(h: { count?: number; sysUptime: number; secs: number; nsecs: number; seq?: number; engineType?: number; engineId?: number; sampling?: number }, recs: V5Record[]): Buffer {
  const header = cat(u16(5), u16(h.count ?? recs.length), u32(h.sysUptime), u32(h.secs), u32(h.nsecs), u32(h.seq ?? 0), u8(h.engineType ?? 0), u8(h.engineId ?? 0), u16(h.sampling ?? 0));
  const body = recs.map((r) =>
    cat(ip(r.src), ip(r.dst), ip(r.nextHop ?? '0.0.0.0'), u16(r.input ?? 0), u16(r.output ?? 0), u32(r.packets), u32(r.bytes), u32(r.first), u32(r.last),
      u16(r.sport), u16(r.dport), u8(0), u8(r.tcpFlags ?? 0), u8(r.proto), u8(r.tos ?? 0), u16(r.srcAs ?? 0), u16(r.dstAs ?? 0), u8(r.srcMask ?? 0), u8(r.dstMask ?? 0), u16(0)),
  );
  return cat(header, ...body);
}

/** A flowset/set: id, length (including 4-byte header and padding), body padded to `align`. */
export function set(id: number, body: Buffer, align = 4): Buffer {
  const pad = (align - ((body.length + 4) % align)) % align;
  return cat(u16(id), u16(body.length + 4 + pad), body, Buffer.alloc(pad));
}

export function v9Packet(h: { sysUptime: number; secs: number; seq?: number; sourceId?: number; count?: number }, flowsets: Buffer[]): Buffer {
  return cat(u16(9), u16(h.count ?? flowsets.length), u32(h.sysUptime), u32(h.secs), u32(h.seq ?? 0), u32(h.sourceId ?? 0), ...flowsets);
}

export type FieldDef = [id: number, length: number, enterprise?: number];

export function v9TemplateRecord(id: number, fields: FieldDef[]): Buffer {
  return cat(u16(id), u16(fields.length), ...fields.map(([t, l]) => cat(u16(t), u16(l))));
}

export function v9OptionsTemplateRecord(id: number, scope: FieldDef[], options: FieldDef[]): Buffer {
  return cat(u16(id), u16(scope.length * 4), u16(options.length * 4), ...[...scope, ...options].map(([t, l]) => cat(u16(t), u16(l))));
}

export function ipfixMessage(h: { exportTime: number; seq?: number; domain?: number; length?: number }, sets: Buffer[]): Buffer {
  const body = cat(...sets);
  return cat(u16(10), u16(h.length ?? body.length + 16), u32(h.exportTime), u32(h.seq ?? 0), u32(h.domain ?? 0), body);
}

function ipfixField([id, len, pen]: FieldDef): Buffer {
  return pen === undefined ? cat(u16(id), u16(len)) : cat(u16(id | 0x8000), u16(len), u32(pen));
}

export function ipfixTemplateRecord(id: number, fields: FieldDef[]): Buffer {
  return cat(u16(id), u16(fields.length), ...fields.map(ipfixField));
}

export function ipfixOptionsTemplateRecord(id: number, scope: FieldDef[], options: FieldDef[]): Buffer {
  return cat(u16(id), u16(scope.length + options.length), u16(scope.length), ...[...scope, ...options].map(ipfixField));
}

/** IPFIX variable-length value: 1-byte length below 255, else 255 + 2-byte length. */
export function varField(value: Buffer, forceLong = false): Buffer {
  return value.length < 255 && !forceLong ? cat(u8(value.length), value) : cat(u8(255), u16(value.length), value);
}
