import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LineCutter } from './lines.js';

function cutLines(pieces: Buffer[], max?: number): { lines: [number, string][]; tooLong: number[] } {
  const tooLong: number[] = [];
  const c = new LineCutter(max, (line) => tooLong.push(line));
  const lines: [number, string][] = [];
  const on = (b: Buffer, s: number, e: number, n: number) => lines.push([n, b.toString('utf8', s, e)]);
  for (const p of pieces) c.push(p, on);
  c.end(on);
  return { lines, tooLong };
}

describe('LineCutter', () => {
  it('gives the same lines as String.split whatever the chunking', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', '\n', '\r\n', 'x', '{') , maxLength: 200 }), fc.array(fc.nat(), { maxLength: 8 }), (text, points) => {
        const b = Buffer.from(text);
        const at = [...new Set(points.map((p) => p % (b.length + 1)))].sort((x, y) => x - y);
        const pieces: Buffer[] = [];
        let prev = 0;
        for (const p of at) {
          pieces.push(b.subarray(prev, p));
          prev = p;
        }
        pieces.push(b.subarray(prev));
        const expected = text.split('\n').map((l) => l.replace(/\r$/, ''));
        if (text.endsWith('\n') || text === '') expected.pop();
        expect(cutLines(pieces).lines).toEqual(expected.map((l, i) => [i + 1, l]));
      }),
      { numRuns: 500 },
    );
  });

  it('skips an over-long line, reports it, and resumes on the next one', () => {
    const r = cutLines([Buffer.from('ok\n' + 'y'.repeat(30)), Buffer.from('y'.repeat(30)), Buffer.from('yy\nnext\n')], 40);
    expect(r.tooLong).toEqual([2]);
    expect(r.lines).toEqual([[1, 'ok'], [3, 'next']]);
  });
});
