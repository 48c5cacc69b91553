import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseKv } from './kv.js';

function kv(s: string, opts = {}) {
  const r = parseKv(s, opts);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('parseKv', () => {
  it('reads bare, double-quoted and single-quoted values', () => {
    expect(kv('a=1 b="x y" c=\'p q\'  d=')).toEqual({ a: '1', b: 'x y', c: 'p q', d: '' });
  });

  it('unescapes \\" and \\\\ inside quotes and "\\ " in bare values', () => {
    expect(kv('m="say \\"hi\\" C:\\\\x" p=a\\ b')).toEqual({ m: 'say "hi" C:\\x', p: 'a b' });
  });

  it('keeps backslashes that escape nothing (Windows paths)', () => {
    expect(kv('path=C:\\Windows\\system32 x=1')).toEqual({ path: 'C:\\Windows\\system32', x: '1' });
  });

  it('appends a bare token to the previous unquoted value', () => {
    expect(kv('msg=disk full on /var k=v')).toEqual({ msg: 'disk full on /var', k: 'v' });
    expect(kv('m="q" junk k=v')).toEqual({ m: 'q', k: 'v' });
  });

  it('runs an unterminated quote to the end', () => {
    expect(kv('a="open value b=2')).toEqual({ a: 'open value b=2' });
  });

  it('supports other separators', () => {
    expect(kv('a=1,b=2;c=3', { separators: ',;' })).toEqual({ a: '1', b: '2', c: '3' });
    expect(kv('a:1 b:2', { assign: ':' })).toEqual({ a: '1', b: '2' });
  });

  it('refuses prototype keys and lines without pairs', () => {
    const v = kv('__proto__=x constructor=y ok=1');
    expect(v).toEqual({ ok: '1' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(parseKv('no pairs here').ok).toBe(false);
    expect(parseKv('').ok).toBe(false);
    expect(parseKv('=x').ok).toBe(false);
  });

  it('caps the number of pairs', () => {
    const line = Array.from({ length: 50 }, (_, i) => `k${i}=${i}`).join(' ');
    expect(Object.keys(kv(line, { maxPairs: 10 }))).toHaveLength(10);
  });

  it('never throws, and round-trips quoted values', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      const r = parseKv(s);
      return r.ok || r.reason.length > 0;
    }), { numRuns: 3000 });
    fc.assert(fc.property(
      fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), fc.string({ maxLength: 20 }), { minKeys: 1, maxKeys: 8 }),
      (obj) => {
        const line = Object.entries(obj).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(' ');
        const r = parseKv(line);
        if (!r.ok) return false;
        const expected = Object.fromEntries(Object.entries(obj).filter(([k]) => !['__proto__', 'constructor', 'prototype'].includes(k)));
        expect(r.value).toEqual(expected);
        return true;
      },
    ), { numRuns: 500 });
  });
});
