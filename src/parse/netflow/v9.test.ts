import { describe, it, expect } from 'vitest';
import { getField } from '../../schema/fields.js';
import { NetflowDecoder } from './netflow-decoder.js';
import { communityId } from './community-id.js';
import { cat, ip, set, u16, u32, u8, v9OptionsTemplateRecord, v9Packet, v9TemplateRecord, type FieldDef } from './test-packets.js';

const EXPORTER = '198.51.100.7:9995';
const T0 = new Date('2024-01-01T00:00:00Z');
const SECS = 1_704_067_200; // 2024-01-01T00:00:00Z
const UPTIME = 3_600_000;

// src4, dst4, sport, dport, proto, bytes (8 octets), packets (reduced to 4), first, last,
// in/out ifaces (2 each), src/dst MAC, vlan, direction, tcp flags, tos, src/dst AS, next hop.
const FIELDS: FieldDef[] = [
  [8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 8], [2, 4], [22, 4], [21, 4], [10, 2], [14, 2],
  [56, 6], [80, 6], [58, 2], [61, 1], [6, 1], [5, 1], [16, 4], [17, 4], [15, 4],
];

function record(o: { src: string; dst: string; sport: number; dport: number; proto: number; bytes: bigint; packets: number; first: number; last: number }): Buffer {
  const b64 = Buffer.alloc(8);
  b64.writeBigUInt64BE(o.bytes);
  return cat(
    ip(o.src), ip(o.dst), u16(o.sport), u16(o.dport), u8(o.proto), b64, u32(o.packets), u32(o.first), u32(o.last), u16(4), u16(9),
    Buffer.from([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]), Buffer.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]), u16(42), u8(1), u8(0x12), u8(0), u32(65001), u32(0), ip('10.9.9.9'),
  );
}

const R1 = { src: '172.16.0.5', dst: '203.0.113.9', sport: 40000, dport: 53, proto: 17, bytes: 5_000_000_000n, packets: 7, first: UPTIME - 30_000, last: UPTIME - 1_000 };

