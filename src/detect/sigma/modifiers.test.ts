import { describe, expect, it } from 'vitest';
import { base64, base64Offsets, expandPlaceholders, inCidr, parseCidr, parseIp, utf16, windash } from './modifiers.js';

describe('encoding modifiers', () => {
  it('base64offset gives the three alignments (spec example: http://)', () => {
    expect(base64Offsets('http://', false)).toEqual(['aHR0cDovL', 'h0dHA6Ly', 'odHRwOi8v']);
  });
  it('each base64offset variant occurs in the encoding of the value at its offset', () => {
    const value = 'Invoke-Mimikatz';
    const variants = base64Offsets(value, false);
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd']) {
      const enc = Buffer.from(prefix + value + 'zz').toString('base64');
      expect(variants.some((v) => enc.includes(v))).toBe(true);
    }
  });
  it('utf16 variants', () => {
    expect(Buffer.from(utf16('ab', 'le'), 'latin1')).toEqual(Buffer.from([0x61, 0, 0x62, 0]));
    expect(Buffer.from(utf16('ab', 'be'), 'latin1')).toEqual(Buffer.from([0, 0x61, 0, 0x62]));
    expect(Buffer.from(utf16('a', 'bom'), 'latin1')).toEqual(Buffer.from([0xff, 0xfe, 0x61, 0]));
    // wide + base64: PowerShell -EncodedCommand of "ping"
    expect(base64(utf16('ping', 'le'), true)).toBe(Buffer.from('ping', 'utf16le').toString('base64'));
  });
});

describe('windash', () => {
  it('permutes flag dashes only at word starts', () => {
    const r = windash(' -enc ');
    expect(r.ok && r.value).toEqual([' -enc ', ' /enc ', ' \u2013enc ', ' \u2014enc ', ' \u2015enc ']);
    const inner = windash('a-b');
    expect(inner.ok && inner.value).toEqual(['a-b']);
    const two = windash('-a -b');
    expect(two.ok && two.value.length).toBe(25);
  });
});

describe('expand', () => {
  it('substitutes every configured value and refuses unknown placeholders', () => {
    const r = expandPlaceholders('%dc%\\x', { dc: ['DC1', 'DC2'] });
    expect(r.ok && r.value).toEqual(['DC1\\x', 'DC2\\x']);
    expect(expandPlaceholders('%nope%', {})).toMatchObject({ ok: false, reason: expect.stringContaining('%nope%') });
  });
});

describe('cidr', () => {
  const within = (ip: string, net: string): boolean => {
    const c = parseCidr(net);
    const a = parseIp(ip);
    return c.ok && a !== undefined && inCidr(a, c.value);
  };
  it('matches IPv4 networks', () => {
    expect(within('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(within('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(within('192.168.1.130', '192.168.1.128/25')).toBe(true);
    expect(within('192.168.1.127', '192.168.1.128/25')).toBe(false);
    expect(within('1.2.3.4', '0.0.0.0/0')).toBe(true);
  });
  it('matches IPv6 networks and keeps the families apart', () => {
    expect(within('fe80::1', 'fe80::/10')).toBe(true);
    expect(within('fec0::1', 'fe80::/10')).toBe(false);
    expect(within('2001:db8:0:0:0:0:0:1', '2001:db8::/32')).toBe(true);
    expect(within('::1', '::1/128')).toBe(true);
    expect(within('10.0.0.1', '::/0')).toBe(false);
  });
  it('refuses malformed networks', () => {
    expect(parseCidr('10.0.0.0/33').ok).toBe(false);
    expect(parseCidr('300.0.0.0/8').ok).toBe(false);
    expect(parseCidr('fe80::/129').ok).toBe(false);
    expect(parseCidr('nonsense').ok).toBe(false);
  });
});
