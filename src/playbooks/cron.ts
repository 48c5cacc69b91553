/**
 * A small five-field cron (minute hour day-of-month month day-of-week) for scheduled playbooks:
 * `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, and comma lists. Times are UTC, so a
 * schedule does not shift with the server's time zone or with daylight saving.
 */
import type { Parsed } from '../schema/result.js';

export interface Cron {
  minute: ReadonlySet<number>;
  hour: ReadonlySet<number>;
  dayOfMonth: ReadonlySet<number>;
  month: ReadonlySet<number>;
  dayOfWeek: ReadonlySet<number>;
  /** Standard cron: when both day fields are restricted, a day matches if either does. */
  domStar: boolean;
  dowStar: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseField(text: string, f: (typeof FIELDS)[number]): Set<number> | string {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return `${f.name}: cannot read "${part}"`;
    let lo: number = f.min;
    let hi: number = f.max;
    if (m[1] !== '*') {
      lo = Number(m[2]);
      hi = m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? f.max : lo;
    }
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < f.min || hi > f.max) return `${f.name}: ${part} is outside ${f.min}-${f.max}`;
    if (lo > hi) return `${f.name}: range ${part} runs backwards`;
    if (step < 1) return `${f.name}: step must be at least 1`;
    for (let v = lo; v <= hi; v += step) out.add(f.name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

export function parseCron(text: string): Parsed<Cron> {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5)
    return { ok: false, reason: `expected 5 fields (minute hour day month weekday), got ${parts.length}` };
  const sets: Array<Set<number>> = [];
  for (const [i, f] of FIELDS.entries()) {
    const r = parseField(parts[i]!, f);
    if (typeof r === 'string') return { ok: false, reason: r };
    sets.push(r);
  }
  return {
    ok: true,
    value: {
      minute: sets[0]!,
      hour: sets[1]!,
      dayOfMonth: sets[2]!,
      month: sets[3]!,
      dayOfWeek: sets[4]!,
      domStar: parts[2] === '*',
      dowStar: parts[4] === '*',
    },
  };
}

function dayMatches(c: Cron, d: Date): boolean {
  const dom = c.dayOfMonth.has(d.getUTCDate());
  const dow = c.dayOfWeek.has(d.getUTCDay());
  if (c.domStar || c.dowStar) return dom && dow;
  return dom || dow;
}

export function cronMatches(c: Cron, d: Date): boolean {
  return (
    c.minute.has(d.getUTCMinutes()) &&
    c.hour.has(d.getUTCHours()) &&
    c.month.has(d.getUTCMonth() + 1) &&
    dayMatches(c, d)
  );
}

/**
 * The first minute strictly after `after` that the schedule fires, or undefined if none within
 * five years (e.g. `0 0 31 2 *`). Skips whole days and hours that cannot match, so it is fast.
 */
export function nextFire(c: Cron, after: Date): Date | undefined {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!c.month.has(t.getUTCMonth() + 1) || !dayMatches(c, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!c.hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (c.minute.has(t.getUTCMinutes())) return t;
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  return undefined;
}
