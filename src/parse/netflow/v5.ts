/**
 * NetFlow v5 (Cisco's fixed layout): a 24-byte header and up to 30 records of 48 bytes.
 *
 * header: version(2) count(2) sysUptime(4) unix_secs(4) unix_nsecs(4) flow_sequence(4)
 *         engine_type(1) engine_id(1) sampling_interval(2)
 * record: srcaddr(4) dstaddr(4) nexthop(4) input(2) output(2) dPkts(4) dOctets(4) first(4)
 *         last(4) srcport(2) dstport(2) pad1(1) tcp_flags(1) prot(1) tos(1) src_as(2) dst_as(2)
 *         src_mask(1) dst_mask(1) pad2(2)
 */
import type { RawEventDoc } from '../../schema/ecs.js';
import { formatIPv4 } from './ip-address.js';
import { newFlowKeys, Slot } from './flow-keys.js';
import { flowToEcs } from './flow-to-ecs.js';
import type { PacketContext } from './template-store.js';

export const V5_HEADER_LENGTH = 24;
export const V5_RECORD_LENGTH = 48;

export function decodeV5(buf: Buffer, exporter: string, exporterIp: string, receivedAtMs: number, records: RawEventDoc[], errors: string[]): void {
  if (buf.length < V5_HEADER_LENGTH) {
    errors.push(`netflow v5 from ${exporter}: packet of ${buf.length} bytes is shorter than the 24-byte header`);
    return;
  }
  const count = buf.readUInt16BE(2);
  const sampling = buf.readUInt16BE(22);
  const ctx: PacketContext = {
    version: 5,
    exporter,
    exporterIp,
    domain: (buf[20]! << 8) | buf[21]!,
    sysUptimeMs: buf.readUInt32BE(4),
    exportTimeMs: buf.readUInt32BE(8) * 1000 + Math.floor(buf.readUInt32BE(12) / 1e6),
    sequence: buf.readUInt32BE(16),
    receivedAtMs,
    v5Header: { engine_type: buf[20]!, engine_id: buf[21]!, sampling_interval: sampling & 0x3fff, sampling_mode: sampling >> 14 },
  };
  const available = Math.floor((buf.length - V5_HEADER_LENGTH) / V5_RECORD_LENGTH);
  if (count > available) {
    errors.push(`netflow v5 from ${exporter}: header announces ${count} records but only ${available} fit in ${buf.length} bytes`);
  }
  const n = Math.min(count, available);
  const keys = newFlowKeys();
  for (let i = 0; i < n; i++) {
    const o = V5_HEADER_LENGTH + i * V5_RECORD_LENGTH;
    keys.fill(undefined);
    const src = formatIPv4(buf, o);
    const dst = formatIPv4(buf, o + 4);
    const nf: Record<string, unknown> = {
      source_ipv4_address: src,
      destination_ipv4_address: dst,
      ip_next_hop_ipv4_address: formatIPv4(buf, o + 8),
      ingress_interface: buf.readUInt16BE(o + 12),
      egress_interface: buf.readUInt16BE(o + 14),
      packet_delta_count: buf.readUInt32BE(o + 16),
      octet_delta_count: buf.readUInt32BE(o + 20),
      flow_start_sys_up_time: buf.readUInt32BE(o + 24),
      flow_end_sys_up_time: buf.readUInt32BE(o + 28),
      source_transport_port: buf.readUInt16BE(o + 32),
      destination_transport_port: buf.readUInt16BE(o + 34),
      tcp_control_bits: buf[o + 37]!,
      protocol_identifier: buf[o + 38]!,
      ip_class_of_service: buf[o + 39]!,
      bgp_source_as_number: buf.readUInt16BE(o + 40),
      bgp_destination_as_number: buf.readUInt16BE(o + 42),
      source_ipv4_prefix_length: buf[o + 44]!,
      destination_ipv4_prefix_length: buf[o + 45]!,
    };
    keys[Slot.SrcIPv4] = src;
    keys[Slot.DstIPv4] = dst;
    keys[Slot.Packets] = nf.packet_delta_count as number;
    keys[Slot.Bytes] = nf.octet_delta_count as number;
    keys[Slot.FirstUptime] = nf.flow_start_sys_up_time as number;
    keys[Slot.LastUptime] = nf.flow_end_sys_up_time as number;
    keys[Slot.SrcPort] = nf.source_transport_port as number;
    keys[Slot.DstPort] = nf.destination_transport_port as number;
    keys[Slot.Proto] = nf.protocol_identifier as number;
    keys[Slot.SrcAs] = nf.bgp_source_as_number as number;
    keys[Slot.DstAs] = nf.bgp_destination_as_number as number;
    records.push(flowToEcs(keys, nf, ctx, undefined));
  }
}
