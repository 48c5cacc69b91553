/**
 * IANA IPFIX Information Elements (RFC 7012 registry) we name and type. NetFlow v9 field types
 * 1-127 are the same numbers (IPFIX inherited them), so one table serves both. Names are the
 * registry's camelCase turned to snake_case, which is what Filebeat's netflow input emits, so
 * `netflow.*` fields line up with existing dashboards and rules.
 */

export const enum IeType {
  Unsigned = 0,
  Signed = 1,
  Float = 2,
  Boolean = 3,
  Mac = 4,
  IPv4 = 5,
  IPv6 = 6,
  String = 7,
  Octets = 8,
  DateSeconds = 9,
  DateMillis = 10,
  DateMicros = 11,
  DateNanos = 12,
}

export interface IeInfo {
  name: string;
  type: IeType;
}

const U = IeType.Unsigned;
const IP4 = IeType.IPv4;
const IP6 = IeType.IPv6;
const STR = IeType.String;
const OCT = IeType.Octets;

const RAW: Array<[number, string, IeType]> = [
  [1, 'octetDeltaCount', U], [2, 'packetDeltaCount', U], [3, 'deltaFlowCount', U], [4, 'protocolIdentifier', U],
  [5, 'ipClassOfService', U], [6, 'tcpControlBits', U], [7, 'sourceTransportPort', U], [8, 'sourceIPv4Address', IP4],
  [9, 'sourceIPv4PrefixLength', U], [10, 'ingressInterface', U], [11, 'destinationTransportPort', U],
  [12, 'destinationIPv4Address', IP4], [13, 'destinationIPv4PrefixLength', U], [14, 'egressInterface', U],
  [15, 'ipNextHopIPv4Address', IP4], [16, 'bgpSourceAsNumber', U], [17, 'bgpDestinationAsNumber', U],
  [18, 'bgpNextHopIPv4Address', IP4], [19, 'postMCastPacketDeltaCount', U], [20, 'postMCastOctetDeltaCount', U],
  [21, 'flowEndSysUpTime', U], [22, 'flowStartSysUpTime', U], [23, 'postOctetDeltaCount', U],
  [24, 'postPacketDeltaCount', U], [25, 'minimumIpTotalLength', U], [26, 'maximumIpTotalLength', U],
  [27, 'sourceIPv6Address', IP6], [28, 'destinationIPv6Address', IP6], [29, 'sourceIPv6PrefixLength', U],
  [30, 'destinationIPv6PrefixLength', U], [31, 'flowLabelIPv6', U], [32, 'icmpTypeCodeIPv4', U], [33, 'igmpType', U],
  [34, 'samplingInterval', U], [35, 'samplingAlgorithm', U], [36, 'flowActiveTimeout', U], [37, 'flowIdleTimeout', U],
  [38, 'engineType', U], [39, 'engineId', U], [40, 'exportedOctetTotalCount', U], [41, 'exportedMessageTotalCount', U],
  [42, 'exportedFlowRecordTotalCount', U], [43, 'ipv4RouterSc', IP4], [44, 'sourceIPv4Prefix', IP4],
  [45, 'destinationIPv4Prefix', IP4], [46, 'mplsTopLabelType', U], [47, 'mplsTopLabelIPv4Address', IP4],
  [48, 'samplerId', U], [49, 'samplerMode', U], [50, 'samplerRandomInterval', U], [51, 'classId', U],
  [52, 'minimumTTL', U], [53, 'maximumTTL', U], [54, 'fragmentIdentification', U], [55, 'postIpClassOfService', U],
  [56, 'sourceMacAddress', IeType.Mac], [57, 'postDestinationMacAddress', IeType.Mac], [58, 'vlanId', U],
  [59, 'postVlanId', U], [60, 'ipVersion', U], [61, 'flowDirection', U], [62, 'ipNextHopIPv6Address', IP6],
  [63, 'bgpNextHopIPv6Address', IP6], [64, 'ipv6ExtensionHeaders', U], [70, 'mplsTopLabelStackSection', OCT],
  [71, 'mplsLabelStackSection2', OCT], [72, 'mplsLabelStackSection3', OCT], [73, 'mplsLabelStackSection4', OCT],
  [74, 'mplsLabelStackSection5', OCT], [75, 'mplsLabelStackSection6', OCT], [76, 'mplsLabelStackSection7', OCT],
  [77, 'mplsLabelStackSection8', OCT], [78, 'mplsLabelStackSection9', OCT], [79, 'mplsLabelStackSection10', OCT],
  [80, 'destinationMacAddress', IeType.Mac], [81, 'postSourceMacAddress', IeType.Mac], [82, 'interfaceName', STR],
  [83, 'interfaceDescription', STR], [84, 'samplerName', STR], [85, 'octetTotalCount', U], [86, 'packetTotalCount', U],
  [87, 'flagsAndSamplerId', U], [88, 'fragmentOffset', U], [89, 'forwardingStatus', U],
  [90, 'mplsVpnRouteDistinguisher', OCT], [91, 'mplsTopLabelPrefixLength', U], [92, 'srcTrafficIndex', U],
  [93, 'dstTrafficIndex', U], [94, 'applicationDescription', STR], [95, 'applicationId', OCT],
  [96, 'applicationName', STR], [98, 'postIpDiffServCodePoint', U], [99, 'multicastReplicationFactor', U],
  [100, 'className', STR], [101, 'classificationEngineId', U], [102, 'layer2packetSectionOffset', U],
  [103, 'layer2packetSectionSize', U], [104, 'layer2packetSectionData', OCT], [128, 'bgpNextAdjacentAsNumber', U],
  [129, 'bgpPrevAdjacentAsNumber', U], [130, 'exporterIPv4Address', IP4], [131, 'exporterIPv6Address', IP6],
  [132, 'droppedOctetDeltaCount', U], [133, 'droppedPacketDeltaCount', U], [134, 'droppedOctetTotalCount', U],
  [135, 'droppedPacketTotalCount', U], [136, 'flowEndReason', U], [137, 'commonPropertiesId', U],
  [138, 'observationPointId', U], [139, 'icmpTypeCodeIPv6', U], [140, 'mplsTopLabelIPv6Address', IP6],
  [141, 'lineCardId', U], [142, 'portId', U], [143, 'meteringProcessId', U], [144, 'exportingProcessId', U],
  [145, 'templateId', U], [146, 'wlanChannelId', U], [147, 'wlanSSID', STR], [148, 'flowId', U],
  [149, 'observationDomainId', U], [150, 'flowStartSeconds', IeType.DateSeconds],
  [151, 'flowEndSeconds', IeType.DateSeconds], [152, 'flowStartMilliseconds', IeType.DateMillis],
  [153, 'flowEndMilliseconds', IeType.DateMillis], [154, 'flowStartMicroseconds', IeType.DateMicros],
  [155, 'flowEndMicroseconds', IeType.DateMicros], [156, 'flowStartNanoseconds', IeType.DateNanos],
  [157, 'flowEndNanoseconds', IeType.DateNanos], [158, 'flowStartDeltaMicroseconds', U],
  [159, 'flowEndDeltaMicroseconds', U], [160, 'systemInitTimeMilliseconds', IeType.DateMillis],
  [161, 'flowDurationMilliseconds', U], [162, 'flowDurationMicroseconds', U], [163, 'observedFlowTotalCount', U],
  [164, 'ignoredPacketTotalCount', U], [165, 'ignoredOctetTotalCount', U], [166, 'notSentFlowTotalCount', U],
  [167, 'notSentPacketTotalCount', U], [168, 'notSentOctetTotalCount', U], [169, 'destinationIPv6Prefix', IP6],
  [170, 'sourceIPv6Prefix', IP6], [171, 'postOctetTotalCount', U], [172, 'postPacketTotalCount', U],
  [173, 'flowKeyIndicator', U], [174, 'postMCastPacketTotalCount', U], [175, 'postMCastOctetTotalCount', U],
  [176, 'icmpTypeIPv4', U], [177, 'icmpCodeIPv4', U], [178, 'icmpTypeIPv6', U], [179, 'icmpCodeIPv6', U],
  [180, 'udpSourcePort', U], [181, 'udpDestinationPort', U], [182, 'tcpSourcePort', U], [183, 'tcpDestinationPort', U],
  [184, 'tcpSequenceNumber', U], [185, 'tcpAcknowledgementNumber', U], [186, 'tcpWindowSize', U],
  [187, 'tcpUrgentPointer', U], [188, 'tcpHeaderLength', U], [189, 'ipHeaderLength', U], [190, 'totalLengthIPv4', U],
  [191, 'payloadLengthIPv6', U], [192, 'ipTTL', U], [193, 'nextHeaderIPv6', U], [194, 'mplsPayloadLength', U],
  [195, 'ipDiffServCodePoint', U], [196, 'ipPrecedence', U], [197, 'fragmentFlags', U],
  [198, 'octetDeltaSumOfSquares', U], [199, 'octetTotalSumOfSquares', U], [200, 'mplsTopLabelTTL', U],
  [201, 'mplsLabelStackLength', U], [202, 'mplsLabelStackDepth', U], [203, 'mplsTopLabelExp', U],
  [204, 'ipPayloadLength', U], [205, 'udpMessageLength', U], [206, 'isMulticast', U], [207, 'ipv4IHL', U],
  [208, 'ipv4Options', U], [209, 'tcpOptions', U], [210, 'paddingOctets', OCT], [211, 'collectorIPv4Address', IP4],
  [212, 'collectorIPv6Address', IP6], [213, 'exportInterface', U], [214, 'exportProtocolVersion', U],
  [215, 'exportTransportProtocol', U], [216, 'collectorTransportPort', U], [217, 'exporterTransportPort', U],
  [218, 'tcpSynTotalCount', U], [219, 'tcpFinTotalCount', U], [220, 'tcpRstTotalCount', U],
  [221, 'tcpPshTotalCount', U], [222, 'tcpAckTotalCount', U], [223, 'tcpUrgTotalCount', U],
  [224, 'ipTotalLength', U], [225, 'postNATSourceIPv4Address', IP4], [226, 'postNATDestinationIPv4Address', IP4],
  [227, 'postNAPTSourceTransportPort', U], [228, 'postNAPTDestinationTransportPort', U],
  [229, 'natOriginatingAddressRealm', U], [230, 'natEvent', U], [231, 'initiatorOctets', U],
  [232, 'responderOctets', U], [233, 'firewallEvent', U], [234, 'ingressVRFID', U], [235, 'egressVRFID', U],
  [236, 'vrfName', STR], [237, 'postMplsTopLabelExp', U], [238, 'tcpWindowScale', U], [239, 'biflowDirection', U],
  [240, 'ethernetHeaderLength', U], [241, 'ethernetPayloadLength', U], [242, 'ethernetTotalLength', U],
  [243, 'dot1qVlanId', U], [244, 'dot1qPriority', U], [245, 'dot1qCustomerVlanId', U],
  [246, 'dot1qCustomerPriority', U], [247, 'metroEvcId', STR], [248, 'metroEvcType', U], [249, 'pseudoWireId', U],
  [250, 'pseudoWireType', U], [251, 'pseudoWireControlWord', U], [252, 'ingressPhysicalInterface', U],
  [253, 'egressPhysicalInterface', U], [254, 'postDot1qVlanId', U], [255, 'postDot1qCustomerVlanId', U],
  [256, 'ethernetType', U], [257, 'postIpPrecedence', U], [281, 'postNATSourceIPv6Address', IP6],
  [282, 'postNATDestinationIPv6Address', IP6], [298, 'initiatorPackets', U], [299, 'responderPackets', U],
  [300, 'observationDomainName', STR], [302, 'selectorId', U], [305, 'samplingPacketInterval', U],
  [306, 'samplingPacketSpace', U], [307, 'samplingTimeInterval', U], [308, 'samplingTimeSpace', U],
  [309, 'samplingSize', U], [310, 'samplingPopulation', U], [311, 'samplingProbability', IeType.Float],
  [322, 'observationTimeSeconds', IeType.DateSeconds], [323, 'observationTimeMilliseconds', IeType.DateMillis],
  [324, 'observationTimeMicroseconds', IeType.DateMicros], [325, 'observationTimeNanoseconds', IeType.DateNanos],
  [352, 'layer2OctetDeltaCount', U], [353, 'layer2OctetTotalCount', U], [354, 'ingressUnicastPacketTotalCount', U],
  [355, 'ingressMulticastPacketTotalCount', U], [356, 'ingressBroadcastPacketTotalCount', U],
  [357, 'egressUnicastPacketTotalCount', U], [358, 'egressBroadcastPacketTotalCount', U],
  [361, 'portRangeStart', U], [362, 'portRangeEnd', U], [363, 'portRangeStepSize', U], [364, 'portRangeNumPorts', U],
  [365, 'staMacAddress', IeType.Mac], [366, 'staIPv4Address', IP4], [367, 'wtpMacAddress', IeType.Mac],
  [368, 'ingressInterfaceType', U], [369, 'egressInterfaceType', U], [372, 'paddingOctets', OCT],
  [414, 'dot1qCustomerSourceMacAddress', IeType.Mac], [415, 'dot1qCustomerDestinationMacAddress', IeType.Mac],
];

function snake(name: string): string {
  // Acronym runs stay one word: sourceIPv4Address -> source_ipv4_address, VRFname -> vrfname.
  return name
    .replace(/IPv([46])/g, 'Ipv$1')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** IANA IE id -> name and abstract type. Sparse array for O(1) lookup in the template compiler. */
export const IANA_IES: ReadonlyArray<IeInfo | undefined> = (() => {
  const table: Array<IeInfo | undefined> = [];
  for (const [id, name, type] of RAW) table[id] = { name: snake(name), type };
  return table;
})();

export function ianaIe(id: number): IeInfo | undefined {
  return IANA_IES[id];
}

/** NetFlow v9 options scope field types (RFC 3954 §6.1), which are not IE ids. */
export const V9_SCOPE_NAMES: Readonly<Record<number, string>> = {
  1: 'scope_system',
  2: 'scope_interface',
  3: 'scope_line_card',
  4: 'scope_cache',
  5: 'scope_template',
};
