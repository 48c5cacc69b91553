/**
 * One decoded flow record -> an ECS document. Raw fields stay under `netflow.*` (Filebeat's
 * names); ECS fields are derived from the slot values collected while decoding.
 */
import type { RawEventDoc } from '../../schema/ecs.js';
import { communityId } from './community-id.js';
import { macToEcs, parseIp } from './ip-address.js';
import { isoFromMillis } from './iso-time.js';
import { Slot, type FlowKeys } from './flow-keys.js';
import type { PacketContext } from './template-store.js';

const TRANSPORTS: Readonly<Record<number, string>> = {
  1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 89: 'ospf', 103: 'pim', 112: 'vrrp', 132: 'sctp',
};

const num = (v: number | string | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: number | string | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const iso = isoFromMillis;

/** Start/end of the flow in epoch ms, from whichever clock the exporter used. */
export function flowTimes(keys: FlowKeys, ctx: PacketContext, systemInitMs: number | undefined): { start?: number; end?: number } {
  let start = num(keys[Slot.StartNs]) ?? num(keys[Slot.StartUs]) ?? num(keys[Slot.StartMs]) ?? num(keys[Slot.StartSec]);
  let end = num(keys[Slot.EndNs]) ?? num(keys[Slot.EndUs]) ?? num(keys[Slot.EndMs]) ?? num(keys[Slot.EndSec]);
  const firstUp = num(keys[Slot.FirstUptime]);
  const lastUp = num(keys[Slot.LastUptime]);
  if (ctx.sysUptimeMs !== undefined) {
    // v5/v9: switched times are sysUptime-relative; `| 0` takes the difference modulo 2^32 so an
    // uptime counter that wrapped (every ~49.7 days) between flow start and export still works.
    const up = ctx.sysUptimeMs;
    if (start === undefined && firstUp !== undefined) start = ctx.exportTimeMs - ((up - firstUp) | 0);
    if (end === undefined && lastUp !== undefined) end = ctx.exportTimeMs - ((up - lastUp) | 0);
  } else {
    // IPFIX: relative to the exporter's boot time, carried in the record or in options data.
    const init = num(keys[Slot.SysInitMs]) ?? systemInitMs;
    if (init !== undefined) {
      if (start === undefined && firstUp !== undefined) start = init + firstUp;
      if (end === undefined && lastUp !== undefined) end = init + lastUp;
    }
  }
  const startDelta = num(keys[Slot.StartDeltaUs]);
  const endDelta = num(keys[Slot.EndDeltaUs]);
  if (start === undefined && startDelta !== undefined) start = ctx.exportTimeMs - startDelta / 1000;
  if (end === undefined && endDelta !== undefined) end = ctx.exportTimeMs - endDelta / 1000;
  const durMs = num(keys[Slot.DurationMs]) ?? (num(keys[Slot.DurationUs]) !== undefined ? num(keys[Slot.DurationUs])! / 1000 : undefined);
  if (durMs !== undefined) {
    if (start !== undefined && end === undefined) end = start + durMs;
    else if (end !== undefined && start === undefined) start = end - durMs;
  }
  const out: { start?: number; end?: number } = {};
  if (start !== undefined) out.start = start;
  if (end !== undefined) out.end = end;
  return out;
}

function exporterInfo(ctx: PacketContext): Record<string, unknown> {
  const e: Record<string, unknown> = { address: ctx.exporter, version: ctx.version, timestamp: iso(ctx.exportTimeMs) };
  if (ctx.version === 10) e.observation_domain_id = ctx.domain;
  else if (ctx.version === 9) e.source_id = ctx.domain;
  if (ctx.sysUptimeMs !== undefined) e.uptime_millis = ctx.sysUptimeMs;
  if (ctx.v5Header) Object.assign(e, ctx.v5Header);
  return e;
}

// Exporters are normally given as ip:port; a host name (from a config or a test) is not an IP.
const exporterIsIp = new Map<string, boolean>();
function observer(ctx: PacketContext): Record<string, unknown> {
  let isIp = exporterIsIp.get(ctx.exporterIp);
  if (isIp === undefined) {
    isIp = parseIp(ctx.exporterIp) !== undefined;
    if (exporterIsIp.size > 10_000) exporterIsIp.clear();
    exporterIsIp.set(ctx.exporterIp, isIp);
  }
  // A fresh object per document: downstream stages may mutate one event without touching others.
  return isIp ? { ip: [ctx.exporterIp] } : { hostname: ctx.exporterIp };
}

export function flowToEcs(keys: FlowKeys, nf: Record<string, unknown>, ctx: PacketContext, systemInitMs: number | undefined): RawEventDoc {
  const { start, end } = flowTimes(keys, ctx, systemInitMs);
  const event: Record<string, unknown> = {
    kind: 'event',
    category: ['network'],
    type: ['connection'],
    action: 'netflow_flow',
    module: 'netflow',
    dataset: 'netflow.log',
  };
  const startIso = iso(start);
  const endIso = iso(end);
  if (startIso) event.start = startIso;
  if (endIso) event.end = endIso;
  if (start !== undefined && end !== undefined && end >= start) event.duration = Math.round((end - start) * 1e6);

  const srcIp = str(keys[Slot.SrcIPv4]) ?? str(keys[Slot.SrcIPv6]);
  const dstIp = str(keys[Slot.DstIPv4]) ?? str(keys[Slot.DstIPv6]);
  const proto = num(keys[Slot.Proto]);
  const sport = num(keys[Slot.SrcPort]) ?? num(keys[Slot.TcpSrcPort]) ?? num(keys[Slot.UdpSrcPort]);
  const dport = num(keys[Slot.DstPort]) ?? num(keys[Slot.TcpDstPort]) ?? num(keys[Slot.UdpDstPort]);
  const bytes = num(keys[Slot.Bytes]) ?? num(keys[Slot.BytesTotal]) ?? num(keys[Slot.PostBytes]) ?? num(keys[Slot.InitiatorOctets]);
  const packets = num(keys[Slot.Packets]) ?? num(keys[Slot.PacketsTotal]) ?? num(keys[Slot.PostPackets]) ?? num(keys[Slot.InitiatorPackets]);
  const respBytes = num(keys[Slot.ResponderOctets]);
  const respPackets = num(keys[Slot.ResponderPackets]);

  const source: Record<string, unknown> = {};
  const destination: Record<string, unknown> = {};
  if (srcIp !== undefined) source.ip = srcIp;
  if (dstIp !== undefined) destination.ip = dstIp;

  // ICMP carries type/code, not ports; exporters put them in icmpTypeCode* or (v5 and many v9
  // exporters) in the destination port as type*256+code.
  let icmpType: number | undefined;
  let icmpCode: number | undefined;
  if (proto === 1 || proto === 58) {
    const tc = proto === 1 ? num(keys[Slot.IcmpTypeCode4]) : num(keys[Slot.IcmpTypeCode6]);
    const t = proto === 1 ? num(keys[Slot.IcmpType4]) : num(keys[Slot.IcmpType6]);
    const c = proto === 1 ? num(keys[Slot.IcmpCode4]) : num(keys[Slot.IcmpCode6]);
    if (tc !== undefined) {
      icmpType = (tc >> 8) & 0xff;
      icmpCode = tc & 0xff;
    } else if (t !== undefined) {
      icmpType = t;
      icmpCode = c ?? 0;
    } else if (dport !== undefined && (sport === undefined || sport === 0)) {
      icmpType = (dport >> 8) & 0xff;
      icmpCode = dport & 0xff;
    }
  }
  if (sport !== undefined) source.port = sport;
  if (dport !== undefined) destination.port = dport;
  if (bytes !== undefined) source.bytes = bytes;
  if (packets !== undefined) source.packets = packets;
  if (respBytes !== undefined) destination.bytes = respBytes;
  if (respPackets !== undefined) destination.packets = respPackets;
  const smac = str(keys[Slot.SrcMac]);
  const dmac = str(keys[Slot.DstMac]);
  if (smac) source.mac = macToEcs(smac);
  if (dmac) destination.mac = macToEcs(dmac);
  const sas = num(keys[Slot.SrcAs]);
  const das = num(keys[Slot.DstAs]);
  if (sas) source.as = { number: sas };
  if (das) destination.as = { number: das };

  const network: Record<string, unknown> = {};
  if (proto !== undefined) {
    const t = TRANSPORTS[proto];
    if (t) network.transport = t;
    network.iana_number = String(proto);
  }
  if (bytes !== undefined || respBytes !== undefined) network.bytes = (bytes ?? 0) + (respBytes ?? 0);
  if (packets !== undefined || respPackets !== undefined) network.packets = (packets ?? 0) + (respPackets ?? 0);
  const ipVersion = num(keys[Slot.IpVersion]);
  if (keys[Slot.SrcIPv4] !== undefined || keys[Slot.DstIPv4] !== undefined || ipVersion === 4) network.type = 'ipv4';
  else if (keys[Slot.SrcIPv6] !== undefined || keys[Slot.DstIPv6] !== undefined || ipVersion === 6) network.type = 'ipv6';
  const direction = num(keys[Slot.Direction]);
  if (direction === 0) network.direction = 'ingress';
  else if (direction === 1) network.direction = 'egress';
  const vlan = num(keys[Slot.Vlan]);
  if (vlan) network.vlan = { id: String(vlan) };
  if (srcIp !== undefined && dstIp !== undefined && proto !== undefined) {
    const isIcmp = proto === 1 || proto === 58;
    const cid = isIcmp && icmpType !== undefined ? communityId(srcIp, dstIp, proto, icmpType, icmpCode) : communityId(srcIp, dstIp, proto, sport, dport);
    if (cid) network.community_id = cid;
  }

  nf.exporter = exporterInfo(ctx);
  nf.type = 'netflow_flow';
  if (icmpType !== undefined) {
    nf.icmp_type = icmpType;
    nf.icmp_code = icmpCode;
  }

  const doc: RawEventDoc = { '@timestamp': endIso ?? startIso ?? iso(ctx.exportTimeMs) ?? iso(ctx.receivedAtMs), event };
  if (Object.keys(source).length > 0) doc.source = source;
  if (Object.keys(destination).length > 0) doc.destination = destination;
  doc.network = network;
  doc.observer = observer(ctx);
  doc.netflow = nf;
  const related: string[] = [];
  if (srcIp !== undefined) related.push(srcIp);
  if (dstIp !== undefined && dstIp !== srcIp) related.push(dstIp);
  if (related.length > 0) doc.related = { ip: related };
  return doc;
}

/** Options data (sampling rate, interface names, exporter boot time, ...) as a metric event. */
export function optionsToEcs(nf: Record<string, unknown>, ctx: PacketContext): RawEventDoc {
  nf.exporter = exporterInfo(ctx);
  nf.type = 'netflow_options';
  return {
    '@timestamp': iso(ctx.exportTimeMs) ?? iso(ctx.receivedAtMs),
    event: { kind: 'metric', category: ['network'], type: ['info'], action: 'netflow_options', module: 'netflow', dataset: 'netflow.log' },
    observer: observer(ctx),
    netflow: nf,
  };
}
