import { z } from 'zod';
import { ApiError } from './errors.js';

export const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');

/** `from`, `to`, or `period` (`24h`, `30d`: from = to - period) of a report or metrics route. */
export const periodQuery = {
  from: isoTime.optional(),
  to: isoTime.optional(),
  period: z
    .string()
    .regex(/^\d{1,4}[hd]$/, 'like 24h or 30d')
    .optional(),
};

/**
 * The period asked for; `to` defaults to one millisecond past `now` (so what happened this very
 * millisecond counts), the span to `defaultDays`.
 */
export function resolvePeriod(
  q: { from?: string | undefined; to?: string | undefined; period?: string | undefined },
  now: Date,
  defaultDays = 30,
): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date(now.getTime() + 1);
  const span = q.period
    ? Number(q.period.slice(0, -1)) * (q.period.endsWith('d') ? 86_400_000 : 3_600_000)
    : defaultDays * 86_400_000;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - span);
  if (from >= to) throw new ApiError('bad_request', 'query.from: must be before query.to');
  return { from, to };
}
