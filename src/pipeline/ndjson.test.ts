import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonBody } from './ndjson.js';

describe('decodeJsonBody', () => {
  it('reads NDJSON with CRLF, blank lines and a bad line in the middle', () => {
    const items = decodeJsonBody(Buffer.from('{"a":1}\r\n\n{bad\n{"b":2}'));
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ ok: true, doc: { a: 1 } });
    expect(items[1]).toMatchObject({ ok: false, raw: '{bad' });
    expect(items[1]!.ok === false && items[1]!.reason).toMatch(/^line 3: invalid JSON/);
    expect(items[2]).toMatchObject({ ok: true, doc: { b: 2 } });
  });

  it('reads a JSON array and a single object', () => {
    expect(decodeJsonBody(Buffer.from(' [{"a":1},{"a":2}]')).map((i) => i.ok && i.doc)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(decodeJsonBody(Buffer.from('\ufeff{"a":1}'))).toMatchObject([{ ok: true, doc: { a: 1 } }]);
  });

  it('refuses a broken array as one failed item', () => {
    const items = decodeJsonBody(Buffer.from('[{"a":1},'));
    expect(items).toHaveLength(1);
    expect(items[0]!.ok).toBe(false);
  });

  it('never throws and accounts for every non-blank line', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.json(), fc.string())), (lines) => {
        const body = lines.map((l) => l.replace(/[\r\n]/g, '')).join('\n');
        const items = decodeJsonBody(Buffer.from(body));
        if (!body.trimStart().startsWith('[')) {
          const nonBlank = body.split('\n').filter((l) => l.trim() !== '').length;
          expect(items.length).toBe(nonBlank);
        }
      }),
    );
  });
});
