import { describe, it, expect } from 'vitest';
import { getField } from '../../schema/fields.js';
import { NetflowDecoder } from './netflow-decoder.js';
import { communityId } from './community-id.js';
import { v5Packet, type V5Record } from './test-packets.js';

const EXPORTER = '192.0.2.10:2055';
const RECEIVED = new Date('2023-11-14T22:14:00Z');

const tcp: V5Record = {
  src: '10.0.0.1', dst: '192.0.2.80', nextHop: '10.0.0.254', input: 3, output: 7, packets: 12, bytes: 3400,
  first: 40_000, last: 90_000, sport: 51514, dport: 443, tcpFlags: 0x1b, proto: 6, tos: 0x10, srcAs: 64512, dstAs: 15169, srcMask: 24, dstMask: 16,
};

describe('NetFlow v5', () => {
  it('decodes the 48-byte record layout into ECS', () => {
    // unix_secs 1700000000 + 0.5 s; sysUptime 100 s; the flow started 60 s and ended 10 s before export.
    const pkt = v5Packet({ sysUptime: 100_000, secs: 1_700_000_000, nsecs: 500_000_000, seq: 77, engineType: 1, engineId: 2, sampling: (1 << 14) | 100 }, [tcp]);
    expect(pkt.length).toBe(24 + 48);
    const r = new NetflowDecoder().decode(pkt, EXPORTER, RECEIVED);
    expect(r.errors).toEqual([]);
    expect(r.templatesLearned).toBe(0);
    expect(r.records).toHaveLength(1);
    const d = r.records[0]!;
    const exportMs = 1_700_000_000_500;
    expect(d['@timestamp']).toBe(new Date(exportMs - 10_000).toISOString());
    expect(getField(d, 'event.start')).toBe(new Date(exportMs - 60_000).toISOString());
    expect(getField(d, 'event.end')).toBe(new Date(exportMs - 10_000).toISOString());
    expect(getField(d, 'event.duration')).toBe(50_000 * 1e6);
    expect(getField(d, 'event.kind')).toBe('event');
    expect(getField(d, 'event.category')).toEqual(['network']);
    expect(getField(d, 'event.type')).toEqual(['connection']);
    expect(getField(d, 'event.module')).toBe('netflow');
    expect(getField(d, 'event.dataset')).toBe('netflow.log');
    expect(getField(d, 'source.ip')).toBe('10.0.0.1');
    expect(getField(d, 'source.port')).toBe(51514);
    expect(getField(d, 'source.bytes')).toBe(3400);
    expect(getField(d, 'source.packets')).toBe(12);
    expect(getField(d, 'source.as.number')).toBe(64512);
    expect(getField(d, 'destination.ip')).toBe('192.0.2.80');
    expect(getField(d, 'destination.port')).toBe(443);
    expect(getField(d, 'destination.as.number')).toBe(15169);
    expect(getField(d, 'network.transport')).toBe('tcp');
    expect(getField(d, 'network.iana_number')).toBe('6');
    expect(getField(d, 'network.bytes')).toBe(3400);
    expect(getField(d, 'network.packets')).toBe(12);
    expect(getField(d, 'network.type')).toBe('ipv4');
    expect(getField(d, 'network.community_id')).toBe(communityId('10.0.0.1', '192.0.2.80', 6, 51514, 443));
    expect(getField(d, 'observer.ip')).toEqual(['192.0.2.10']);
    expect(getField(d, 'related.ip')).toEqual(['10.0.0.1', '192.0.2.80']);
    expect(getField(d, 'netflow.ip_next_hop_ipv4_address')).toBe('10.0.0.254');
    expect(getField(d, 'netflow.ingress_interface')).toBe(3);
    expect(getField(d, 'netflow.egress_interface')).toBe(7);
    expect(getField(d, 'netflow.tcp_control_bits')).toBe(0x1b);
    expect(getField(d, 'netflow.ip_class_of_service')).toBe(0x10);
    expect(getField(d, 'netflow.source_ipv4_prefix_length')).toBe(24);
    expect(getField(d, 'netflow.destination_ipv4_prefix_length')).toBe(16);
    expect(getField(d, 'netflow.exporter.sampling_interval')).toBe(100);
    expect(getField(d, 'netflow.exporter.sampling_mode')).toBe(1);
    expect(getField(d, 'netflow.exporter.engine_type')).toBe(1);
    expect(getField(d, 'netflow.exporter.engine_id')).toBe(2);
    expect(getField(d, 'netflow.exporter.version')).toBe(5);
  });

  it('handles sysUptime wrapping past 2^32 ms between flow start and export', () => {
    // Started 5 s before export, just before the 49.7-day counter wrapped; export at uptime 1 s.
    const pkt = v5Packet({ sysUptime: 1000, secs: 1_700_000_000, nsecs: 0 }, [{ ...tcp, first: 2 ** 32 - 4000, last: 500 }]);
    const d = new NetflowDecoder().decode(pkt, EXPORTER, RECEIVED).records[0]!;
    expect(getField(d, 'event.start')).toBe(new Date(1_700_000_000_000 - 5000).toISOString());
    expect(getField(d, 'event.end')).toBe(new Date(1_700_000_000_000 - 500).toISOString());
  });

  it('reads ICMP type/code from the destination port (type*256+code)', () => {
    const pkt = v5Packet({ sysUptime: 1000, secs: 1_700_000_000, nsecs: 0 }, [{ ...tcp, proto: 1, sport: 0, dport: 8 * 256 }]);
    const d = new NetflowDecoder().decode(pkt, EXPORTER, RECEIVED).records[0]!;
    expect(getField(d, 'network.transport')).toBe('icmp');
    expect(getField(d, 'netflow.icmp_type')).toBe(8);
    expect(getField(d, 'netflow.icmp_code')).toBe(0);
    expect(getField(d, 'network.community_id')).toBe(communityId('10.0.0.1', '192.0.2.80', 1, 8, 0));
  });

  it('keeps complete records and reports a count larger than the packet', () => {
    const pkt = v5Packet({ count: 3, sysUptime: 1000, secs: 1_700_000_000, nsecs: 0 }, [tcp, { ...tcp, proto: 17 }]);
    const r = new NetflowDecoder().decode(pkt.subarray(0, pkt.length - 10), EXPORTER, RECEIVED);
    expect(r.records).toHaveLength(1);
    expect(r.errors.join()).toMatch(/announces 3 records but only 1 fit/);
  });

  it('reports a packet shorter than the header', () => {
    const r = new NetflowDecoder().decode(Buffer.from([0, 5, 0, 1]), EXPORTER, RECEIVED);
    expect(r.records).toEqual([]);
    expect(r.errors[0]).toMatch(/shorter than the 24-byte header/);
  });
});

describe('NetFlow v5 exporter naming', () => {
  it('puts a non-IP exporter name in observer.hostname, not observer.ip', () => {
    const pkt = v5Packet({ sysUptime: 1000, secs: 1_700_000_000, nsecs: 0 }, [tcp]);
    const d = new NetflowDecoder().decode(pkt, 'router-1:2055', RECEIVED).records[0]!;
    expect(getField(d, 'observer.ip')).toBeUndefined();
    expect(getField(d, 'observer.hostname')).toBe('router-1');
    expect(getField(d, 'netflow.exporter.address')).toBe('router-1:2055');
  });
});
