import type { RawEventDoc } from '../../schema/ecs.js';
import { type Parsed, ok, fail } from '../../schema/result.js';
import { readPackets } from './container.js';
import { decodeFrame, type Decoded } from './decode.js';
import { parseDnsMessage, RCODES } from './dns.js';
import { parseHttpRequestHead, parseClientHello } from './app.js';
import { communityId } from './community-id.js';

/**
 * A capture file → ECS documents: one per DNS message, HTTP request head and TLS ClientHello in
 * packet order, then one connection record per 5-tuple (first packet's sender is the source).
 */

const TRANSPORT: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp', 132: 'sctp' };

interface Flow {
  first: Decoded;
  firstSec: number;
  firstNs: number;
  lastSec: number;
  lastNs: number;
  fwdPackets: number;
  fwdBytes: number;
  revPackets: number;
  revBytes: number;
}

export interface CaptureOptions {
  /** Flows kept in memory before new 5-tuples are counted but not recorded. */
  maxFlows?: number;
}

const iso = (sec: number, ns: number): string => {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return new Date(0).toISOString();
  return `${d.toISOString().slice(0, 19)}.${String(ns).padStart(9, '0').slice(0, 6)}Z`;
};

function endpoints(d: Decoded, doc: Record<string, unknown>): void {
  doc.source = d.proto === 6 || d.proto === 17 || d.proto === 132 ? { ip: d.src, port: d.srcPort } : { ip: d.src };
  doc.destination = d.proto === 6 || d.proto === 17 || d.proto === 132 ? { ip: d.dst, port: d.dstPort } : { ip: d.dst };
  doc.network = { transport: TRANSPORT[d.proto] ?? String(d.proto), type: d.ipVersion === 4 ? 'ipv4' : 'ipv6', iana_number: String(d.proto) };
  const icmp = d.proto === 1 || d.proto === 58;
  const cid = icmp ? communityId(d.src, d.icmpType, d.dst, d.icmpCode, d.proto) : communityId(d.src, d.srcPort, d.dst, d.dstPort, d.proto);
  if (cid) (doc.network as Record<string, unknown>).community_id = cid;
  doc.related = { ip: d.src === d.dst ? [d.src] : [d.src, d.dst] };
}

function baseDoc(dataset: string, ts: string, packet: number): Record<string, unknown> {
  return { '@timestamp': ts, event: { kind: 'event', module: 'pcap', dataset: `pcap.${dataset}`, sequence: packet + 1 } };
}

function dnsDoc(d: Decoded, payload: Buffer, ts: string, packet: number): Parsed<RawEventDoc> | undefined {
  const m = parseDnsMessage(payload);
  if (!m.ok) return fail(`packet ${packet + 1}: ${m.reason}`);
  const msg = m.value;
  const doc = baseDoc('dns', ts, packet);
  endpoints(d, doc);
  (doc.event as Record<string, unknown>).category = ['network'];
  (doc.event as Record<string, unknown>).type = ['protocol'];
  (doc.network as Record<string, unknown>).protocol = 'dns';
  const q = msg.questions[0];
  const dns: Record<string, unknown> = { id: msg.id, type: msg.response ? 'answer' : 'query', header_flags: msg.flags, op_code: msg.opcode };
  if (q) dns.question = { name: q.name, type: q.type, class: q.class === 1 ? 'IN' : String(q.class) };
  if (msg.response) {
    dns.response_code = RCODES[msg.rcode] ?? String(msg.rcode);
    dns.answers = msg.answers;
    const ips = msg.answers.filter((a) => (a.type === 'A' || a.type === 'AAAA') && a.data).map((a) => a.data!);
    if (ips.length) dns.resolved_ip = ips;
  }
  doc.dns = dns;
  return ok(doc);
}

