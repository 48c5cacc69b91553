import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isoFromMillis } from './iso-time.js';

describe('isoFromMillis', () => {
  it('prints exactly what Date#toISOString prints', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1e13, max: 3e14 }), fc.double({ min: -1e13, max: 3e14, noNaN: true })), (ms) => {
        expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    expect(isoFromMillis(1_700_000_000_123)).toBe('2023-11-14T22:13:20.123Z');
  });

  it('returns undefined for values Date cannot hold', () => {
    expect(isoFromMillis(Number.NaN)).toBeUndefined();
    expect(isoFromMillis(9e15)).toBeUndefined();
    expect(isoFromMillis(undefined)).toBeUndefined();
  });
});
