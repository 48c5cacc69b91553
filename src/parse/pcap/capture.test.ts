import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { readCapture, readPackets, parseDnsMessage, readName, communityId } from './index.js';
import { getField } from '../../schema/fields.js';
import type { RawEventDoc } from '../../schema/ecs.js';

const PCAP = new URL('../../../../shared/data/evtx-attack-samples/Command and Control/cmds over dns txt queries and reponses.pcap', import.meta.url);

const okDocs = (items: Iterable<{ ok: boolean; value?: RawEventDoc }>): RawEventDoc[] =>
  [...items].filter((i) => i.ok).map((i) => i.value!);
const dataset = (d: RawEventDoc): unknown => getField(d, 'event.dataset');

describe('readCapture on a real pcap (expectations read with tshark 3.x / capinfos)', () => {
  const buf = readFileSync(PCAP);
  const items = [...readCapture(buf)];
  const docs = okDocs(items);

  it('walks all 301 packets without failure', () => {
    // capinfos: "Number of packets: 301", first 2020-06-06 06:36:39.925532.
    const packets = [...readPackets(buf)];
    expect(packets.length).toBe(301);
    expect(packets.every((p) => p.ok)).toBe(true);
    expect(items.every((i) => i.ok)).toBe(true);
  });

  it('aggregates the same UDP conversations tshark lists (-z conv,udp: 109)', () => {
    const udp = docs.filter((d) => dataset(d) === 'pcap.flow' && getField(d, 'network.transport') === 'udp');
    expect(udp.length).toBe(109);
    // tshark: 192.168.100.121:63406 <-> 8.8.8.8:53, 1 frame each way, start 7.840031 s after the first packet.
    const f = udp.find((d) => getField(d, 'source.port') === 63406)!;
    expect(getField(f, 'destination.ip')).toBe('8.8.8.8');
    expect(getField(f, 'source.packets')).toBe(1);
    expect(getField(f, 'destination.packets')).toBe(1);
    // frame sizes 80 and 104 bytes minus 14 bytes of Ethernet header each.
    expect(getField(f, 'network.bytes')).toBe(80 - 14 + 104 - 14);
    expect(getField(f, '@timestamp')).toBe('2020-06-06T06:36:47.765563Z');
  });

  it('computes community ids equal to tshark --enable-protocol communityid', () => {
    const byPort = (p: number) => docs.find((d) => dataset(d) === 'pcap.flow' && getField(d, 'source.port') === p)!;
    expect(getField(byPort(63406), 'network.community_id')).toBe('1:nGPy2lJMrIFzhljyzv8iUv56uBI=');
    expect(getField(byPort(63407), 'network.community_id')).toBe('1:XjwqphinV4ILeHiA1DOneTewPA0=');
    expect(getField(byPort(52918), 'network.community_id')).toBe('1:NkK8+24uPwzHu9bEbyVoHr0SwcA='); // IPv6 frame 1
    // ICMP port unreachable (type 3 code 3, frame 123): a one-way ICMP flow.
    const icmp = docs.find((d) => dataset(d) === 'pcap.flow' && getField(d, 'network.transport') === 'icmp')!;
    expect(getField(icmp, 'network.community_id')).toBe('1:twRdRHF0zU3CBQ9Xr1/9TkEB+4g=');
    expect(getField(icmp, 'source.packets')).toBe(15); // tshark -Y icmp | wc -l
  });

  it('gives both directions of a two-way flow the same community id', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), fc.constantFrom(6, 17, 132), (a, b, pa, pb, proto) => {
        expect(communityId(a, pa, b, pb, proto)).toBe(communityId(b, pb, a, pa, proto));
      }),
      { numRuns: 300 },
    );
    // ICMP echo request (8/0) from a and echo reply (0/0) from b are one flow.
    expect(communityId('10.0.0.1', 8, '10.0.0.2', 0, 1)).toBe(communityId('10.0.0.2', 0, '10.0.0.1', 0, 1));
  });

  it('decodes DNS queries and TXT answers (tshark -e dns.qry.name -e dns.txt)', () => {
    const dns = docs.filter((d) => dataset(d) === 'pcap.dns');
    // tshark -Y udp.port==53 shows 214 frames, 15 of them ICMP errors quoting a UDP/53 datagram.
    expect(dns.filter((d) => getField(d, 'destination.port') === 53 || getField(d, 'source.port') === 53).length).toBe(199);
    const q = dns.find((d) => getField(d, 'event.sequence') === 40)!;
    expect(getField(q, 'dns.type')).toBe('query');
    expect(getField(q, 'dns.question.name')).toBe('l.ns.ostrykebs.pl');
    expect(getField(q, 'dns.question.type')).toBe('TXT');
    const a = dns.find((d) => getField(d, 'event.sequence') === 46)!;
    expect(getField(a, 'dns.type')).toBe('answer');
    const answers = getField(a, 'dns.answers') as { data: string }[];
    expect(answers[0]!.data.startsWith('@JF9ucyA9ICJucy5vc3RyeWtlYnMucGwuIgok')).toBe(true);
    const nx = dns.find((d) => getField(d, 'event.sequence') === 44)!;
    expect(getField(nx, 'dns.response_code')).toBe('NXDOMAIN'); // tshark dns.flags.rcode 3
  });
});

