import { describe, it, expect } from 'vitest';
import { getField } from '../../schema/fields.js';
import { NetflowDecoder } from './netflow-decoder.js';
import { communityId } from './community-id.js';
import { cat, ip, ipfixMessage, ipfixOptionsTemplateRecord, ipfixTemplateRecord, set, u16, u32, u64, u8, varField } from './test-packets.js';

const EXPORTER = '[2001:db8::77]:4739';
const T0 = new Date('2024-03-01T12:00:00Z');
const EXPORT = 1_709_294_400; // 2024-03-01T12:00:00Z
const START_MS = 1_709_294_340_123n; // 59.877 s before export
const END_MS = 1_709_294_399_456n;

describe('IPFIX', () => {
  it('decodes absolute millisecond times, IPv4 5-tuple and counters', () => {
    const tpl = ipfixTemplateRecord(256, [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 8], [2, 8], [152, 8], [153, 8], [136, 1], [89, 4]]);
    const data = cat(ip('10.1.1.1'), ip('10.2.2.2'), u16(22), u16(60022), u8(6), u64(1234n), u64(10n), u64(START_MS), u64(END_MS), u8(3), u32(0x40000000));
    const r = new NetflowDecoder().decode(ipfixMessage({ exportTime: EXPORT, domain: 5 }, [set(2, tpl), set(256, data)]), EXPORTER, T0);
    expect(r.errors).toEqual([]);
    expect(r.templatesLearned).toBe(1);
    const d = r.records[0]!;
    expect(getField(d, 'event.start')).toBe('2024-03-01T11:59:00.123Z');
    expect(getField(d, 'event.end')).toBe('2024-03-01T11:59:59.456Z');
    expect(d['@timestamp']).toBe('2024-03-01T11:59:59.456Z');
    expect(getField(d, 'event.duration')).toBe(Number(END_MS - START_MS) * 1e6);
    expect(getField(d, 'source.ip')).toBe('10.1.1.1');
    expect(getField(d, 'source.port')).toBe(22);
    expect(getField(d, 'destination.port')).toBe(60022);
    expect(getField(d, 'network.transport')).toBe('tcp');
    expect(getField(d, 'source.bytes')).toBe(1234);
    expect(getField(d, 'network.packets')).toBe(10);
    expect(getField(d, 'netflow.flow_end_reason')).toBe(3);
    expect(getField(d, 'netflow.forwarding_status')).toBe(0x40000000);
    expect(getField(d, 'netflow.flow_start_milliseconds')).toBe('2024-03-01T11:59:00.123Z');
    expect(getField(d, 'netflow.exporter.observation_domain_id')).toBe(5);
    expect(getField(d, 'observer.ip')).toEqual(['2001:db8::77']);
  });

  it('accepts reduced-size encodings of counters', () => {
    const tpl = ipfixTemplateRecord(256, [[1, 3], [2, 1], [85, 2], [7, 2], [11, 2], [8, 4], [12, 4], [4, 1]]);
    const data = cat(Buffer.from([0x01, 0x00, 0x01]), u8(200), u16(0xbeef), u16(1), u16(2), ip('1.1.1.1'), ip('2.2.2.2'), u8(17));
    const d = new NetflowDecoder().decode(ipfixMessage({ exportTime: EXPORT }, [set(2, tpl), set(256, data)]), EXPORTER, T0).records[0]!;
    expect(getField(d, 'netflow.octet_delta_count')).toBe(65537);
    expect(getField(d, 'source.bytes')).toBe(65537);
    expect(getField(d, 'source.packets')).toBe(200);
    expect(getField(d, 'netflow.octet_total_count')).toBe(0xbeef);
  });

  it('reads variable-length fields (short and long length) and skips enterprise fields by length', () => {
    const tpl = ipfixTemplateRecord(300, [
      [8, 4], [82, 65535], [1, 4, 9], [96, 65535], [2, 65535, 29305], [12, 4], [7, 2], [11, 2], [4, 1],
    ]);
    const longName = 'x'.repeat(300);
    const data = cat(
      ip('192.0.2.1'), varField(Buffer.from('eth0')), u32(0xdeadbeef), varField(Buffer.from(longName)), varField(Buffer.from([1, 2, 3]), true),
      ip('192.0.2.2'), u16(1000), u16(2000), u8(17),
    );
    const r = new NetflowDecoder().decode(ipfixMessage({ exportTime: EXPORT }, [set(2, tpl), set(300, data)]), EXPORTER, T0);
    expect(r.errors).toEqual([]);
    const d = r.records[0]!;
    expect(getField(d, 'netflow.interface_name')).toBe('eth0');
    expect(getField(d, 'netflow.application_name')).toBe(longName);
    expect(getField(d, 'netflow.enterprise_9_1')).toBe('deadbeef');
    expect(getField(d, 'netflow.enterprise_29305_2')).toBe('010203');
    // Enterprise IE 1 and 2 are not octet/packet counts: they must not leak into ECS.
    expect(getField(d, 'source.bytes')).toBeUndefined();
    expect(getField(d, 'source.packets')).toBeUndefined();
    expect(getField(d, 'destination.ip')).toBe('192.0.2.2');
    expect(getField(d, 'destination.port')).toBe(2000);
  });

  it('reports a variable-length record running past its set', () => {
    const tpl = ipfixTemplateRecord(300, [[8, 4], [82, 65535]]);
    const data = cat(ip('192.0.2.1'), u8(50), Buffer.from('short'));
    const r = new NetflowDecoder().decode(ipfixMessage({ exportTime: EXPORT }, [set(2, tpl), set(300, data)]), EXPORTER, T0);
    expect(r.records).toHaveLength(0);
    expect(r.errors.join()).toMatch(/truncated/);
  });

  it('uses systemInitTimeMilliseconds from options data for sysUpTime-relative flows', () => {
    const init = 1_709_290_000_000n; // boot time
    const opt = ipfixOptionsTemplateRecord(257, [[143, 4]], [[160, 8]]);
    const flowTpl = ipfixTemplateRecord(258, [[8, 4], [12, 4], [4, 1], [22, 4], [21, 4], [32, 2]]);
    const dec = new NetflowDecoder();
    const r1 = dec.decode(ipfixMessage({ exportTime: EXPORT }, [set(3, opt), set(2, flowTpl), set(257, cat(u32(1), u64(init)))]), EXPORTER, T0);
    expect(r1.templatesLearned).toBe(2);
    expect(getField(r1.records[0]!, 'event.kind')).toBe('metric');
    expect(getField(r1.records[0]!, 'netflow.metering_process_id')).toBe(1);
    const flow = cat(ip('10.0.0.1'), ip('10.0.0.2'), u8(1), u32(4_000_000), u32(4_100_000), u16(0x0800));
    const r2 = dec.decode(ipfixMessage({ exportTime: EXPORT }, [set(258, flow)]), EXPORTER, T0);
    const d = r2.records[0]!;
    expect(getField(d, 'event.start')).toBe(new Date(Number(init) + 4_000_000).toISOString());
    expect(getField(d, 'event.end')).toBe(new Date(Number(init) + 4_100_000).toISOString());
    expect(getField(d, 'netflow.icmp_type')).toBe(8);
    expect(getField(d, 'netflow.icmp_code')).toBe(0);
    expect(getField(d, 'network.community_id')).toBe(communityId('10.0.0.1', '10.0.0.2', 1, 8, 0));
  });

  it('decodes NTP-format micro/nanosecond times and second times', () => {
    const ntp = (unixMs: number): Buffer => {
      const secs = Math.floor(unixMs / 1000);
      const frac = Math.round(((unixMs % 1000) / 1000) * 2 ** 32);
      return cat(u32(secs + 2_208_988_800), u32(frac));
    };
    const startMs = 1_709_294_000_250;
    const endMs = 1_709_294_001_750;
    const tpl = ipfixTemplateRecord(256, [[27, 16], [28, 16], [4, 1], [156, 8], [155, 8], [139, 2]]);
    const data = cat(ip('2001:db8::1'), ip('2001:db8::2'), u8(58), ntp(startMs), ntp(endMs), u16(128 << 8));
    const d = new NetflowDecoder().decode(ipfixMessage({ exportTime: EXPORT }, [set(2, tpl), set(256, data)]), EXPORTER, T0).records[0]!;
    expect(getField(d, 'event.start')).toBe(new Date(startMs).toISOString());
    expect(getField(d, 'event.end')).toBe(new Date(endMs).toISOString());
    expect(getField(d, 'network.transport')).toBe('ipv6-icmp');
    expect(getField(d, 'network.community_id')).toBe(communityId('2001:db8::1', '2001:db8::2', 58, 128, 0));

    const tplS = ipfixTemplateRecord(257, [[8, 4], [12, 4], [150, 4], [151, 4]]);
    const ds = new NetflowDecoder().decode(ipfixMessage({ exportTime: EXPORT }, [set(2, tplS), set(257, cat(ip('1.2.3.4'), ip('5.6.7.8'), u32(EXPORT - 10), u32(EXPORT - 2)))]), EXPORTER, T0).records[0]!;
    expect(getField(ds, 'event.start')).toBe(new Date((EXPORT - 10) * 1000).toISOString());
    expect(getField(ds, 'event.duration')).toBe(8e9);
  });

  it('withdraws one template, or all of them with the set id', () => {
    const dec = new NetflowDecoder({ maxPendingPerTemplate: 0 });
    const tpl = (id: number): Buffer => ipfixTemplateRecord(id, [[8, 4], [12, 4]]);
    const data = (id: number): Buffer => ipfixMessage({ exportTime: EXPORT }, [set(id, cat(ip('1.1.1.1'), ip('2.2.2.2')))]);
    dec.decode(ipfixMessage({ exportTime: EXPORT }, [set(2, cat(tpl(256), tpl(257), tpl(258)))]), EXPORTER, T0);
    expect(dec.stats().templates).toBe(3);
    dec.decode(ipfixMessage({ exportTime: EXPORT }, [set(2, cat(u16(256), u16(0)))]), EXPORTER, T0);
    expect(dec.decode(data(256), EXPORTER, T0).records).toHaveLength(0);
    expect(dec.decode(data(257), EXPORTER, T0).records).toHaveLength(1);
    dec.decode(ipfixMessage({ exportTime: EXPORT }, [set(2, cat(u16(2), u16(0)))]), EXPORTER, T0);
    expect(dec.stats().templates).toBe(0);
    expect(dec.decode(data(258), EXPORTER, T0).records).toHaveLength(0);
  });

  it('keeps observation domains apart', () => {
    const dec = new NetflowDecoder();
    dec.decode(ipfixMessage({ exportTime: EXPORT, domain: 1 }, [set(2, ipfixTemplateRecord(256, [[8, 4], [12, 4]]))]), EXPORTER, T0);
    const data = set(256, cat(ip('1.1.1.1'), ip('2.2.2.2')));
    expect(dec.decode(ipfixMessage({ exportTime: EXPORT, domain: 2 }, [data]), EXPORTER, T0).records).toHaveLength(0);
    expect(dec.decode(ipfixMessage({ exportTime: EXPORT, domain: 1 }, [data]), EXPORTER, T0).records).toHaveLength(1);
  });

  it('reports malformed messages', () => {
    const dec = new NetflowDecoder();
    const tooLong = ipfixMessage({ exportTime: EXPORT, length: 500 }, [set(2, ipfixTemplateRecord(256, [[8, 4]]))]);
    expect(dec.decode(tooLong, EXPORTER, T0).errors.join()).toMatch(/exceeds/);
    expect(dec.decode(ipfixMessage({ exportTime: EXPORT, length: 8 }, []), EXPORTER, T0).errors.join()).toMatch(/shorter than the header/);
    const badScope = ipfixMessage({ exportTime: EXPORT }, [set(3, cat(u16(300), u16(1), u16(0), u16(8), u16(4)))]);
    expect(dec.decode(badScope, EXPORTER, T0).errors.join()).toMatch(/scope field count/);
    expect(dec.decode(Buffer.from([0, 7, 1, 2]), EXPORTER, T0).errors.join()).toMatch(/unsupported version 7/);
    expect(dec.decode(Buffer.alloc(0), EXPORTER, T0).errors.join()).toMatch(/no version/);
  });

  it('holds data sets that precede their template and decodes them once it arrives', () => {
    const dec = new NetflowDecoder();
    const data = set(256, cat(ip('10.0.0.1'), ip('10.0.0.2'), u8(17), ip('10.0.0.3'), ip('10.0.0.4'), u8(6)));
    const early = dec.decode(ipfixMessage({ exportTime: EXPORT, domain: 9 }, [data]), EXPORTER, T0);
    expect(early.records).toEqual([]);
    expect(early.errors).toEqual([]);
    // Same message order reversed: template after the data it describes, in one message.
    const both = dec.decode(ipfixMessage({ exportTime: EXPORT, domain: 9 }, [data, set(2, ipfixTemplateRecord(256, [[8, 4], [12, 4], [4, 1]]))]), EXPORTER, T0);
    expect(both.templatesLearned).toBe(1);
    expect(both.records.map((r) => getField(r, 'network.transport'))).toEqual(['udp', 'tcp', 'udp', 'tcp']);
    expect(dec.stats().pendingSets).toBe(0);
  });
});
