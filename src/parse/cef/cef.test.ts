import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getField as f } from '../../schema/fields.js';
import { parseCef, cefSeverity } from './cef.js';

function cef(s: string, ctx = {}) {
  const r = parseCef(s, ctx);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('CEF header', () => {
  it('reads the specification example', () => {
    const d = cef('CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232');
    expect(f(d, 'cef.version')).toBe('0');
    expect(f(d, 'cef.device.vendor')).toBe('Security');
    expect(f(d, 'cef.device.product')).toBe('threatmanager');
    expect(f(d, 'cef.device.version')).toBe('1.0');
    expect(f(d, 'cef.device.event_class_id')).toBe('100');
    expect(f(d, 'cef.name')).toBe('worm successfully stopped');
    expect(f(d, 'event.code')).toBe('100');
    expect(f(d, 'event.severity')).toBe(10);
    expect(f(d, 'observer.vendor')).toBe('Security');
    expect(f(d, 'observer.product')).toBe('threatmanager');
    expect(f(d, 'source.ip')).toBe('10.0.0.1');
    expect(f(d, 'destination.ip')).toBe('2.1.2.2');
    expect(f(d, 'source.port')).toBe(1232);
    expect(f(d, 'related.ip')).toEqual(['10.0.0.1', '2.1.2.2']);
    expect(f(d, 'message')).toBe('worm successfully stopped');
  });

  it('unescapes \\| and \\\\ in the header', () => {
    const d = cef('CEF:0|security|threat\\|manager|1.0|100|detected a \\\\ in packet|10|');
    expect(f(d, 'cef.device.product')).toBe('threat|manager');
    expect(f(d, 'cef.name')).toBe('detected a \\ in packet');
    expect(f(d, 'cef.extensions')).toEqual({});
  });

  it('maps word severities', () => {
    expect(cefSeverity('Low')).toBe(3);
    expect(cefSeverity('Medium')).toBe(6);
    expect(cefSeverity('High')).toBe(8);
    expect(cefSeverity('Very-High')).toBe(10);
    expect(cefSeverity('7')).toBe(7);
    expect(cefSeverity('11')).toBeUndefined();
    expect(cefSeverity('bogus')).toBeUndefined();
    expect(f(cef('CEF:1|v|p|1|x|n|Very-High|'), 'event.severity')).toBe(10);
  });

  it('refuses records that are not CEF', () => {
    expect(parseCef('hello').ok).toBe(false);
    expect(parseCef('CEF:0|a|b|c').ok).toBe(false);
    expect(parseCef('CEF:x|a|b|c|d|e|5|').ok).toBe(false);
  });
});

describe('CEF extension', () => {
  it('unescapes \\= \\\\ \\n \\r and keeps values with spaces', () => {
    const d = cef('CEF:0|a|b|1|1|n|5|msg=detected a \\= in message\\nsecond line\\r fname=C:\\\\Windows\\\\x.exe suser=John Smith act=blocked');
    expect(f(d, 'cef.extensions.msg')).toBe('detected a = in message\nsecond line\r');
    expect(f(d, 'message')).toBe('detected a = in message\nsecond line\r');
    expect(f(d, 'file.name')).toBe('C:\\Windows\\x.exe');
    expect(f(d, 'source.user.name')).toBe('John Smith');
    expect(f(d, 'user.name')).toBe('John Smith');
    expect(f(d, 'event.action')).toBe('blocked');
  });

  it('does not split on "=" inside a URL value', () => {
    const d = cef('CEF:0|a|b|1|1|n|5|request=http://x.example/?a=b&c=d requestMethod=GET proto=TCP');
    expect(f(d, 'url.original')).toBe('http://x.example/?a=b&c=d');
    expect(f(d, 'http.request.method')).toBe('GET');
    expect(f(d, 'network.transport')).toBe('tcp');
  });

  it('resolves custom labels into cef.extensions.<label>', () => {
    const d = cef('CEF:0|a|b|1|1|n|5|cs1Label=Policy Name cs1=Block all cn1Label=Score cn1=42 cs2=unlabelled');
    expect(f(d, 'cef.extensions')).toMatchObject({ 'Policy Name': 'Block all', Score: '42', cs1: 'Block all', cs2: 'unlabelled' });
  });

  it('maps users, ports, hosts and bytes', () => {
    const d = cef('CEF:0|a|b|1|1|n|5|src=192.0.2.1 spt=1234 dst=2001:db8::1 dpt=443 shost=ws1.example duser=root in=10 out=20 outcome=failure deviceDirection=1 dvc=10.9.9.9');
    expect(f(d, 'destination.ip')).toBe('2001:db8::1');
    expect(f(d, 'destination.port')).toBe(443);
    expect(f(d, 'source.domain')).toBe('ws1.example');
    expect(f(d, 'destination.user.name')).toBe('root');
    expect(f(d, 'user.name')).toBe('root');
    expect(f(d, 'source.bytes')).toBe(10);
    expect(f(d, 'destination.bytes')).toBe(20);
    expect(f(d, 'event.outcome')).toBe('failure');
    expect(f(d, 'network.direction')).toBe('outbound');
    expect(f(d, 'observer.ip')).toEqual(['10.9.9.9']);
    expect(f(d, 'related.hosts')).toEqual(['ws1.example']);
    expect(f(d, 'related.user')).toEqual(['root']);
  });

  it('reads rt as epoch ms and as MMM dd yyyy HH:mm:ss (with or without zone)', () => {
    expect(f(cef('CEF:0|a|b|1|1|n|5|rt=1718449200000'), '@timestamp')).toBe('2024-06-15T11:00:00.000Z');
    expect(f(cef('CEF:0|a|b|1|1|n|5|rt=Jun 15 2024 11:00:00'), '@timestamp')).toBe('2024-06-15T11:00:00.000Z');
    expect(f(cef('CEF:0|a|b|1|1|n|5|rt=Jun 15 2024 11:00:00.250 CEST'), '@timestamp')).toBe('2024-06-15T09:00:00.250Z');
    expect(f(cef('CEF:0|a|b|1|1|n|5|rt=Jun 15 2024 11:00:00', { timezone: 'America/New_York' }), '@timestamp')).toBe('2024-06-15T15:00:00.000Z');
    expect(f(cef('CEF:0|a|b|1|1|n|5|rt=garbage'), '@timestamp')).toBeUndefined();
  });

  it('ignores prototype keys', () => {
    const d = cef('CEF:0|a|b|1|1|n|5|__proto__=x cs1Label=__proto__ cs1=y');
    expect(Object.getPrototypeOf(f(d, 'cef.extensions'))).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('CEF properties', () => {
  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      const r = parseCef(s);
      return r.ok || typeof r.reason === 'string';
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      const r = parseCef('CEF:0|' + s);
      return r.ok || typeof r.reason === 'string';
    }), { numRuns: 2000 });
  });

  it('never throws on mutated valid records', () => {
    const base = 'CEF:0|Sec\\|x|tm|1.0|100|worm \\\\ stopped|High|src=10.0.0.1 dst=2.1.2.2 spt=1232 msg=a \\= b\\n cs1Label=L cs1=v rt=Jun 15 2024 11:00:00.1 CEST request=http://a/?b=c';
    fc.assert(fc.property(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 8 }), (a, b, ins) => {
      const s = base.slice(0, Math.min(a, b)) + ins + base.slice(Math.max(a, b));
      const r = parseCef(s);
      return r.ok || r.reason.length > 0;
    }), { numRuns: 3000 });
  });

  it('round-trips escaped extension values', () => {
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    fc.assert(fc.property(fc.string({ maxLength: 40 }).filter((v) => v.trim() === v && v.length > 0), (v) => {
      const r = parseCef(`CEF:0|a|b|1|1|n|5|msg=${esc(v)} act=x`);
      return r.ok && f(r.value, 'cef.extensions.msg') === v;
    }), { numRuns: 1000 });
  });
});
