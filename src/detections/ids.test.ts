import { describe, expect, it } from 'vitest';
import { arrivalMs, detectionId } from './ids.js';

describe('detectionId', () => {
  it('is derived: the same time and material give the same id', () => {
    expect(detectionId(1_700_000_000_000, 'sigma\nr1\nev-1')).toBe(
      detectionId(1_700_000_000_000, 'sigma\nr1\nev-1'),
    );
    expect(detectionId(1_700_000_000_000, 'sigma\nr1\nev-1')).not.toBe(
      detectionId(1_700_000_000_000, 'sigma\nr2\nev-1'),
    );
  });

  it('sorts by time whatever the material', () => {
    const ids = [5, 1_000, 1_700_000_000_000, 1_700_000_000_001, 0xffffffffffff].map((t, i) =>
      detectionId(t, `material ${10 - i}`),
    );
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map((id) => id.length))).toEqual(new Set([28]));
  });

  it('takes a time it cannot use as zero instead of failing', () => {
    expect(detectionId(Number.NaN, 'x').slice(0, 12)).toBe('000000000000');
    expect(detectionId(-5, 'x').slice(0, 12)).toBe('000000000000');
  });
});

describe('arrivalMs', () => {
  it('prefers the ingest time, then the event time', () => {
    const ts = '2026-01-01T00:00:00.000Z';
    const ingested = '2026-02-01T00:00:00.000Z';
    expect(arrivalMs({ '@timestamp': ts, event: { ingested } })).toBe(Date.parse(ingested));
    expect(arrivalMs({ '@timestamp': ts, event: {} })).toBe(Date.parse(ts));
    expect(arrivalMs({ '@timestamp': ts, event: { ingested: 'garbage' } })).toBe(Date.parse(ts));
    expect(arrivalMs({})).toBe(0);
  });
});
