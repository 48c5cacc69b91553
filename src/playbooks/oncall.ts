/**
 * On-call schedules for `assign.oncall`: weekly shifts in a time zone, written in the playbook (so
 * they are versioned with it). A shift that ends before it starts runs past midnight into the next
 * day; the first shift that covers the moment wins, so put exceptions (holidays) first.
 */
import { z } from 'zod';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time such as 08:00 (24:00 ends a day)');

export const shiftSchema = z
  .object({
    user: z.string().min(1).max(200),
    days: z
      .array(z.enum(DAYS))
      .min(1)
      .max(7)
      .default([...DAYS]),
    from: hhmm.default('00:00'),
    to: hhmm.default('24:00'),
  })
  .strict();
export type Shift = z.infer<typeof shiftSchema>;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const minutes = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));

/** Day of week (0 = Monday) and minute of day of `at` in the time zone. */
function localTime(at: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Who is on call at `at`, or undefined when no shift covers it. */
export function onCallAt(shifts: Shift[], timeZone: string, at: Date): string | undefined {
  const { day, minute } = localTime(at, timeZone);
  const yesterday = (day + 6) % 7;
  for (const s of shifts) {
    const from = minutes(s.from);
    const to = minutes(s.to);
    const on = (d: number) => s.days.includes(DAYS[d]!);
    if (from < to) {
      if (on(day) && minute >= from && minute < to) return s.user;
    } else if ((on(day) && minute >= from) || (on(yesterday) && minute < to)) {
      // Overnight: from the start day's evening into the next morning.
      return s.user;
    }
  }
  return undefined;
}
