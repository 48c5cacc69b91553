import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyIndex, eventIdFor, parseBulk } from './elastic-bulk.js';

const body = (...lines: string[]) => Buffer.from(lines.join('\n') + '\n');

describe('Elasticsearch bulk parsing', () => {
  it('pairs action and source lines, takes _index from the URL when the action has none', () => {
    const r = parseBulk(body('{"index":{"_id":"a1"}}', '{"message":"m1"}', '{"create":{"_index":"logs-app-default"}}', '{"message":"m2"}'), 'fallback');
    expect(r.ops.map((o) => [o.action, o.index, o.id, o.item, o.error])).toEqual([
      ['index', 'fallback', 'a1', 0, undefined],
      ['create', 'logs-app-default', undefined, 1, undefined],
    ]);
    expect(r.items[0]).toMatchObject({ ok: true, doc: { message: 'm1', event: { id: 'a1' }, labels: { index: 'fallback' } } });
    expect(r.items[1]).toMatchObject({ ok: true, doc: { message: 'm2', data_stream: { type: 'logs', dataset: 'app', namespace: 'default' } } });
  });

  it('delete takes no source line; update and broken action lines consume one and fail', () => {
    const r = parseBulk(body('{"delete":{"_id":"x"}}', '{"update":{"_id":"y"}}', '{"doc":{}}', 'not json', '{"a":1}', '{"index":{}}', '{"ok":true}'));
    expect(r.ops.map((o) => [o.action, o.error?.status ?? 201])).toEqual([['delete', 400], ['update', 400], ['index', 400], ['index', 201]]);
    expect(r.items.map((i) => i.ok)).toEqual([false, false, true]);
    expect(r.items[1]).toMatchObject({ ok: false, raw: 'not json\n{"a":1}' });
  });

  it('keeps the client data_stream fields and an existing labels object', () => {
    const doc: Record<string, unknown> = { data_stream: { dataset: 'mine' }, labels: { env: 'p' } };
    applyIndex(doc, 'logs-system.auth-default');
    expect(doc.data_stream).toEqual({ dataset: 'mine', type: 'logs', namespace: 'default' });
    const plain: Record<string, unknown> = { labels: { env: 'p' } };
    applyIndex(plain, 'logs-too-many-parts');
    expect(plain.labels).toEqual({ env: 'p', index: 'logs-too-many-parts' });
  });

  it('turns ids the store refuses into a stable digest', () => {
    expect(eventIdFor('AbC-12_x.y:z')).toBe('AbC-12_x.y:z');
    const odd = eventIdFor('with space/slash');
    expect(odd).toMatch(/^es-[0-9a-f]{40}$/);
    expect(eventIdFor('with space/slash')).toBe(odd);
  });

  it('never throws; every action line gets exactly one entry', () => {
    const line = fc.oneof(fc.string(), fc.constantFrom('{"index":{}}', '{"create":{"_id":"i"}}', '{"delete":{}}', '{"update":{}}', '{"m":1}', '{}', '[]', 'null'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const r = parseBulk(Buffer.from(lines.join('\n')));
        expect(r.ops.length).toBeLessThanOrEqual(lines.length);
        for (const op of r.ops) if (op.item !== undefined) expect(r.items[op.item]).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });
});
