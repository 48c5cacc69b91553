import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { NetflowDecoder } from './netflow-decoder.js';
import { cat, ip, ipfixMessage, ipfixOptionsTemplateRecord, ipfixTemplateRecord, set, u16, u32, u8, v5Packet, v9OptionsTemplateRecord, v9Packet, v9TemplateRecord, varField } from './test-packets.js';

const EXPORTER = '192.0.2.1:2055';
const T0 = new Date('2024-01-01T00:00:00Z');

function checkResult(dec: NetflowDecoder, pkt: Buffer): void {
  const r = dec.decode(pkt, EXPORTER, T0);
  expect(Array.isArray(r.records)).toBe(true);
  expect(Array.isArray(r.errors)).toBe(true);
  expect(r.templatesLearned).toBeGreaterThanOrEqual(0);
  for (const e of r.errors) {
    expect(typeof e).toBe('string');
    expect(e).not.toMatch(/internal decoder error/); // the catch-all must stay unreachable
  }
  for (const rec of r.records) {
    expect((rec.event as { module?: string }).module).toBe('netflow');
    expect(typeof rec['@timestamp']).toBe('string');
  }
  // Documents must survive JSON (no BigInt, no cycles).
  expect(() => JSON.stringify(r.records)).not.toThrow();
}

const VALID: Buffer[] = [
  v5Packet({ sysUptime: 5000, secs: 1_700_000_000, nsecs: 0 }, [
    { src: '10.0.0.1', dst: '10.0.0.2', packets: 1, bytes: 60, first: 1000, last: 4000, sport: 1, dport: 2, proto: 6 },
    { src: '10.0.0.3', dst: '10.0.0.4', packets: 1, bytes: 60, first: 1000, last: 4000, sport: 0, dport: 771, proto: 1 },
  ]),
  v9Packet({ sysUptime: 5000, secs: 1_700_000_000 }, [
    set(0, v9TemplateRecord(256, [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4], [22, 4], [21, 4]])),
    set(1, v9OptionsTemplateRecord(257, [[1, 4]], [[34, 4]])),
    set(256, cat(ip('1.1.1.1'), ip('2.2.2.2'), u16(1), u16(2), u8(17), u32(100), u32(1), u32(1000), u32(2000))),
    set(257, cat(u32(1), u32(100))),
  ]),
  ipfixMessage({ exportTime: 1_700_000_000 }, [
    set(2, ipfixTemplateRecord(256, [[27, 16], [28, 16], [82, 65535], [1, 4, 9], [4, 1], [152, 8]])),
    set(3, ipfixOptionsTemplateRecord(258, [[143, 4]], [[160, 8]])),
    set(256, cat(ip('2001:db8::1'), ip('2001:db8::2'), varField(Buffer.from('eth0')), u32(7), u8(6), Buffer.alloc(8, 1))),
    set(258, cat(u32(1), Buffer.alloc(8, 2))),
  ]),
];

describe('NetflowDecoder properties', () => {
  it('never throws on random bytes', () => {
    const dec = new NetflowDecoder({ maxTemplates: 50 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => checkResult(dec, Buffer.from(bytes))), { numRuns: 500 });
  });

  it('never throws on random bytes behind a plausible header', () => {
    const dec = new NetflowDecoder({ maxTemplates: 50 });
    fc.assert(
      fc.property(fc.constantFrom(5, 9, 10), fc.uint8Array({ maxLength: 1500 }), (version, bytes) => {
        const pkt = cat(u16(version), Buffer.from(bytes));
        if (version === 10 && pkt.length >= 4) pkt.writeUInt16BE(pkt.length, 2);
        checkResult(dec, pkt);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated and truncated valid packets', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID.keys()),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }),
        fc.option(fc.nat()),
        (which, flips, cut) => {
          const dec = new NetflowDecoder({ maxTemplates: 10 });
          const pkt = Buffer.from(VALID[which]!);
          for (const [pos, val] of flips) pkt[pos % pkt.length] = val;
          checkResult(dec, cut === null ? pkt : pkt.subarray(0, cut % (pkt.length + 1)));
          // Replays hit learned (possibly mutated) templates and queued data paths.
          checkResult(dec, pkt);
          checkResult(dec, VALID[which]!);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws on random templates followed by random data', () => {
    const field = fc.tuple(fc.nat(400), fc.oneof(fc.nat(20), fc.constant(65535)), fc.option(fc.nat(), { nil: undefined }));
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 600 }), fc.boolean(), (fields, data, v9) => {
        const dec = new NetflowDecoder();
        const pkt = v9
          ? v9Packet({ sysUptime: 1, secs: 1 }, [set(0, v9TemplateRecord(300, fields.map(([i, l]) => [i, l]))), set(300, Buffer.from(data))])
          : ipfixMessage({ exportTime: 1 }, [set(2, ipfixTemplateRecord(300, fields)), set(300, Buffer.from(data))]);
        checkResult(dec, pkt);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes the unmutated packets without errors', () => {
    const dec = new NetflowDecoder();
    const counts = VALID.map((p) => {
      const r = dec.decode(p, EXPORTER, T0);
      expect(r.errors).toEqual([]);
      return r.records.length;
    });
    expect(counts).toEqual([2, 2, 2]);
  });
});
