import { describe, expect, it } from 'vitest';
import { onCallAt, shiftSchema } from './oncall.js';

const shifts = [
  // A holiday first: it wins over the weekly pattern.
  { user: 'holly', days: ['wed'], from: '00:00', to: '24:00' },
  { user: 'ana', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' },
  { user: 'nico', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '18:00', to: '08:00' },
  { user: 'wendy', days: ['sat', 'sun'] },
].map((s) => shiftSchema.parse(s));

describe('on-call schedules', () => {
  // 2026-11-30 is a Monday.
  it('finds the shift covering the moment in the schedule time zone', () => {
    expect(onCallAt(shifts, 'UTC', new Date('2026-11-30T09:00:00Z'))).toBe('ana');
    expect(onCallAt(shifts, 'UTC', new Date('2026-11-30T17:59:00Z'))).toBe('ana');
    expect(onCallAt(shifts, 'UTC', new Date('2026-11-30T18:00:00Z'))).toBe('nico');
    // Paris is UTC+1 in winter: 07:30 UTC is 08:30 there.
    expect(onCallAt(shifts, 'Europe/Paris', new Date('2026-11-30T07:30:00Z'))).toBe('ana');
    // Monday 07:30 UTC: the weekend shift ended at midnight, the night shift starts on weekdays.
    expect(onCallAt(shifts, 'UTC', new Date('2026-11-30T07:30:00Z'))).toBeUndefined();
  });

  it('runs an overnight shift into the next morning, and the first matching shift wins', () => {
    // Tuesday 03:00: Monday's night shift.
    expect(onCallAt(shifts, 'UTC', new Date('2026-12-01T03:00:00Z'))).toBe('nico');
    // Wednesday: the holiday, all day, even in working hours.
    expect(onCallAt(shifts, 'UTC', new Date('2026-12-02T10:00:00Z'))).toBe('holly');
    // Saturday 03:00: Friday's night shift comes before the weekend one.
    expect(onCallAt(shifts, 'UTC', new Date('2026-12-05T03:00:00Z'))).toBe('nico');
    expect(onCallAt(shifts, 'UTC', new Date('2026-12-05T12:00:00Z'))).toBe('wendy');
    expect(onCallAt([shifts[1]!], 'UTC', new Date('2026-12-05T12:00:00Z'))).toBeUndefined();
  });

  it('validates shifts', () => {
    expect(shiftSchema.safeParse({ user: 'x', from: '25:00' }).success).toBe(false);
    expect(shiftSchema.safeParse({ user: 'x', days: ['monday'] }).success).toBe(false);
    expect(shiftSchema.parse({ user: 'x' })).toEqual({
      user: 'x',
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      from: '00:00',
      to: '24:00',
    });
  });
});
