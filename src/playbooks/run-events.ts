/**
 * Run progress on the bus, for live views: `playbooks.runs.<tenant>` carries each change of a run
 * (started or resumed, waiting, ended) and of its steps. Only what a list or a timeline shows goes
 * out (ids, statuses, times, errors), never step inputs or outputs: a client reads those from the
 * run API, under its permissions. Best effort: progress is also in the store.
 */
import type { PlaybookRun, StepRecord } from './ports.js';
import type { RunHooks } from './runner.js';

export const PLAYBOOK_RUNS_SUBJECT = 'playbooks.runs';

export interface RunEvent {
  run: string;
  playbook: string;
  dryRun: boolean;
  status: PlaybookRun['status'];
  error: string | null;
  at: string;
  step?: {
    path: string;
    stepId: string;
    action: string | null;
    status: StepRecord['status'];
    attempts: number;
    error: string | null;
    startedAt: string;
    endedAt: string | null;
  };
}

export function runEventHooks(
  publish: (subject: string, e: RunEvent) => Promise<void>,
  now: () => Date = () => new Date(),
): Required<Pick<RunHooks, 'onRunStart' | 'onStep' | 'onWaiting' | 'onRunEnd'>> {
  const send = (run: PlaybookRun, status: PlaybookRun['status'], step?: StepRecord): void => {
    const e: RunEvent = {
      run: run.id,
      playbook: run.playbookId,
      dryRun: run.dryRun,
      status,
      error: run.error,
      at: now().toISOString(),
      ...(step
        ? {
            step: {
              path: step.path,
              stepId: step.stepId,
              action: step.action ?? null,
              status: step.status,
              attempts: step.attempts,
              error: step.error,
              startedAt: step.startedAt,
              endedAt: step.endedAt,
            },
          }
        : {}),
    };
    publish(`${PLAYBOOK_RUNS_SUBJECT}.${run.tenant}`, e).catch(() => undefined);
  };
  return {
    onRunStart: (run) => send(run, 'running'),
    onStep: (run, step) => send(run, 'running', step),
    onWaiting: (run) => send(run, 'waiting'),
    onRunEnd: (run) => send(run, run.status),
  };
}
