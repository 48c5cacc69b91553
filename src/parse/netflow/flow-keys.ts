/**
 * The handful of fields the ECS mapping needs, pulled out while a record is decoded so the
 * mapper never re-reads or re-parses the `netflow.*` object. Indexed by a small slot number.
 */

export const enum Slot {
  SrcIPv4, DstIPv4, SrcIPv6, DstIPv6, SrcPort, DstPort, Proto,
  Bytes, Packets, BytesTotal, PacketsTotal, InitiatorOctets, InitiatorPackets, ResponderOctets, ResponderPackets,
  PostBytes, PostPackets,
  FirstUptime, LastUptime, StartSec, EndSec, StartMs, EndMs, StartUs, EndUs, StartNs, EndNs,
  StartDeltaUs, EndDeltaUs, SysInitMs, DurationMs, DurationUs,
  IcmpTypeCode4, IcmpTypeCode6, IcmpType4, IcmpCode4, IcmpType6, IcmpCode6,
  UdpSrcPort, UdpDstPort, TcpSrcPort, TcpDstPort,
  SrcMac, DstMac, SrcAs, DstAs, Vlan, Direction, IpVersion,
  Count,
}

/** IE id -> slot (or undefined). */
export const SLOT_BY_IE: ReadonlyArray<Slot | undefined> = (() => {
  const t: Array<Slot | undefined> = [];
  const set = (ie: number, s: Slot): void => {
    t[ie] = s;
  };
  set(8, Slot.SrcIPv4); set(12, Slot.DstIPv4); set(27, Slot.SrcIPv6); set(28, Slot.DstIPv6);
  set(7, Slot.SrcPort); set(11, Slot.DstPort); set(4, Slot.Proto);
  set(1, Slot.Bytes); set(2, Slot.Packets); set(85, Slot.BytesTotal); set(86, Slot.PacketsTotal);
  set(231, Slot.InitiatorOctets); set(298, Slot.InitiatorPackets); set(232, Slot.ResponderOctets); set(299, Slot.ResponderPackets);
  set(23, Slot.PostBytes); set(24, Slot.PostPackets);
  set(22, Slot.FirstUptime); set(21, Slot.LastUptime); set(150, Slot.StartSec); set(151, Slot.EndSec);
  set(152, Slot.StartMs); set(153, Slot.EndMs); set(154, Slot.StartUs); set(155, Slot.EndUs);
  set(156, Slot.StartNs); set(157, Slot.EndNs); set(158, Slot.StartDeltaUs); set(159, Slot.EndDeltaUs);
  set(160, Slot.SysInitMs); set(161, Slot.DurationMs); set(162, Slot.DurationUs);
  set(32, Slot.IcmpTypeCode4); set(139, Slot.IcmpTypeCode6); set(176, Slot.IcmpType4); set(177, Slot.IcmpCode4);
  set(178, Slot.IcmpType6); set(179, Slot.IcmpCode6);
  set(180, Slot.UdpSrcPort); set(181, Slot.UdpDstPort); set(182, Slot.TcpSrcPort); set(183, Slot.TcpDstPort);
  set(56, Slot.SrcMac); set(80, Slot.DstMac); set(16, Slot.SrcAs); set(17, Slot.DstAs);
  set(58, Slot.Vlan); set(61, Slot.Direction); set(60, Slot.IpVersion);
  return t;
})();

/** Values by slot: numbers (dates as epoch milliseconds, possibly fractional) or strings (addresses). */
export type FlowKeys = Array<number | string | undefined>;

export function newFlowKeys(): FlowKeys {
  return new Array<number | string | undefined>(Slot.Count).fill(undefined);
}
