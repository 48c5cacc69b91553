/**
 * NetFlow v9 decode throughput on one core: one template packet, then many full data packets
 * (24 IPv4 flows of a typical 20-field router template, ~1.4 KB each), decoded to ECS documents.
 * Prints one JSON line per result.
 */
import { NetflowDecoder } from '../src/parse/netflow/index.js';
import { cat, ip, set, u16, u32, u8, v9Packet, v9TemplateRecord, type FieldDef } from '../src/parse/netflow/test-packets.js';

const FIELDS: FieldDef[] = [
  [8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4], [22, 4], [21, 4], [10, 2], [14, 2],
  [6, 1], [5, 1], [16, 4], [17, 4], [15, 4], [9, 1], [13, 1], [61, 1], [89, 1],
];
const RECORDS_PER_PACKET = 24;
const UPTIME = 86_400_000;
const SECS = 1_700_000_000;

function record(i: number): Buffer {
  const proto = i % 3 === 0 ? 17 : 6;
  return cat(
    ip(`10.${(i >> 8) & 255}.${i & 255}.7`), ip(`192.0.2.${i % 250}`), u16(1024 + (i % 60000)), u16(i % 2 ? 443 : 53), u8(proto),
    u32(500 + i), u32(3 + (i % 50)), u32(UPTIME - 60_000), u32(UPTIME - 1_000), u16(1), u16(2), u8(0x1b), u8(0), u32(64512), u32(15169),
    ip('10.0.0.1'), u8(24), u8(24), u8(0), u8(64),
  );
}

const decoder = new NetflowDecoder();
const exporter = '192.0.2.254:2055';
const now = new Date();
decoder.decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, v9TemplateRecord(256, FIELDS))]), exporter, now);

const PACKETS = 64;
const packets: Buffer[] = [];
for (let p = 0; p < PACKETS; p++) {
  const recs: Buffer[] = [];
  for (let r = 0; r < RECORDS_PER_PACKET; r++) recs.push(record(p * RECORDS_PER_PACKET + r));
  packets.push(v9Packet({ sysUptime: UPTIME, secs: SECS, seq: p }, [set(256, cat(...recs))]));
}

function run(iterations: number): { events: number; seconds: number } {
  let events = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const r = decoder.decode(packets[i % PACKETS]!, exporter, now);
    events += r.records.length;
    if (r.errors.length > 0) throw new Error(r.errors.join('; '));
  }
  return { events, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

run(2_000); // warm-up
const { events, seconds } = run(20_000);
console.log(
  JSON.stringify({
    name: 'netflow.v9.decode',
    events,
    seconds: Number(seconds.toFixed(3)),
    eventsPerSecond: Math.round(events / seconds),
    recordsPerPacket: RECORDS_PER_PACKET,
    packetBytes: packets[0]!.length,
    packetsPerSecond: Math.round(20_000 / seconds),
  }),
);