// ---- a capture built by hand ----

function ipv4(src: number[], dst: number[], proto: number, l4: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = 64;
  h[9] = proto;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  return Buffer.concat([h, l4]);
}
function tcp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h[12] = 5 << 4;
  h[13] = 0x18;
  return Buffer.concat([h, payload]);
}
function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}
function ether(ip: Buffer, vlan = false): Buffer {
  const h = Buffer.alloc(vlan ? 18 : 14);
  if (vlan) {
    h.writeUInt16BE(0x8100, 12);
    h.writeUInt16BE(42, 14);
    h.writeUInt16BE(0x0800, 16);
  } else h.writeUInt16BE(0x0800, 12);
  return Buffer.concat([h, ip]);
}
function clientHello(sni: string): Buffer {
  const name = Buffer.from(sni);
  const sniExt = Buffer.alloc(9 + name.length);
  sniExt.writeUInt16BE(0, 0);
  sniExt.writeUInt16BE(5 + name.length, 2);
  sniExt.writeUInt16BE(3 + name.length, 4);
  sniExt[6] = 0;
  sniExt.writeUInt16BE(name.length, 7);
  name.copy(sniExt, 9);
  const body = Buffer.concat([
    Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([0]), Buffer.from([0, 2, 0x13, 0x01]), Buffer.from([1, 0]),
    Buffer.from([sniExt.length >> 8, sniExt.length & 0xff]), sniExt,
  ]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1, hs.length >> 8, hs.length & 0xff]), hs]);
}
/** DNS response for www.example.com A → 93.184.216.34, answer name compressed as a pointer to offset 12. */
function dnsResponse(): Buffer {
  const q = Buffer.from([3, ...Buffer.from('www'), 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1]);
  const ans = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34]);
  const h = Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
  return Buffer.concat([h, q, ans]);
}

function pcapng(frames: { sec: number; usec: number; data: Buffer }[], le: boolean, nanoRes = false): Buffer {
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const block = (type: number, body: Buffer): Buffer => {
    const pad = (4 - (body.length % 4)) % 4;
    const len = 12 + body.length + pad;
    const b = Buffer.alloc(len);
    w32(b, type, 0);
    w32(b, len, 4);
    body.copy(b, 8);
    w32(b, len, len - 4);
    return b;
  };
  const shb = Buffer.alloc(16);
  w32(shb, 0x1a2b3c4d, 0);
  w16(shb, 1, 4);
  shb.writeInt32LE(-1, 8);
  shb.writeInt32LE(-1, 12);
  const idbBody = Buffer.alloc(nanoRes ? 20 : 8);
  w16(idbBody, 1, 0);
  w32(idbBody, 65535, 4);
  if (nanoRes) {
    w16(idbBody, 9, 8);
    w16(idbBody, 1, 10);
    idbBody[12] = 9;
  }
  const out = [block(0x0a0d0d0a, shb), block(1, idbBody)];
  for (const f of frames) {
    const body = Buffer.alloc(20 + f.data.length);
    const ticks = BigInt(f.sec) * (nanoRes ? 1_000_000_000n : 1_000_000n) + BigInt(f.usec) * (nanoRes ? 1000n : 1n);
    w32(body, 0, 0);
    w32(body, Number(ticks >> 32n), 4);
    w32(body, Number(ticks & 0xffffffffn), 8);
    w32(body, f.data.length, 12);
    w32(body, f.data.length, 16);
    f.data.copy(body, 20);
    out.push(block(6, body));
  }
  // A simple packet block too: no timestamp, interface 0.
  const spb = Buffer.alloc(4 + frames[0]!.data.length);
  w32(spb, frames[0]!.data.length, 0);
  frames[0]!.data.copy(spb, 4);
  out.push(block(3, spb));
  return Buffer.concat(out);
}

const C = [10, 0, 0, 5];
const S = [192, 0, 2, 80];
const http = Buffer.from('GET /index.php?id=1 HTTP/1.1\r\nHost: www.example.org:8080\r\nUser-Agent: test-agent/1.0\r\n\r\n');
const FRAMES = [
  { sec: 1700000000, usec: 5, data: ether(ipv4(C, S, 6, tcp(40000, 8080, http))) },
  { sec: 1700000001, usec: 0, data: ether(ipv4(C, S, 6, tcp(40001, 443, clientHello('secret.example.net'))), true) },
  { sec: 1700000002, usec: 250000, data: ether(ipv4([8, 8, 8, 8], C, 17, udp(53, 5353, dnsResponse()))) },
  { sec: 1700000003, usec: 0, data: ether(ipv4(S, C, 6, tcp(8080, 40000, Buffer.from('HTTP/1.1 200 OK\r\n\r\n')))) },
];

