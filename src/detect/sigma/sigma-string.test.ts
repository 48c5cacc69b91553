import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compilePattern, parseSigmaString, QMARK, STAR, withContains } from './sigma-string.js';

const m = (pattern: string, s: string): boolean => compilePattern(parseSigmaString(pattern))(s);

describe('Sigma string values', () => {
  it('treats * and ? as wildcards', () => {
    expect(m('a*c', 'abbbc')).toBe(true);
    expect(m('a*c', 'ab')).toBe(false);
    expect(m('a?c', 'abc')).toBe(true);
    expect(m('a?c', 'abbc')).toBe(false);
    expect(m('*', '')).toBe(true);
    expect(m('a*b*c', 'axbxc')).toBe(true);
    expect(m('a*b*c', 'axcxb')).toBe(false);
    expect(m('*ab?d*', 'xxabcdyy')).toBe(true);
  });

  it('escapes only *, ? and backslash with a backslash', () => {
    expect(parseSigmaString('a\\*b')).toEqual(['a*b']);
    expect(parseSigmaString('a\\?b')).toEqual(['a?b']);
    expect(parseSigmaString('a\\\\*')).toEqual(['a\\', STAR]);
    // a backslash before any other character is a plain backslash (Windows paths)
    expect(parseSigmaString('C:\\Windows\\cmd.exe')).toEqual(['C:\\Windows\\cmd.exe']);
    expect(parseSigmaString('trailing\\')).toEqual(['trailing\\']);
    expect(parseSigmaString('?')).toEqual([QMARK]);
    expect(m('a\\*b', 'a*b')).toBe(true);
    expect(m('a\\*b', 'axb')).toBe(false);
  });

  it('anchors exact values at both ends', () => {
    expect(m('cmd.exe', 'cmd.exe')).toBe(true);
    expect(m('cmd.exe', 'xcmd.exe')).toBe(false);
    expect(compilePattern(withContains(parseSigmaString('cmd')))('xcmdx')).toBe(true);
  });

  it('agrees with a reference regex on random patterns (property)', () => {
    const alpha = fc.constantFrom('a', 'b', '*', '?', '\\');
    fc.assert(
      fc.property(fc.array(alpha, { maxLength: 8 }).map((a) => a.join('')), fc.array(fc.constantFrom('a', 'b', '*', '?', '\\'), { maxLength: 10 }).map((a) => a.join('')), (pat, s) => {
        const parts = parseSigmaString(pat);
        const src = parts.map((p) => (p === STAR ? '[\\s\\S]*' : p === QMARK ? '[\\s\\S]' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
        expect(compilePattern(parts)(s)).toBe(new RegExp(`^${src}$`).test(s));
      }),
      { numRuns: 3000 },
    );
  });
});
