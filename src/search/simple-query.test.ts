import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSimpleQuery } from './simple-query.js';

describe('parseSimpleQuery', () => {
  it('reads fields, quoted values, exists, contains, numbers and free text', () => {
    const r = parseSimpleQuery('host.name:web-1 user.name:"john doe" source.ip:* process.command_line:*mimikatz* event.severity:5 failed "two words"');
    expect(r).toEqual({
      ok: true,
      query: {
        filters: [
          { field: 'host.name', op: 'eq', value: 'web-1' },
          { field: 'user.name', op: 'eq', value: 'john doe' },
          { field: 'source.ip', op: 'exists' },
          { field: 'process.command_line', op: 'contains', value: 'mimikatz' },
          { field: 'event.severity', op: 'eq', value: 5 },
        ],
        text: ['failed', 'two words'],
      },
    });
  });

  it('reports the column of an error', () => {
    expect(parseSimpleQuery('a:1 b:"open')).toMatchObject({ ok: false, reason: 'unterminated quote starting at column 7' });
    expect(parseSimpleQuery("x a'b:1")).toMatchObject({ ok: false, column: 3 });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseSimpleQuery(s)));
  });
});
