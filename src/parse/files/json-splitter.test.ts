import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { JsonValueSplitter } from './json-splitter.js';

function split(pieces: Buffer[]): { values: unknown[]; lines: number[]; errors: string[] } {
  const s = new JsonValueSplitter();
  const values: unknown[] = [];
  const lines: number[] = [];
  const errors: string[] = [];
  const onValue = (v: { text: string; line: number }) => {
    values.push(JSON.parse(v.text));
    lines.push(v.line);
  };
  const onError = (e: { reason: string }) => errors.push(e.reason);
  for (const p of pieces) s.push(p, onValue, onError);
  s.end(onValue, onError);
  return { values, lines, errors };
}

function cut(b: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (b.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    out.push(b.subarray(prev, p));
    prev = p;
  }
  out.push(b.subarray(prev));
  return out;
}

const objects = fc.array(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 })), { maxLength: 6 });

describe('JsonValueSplitter', () => {
  it('splits pretty-printed objects back to back and tells each one\'s first line', () => {
    const text = '{\n  "a": "}{",\n  "b": {"c": "\\"}"}\n}\n{\n  "d": [1, {"e": 2}]\n}\n';
    const r = split([Buffer.from(text)]);
    expect(r.values).toEqual([{ a: '}{', b: { c: '"}' } }, { d: [1, { e: 2 }] }]);
    expect(r.lines).toEqual([1, 5]);
  });

  it('splits a JSON array into its elements', () => {
    const r = split([Buffer.from(' [ {"a":1}, {"b":[2,3]} ,"s", 4 ] ')]);
    expect(r.values).toEqual([{ a: 1 }, { b: [2, 3] }, 's', 4]);
    expect(r.errors).toEqual([]);
  });

  it('reports a value cut off at the end', () => {
    expect(split([Buffer.from('{"a":1}\n{"b":')]).errors.length).toBe(1);
  });

  it('recovers every object of a pretty-printed stream or array cut anywhere', () => {
    fc.assert(
      fc.property(objects, fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), (objs, asArray, points) => {
        const text = asArray ? JSON.stringify(objs, null, 2) : objs.map((o) => JSON.stringify(o, null, 2)).join('\n');
        const r = split(cut(Buffer.from(text), points));
        expect(r.errors).toEqual([]);
        // Compare with what JSON itself round-trips (-0 is written as 0).
        expect(r.values).toEqual(JSON.parse(JSON.stringify(objs)));
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 4 }), (bytes, points) => {
        const s = new JsonValueSplitter();
        const noop = () => undefined;
        for (const p of cut(Buffer.from(bytes), points)) s.push(p, noop, noop);
        s.end(noop, noop);
      }),
      { numRuns: 500 },
    );
  });
});
