import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expandOf, parseCondition } from './condition.js';

describe('condition grammar', () => {
  it('binds not > and > or', () => {
    const r = parseCondition('a or b and not c');
    expect(r).toEqual({
      ok: true,
      value: { t: 'or', items: [{ t: 'id', name: 'a' }, { t: 'and', items: [{ t: 'id', name: 'b' }, { t: 'not', item: { t: 'id', name: 'c' } }] }] },
    });
  });
  it('honours parentheses', () => {
    const r = parseCondition('(a or b) and c');
    expect(r.ok && r.value.t).toBe('and');
  });
  it('parses quantifiers', () => {
    expect(parseCondition('1 of sel*')).toEqual({ ok: true, value: { t: 'of', quantifier: 1, pattern: 'sel*' } });
    expect(parseCondition('any of them')).toEqual({ ok: true, value: { t: 'of', quantifier: 1, pattern: 'them' } });
    expect(parseCondition('all of them')).toEqual({ ok: true, value: { t: 'of', quantifier: 'all', pattern: 'them' } });
    expect(parseCondition('2 of x_*')).toEqual({ ok: true, value: { t: 'of', quantifier: 2, pattern: 'x_*' } });
  });
  it('refuses broken conditions with a reason', () => {
    expect(parseCondition('a and')).toMatchObject({ ok: false });
    expect(parseCondition('(a or b')).toMatchObject({ ok: false, reason: expect.stringContaining("missing ')'") });
    expect(parseCondition('sel | count() > 5')).toMatchObject({ ok: false, reason: expect.stringContaining('deprecated') });
    expect(parseCondition('sel*')).toMatchObject({ ok: false });
    expect(parseCondition('a b')).toMatchObject({ ok: false });
  });
  it('expands patterns; them skips _-prefixed names', () => {
    const names = ['selection_a', 'selection_b', 'filter', '_helper'];
    expect(expandOf('selection_*', names)).toEqual(['selection_a', 'selection_b']);
    expect(expandOf('them', names)).toEqual(['selection_a', 'selection_b', 'filter']);
    expect(expandOf('*_b', names)).toEqual(['selection_b']);
    expect(expandOf('filter', names)).toEqual(['filter']);
  });
  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = parseCondition(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    const deep = '('.repeat(5000) + 'a' + ')'.repeat(5000);
    expect(parseCondition(deep).ok).toBe(false);
  });
});
