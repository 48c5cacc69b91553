import { describe, expect, it } from 'vitest';
import { flatten, getField, setField } from './fields.js';

describe('getField', () => {
  it('reads nested and flat dotted keys alike', () => {
    expect(getField({ host: { name: 'a' } }, 'host.name')).toBe('a');
    expect(getField({ 'host.name': 'b' }, 'host.name')).toBe('b');
    expect(getField({ winlog: { 'event_data.Image': 'x' } }, 'winlog.event_data.Image')).toBe('x');
    expect(getField({ host: 'scalar' }, 'host.name')).toBeUndefined();
  });
});

describe('setField', () => {
  it('creates intermediate objects and refuses prototype keys', () => {
    const d: Record<string, unknown> = {};
    setField(d, 'a.b.c', 1);
    expect(d).toEqual({ a: { b: { c: 1 } } });
    setField(d, '__proto__.polluted', 1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('flatten', () => {
  it('produces dotted keys', () => {
    expect(flatten({ a: { b: 1, c: [1, 2] }, d: null })).toEqual({ 'a.b': 1, 'a.c': [1, 2], d: null });
  });
});
