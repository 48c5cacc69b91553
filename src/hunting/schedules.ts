/**
 * Schedules for saved searches: how often a saved search runs and what result raises an alert.
 * Pure validation and evaluation only; running queries and persisting runs live elsewhere.
 */
import { z } from 'zod';

const common = {
  everyMinutes: z.number().int().min(1).max(10_080),
  windowMinutes: z.number().int().min(1).max(10_080),
  title: z.string().trim().min(1).max(200).optional(),
  level: z.enum(['informational', 'low', 'medium', 'high', 'critical']).default('medium'),
};

export const scheduleInput = z.discriminatedUnion('kind', [
  z.object({
    ...common,
    kind: z.literal('threshold'),
    op: z.enum(['>', '>=', '<', '<=', '==']),
    value: z.number().int().min(0),
    by: z.string().trim().min(1).max(200).optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('new_terms'),
    field: z.string().trim().min(1).max(200),
    historyDays: z.number().int().min(1).max(365),
  }),
  z.object({ ...common, kind: z.literal('no_data') }),
]);
export type Schedule = z.infer<typeof scheduleInput>;

export function compare(op: '>' | '>=' | '<' | '<=' | '==', count: number, value: number): boolean {
  switch (op) {
    case '>':
      return count > value;
    case '>=':
      return count >= value;
    case '<':
      return count < value;
    case '<=':
      return count <= value;
    case '==':
      return count === value;
  }
}

/** Groups whose count crosses the threshold; without `by` the whole window is one group (key ''). */
export function thresholdHits(
  s: Extract<Schedule, { kind: 'threshold' }>,
  counts: ReadonlyMap<string, number>,
): Array<{ group: string; count: number }> {
  const out: Array<{ group: string; count: number }> = [];
  for (const [group, count] of counts) if (compare(s.op, count, s.value)) out.push({ group, count });
  return out;
}

/** Values seen in the window that never appeared in history. */
export function newTerms(window: Iterable<string>, history: ReadonlySet<string>): string[] {
  return [...new Set(window)].filter((v) => !history.has(v)).sort();
}

/** Window end of the next due run, aligned to whole intervals so reruns pick the same window. */
export function dueWindowEnd(s: Schedule, lastEnd: number | undefined, now: number): number | undefined {
  const step = s.everyMinutes * 60_000;
  const aligned = Math.floor(now / step) * step;
  return lastEnd === undefined || aligned > lastEnd ? aligned : undefined;
}
