import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hecEventToDoc, hecTime } from './hec-event.js';

describe('HEC event mapping', () => {
  it('reads epoch seconds as number, float or string', () => {
    expect(hecTime(1767225600)).toBe('2026-01-01T00:00:00.000Z');
    expect(hecTime(1767225600.5)).toBe('2026-01-01T00:00:00.500Z');
    expect(hecTime('1767225600.125')).toBe('2026-01-01T00:00:00.125Z');
    expect(hecTime('yesterday')).toBeUndefined();
  });

  it('maps metadata: path sources to log.file.path, names to event.provider, fields to labels', () => {
    const a = hecEventToDoc({ event: 'x', host: 'h', source: 'C:\\logs\\a.log', sourcetype: 'st', index: 'main', fields: { env: 'prod' } }, {});
    expect(a).toEqual({ doc: { message: 'x', host: { name: 'h' }, log: { file: { path: 'C:\\logs\\a.log' } }, event: { dataset: 'st' }, labels: { index: 'main', env: 'prod' } } });
    const b = hecEventToDoc({ event: { message: 'y', event: { action: 'login' } }, source: 'auth-service' }, {});
    expect(b).toEqual({ doc: { message: 'y', event: { action: 'login', provider: 'auth-service' } } });
  });

  it('names the HEC problem of a bad event', () => {
    expect(hecEventToDoc({ time: 1 }, {})).toMatchObject({ code: 12 });
    expect(hecEventToDoc({ event: '  ' }, {})).toMatchObject({ code: 13 });
    expect(hecEventToDoc({ event: 'x', time: 'soon' }, {})).toMatchObject({ code: 6 });
    expect(hecEventToDoc('just a string', {})).toMatchObject({ code: 6 });
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }), (event, fields) => {
        const r = hecEventToDoc({ event, fields, time: event, host: fields, source: event }, { channel: 'c' });
        expect('doc' in r || 'code' in r).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
