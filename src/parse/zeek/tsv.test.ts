import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { applyZeekHeaderLine, defaultZeekHeader, parseZeekTsvLine, unescapeZeek } from './tsv.js';
import { normalizeZeek } from './normalize.js';

const HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tdemo',
  '#fields\tts\tname\tn\tflag\ttags\tdur',
  '#types\ttime\tstring\tcount\tbool\tset[string]\tinterval',
];

function header() {
  const h = defaultZeekHeader();
  for (const l of HEADER) expect(applyZeekHeaderLine(h, l)).toBe(true);
  return h;
}

/** Escaping as Zeek's ASCII writer does it: separators and non-printables as \xHH, backslash doubled. */
function escape(s: string, extra: string): string {
  // A value that reads as the unset marker is written with its dash escaped.
  if (s === '-') return '\\x2d';
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === '\\') out += '\\\\';
    else if (code < 0x20 || code === 0x7f || c === '\t' || extra.includes(c)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return out;
}

describe('Zeek TSV lines', () => {
  it('reads headers, unset, empty sets and escapes', () => {
    const h = header();
    expect(h.separator).toBe('\t');
    expect(h.path).toBe('demo');
    const r = parseZeekTsvLine(h, '1521911720.5\ta\\x09b\\\\c\t-\tT\t(empty)\t0.000870');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({ ts: '2018-03-24T17:15:20.500000Z', name: 'a\tb\\c', flag: true, tags: [], dur: 0.00087 });
    const s = parseZeekTsvLine(h, '1\tx\t7\tF\ta\\x2cb,c\t1');
    expect(s.ok && s.value.tags).toEqual(['a,b', 'c']);
    expect(s.ok && s.value.n).toBe(7);
  });

  it('refuses a line with the wrong number of fields, or data before #fields', () => {
    expect(parseZeekTsvLine(header(), 'a\tb').ok).toBe(false);
    expect(parseZeekTsvLine(defaultZeekHeader(), 'a\tb').ok).toBe(false);
  });

  it('round-trips written values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 4 }), fc.nat(), fc.boolean(), (name, tags, n, flag) => {
        fc.pre(name !== '(empty)' && name !== '' && !tags.includes('(empty)'));
        const line = ['1521911720.865716', escape(name, ''), String(n), flag ? 'T' : 'F', tags.length ? tags.map((t) => escape(t, ',')).join(',') : '(empty)', '-'].join('\t');
        const r = parseZeekTsvLine(header(), line);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value).toEqual({ ts: '2018-03-24T17:15:20.865716Z', name, n, flag, tags });
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary lines and headers, and normalizing the result never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 6 }), fc.string({ maxLength: 80 }), (heads, line) => {
        const h = header();
        for (const x of heads) applyZeekHeaderLine(h, `#${x}`);
        const r = parseZeekTsvLine(h, line);
        if (r.ok) expect(typeof normalizeZeek(r.value, 'conn').ok).toBe('boolean');
        expect(typeof unescapeZeek(line)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
