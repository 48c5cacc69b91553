import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, PatternPart, Query, Value } from './ast.js';
import { expr, pipeLists, tokens } from './test-support/arbitraries.js';
import { ParseError, parseQuery, parseQueryOrThrow } from './parser.js';
import { printQuery } from './print.js';

const where = (q: string): Expr | undefined => parseQueryOrThrow(q).where;
const err = (q: string) => {
  const r = parseQuery(q);
  if (r.ok) throw new Error(`parsed: ${q}`);
  return r;
};
const str = (value: string): Value => ({ kind: 'string', value });

describe('filters', () => {
  it('field:value, numbers, phrases with escapes', () => {
    expect(where('host.name:web-1')).toEqual({ type: 'match', field: 'host.name', value: str('web-1') });
    expect(where('event.severity:-3.5')).toEqual({
      type: 'match',
      field: 'event.severity',
      value: { kind: 'number', value: -3.5 },
    });
    expect(where('user.name:"john \\"jd\\" doe\\\\"')).toEqual({
      type: 'match',
      field: 'user.name',
      value: str('john "jd" doe\\'),
    });
    expect(where('url.full:http://x/y')).toEqual({
      type: 'match',
      field: 'url.full',
      value: str('http://x/y'),
    });
    expect(where('file.path:/usr/bin/x')).toEqual({
      type: 'match',
      field: 'file.path',
      value: str('/usr/bin/x'),
    });
    expect(where('a:"5"')).toEqual({ type: 'match', field: 'a', value: str('5') });
    expect(where('a: b')).toEqual({ type: 'match', field: 'a', value: str('b') });
  });

  it('wildcards, escapes and exists', () => {
    const parts: PatternPart[] = [{ lit: 'mimi' }, { any: true }, { lit: 'k' }, { one: true }, { lit: 'tz' }];
    expect(where('process.name:mimi*k?tz')).toEqual({
      type: 'match',
      field: 'process.name',
      value: { kind: 'pattern', parts },
    });
    expect(where('a:x\\*y')).toEqual({ type: 'match', field: 'a', value: str('x*y') });
    expect(where('source.ip:*')).toEqual({ type: 'exists', field: 'source.ip' });
    expect(where('a:**')).toEqual({ type: 'exists', field: 'a' });
    expect(where('a:"*"')).toEqual({ type: 'match', field: 'a', value: str('*') });
  });

  it('comparisons and ranges', () => {
    expect(where('event.severity>=3')).toEqual({
      type: 'compare',
      field: 'event.severity',
      op: '>=',
      value: 3,
    });
    expect(where('a<10')).toEqual({ type: 'compare', field: 'a', op: '<', value: 10 });
    expect(where('a > "m"')).toEqual({ type: 'compare', field: 'a', op: '>', value: 'm' });
    expect(where('a<=b')).toEqual({ type: 'compare', field: 'a', op: '<=', value: 'b' });
    expect(where('a:[1 TO 5]')).toEqual({
      type: 'range',
      field: 'a',
      lo: 1,
      hi: 5,
      loInclusive: true,
      hiInclusive: true,
    });
    expect(where('a:{* TO "z"}')).toEqual({
      type: 'range',
      field: 'a',
      lo: null,
      hi: 'z',
      loInclusive: false,
      hiInclusive: false,
    });
    expect(where('@timestamp:[2026-01-01 TO 2026-02-01}')).toMatchObject({
      lo: '2026-01-01',
      hi: '2026-02-01',
      hiInclusive: false,
    });
  });

  it('CIDR for IPv4 and IPv6', () => {
    expect(where('source.ip:10.0.0.0/8')).toEqual({ type: 'cidr', field: 'source.ip', cidr: '10.0.0.0/8' });
    expect(where('source.ip:fe80::/10')).toEqual({ type: 'cidr', field: 'source.ip', cidr: 'fe80::/10' });
  });

  it('boolean operators, precedence, implicit AND, -term, parentheses, free text', () => {
    expect(where('a OR b c')).toEqual({
      type: 'or',
      items: [
        { type: 'text', value: str('a') },
        {
          type: 'and',
          items: [
            { type: 'text', value: str('b') },
            { type: 'text', value: str('c') },
          ],
        },
      ],
    });
    expect(where('NOT a:1 AND b:2')).toEqual({
      type: 'and',
      items: [
        { type: 'not', item: { type: 'match', field: 'a', value: { kind: 'number', value: 1 } } },
        { type: 'match', field: 'b', value: { kind: 'number', value: 2 } },
      ],
    });
    expect(where('-(a OR b)')).toEqual({
      type: 'not',
      item: {
        type: 'or',
        items: [
          { type: 'text', value: str('a') },
          { type: 'text', value: str('b') },
        ],
      },
    });
    expect(where('"two words" and')).toEqual({
      type: 'and',
      items: [
        { type: 'text', value: str('two words') },
        { type: 'text', value: str('and') },
      ],
    });
    expect(where('\\AND')).toEqual({ type: 'text', value: str('AND') });
    expect(where('a - b')).toEqual({
      type: 'and',
      items: [
        { type: 'text', value: str('a') },
        { type: 'text', value: str('-') },
        { type: 'text', value: str('b') },
      ],
    });
    expect(parseQueryOrThrow('')).toEqual({ pipes: [] });
  });

  it('errors say what was expected and where', () => {
    expect(err('a:"open')).toMatchObject({
      column: 8,
      reason: expect.stringMatching(/unterminated quote opened at column 3/),
    });
    expect(err('host.name:')).toMatchObject({
      column: 11,
      expected: 'a value',
      reason: 'expected a value at column 11',
    });
    expect(err('(a OR b')).toMatchObject({ column: 8, expected: ') (for the ( at column 1)' });
    expect(err('a)')).toMatchObject({ column: 2 });
    expect(err('a AND')).toMatchObject({ column: 6, expected: 'a term' });
    expect(err('OR a')).toMatchObject({ column: 1, expected: 'a term' });
    expect(err('bad*name:1')).toMatchObject({ column: 1, expected: 'a field name' });
    expect(err('a:[1 5]')).toMatchObject({ column: 6, expected: 'TO' });
    expect(err('a:[1 TO 5')).toMatchObject({ column: 10, expected: '] or }' });
    expect(err('a>=x*')).toMatchObject({ column: 4, expected: 'a value without wildcards' });
    expect(err('ip:10.0.0.0/33')).toMatchObject({
      column: 4,
      expected: 'an IPv4 or IPv6 network like 10.0.0.0/8',
    });
    expect(err('a\\')).toMatchObject({ column: 3 });
    expect(err('('.repeat(100) + 'a' + ')'.repeat(100))).toMatchObject({
      expected: expect.stringMatching(/nested/),
    });
  });
});

