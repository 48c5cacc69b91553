import { describe, expect, it } from 'vitest';
import { dueWindowEnd, newTerms, scheduleInput, thresholdHits } from './schedules.js';

describe('scheduleInput', () => {
  it('accepts each kind and rejects a threshold without op', () => {
    expect(scheduleInput.parse({ kind: 'no_data', everyMinutes: 5, windowMinutes: 60 }).level).toBe('medium');
    expect(
      scheduleInput.safeParse({
        kind: 'new_terms',
        everyMinutes: 5,
        windowMinutes: 5,
        field: 'user',
        historyDays: 7,
      }).success,
    ).toBe(true);
    const bad = scheduleInput.safeParse({ kind: 'threshold', everyMinutes: 5, windowMinutes: 5, value: 3 });
    expect(bad.success).toBe(false);
  });
});

describe('evaluation', () => {
  it('threshold keeps only crossing groups', () => {
    const s = scheduleInput.parse({
      kind: 'threshold',
      everyMinutes: 5,
      windowMinutes: 5,
      op: '>=',
      value: 3,
      by: 'host',
    });
    if (s.kind !== 'threshold') throw new Error('kind');
    expect(
      thresholdHits(
        s,
        new Map([
          ['a', 3],
          ['b', 2],
        ]),
      ),
    ).toEqual([{ group: 'a', count: 3 }]);
  });
  it('new terms excludes history', () => {
    expect(newTerms(['x', 'y', 'x'], new Set(['y']))).toEqual(['x']);
  });
  it('due window is aligned and never repeats', () => {
    const s = scheduleInput.parse({ kind: 'no_data', everyMinutes: 5, windowMinutes: 5 });
    const end = dueWindowEnd(s, undefined, 7 * 60_000 + 1);
    expect(end).toBe(5 * 60_000);
    expect(dueWindowEnd(s, end, 9 * 60_000)).toBeUndefined();
  });
});
