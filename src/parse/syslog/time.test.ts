import { describe, expect, it } from 'vitest';
import { parseIsoAt, resolveYearless, wallToUtcMs, zoneOffsetMinutes } from './time.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('zone offsets via Intl', () => {
  it('knows Paris winter (+1) and summer (+2) time', () => {
    expect(zoneOffsetMinutes('Europe/Paris', Date.UTC(2024, 0, 15, 12))).toBe(60);
    expect(zoneOffsetMinutes('Europe/Paris', Date.UTC(2024, 6, 15, 12))).toBe(120);
    expect(zoneOffsetMinutes('America/New_York', Date.UTC(2024, 0, 15, 12))).toBe(-300);
    expect(zoneOffsetMinutes('Asia/Kolkata', Date.UTC(2024, 0, 15, 12))).toBe(330);
  });

  it('converts wall time to UTC on both sides of the DST switch (2024-03-31 02:00 Paris)', () => {
    expect(iso(wallToUtcMs('Europe/Paris', 2024, 3, 31, 1, 30, 0))).toBe('2024-03-31T00:30:00.000Z');
    expect(iso(wallToUtcMs('Europe/Paris', 2024, 3, 31, 3, 30, 0))).toBe('2024-03-31T01:30:00.000Z');
    expect(iso(wallToUtcMs('America/New_York', 2024, 7, 4, 12, 0, 0))).toBe('2024-07-04T16:00:00.000Z');
  });

  it('treats an unknown zone as UTC instead of throwing', () => {
    expect(iso(wallToUtcMs('Not/AZone', 2024, 1, 1, 0, 0, 0))).toBe('2024-01-01T00:00:00.000Z');
  });
});

describe('year inference for RFC 3164 timestamps', () => {
  it('puts a Dec 31 line received on Jan 1 in the previous year', () => {
    const now = new Date('2025-01-01T00:00:10Z');
    expect(iso(resolveYearless('UTC', now, 12, 31, 23, 59, 58))).toBe('2024-12-31T23:59:58.000Z');
  });

  it('puts a Jan 1 line from a sender slightly ahead into next year', () => {
    const now = new Date('2024-12-31T23:59:50Z');
    expect(iso(resolveYearless('UTC', now, 1, 1, 0, 0, 5))).toBe('2025-01-01T00:00:05.000Z');
  });

  it('uses the wall-clock year of the sender zone, not of UTC', () => {
    // 23:30 UTC on Dec 31 is already Jan 1 in Paris: a "Jan  1 00:20" Paris line is this (new) year.
    const now = new Date('2024-12-31T23:30:00Z');
    expect(iso(resolveYearless('Europe/Paris', now, 1, 1, 0, 20, 0))).toBe('2024-12-31T23:20:00.000Z');
  });

  it('accepts Feb 29 only in a leap year', () => {
    const now = new Date('2025-03-10T00:00:00Z');
    expect(iso(resolveYearless('UTC', now, 2, 29, 12, 0, 0))).toBe('2024-02-29T12:00:00.000Z');
  });
});

describe('ISO 8601 reader', () => {
  it('applies explicit offsets and fractions', () => {
    expect(iso(parseIsoAt('2003-08-24T05:14:15.000003-07:00', 0, 'UTC')!.ms)).toBe('2003-08-24T12:14:15.000Z');
    expect(iso(parseIsoAt('2024-01-01T10:00:00+0530', 0, 'UTC')!.ms)).toBe('2024-01-01T04:30:00.000Z');
  });
  it('reads offset-less times in the given zone', () => {
    const r = parseIsoAt('2024-01-15 10:00:00', 0, 'Europe/Paris', true)!;
    expect(r.hasOffset).toBe(false);
    expect(iso(r.ms)).toBe('2024-01-15T09:00:00.000Z');
  });
  it('rejects impossible dates', () => {
    expect(parseIsoAt('2023-02-29T00:00:00Z', 0, 'UTC')).toBeUndefined();
    expect(parseIsoAt('2023-13-01T00:00:00Z', 0, 'UTC')).toBeUndefined();
    expect(parseIsoAt('2023-01-01T24:00:00Z', 0, 'UTC')).toBeUndefined();
  });
});