describe('readCapture on a pcapng built in the test', () => {
  for (const [le, nano] of [[true, false], [false, false], [true, true]] as const) {
    it(`reads ${le ? 'little' : 'big'}-endian pcapng${nano ? ' with nanosecond if_tsresol' : ''}`, () => {
      const docs = okDocs(readCapture(pcapng(FRAMES, le, nano)));
      const httpDoc = docs.find((d) => dataset(d) === 'pcap.http')!;
      expect(getField(httpDoc, 'http.request.method')).toBe('GET');
      expect(getField(httpDoc, 'url.original')).toBe('/index.php?id=1');
      expect(getField(httpDoc, 'url.path')).toBe('/index.php');
      expect(getField(httpDoc, 'url.domain')).toBe('www.example.org');
      expect(getField(httpDoc, 'user_agent.original')).toBe('test-agent/1.0');
      expect(getField(httpDoc, '@timestamp')).toBe('2023-11-14T22:13:20.000005Z');
      const tls = docs.find((d) => dataset(d) === 'pcap.tls')!;
      expect(getField(tls, 'tls.client.server_name')).toBe('secret.example.net');
      expect(getField(tls, 'tls.server.name')).toBe('secret.example.net');
      expect(getField(tls, 'destination.port')).toBe(443);
      const dns = docs.find((d) => dataset(d) === 'pcap.dns')!;
      expect(getField(dns, 'dns.question.name')).toBe('www.example.com');
      expect(getField(dns, 'dns.resolved_ip')).toEqual(['93.184.216.34']);
      expect(getField(dns, 'dns.answers')).toEqual([{ name: 'www.example.com', type: 'A', class: 1, ttl: 3600, data: '93.184.216.34' }]);
      const flows = docs.filter((d) => dataset(d) === 'pcap.flow');
      expect(flows.length).toBe(3);
      const web = flows.find((d) => getField(d, 'destination.port') === 8080)!;
      // Frames 1 and 4 (response), plus the simple packet block repeating frame 1.
      expect(getField(web, 'source.packets')).toBe(2);
      expect(getField(web, 'destination.packets')).toBe(1);
      expect(getField(web, 'source.bytes')).toBe(2 * (40 + http.length));
      expect(getField(web, 'source.ip')).toBe('10.0.0.5');
      expect(getField(web, 'network.community_id')).toBe(communityId('10.0.0.5', 40000, '192.0.2.80', 8080, 6));
    });
  }

  it('reads classic pcap in both byte orders and both resolutions', () => {
    for (const le of [true, false]) {
      for (const nano of [false, true]) {
        const hdr = Buffer.alloc(24);
        const w = (v: number, o: number) => (le ? hdr.writeUInt32LE(v, o) : hdr.writeUInt32BE(v, o));
        w(nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
        w(65535, 16);
        w(1, 20);
        const recs = FRAMES.map((f) => {
          const r = Buffer.alloc(16);
          const wr = (v: number, o: number) => (le ? r.writeUInt32LE(v, o) : r.writeUInt32BE(v, o));
          wr(f.sec, 0);
          wr(nano ? f.usec * 1000 : f.usec, 4);
          wr(f.data.length, 8);
          wr(f.data.length, 12);
          return Buffer.concat([r, f.data]);
        });
        const docs = okDocs(readCapture(Buffer.concat([hdr, ...recs])));
        expect(getField(docs.find((d) => dataset(d) === 'pcap.dns')!, '@timestamp')).toBe('2023-11-14T22:13:22.250000Z');
        expect(docs.filter((d) => dataset(d) === 'pcap.flow').length).toBe(3);
      }
    }
  });

  it('reports a truncated capture as a failure item', () => {
    const buf = pcapng(FRAMES, true);
    const items = [...readCapture(buf.subarray(0, buf.length - 10))];
    expect(items.some((i) => !i.ok)).toBe(true);
  });
});

describe('DNS names', () => {
  it('refuses a compression pointer loop', () => {
    const msg = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    const r = parseDnsMessage(msg);
    expect(r.ok).toBe(false);
  });
  it('never hangs or throws on random messages and offsets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, off) => {
        const b = Buffer.from(bytes);
        const r = readName(b, off);
        if (r.ok) expect(r.value.name.length).toBeLessThanOrEqual(255);
        expect(typeof parseDnsMessage(b).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('capture readers on hostile input', () => {
  const real = readFileSync(PCAP);
  const built = pcapng(FRAMES, true);
  it('never throw on random bytes behind a valid magic', () => {
    fc.assert(
      fc.property(fc.constantFrom('pcap', 'pcapng'), fc.uint8Array({ maxLength: 2000 }), (kind, bytes) => {
        const head = kind === 'pcap' ? real.subarray(0, 24) : built.subarray(0, 28);
        const items = [...readCapture(Buffer.concat([head, Buffer.from(bytes)]))];
        expect(Array.isArray(items)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  it('never throw on mutated real captures', () => {
    fc.assert(
      fc.property(fc.constantFrom(real, built), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }), fc.nat(), (src, muts, cut) => {
        const b = Buffer.from(src);
        for (const [pos, val] of muts) b[pos % b.length] = val;
        const items = [...readCapture(b.subarray(0, b.length - (cut % 64)))];
        expect(items.every((i) => typeof i.ok === 'boolean')).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
