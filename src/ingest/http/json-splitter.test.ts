import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSplitter, splitJsonValues } from './json-splitter.js';

const texts = (body: string) => splitJsonValues(Buffer.from(body)).map((s) => [s.kind, s.bytes.toString()]);

describe('concatenated JSON splitter', () => {
  it('splits objects with and without whitespace, ignoring braces and escaped quotes in strings', () => {
    expect(texts('{"a":"}{"}{"b":"\\"}"}\n  {"c":[1,{"d":2}]}')).toEqual([
      ['value', '{"a":"}{"}'],
      ['value', '{"b":"\\"}"}'],
      ['value', '{"c":[1,{"d":2}]}'],
    ]);
  });

  it('reports garbage between values and an unterminated tail', () => {
    expect(texts('xx {"a":1} yy{"b":')).toEqual([
      ['garbage', 'xx '],
      ['value', '{"a":1}'],
      ['garbage', 'yy'],
      ['truncated', '{"b":'],
    ]);
  });

  it('gives the same values however the stream is chunked, multi-byte UTF-8 included', () => {
    const objects = fc.array(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }), { maxLength: 6 });
    fc.assert(
      fc.property(objects, fc.array(fc.constantFrom('', ' ', '\n', '\r\n\t'), { minLength: 7, maxLength: 7 }), fc.array(fc.nat(), { maxLength: 5 }), (objs, seps, cuts) => {
        const body = Buffer.from(objs.map((o, i) => JSON.stringify(o) + seps[i]!).join(''));
        const splitter = new JsonSplitter();
        const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
        const segs = [];
        let prev = 0;
        for (const p of [...points, body.length]) {
          segs.push(...splitter.push(body.subarray(prev, p)));
          prev = p;
        }
        segs.push(...splitter.end());
        expect(segs.every((s) => s.kind === 'value')).toBe(true);
        expect(segs.map((s) => JSON.parse(s.bytes.toString('utf8')) as unknown)).toEqual(objs.map((o) => JSON.parse(JSON.stringify(o)) as unknown));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and covers every non-space byte on arbitrary input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const segs = splitJsonValues(Buffer.from(bytes));
        const covered = segs.reduce((n, s) => n + s.bytes.length, 0);
        const nonSpace = bytes.filter((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09).length;
        expect(covered).toBeGreaterThanOrEqual(nonSpace);
        expect(covered).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });
});
