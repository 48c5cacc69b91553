import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronMatches, nextFire, parseCron, type Cron } from './cron.js';

const cron = (t: string): Cron => {
  const r = parseCron(t);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};
const at = (s: string) => new Date(s);

describe('cron parser', () => {
  it('reads stars, numbers, ranges, steps and lists', () => {
    const c = cron('*/15 9-17 1,15 * 1-5');
    expect([...c.minute]).toEqual([0, 15, 30, 45]);
    expect([...c.hour]).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect([...c.dayOfMonth]).toEqual([1, 15]);
    expect(c.month.size).toBe(12);
    expect([...c.dayOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect([...cron('5-20/5 * * * *').minute]).toEqual([5, 10, 15, 20]);
    expect([...cron('10/20 * * * *').minute]).toEqual([10, 30, 50]);
    expect([...cron('0 0 * * 7').dayOfWeek]).toEqual([0]);
  });

  it('refuses what it cannot read, naming the field', () => {
    for (const [text, msg] of [
      ['* * * *', /5 fields/],
      ['60 * * * *', /minute: 60 is outside 0-59/],
      ['* 24 * * *', /hour/],
      ['* * 0 * *', /day of month/],
      ['* * * 13 *', /month/],
      ['* * * * 8', /day of week/],
      ['5-1 * * * *', /backwards/],
      ['*/0 * * * *', /step/],
      ['a * * * *', /cannot read/],
      ['1,,2 * * * *', /cannot read/],
    ] as const) {
      const r = parseCron(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(msg);
    }
  });

  it('computes the next fire time', () => {
    expect(nextFire(cron('*/15 * * * *'), at('2026-11-28T10:07:30Z'))!.toISOString()).toBe(
      '2026-11-28T10:15:00.000Z',
    );
    expect(nextFire(cron('0 9 * * 1'), at('2026-11-28T10:00:00Z'))!.toISOString()).toBe(
      '2026-11-30T09:00:00.000Z',
    ); // the 28th is a Saturday
    expect(nextFire(cron('30 2 1 * *'), at('2026-12-01T02:30:00Z'))!.toISOString()).toBe(
      '2027-01-01T02:30:00.000Z',
    );
    expect(nextFire(cron('0 0 29 2 *'), at('2026-03-01T00:00:00Z'))!.toISOString()).toBe(
      '2028-02-29T00:00:00.000Z',
    );
    expect(nextFire(cron('0 0 31 2 *'), at('2026-03-01T00:00:00Z'))).toBeUndefined();
    // Both day fields restricted: either matches (the 13th, or any Friday).
    expect(nextFire(cron('0 0 13 * 5'), at('2026-11-28T00:00:00Z'))!.toISOString()).toBe(
      '2026-12-04T00:00:00.000Z',
    );
  });

  it('property: the next fire matches, is after the start, and no earlier minute matches', () => {
    const field = (min: number, max: number) =>
      fc.oneof(
        fc.constant('*'),
        fc.integer({ min, max }).map(String),
        fc
          .tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.integer({ min: 1, max: 7 }))
          .map(([a, b, s]) => `${Math.min(a, b)}-${Math.max(a, b)}/${s}`),
        fc.integer({ min: 1, max: 20 }).map((s) => `*/${s}`),
      );
    fc.assert(
      fc.property(
        field(0, 59),
        field(0, 23),
        field(1, 28),
        field(1, 12),
        field(0, 6),
        fc.date({ min: at('2020-01-01T00:00:00Z'), max: at('2030-01-01T00:00:00Z'), noInvalidDate: true }),
        (mi, h, dom, mo, dow, start) => {
          const c = cron(`${mi} ${h} ${dom} ${mo} ${dow}`);
          const n = nextFire(c, start);
          expect(n).toBeDefined();
          expect(n!.getTime()).toBeGreaterThan(start.getTime());
          expect(cronMatches(c, n!)).toBe(true);
          // No minute in between matches (checked over at most the first two days).
          const from = Math.floor(start.getTime() / 60_000) + 1;
          const to = Math.min(n!.getTime() / 60_000, from + 2 * 1440);
          let early: number | undefined;
          for (let m = from; m < to && early === undefined; m++)
            if (cronMatches(c, new Date(m * 60_000))) early = m;
          expect(early).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: parsing never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const r = parseCron(s);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});
