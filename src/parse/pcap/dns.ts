import { type Parsed, ok, fail } from '../../schema/result.js';
import { ipv6Text } from './decode.js';

/**
 * DNS wire format (RFC 1035) with name compression. Decoding is loop-safe: a name may follow at
 * most 32 pointers and must stay under 255 bytes, so a crafted message cannot hang the reader.
 */
export interface DnsRecord { name: string; type: string; class: number; ttl?: number; data?: string }
export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  rcode: number;
  flags: string[];
  questions: DnsRecord[];
  answers: DnsRecord[];
}

const TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 255: 'ANY', 257: 'CAA',
};
export const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

export const dnsTypeName = (t: number): string => TYPES[t] ?? `TYPE${t}`;

/** Reads a (possibly compressed) name at `off`; returns the name and the offset after it in place. */
export function readName(msg: Buffer, off: number): Parsed<{ name: string; next: number }> {
  const labels: string[] = [];
  let pos = off;
  let next = -1;
  let jumps = 0;
  let length = 0;
  for (;;) {
    if (pos >= msg.length) return fail('dns: name runs past the end of the message');
    const len = msg[pos]!;
    if (len === 0) {
      if (next === -1) next = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) return fail('dns: truncated compression pointer');
      if (++jumps > 32) return fail('dns: too many compression pointers (loop?)');
      if (next === -1) next = pos + 2;
      pos = ((len & 0x3f) << 8) | msg[pos + 1]!;
      continue;
    }
    if ((len & 0xc0) !== 0) return fail(`dns: unsupported label type 0x${len.toString(16)}`);
    if (pos + 1 + len > msg.length) return fail('dns: label runs past the end of the message');
    length += len + 1;
    if (length > 255) return fail('dns: name longer than 255 bytes');
    labels.push(msg.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return ok({ name: labels.join('.'), next });
}

function rdataText(msg: Buffer, type: number, off: number, len: number): string | undefined {
  if (type === 1 && len === 4) return `${msg[off]}.${msg[off + 1]}.${msg[off + 2]}.${msg[off + 3]}`;
  if (type === 28 && len === 16) return ipv6Text(msg, off);
  if (type === 2 || type === 5 || type === 12) {
    const n = readName(msg, off);
    return n.ok ? n.value.name : undefined;
  }
  if (type === 15 && len >= 3) {
    const n = readName(msg, off + 2);
    return n.ok ? n.value.name : undefined;
  }
  if (type === 16) {
    const parts: string[] = [];
    let p = off;
    const end = off + len;
    while (p < end) {
      const l = msg[p]!;
      if (p + 1 + l > end) break;
      parts.push(msg.toString('utf8', p + 1, p + 1 + l));
      p += 1 + l;
    }
    return parts.join('');
  }
  return undefined;
}

export function parseDnsMessage(msg: Buffer): Parsed<DnsMessage> {
  if (msg.length < 12) return fail('dns: message shorter than its 12-byte header');
  const id = msg.readUInt16BE(0);
  const flagsWord = msg.readUInt16BE(2);
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  const flags: string[] = [];
  if (flagsWord & 0x0400) flags.push('AA');
  if (flagsWord & 0x0200) flags.push('TC');
  if (flagsWord & 0x0100) flags.push('RD');
  if (flagsWord & 0x0080) flags.push('RA');
  const out: DnsMessage = { id, response: (flagsWord & 0x8000) !== 0, opcode: (flagsWord >> 11) & 0xf, rcode: flagsWord & 0xf, flags, questions: [], answers: [] };
  let off = 12;
  for (let i = 0; i < qd; i++) {
    const n = readName(msg, off);
    if (!n.ok) return n;
    off = n.value.next;
    if (off + 4 > msg.length) return fail('dns: truncated question');
    out.questions.push({ name: n.value.name, type: dnsTypeName(msg.readUInt16BE(off)), class: msg.readUInt16BE(off + 2) });
    off += 4;
  }
  for (let i = 0; i < an; i++) {
    const n = readName(msg, off);
    if (!n.ok) return n;
    off = n.value.next;
    if (off + 10 > msg.length) return fail('dns: truncated answer');
    const type = msg.readUInt16BE(off);
    const cls = msg.readUInt16BE(off + 2);
    const ttl = msg.readUInt32BE(off + 4);
    const rdlen = msg.readUInt16BE(off + 8);
    off += 10;
    if (off + rdlen > msg.length) return fail('dns: answer data runs past the end of the message');
    const rec: DnsRecord = { name: n.value.name, type: dnsTypeName(type), class: cls, ttl };
    const data = rdataText(msg, type, off, rdlen);
    if (data !== undefined) rec.data = data;
    out.answers.push(rec);
    off += rdlen;
  }
  return ok(out);
}