describe('NetFlow v9', () => {
  it('learns a template and decodes data in the same and in later packets', () => {
    const dec = new NetflowDecoder();
    const p1 = v9Packet({ sysUptime: UPTIME, secs: SECS, sourceId: 1 }, [set(0, v9TemplateRecord(300, FIELDS)), set(300, record(R1))]);
    const r1 = dec.decode(p1, EXPORTER, T0);
    expect(r1.errors).toEqual([]);
    expect(r1.templatesLearned).toBe(1);
    expect(r1.records).toHaveLength(1);
    const d = r1.records[0]!;
    expect(getField(d, 'source.ip')).toBe('172.16.0.5');
    expect(getField(d, 'destination.ip')).toBe('203.0.113.9');
    expect(getField(d, 'source.port')).toBe(40000);
    expect(getField(d, 'destination.port')).toBe(53);
    expect(getField(d, 'network.transport')).toBe('udp');
    expect(getField(d, 'network.iana_number')).toBe('17');
    expect(getField(d, 'source.bytes')).toBe(5_000_000_000);
    expect(getField(d, 'source.packets')).toBe(7);
    expect(getField(d, 'event.start')).toBe(new Date(SECS * 1000 - 30_000).toISOString());
    expect(getField(d, 'event.end')).toBe(new Date(SECS * 1000 - 1_000).toISOString());
    expect(d['@timestamp']).toBe(new Date(SECS * 1000 - 1_000).toISOString());
    expect(getField(d, 'event.duration')).toBe(29_000 * 1e6);
    expect(getField(d, 'source.mac')).toBe('00-11-22-33-44-55');
    expect(getField(d, 'destination.mac')).toBe('AA-BB-CC-DD-EE-FF');
    expect(getField(d, 'netflow.source_mac_address')).toBe('00:11:22:33:44:55');
    expect(getField(d, 'network.vlan.id')).toBe('42');
    expect(getField(d, 'network.direction')).toBe('egress');
    expect(getField(d, 'source.as.number')).toBe(65001);
    expect(getField(d, 'destination.as')).toBeUndefined(); // AS 0 means unknown
    expect(getField(d, 'netflow.tcp_control_bits')).toBe(0x12);
    expect(getField(d, 'netflow.ip_next_hop_ipv4_address')).toBe('10.9.9.9');
    expect(getField(d, 'netflow.ingress_interface')).toBe(4);
    expect(getField(d, 'netflow.egress_interface')).toBe(9);
    expect(getField(d, 'netflow.exporter.source_id')).toBe(1);
    expect(getField(d, 'netflow.exporter.uptime_millis')).toBe(UPTIME);
    expect(getField(d, 'network.community_id')).toBe(communityId('172.16.0.5', '203.0.113.9', 17, 40000, 53));

    const p2 = v9Packet({ sysUptime: UPTIME + 5000, secs: SECS + 5, sourceId: 1 }, [set(300, cat(record(R1), record({ ...R1, proto: 6, dport: 443 })))]);
    const r2 = dec.decode(p2, EXPORTER, new Date(T0.getTime() + 5000));
    expect(r2.errors).toEqual([]);
    expect(r2.templatesLearned).toBe(0);
    expect(r2.records.map((x) => getField(x, 'network.transport'))).toEqual(['udp', 'tcp']);
    expect(r2.records.map((x) => getField(x, 'destination.port'))).toEqual([53, 443]);
  });

  it('does not read flowset padding as records', () => {
    // One 64-byte record; a 4-byte aligned flowset adds no padding, so force alignment to 8.
    const data = set(300, record(R1), 8);
    expect(data.length).toBeGreaterThan(4 + 65);
    const pkt = v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, v9TemplateRecord(300, FIELDS)), data]);
    const r = new NetflowDecoder().decode(pkt, EXPORTER, T0);
    expect(r.records).toHaveLength(1);
    expect(r.errors).toEqual([]);
  });

  it('decodes IPv6 flows', () => {
    const tpl = v9TemplateRecord(260, [[27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4]]);
    const data = cat(ip('2001:db8::10'), ip('2001:db8:0:0:1::1'), u16(5353), u16(5353), u8(17), u32(300), u32(3));
    const r = new NetflowDecoder().decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, tpl), set(260, data)]), EXPORTER, T0);
    const d = r.records[0]!;
    expect(getField(d, 'source.ip')).toBe('2001:db8::10');
    expect(getField(d, 'destination.ip')).toBe('2001:db8::1:0:0:1');
    expect(getField(d, 'network.type')).toBe('ipv6');
    expect(getField(d, '@timestamp')).toBe(new Date(SECS * 1000).toISOString()); // no times: export time
  });

  it('decodes options templates and data as metric events', () => {
    const opt = v9OptionsTemplateRecord(400, [[1, 4]], [[34, 4], [35, 1], [82, 8]]);
    const data = cat(u32(0x0a000001), u32(1000), u8(2), Buffer.from('Gi0/1\0\0\0'));
    const r = new NetflowDecoder().decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(1, opt), set(400, data)]), EXPORTER, T0);
    expect(r.errors).toEqual([]);
    expect(r.templatesLearned).toBe(1);
    expect(r.records).toHaveLength(1);
    const d = r.records[0]!;
    expect(getField(d, 'event.kind')).toBe('metric');
    expect(getField(d, 'netflow.type')).toBe('netflow_options');
    expect(getField(d, 'netflow.scope_system')).toBe(0x0a000001);
    expect(getField(d, 'netflow.sampling_interval')).toBe(1000);
    expect(getField(d, 'netflow.sampling_algorithm')).toBe(2);
    expect(getField(d, 'netflow.interface_name')).toBe('Gi0/1');
  });

  it('queues data that arrives before its template and decodes it when the template comes', () => {
    const dec = new NetflowDecoder();
    const early = dec.decode(v9Packet({ sysUptime: UPTIME, secs: SECS, sourceId: 3 }, [set(300, record(R1))]), EXPORTER, T0);
    expect(early.records).toEqual([]);
    expect(early.errors).toEqual([]);
    expect(dec.stats().pendingSets).toBe(1);
    // The template arrives 2 s later, from a packet with a different header clock.
    const late = dec.decode(v9Packet({ sysUptime: UPTIME + 2000, secs: SECS + 2, sourceId: 3 }, [set(0, v9TemplateRecord(300, FIELDS))]), EXPORTER, new Date(T0.getTime() + 2000));
    expect(late.templatesLearned).toBe(1);
    expect(late.records).toHaveLength(1);
    // Times come from the header of the packet that carried the data.
    expect(getField(late.records[0]!, 'event.end')).toBe(new Date(SECS * 1000 - 1_000).toISOString());
    expect(dec.stats().pendingSets).toBe(0);
  });

  it('bounds the queue and reports data that never gets a template', () => {
    const dec = new NetflowDecoder({ maxPendingPerTemplate: 1, templateTtlSeconds: 60 });
    const pkt = v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(300, record(R1))]);
    expect(dec.decode(pkt, EXPORTER, T0).errors).toEqual([]);
    const second = dec.decode(pkt, EXPORTER, T0);
    expect(second.errors.join()).toMatch(/no template 300.*queue full/);
    const later = dec.decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, []), EXPORTER, new Date(T0.getTime() + 61_000));
    expect(later.errors.join()).toMatch(/no template 300.*expired/);
    expect(dec.stats()).toEqual({ templates: 0, pendingSets: 0, noTemplate: 2 });
  });

  it('keeps templates apart per exporter and source id', () => {
    const dec = new NetflowDecoder();
    dec.decode(v9Packet({ sysUptime: UPTIME, secs: SECS, sourceId: 1 }, [set(0, v9TemplateRecord(300, FIELDS))]), EXPORTER, T0);
    const otherSource = dec.decode(v9Packet({ sysUptime: UPTIME, secs: SECS, sourceId: 2 }, [set(300, record(R1))]), EXPORTER, T0);
    const otherExporter = dec.decode(v9Packet({ sysUptime: UPTIME, secs: SECS, sourceId: 1 }, [set(300, record(R1))]), '198.51.100.8:9995', T0);
    const same = dec.decode(v9Packet({ sysUptime: UPTIME, secs: SECS, sourceId: 1 }, [set(300, record(R1))]), EXPORTER, T0);
    expect(otherSource.records).toHaveLength(0);
    expect(otherExporter.records).toHaveLength(0);
    expect(same.records).toHaveLength(1);
  });

  it('expires templates after the TTL and bounds the cache size', () => {
    const dec = new NetflowDecoder({ templateTtlSeconds: 10, maxTemplates: 2 });
    const tpl = (id: number): Buffer => v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, v9TemplateRecord(id, FIELDS))]);
    const data = (id: number): Buffer => v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(id, record(R1))]);
    dec.decode(tpl(300), EXPORTER, T0);
    expect(dec.decode(data(300), EXPORTER, new Date(T0.getTime() + 9_000)).records).toHaveLength(1);
    expect(dec.decode(data(300), EXPORTER, new Date(T0.getTime() + 11_000)).records).toHaveLength(0);

    const dec2 = new NetflowDecoder({ maxTemplates: 2, maxPendingPerTemplate: 0 });
    for (const id of [301, 302, 303]) dec2.decode(tpl(id), EXPORTER, T0);
    expect(dec2.stats().templates).toBe(2);
    expect(dec2.decode(data(301), EXPORTER, T0).records).toHaveLength(0); // oldest evicted
    expect(dec2.decode(data(303), EXPORTER, T0).records).toHaveLength(1);
  });

  it('follows a redefined template', () => {
    const dec = new NetflowDecoder();
    dec.decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, v9TemplateRecord(300, FIELDS))]), EXPORTER, T0);
    const redefined = v9TemplateRecord(300, [[12, 4], [8, 4]]);
    const r = dec.decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, redefined), set(300, cat(ip('1.1.1.1'), ip('2.2.2.2')))]), EXPORTER, T0);
    expect(getField(r.records[0]!, 'destination.ip')).toBe('1.1.1.1');
    expect(getField(r.records[0]!, 'source.ip')).toBe('2.2.2.2');
  });

  it('reports truncated flowsets and bad templates but keeps earlier records', () => {
    const good = v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, v9TemplateRecord(300, FIELDS)), set(300, record(R1)), set(300, record(R1))]);
    const r = new NetflowDecoder().decode(good.subarray(0, good.length - 10), EXPORTER, T0);
    expect(r.records).toHaveLength(1);
    expect(r.errors.join()).toMatch(/truncated/);

    const reserved = new NetflowDecoder().decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, v9TemplateRecord(200, FIELDS))]), EXPORTER, T0);
    expect(reserved.templatesLearned).toBe(0);
    expect(reserved.errors.join()).toMatch(/template id 200 is reserved/);

    const overrun = new NetflowDecoder().decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, [set(0, cat(u16(300), u16(50), u16(8), u16(4)))]), EXPORTER, T0);
    expect(overrun.errors.join()).toMatch(/overruns/);

    const zeroLen = new NetflowDecoder().decode(v9Packet({ sysUptime: UPTIME, secs: SECS }, [cat(u16(300), u16(0))]), EXPORTER, T0);
    expect(zeroLen.errors.join()).toMatch(/invalid length 0/);
  });
});
