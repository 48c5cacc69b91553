/**
 * What playbooks did for the SOC, from the stored runs: runs by status, failures, mean duration,
 * estimated analyst time saved, and mean time to contain. Dry runs are not counted: they change nothing.
 */
import type { Value } from './expr/ast.js';
import type { PlaybookRun, StepRecord } from './ports.js';

export interface RunSummary {
  runs: number;
  byStatus: Record<string, number>;
  failures: number;
  meanDurationSeconds: number | null;
  timeSavedMinutes: number;
  /** Per action: how many times it ran (successfully, for real) and the minutes that saved. */
  timeSavedByAction: Record<string, { count: number; minutes: number }>;
  /** From the alert's creation to the run's first successful containment; null without any. */
  meanTimeToContainSeconds: number | null;
  containedRuns: number;
}

const asObject = (v: unknown): Record<string, Value> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Value>) : {};

/** A containment is a connector step that succeeded and recorded how to undo it. */
export const isContainment = (s: StepRecord): boolean =>
  s.action === 'connector' && s.status === 'succeeded' && s.attempts > 0 && !!asObject(s.output).undo;

/** Seconds from the alert that started the run to its first containment; undefined if none. */
export function timeToContainSeconds(run: PlaybookRun, steps: StepRecord[]): number | undefined {
  if (run.dryRun) return undefined;
  const createdAt = asObject(asObject(run.trigger.data).alert).createdAt;
  if (typeof createdAt !== 'string') return undefined;
  const first = steps
    .filter((s) => isContainment(s) && s.endedAt)
    .map((s) => Date.parse(s.endedAt!))
    .sort((a, b) => a - b)[0];
  if (first === undefined || !Number.isFinite(Date.parse(createdAt))) return undefined;
  return Math.max(0, (first - Date.parse(createdAt)) / 1000);
}

export async function summarizeRuns(
  all: PlaybookRun[],
  stepsOf: (runId: string) => Promise<StepRecord[]>,
  minutesSaved: Record<string, number>,
): Promise<RunSummary> {
  const runs = all.filter((r) => !r.dryRun);
  const byStatus: Record<string, number> = {};
  const saved: Record<string, { count: number; minutes: number }> = {};
  let durations = 0;
  let ended = 0;
  const contain: number[] = [];
  for (const r of runs) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    if (r.endedAt) {
      durations += Date.parse(r.endedAt) - Date.parse(r.startedAt);
      ended++;
    }
    const steps = await stepsOf(r.id);
    for (const s of steps) {
      // Steps reused from an idempotency key ran 0 times here: they saved nothing new.
      if (!s.action || s.status !== 'succeeded' || s.attempts === 0) continue;
      const e = (saved[s.action] ??= { count: 0, minutes: 0 });
      e.count++;
      e.minutes += minutesSaved[s.action] ?? 0;
    }
    const ttc = timeToContainSeconds(r, steps);
    if (ttc !== undefined) contain.push(ttc);
  }
  return {
    runs: runs.length,
    byStatus,
    failures: byStatus.failed ?? 0,
    meanDurationSeconds: ended ? durations / ended / 1000 : null,
    timeSavedMinutes: Object.values(saved).reduce((a, b) => a + b.minutes, 0),
    timeSavedByAction: saved,
    meanTimeToContainSeconds: contain.length ? contain.reduce((a, b) => a + b, 0) / contain.length : null,
    containedRuns: contain.length,
  };
}
