export { readCapture, type CaptureOptions } from './capture.js';
export { readPackets, isPcap, isPcapng, type Packet } from './container.js';
export { decodeFrame, type Decoded } from './decode.js';
export { parseDnsMessage, readName, type DnsMessage, type DnsRecord } from './dns.js';
export { parseHttpRequestHead, parseClientHello } from './app.js';
export { communityId } from './community-id.js';
