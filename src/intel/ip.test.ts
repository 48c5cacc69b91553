import fc from 'fast-check';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cidrContains, cidrText, ipText, parseCidr, parseIp } from './ip.js';

describe('IP and CIDR helpers', () => {
  it('canonicalizes addresses and networks', () => {
    expect(ipText(parseIp('2001:0DB8:0000:0000:0000:0000:0000:0001')!)).toBe('2001:db8::1');
    expect(ipText(parseIp('::ffff:192.0.2.1')!)).toBe('192.0.2.1');
    expect(cidrText(parseCidr('198.51.100.77/24')!)).toBe('198.51.100.0/24');
    expect(cidrText(parseCidr('2001:db8:dead:beef::1/33')!)).toBe('2001:db8:8000::/33');
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseIp('01.2.3.4')).toBeUndefined();
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('255.255.255.255')!)).toBe(true);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseIp('11.0.0.0')!)).toBe(false);
  });

  it('agrees with node:net on what an address is, and never throws', () => {
    const quadish = fc
      .array(fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', '00', '1a', ' ')), {
        minLength: 1,
        maxLength: 5,
      })
      .map((p) => p.join('.'));
    fc.assert(
      fc.property(fc.oneof(quadish, fc.string({ maxLength: 45 }), fc.ipV4(), fc.ipV6()), (s) => {
        const p = parseIp(s);
        if (isIP(s) !== 0) expect(p).toBeDefined();
        if (p && !s.includes('%') && s === s.trim()) expect(isIP(s.replace(/^\[|\]$/g, ''))).not.toBe(0);
        parseCidr(`${s}/${s.length}`);
      }),
      { numRuns: 3000 },
    );
  });
});
