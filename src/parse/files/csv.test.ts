import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CsvParser } from './csv.js';

function parseAll(pieces: string[]): { records: string[][]; errors: string[] } {
  const p = new CsvParser(',');
  const records: string[][] = [];
  const errors: string[] = [];
  for (const s of pieces) p.push(s, (r) => records.push(r.fields), (e) => errors.push(e));
  p.end((r) => records.push(r.fields), (e) => errors.push(e));
  return { records, errors };
}

/** RFC 4180 writer used to build inputs: quote when a field holds a quote, comma or line break. */
const encode = (rows: string[][], eol: string): string =>
  rows.map((r) => r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join(eol) + eol;

function cut(s: string, points: number[]): string[] {
  const at = [...new Set(points.map((p) => p % (s.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const p of at) {
    out.push(s.slice(prev, p));
    prev = p;
  }
  out.push(s.slice(prev));
  return out;
}

describe('CsvParser', () => {
  it('reads the RFC 4180 examples', () => {
    const { records } = parseAll(['a,b,c\r\n"x ""quoted""","multi\r\nline",3\r\nlast,,"with , comma"']);
    expect(records).toEqual([
      ['a', 'b', 'c'],
      ['x "quoted"', 'multi\r\nline', '3'],
      ['last', '', 'with , comma'],
    ]);
  });

  it('reports an unterminated quote', () => {
    expect(parseAll(['a,b\n"open,1\n']).errors.length).toBe(1);
  });

  it('round-trips any table split into any pieces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', 'x') }), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, eol, points) => {
          const { records, errors } = parseAll(cut(encode(rows, eol), points));
          expect(errors).toEqual([]);
          expect(records).toEqual(rows);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = parseAll([s]);
        expect(Array.isArray(r.records)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