describe('pipes', () => {
  const pipes = (q: string) => parseQueryOrThrow(q).pipes;

  it('stats with every aggregation, aliases and by', () => {
    expect(
      pipes(
        '| stats count() as n, dc(user.name), sum(b), avg(b), min(b), max(b) by host.name, event.outcome',
      ),
    ).toEqual([
      {
        cmd: 'stats',
        aggs: [
          { fn: 'count', as: 'n' },
          { fn: 'dc', field: 'user.name' },
          { fn: 'sum', field: 'b' },
          { fn: 'avg', field: 'b' },
          { fn: 'min', field: 'b' },
          { fn: 'max', field: 'b' },
        ],
        by: ['host.name', 'event.outcome'],
      },
    ]);
    expect(pipes('x | stats count')).toEqual([{ cmd: 'stats', aggs: [{ fn: 'count' }], by: [] }]);
  });

  it('timechart, sort, head, fields, dedup, top, rare', () => {
    expect(pipes('| timechart span=5m count() by host.name')).toEqual([
      { cmd: 'timechart', span: '5m', spanMs: 300_000, aggs: [{ fn: 'count' }], by: ['host.name'] },
    ]);
    expect(pipes('| timechart count()')[0]).toMatchObject({ span: '1h', spanMs: 3_600_000 });
    expect(pipes('| sort -a, +b, c | head 5 | fields a, b | dedup a')).toEqual([
      {
        cmd: 'sort',
        keys: [
          { field: 'a', desc: true },
          { field: 'b', desc: false },
          { field: 'c', desc: false },
        ],
      },
      { cmd: 'head', n: 5 },
      { cmd: 'fields', fields: ['a', 'b'] },
      { cmd: 'dedup', fields: ['a'] },
    ]);
    expect(pipes('| head')).toEqual([{ cmd: 'head', n: 10 }]);
    expect(pipes('| top user.name 3')).toEqual([{ cmd: 'top', field: 'user.name', n: 3 }]);
    expect(pipes('| rare user.name')).toEqual([{ cmd: 'rare', field: 'user.name', n: 10 }]);
    expect(pipes('| stats count() by h | sort -count | head 3 | fields h')).toHaveLength(4);
  });

  it('validates order and arguments', () => {
    expect(err('| frob')).toMatchObject({ column: 3, expected: expect.stringMatching(/^a command \(stats/) });
    expect(err('| stats')).toMatchObject({ column: 8, expected: expect.stringMatching(/^an aggregation/) });
    expect(err('| stats sum()')).toMatchObject({ column: 13, expected: 'a field name in sum()' });
    expect(err('| stats avg')).toMatchObject({ column: 12, expected: '( after avg' });
    expect(err('| stats count() by')).toMatchObject({ column: 19, expected: 'a field name' });
    expect(err('| stats count() | timechart count()')).toMatchObject({
      column: 19,
      expected: expect.stringMatching(/^no second timechart/),
    });
    expect(err('| top a | dedup a')).toMatchObject({
      column: 11,
      expected: 'dedup before top, not after it',
    });
    expect(err('| stats count() by h | sort -x')).toMatchObject({
      column: 29,
      expected: 'a column of the stats table (h, count) instead of x',
    });
    expect(err('| stats count(), count()')).toMatchObject({
      expected: expect.stringMatching(/^distinct column names/),
    });
    expect(err('| timechart span=5x count()')).toMatchObject({
      column: 18,
      expected: 'a span like 30s, 5m, 1h or 1d',
    });
    expect(err('| timechart count() by a, b')).toMatchObject({
      column: 21,
      expected: 'one field after by in timechart',
    });
    expect(err('| head 0')).toMatchObject({ column: 8 });
    expect(err('| head 5 6')).toMatchObject({ column: 10, expected: '| or the end of the query after head' });
  });
});

// ---- properties ----

describe('properties', () => {
  it('print(ast) parses back to the same tree', () => {
    fc.assert(
      fc.property(expr, pipeLists, (e, pipes) => {
        const q: Query = { where: e, pipes: pipes ? parseQueryOrThrow(pipes).pipes : [] };
        expect(parseQueryOrThrow(printQuery(q))).toEqual(q);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but ParseError, and a parsed query prints to an equal query', () => {
    const check = (s: string) => {
      let q: Query;
      try {
        q = parseQueryOrThrow(s);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        expect(e.column).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeLessThanOrEqual(s.length + 1);
        return;
      }
      expect(parseQueryOrThrow(printQuery(q))).toEqual(q);
    };
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 1000 });
    fc.assert(
      fc.property(
        tokens.map((t) => t.join('')),
        check,
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        tokens.map((t) => t.join(' ')),
        check,
      ),
      { numRuns: 2000 },
    );
  });

  it('stays fast on long hostile input', () => {
    const started = performance.now();
    for (const s of [
      '('.repeat(4000),
      'NOT '.repeat(1000) + 'a',
      'a '.repeat(2000),
      '"'.repeat(4001),
      '\\'.repeat(4000),
      'a:'.repeat(2000),
      '| head '.repeat(500),
    ]) {
      parseQuery(s);
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