export function* readCapture(buf: Buffer, opts: CaptureOptions = {}): Generator<Parsed<RawEventDoc>> {
  const maxFlows = opts.maxFlows ?? 1_000_000;
  const flows = new Map<string, Flow>();
  let dropped = 0;
  try {
    for (const p of readPackets(buf)) {
      if (!p.ok) {
        yield p;
        break;
      }
      const pk = p.value;
      const d = decodeFrame(pk.data, pk.linkType);
      if (!d) continue;
      const ts = iso(pk.seconds, pk.nanos);
      const fwd = `${d.proto}|${d.src}|${d.srcPort}|${d.dst}|${d.dstPort}`;
      let flow = flows.get(fwd);
      let forward = true;
      if (!flow) {
        flow = flows.get(`${d.proto}|${d.dst}|${d.dstPort}|${d.src}|${d.srcPort}`);
        forward = false;
      }
      if (!flow) {
        if (flows.size >= maxFlows) dropped++;
        else {
          flow = { first: d, firstSec: pk.seconds, firstNs: pk.nanos, lastSec: pk.seconds, lastNs: pk.nanos, fwdPackets: 0, fwdBytes: 0, revPackets: 0, revBytes: 0 };
          flows.set(fwd, flow);
          forward = true;
        }
      }
      if (flow) {
        if (pk.seconds > flow.lastSec || (pk.seconds === flow.lastSec && pk.nanos > flow.lastNs)) {
          flow.lastSec = pk.seconds;
          flow.lastNs = pk.nanos;
        }
        if (forward) {
          flow.fwdPackets++;
          flow.fwdBytes += d.ipLength;
        } else {
          flow.revPackets++;
          flow.revBytes += d.ipLength;
        }
      }
      if (d.payload.length === 0) continue;
      if ((d.proto === 17 || d.proto === 6) && (d.srcPort === 53 || d.dstPort === 53 || d.srcPort === 5353 || d.dstPort === 5353)) {
        let payload = d.payload;
        // DNS over TCP prefixes each message with its length; only whole messages in one segment are read.
        if (d.proto === 6) {
          if (payload.length < 2 || payload.readUInt16BE(0) !== payload.length - 2) continue;
          payload = payload.subarray(2);
        }
        const r = dnsDoc(d, payload, ts, pk.index);
        if (r) yield r;
        continue;
      }
      if (d.proto !== 6) continue;
      const http = parseHttpRequestHead(d.payload);
      if (http) {
        const doc = baseDoc('http', ts, pk.index);
        endpoints(d, doc);
        Object.assign(doc.event as object, { category: ['network', 'web'], type: ['protocol'], action: http.method.toLowerCase() });
        (doc.network as Record<string, unknown>).protocol = 'http';
        doc.http = { version: http.version, request: { method: http.method } };
        const q = http.uri.indexOf('?');
        const url: Record<string, unknown> = { original: http.uri, path: q === -1 ? http.uri : http.uri.slice(0, q) };
        if (q !== -1) url.query = http.uri.slice(q + 1);
        if (http.host) {
          url.domain = http.host.replace(/:\d+$/, '');
          (doc.destination as Record<string, unknown>).domain = url.domain;
        }
        doc.url = url;
        if (http.userAgent) doc.user_agent = { original: http.userAgent };
        yield ok(doc);
        continue;
      }
      const hello = parseClientHello(d.payload);
      if (hello) {
        const doc = baseDoc('tls', ts, pk.index);
        endpoints(d, doc);
        Object.assign(doc.event as object, { category: ['network'], type: ['protocol'], action: 'client_hello' });
        (doc.network as Record<string, unknown>).protocol = 'tls';
        const tls: Record<string, unknown> = { client: { supported_version: hello.version } };
        if (hello.serverName) {
          (tls.client as Record<string, unknown>).server_name = hello.serverName;
          tls.server = { name: hello.serverName };
          (doc.destination as Record<string, unknown>).domain = hello.serverName;
        }
        doc.tls = tls;
        yield ok(doc);
      }
    }
  } catch (e) {
    yield fail(`capture: ${(e as Error).message}`);
  }
  for (const f of flows.values()) {
    const start = iso(f.firstSec, f.firstNs);
    const doc = baseDoc('flow', start, -1);
    delete (doc.event as Record<string, unknown>).sequence;
    endpoints(f.first, doc);
    const durationNs = (f.lastSec - f.firstSec) * 1e9 + (f.lastNs - f.firstNs);
    Object.assign(doc.event as object, { category: ['network'], type: ['connection'], start, end: iso(f.lastSec, f.lastNs), duration: durationNs });
    Object.assign(doc.source as object, { packets: f.fwdPackets, bytes: f.fwdBytes });
    Object.assign(doc.destination as object, { packets: f.revPackets, bytes: f.revBytes });
    Object.assign(doc.network as object, { packets: f.fwdPackets + f.revPackets, bytes: f.fwdBytes + f.revBytes });
    yield ok(doc);
  }
  if (dropped > 0) yield fail(`capture: ${dropped} packets of flows beyond the ${maxFlows}-flow limit were not aggregated`);
}
