import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatIPv6, parseIPv4, parseIPv6, splitHostPort } from './ip-address.js';

describe('ip addresses', () => {
  it('formats IPv6 per RFC 5952', () => {
    const f = (t: string): string => formatIPv6(parseIPv6(t)!, 0);
    expect(f('2001:0db8:0000:0000:0000:0000:0002:0001')).toBe('2001:db8::2:1');
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group is not collapsed
    expect(f('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1'); // longest run wins
    expect(f('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // first run on ties
    expect(f('::')).toBe('::');
    expect(f('::1')).toBe('::1');
    expect(f('fe80::')).toBe('fe80::');
    expect(f('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '', 'a.b.c.d']) expect(parseIPv4(bad)).toBeUndefined();
    for (const bad of ['1::2::3', ':::', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1']) expect(parseIPv6(bad)).toBeUndefined();
  });

  it('round-trips any 16 bytes through text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(Buffer.from(parseIPv6(formatIPv6(bytes, 0))!)).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('splits exporter addresses', () => {
    expect(splitHostPort('192.0.2.1:2055')).toEqual({ ip: '192.0.2.1', port: 2055 });
    expect(splitHostPort('[2001:db8::1]:4739')).toEqual({ ip: '2001:db8::1', port: 4739 });
    expect(splitHostPort('192.0.2.1')).toEqual({ ip: '192.0.2.1' });
    expect(splitHostPort('2001:db8::1')).toEqual({ ip: '2001:db8::1' });
  });
});
