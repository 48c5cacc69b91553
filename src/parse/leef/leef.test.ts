import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getField as f } from '../../schema/fields.js';
import { leefDelimiter, parseLeef } from './leef.js';
import { parseJavaDate } from './java-date.js';

function leef(s: string, ctx = {}) {
  const r = parseLeef(s, ctx);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('LEEF 1.0', () => {
  it('reads the tab-delimited example from the LEEF guide', () => {
    const d = leef('LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\tsev=5\tcat=anomaly\tsrcPort=81\tdstPort=21\tusrName=joe.black');
    expect(f(d, 'leef.version')).toBe('1.0');
    expect(f(d, 'leef.device.vendor')).toBe('Microsoft');
    expect(f(d, 'leef.device.product')).toBe('MSExchange');
    expect(f(d, 'leef.device.version')).toBe('4.0 SP1');
    expect(f(d, 'leef.event_id')).toBe('15345');
    expect(f(d, 'event.code')).toBe('15345');
    expect(f(d, 'source.ip')).toBe('192.0.2.0');
    expect(f(d, 'destination.ip')).toBe('172.50.123.1');
    expect(f(d, 'source.port')).toBe(81);
    expect(f(d, 'destination.port')).toBe(21);
    expect(f(d, 'user.name')).toBe('joe.black');
    expect(f(d, 'event.severity')).toBe(5);
    expect(f(d, 'event.action')).toBe('anomaly');
    expect(f(d, 'leef.attributes.cat')).toBe('anomaly');
    expect(f(d, 'related.ip')).toEqual(['192.0.2.0', '172.50.123.1']);
  });

  it('keeps values that contain "=" and spaces', () => {
    const d = leef('LEEF:1.0|V|P|1|E|url=http://a/?x=1&y=2\tmsg=hello world');
    expect(f(d, 'url.original')).toBe('http://a/?x=1&y=2');
    expect(f(d, 'leef.attributes.msg')).toBe('hello world');
  });
});

describe('LEEF 2.0 delimiters', () => {
  it('reads the delimiter as a character or as a hex code', () => {
    expect(leefDelimiter('^')).toBe('^');
    expect(leefDelimiter('x09')).toBe('\t');
    expect(leefDelimiter('0x5E')).toBe('^');
    expect(leefDelimiter('')).toBe('\t');
    expect(leefDelimiter('xZZ')).toBeUndefined();
  });

  it('splits attributes on "^"', () => {
    const d = leef('LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21');
    expect(f(d, 'leef.delimiter')).toBe('^');
    expect(f(d, 'source.ip')).toBe('10.0.1.8');
    expect(f(d, 'destination.port')).toBe(21);
  });

  it('splits attributes on x09 (tab) and 0x7C-free custom chars; a piece without "=" continues the value', () => {
    const d = leef('LEEF:2.0|V|P|1.0|ID|x09|src=1.1.1.1\tdst=2.2.2.2');
    expect(f(d, 'destination.ip')).toBe('2.2.2.2');
    const e = leef('LEEF:2.0|V|P|1.0|ID|0x23|msg=a#b#src=3.3.3.3');
    expect(f(e, 'leef.attributes.msg')).toBe('a#b');
    expect(f(e, 'source.ip')).toBe('3.3.3.3');
  });

  it('refuses a bad delimiter, a missing header and unknown versions', () => {
    expect(parseLeef('LEEF:2.0|V|P|1.0|ID|xyz|src=1.1.1.1').ok).toBe(false);
    expect(parseLeef('LEEF:1.0|V|P').ok).toBe(false);
    expect(parseLeef('LEEF:3.0|V|P|1|E|a=b').ok).toBe(false);
    expect(parseLeef('CEF:0|a').ok).toBe(false);
  });
});

describe('LEEF devTime', () => {
  it('follows devTimeFormat (Java SimpleDateFormat)', () => {
    const a = leef('LEEF:1.0|V|P|1|E|devTime=Jun 15 2024 11:00:00.123 CEST\tdevTimeFormat=MMM dd yyyy HH:mm:ss.SSS z');
    expect(f(a, '@timestamp')).toBe('2024-06-15T09:00:00.123Z');
    const b = leef("LEEF:1.0|V|P|1|E|devTime=2024-06-15T11:00:00.000+0200\tdevTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    expect(f(b, '@timestamp')).toBe('2024-06-15T09:00:00.000Z');
    const c = leef('LEEF:1.0|V|P|1|E|devTime=15/06/2024 01:05:06 PM\tdevTimeFormat=dd/MM/yyyy hh:mm:ss a', { timezone: 'Europe/Paris' });
    expect(f(c, '@timestamp')).toBe('2024-06-15T11:05:06.000Z');
  });

  it('reads epoch ms and the default format without devTimeFormat', () => {
    expect(f(leef('LEEF:1.0|V|P|1|E|devTime=1718449200000'), '@timestamp')).toBe('2024-06-15T11:00:00.000Z');
    expect(f(leef('LEEF:1.0|V|P|1|E|devTime=Jun 15 2024 11:00:00'), '@timestamp')).toBe('2024-06-15T11:00:00.000Z');
  });

  it('java date reader rejects mismatches', () => {
    expect(parseJavaDate('2024/06/15', 'yyyy-MM-dd', 'UTC', new Date())).toBeUndefined();
    expect(parseJavaDate('2024-02-30', 'yyyy-MM-dd', 'UTC', new Date())).toBeUndefined();
    expect(parseJavaDate('20240615', 'yyyyMMdd', 'UTC', new Date())).toBe(Date.UTC(2024, 5, 15));
  });
});

describe('LEEF properties', () => {
  it('never throws on arbitrary or mutated input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      const r = parseLeef('LEEF:' + s);
      return r.ok || typeof r.reason === 'string';
    }), { numRuns: 2000 });
    const base = 'LEEF:2.0|Lancope|StealthWatch|1.0|41|0x5E|src=10.0.1.8^dst=10.0.0.5^sev=5^devTime=Jun 15 2024 11:00:00.1 CEST^devTimeFormat=MMM dd yyyy HH:mm:ss.SSS z';
    fc.assert(fc.property(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 8 }), (a, b, ins) => {
      const r = parseLeef(base.slice(0, Math.min(a, b)) + ins + base.slice(Math.max(a, b)));
      return r.ok || r.reason.length > 0;
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (v, fmt) => {
      const t = parseJavaDate(v, fmt, 'UTC', new Date());
      return t === undefined || typeof t === 'number';
    }), { numRuns: 2000 });
  });
});
