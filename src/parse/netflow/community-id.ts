/**
 * Community ID v1 (corelight/community-id-spec): a direction-free flow hash shared with Zeek,
 * Suricata and Elastic, so a NetFlow record can be joined to their logs by one string.
 */
import { createHash } from 'node:crypto';
import { parseIp } from './ip-address.js';

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMP6 = 58;
const PROTO_SCTP = 132;

// Request/reply ICMP types map to their counterpart so both directions hash alike (Zeek's rule).
const ICMP4_PAIR = new Map<number, number>([
  [8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [10, 9], [9, 10], [17, 18], [18, 17],
]);
const ICMP6_PAIR = new Map<number, number>([
  [128, 129], [129, 128], [130, 131], [131, 130], [133, 134], [134, 133],
  [135, 136], [136, 135], [139, 140], [140, 139], [144, 145], [145, 144],
]);

function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

const scratch = Buffer.alloc(40);

/**
 * For ICMP/ICMPv6 pass the message type as `sourcePort` and the code as `destinationPort`, as the
 * spec's `community_id_icmp` takes them. Returns undefined when an address does not parse, the
 * families differ, or a port-carrying protocol lacks ports.
 */
export function communityIdFromBytes(
  saddr: Uint8Array,
  daddr: Uint8Array,
  proto: number,
  sourcePort?: number,
  destinationPort?: number,
  seed = 0,
): string | undefined {
  if (saddr.length !== daddr.length || (saddr.length !== 4 && saddr.length !== 16)) return undefined;
  if (!Number.isInteger(proto) || proto < 0 || proto > 255) return undefined;
  const portProto = proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP || proto === PROTO_ICMP || proto === PROTO_ICMP6;
  let sport = sourcePort;
  let dport = destinationPort;
  const hasPorts = sport !== undefined && dport !== undefined;
  if (portProto && !hasPorts) return undefined;
  if (hasPorts && !(isPort(sport) && isPort(dport))) return undefined;
  let oneWay = false;
  if (hasPorts && (proto === PROTO_ICMP || proto === PROTO_ICMP6)) {
    const pair = (proto === PROTO_ICMP ? ICMP4_PAIR : ICMP6_PAIR).get(sport!);
    if (pair === undefined) oneWay = true;
    else dport = pair;
  }
  let a = saddr;
  let b = daddr;
  const ordered = oneWay || lessThan(a, b) || (equal(a, b) && hasPorts && sport! < dport!);
  if (!ordered) {
    a = daddr;
    b = saddr;
    const t = sport;
    sport = dport;
    dport = t;
  }
  let o = scratch.writeUInt16BE(seed & 0xffff, 0);
  scratch.set(a, o);
  o += a.length;
  scratch.set(b, o);
  o += b.length;
  scratch[o++] = proto;
  scratch[o++] = 0;
  if (hasPorts) {
    o = scratch.writeUInt16BE(sport!, o);
    o = scratch.writeUInt16BE(dport!, o);
  }
  return `1:${createHash('sha1').update(scratch.subarray(0, o)).digest('base64')}`;
}

/** Same as {@link communityIdFromBytes} with text addresses. */
export function communityId(
  sourceIp: string,
  destinationIp: string,
  proto: number,
  sourcePort?: number,
  destinationPort?: number,
  seed = 0,
): string | undefined {
  const s = parseIp(sourceIp);
  const d = parseIp(destinationIp);
  if (!s || !d) return undefined;
  return communityIdFromBytes(s, d, proto, sourcePort, destinationPort, seed);
}

function isPort(p: number | undefined): boolean {
  return p !== undefined && Number.isInteger(p) && p >= 0 && p <= 65535;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
