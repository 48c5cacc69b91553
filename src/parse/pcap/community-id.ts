import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';

/**
 * Community ID v1 (corelight/community-id-spec) for TCP/UDP/SCTP flows: base64 SHA-1 over
 * seed, the ordered address/port pair and the protocol; ICMP/ICMPv6 use the type/code pairing of
 * the specification. Other protocols get undefined.
 */
function addrBytes(ip: string): Buffer | undefined {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const words = halves.length === 2 ? [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) return undefined;
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}

/** ICMP message types that have a counterpart (request/reply): the flow is two-way. */
const ICMP4_PAIRS: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
const ICMP6_PAIRS: Record<number, number> = { 128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130, 144: 145, 145: 144 };

/**
 * For ICMP (1) and ICMPv6 (58) pass the message type as `srcPort` and the code as `dstPort`, as the
 * specification does.
 */
export function communityId(srcIp: string, srcPort: number, dstIp: string, dstPort: number, proto: number, seed = 0): string | undefined {
  let oneWay = false;
  let ap = srcPort;
  let bp = dstPort;
  if (proto === 1 || proto === 58) {
    const pair = (proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS)[srcPort];
    if (pair === undefined) oneWay = true;
    else bp = pair;
  } else if (proto !== 6 && proto !== 17 && proto !== 132) return undefined;
  let a = addrBytes(srcIp);
  let b = addrBytes(dstIp);
  if (!a || !b || a.length !== b.length) return undefined;
  const cmp = Buffer.compare(a, b);
  if (!oneWay && (cmp > 0 || (cmp === 0 && ap > bp))) {
    [a, b] = [b, a];
    [ap, bp] = [bp, ap];
  }
  const head = Buffer.alloc(2);
  head.writeUInt16BE(seed & 0xffff);
  const tail = Buffer.alloc(6);
  tail[0] = proto;
  tail[1] = 0;
  tail.writeUInt16BE(ap, 2);
  tail.writeUInt16BE(bp, 4);
  return `1:${createHash('sha1').update(head).update(a).update(b).update(tail).digest('base64')}`;
}
