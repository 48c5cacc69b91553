import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqlitePlaybookStore } from '../store/sqlite/playbooks.js';
import type { Value } from './expr/ast.js';
import { summarizeRuns, timeToContainSeconds } from './metrics.js';
import type { PlaybookRun, StepRecord } from './ports.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function run(id: string, over: Partial<PlaybookRun> = {}): PlaybookRun {
  return {
    id,
    tenant: 'default',
    playbookId: 'p',
    playbookVersion: 1,
    trigger: { type: 'alert', data: { alert: { id: `a-${id}`, createdAt: at(0) } } },
    inputs: {},
    dryRun: false,
    status: 'succeeded',
    error: null,
    outputs: null,
    startedAt: at(10),
    endedAt: at(70),
    ...over,
  };
}

function step(
  runId: string,
  p: string,
  action: string,
  endS: number,
  over: Partial<StepRecord> = {},
): StepRecord {
  return {
    runId,
    path: p,
    stepId: p,
    action,
    status: 'succeeded',
    attempts: 1,
    input: null,
    output: null,
    error: null,
    startedAt: at(endS - 1),
    endedAt: at(endS),
    ...over,
  };
}

const undo: Value = {
  undo: { connector: 'rest-firewall', operation: 'unblock_ip', params: { ip: '192.0.2.1' } },
};

describe('playbook metrics over stored runs (real SQLite)', () => {
  let dir: string;
  let db: Db;
  let store: SqlitePlaybookStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-pb-metrics-'));
    db = openDatabase(path.join(dir, 'vigil.db'));
    store = new SqlitePlaybookStore(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts runs, failures, time saved per action and mean time to contain; dry runs do not count', async () => {
    const runs = [
      run('r1'), // contained at 40 s and 50 s: the first one counts
      run('r2', { status: 'failed', error: 'step x: boom', endedAt: at(40) }), // contained at 100 s
      run('r3', { status: 'waiting', endedAt: null }),
      run('r4', { dryRun: true }),
      run('r5', { trigger: { type: 'manual' } }), // contained, but no alert: no time to contain
    ];
    for (const r of runs) await store.createRun(r);
    const steps = [
      step('r1', 'lookup', 'intel.lookup', 20),
      step('r1', 'block', 'connector', 50, { output: undo }),
      step('r1', 'disable', 'connector', 40, { output: undo }),
      step('r1', 'note', 'log', 60),
      step('r2', 'block', 'connector', 100, { output: undo }),
      step('r2', 'x', 'http', 110, { status: 'failed', error: 'boom' }),
      // Reused from an idempotency key: ran 0 times here, saved nothing new, contained nothing new.
      step('r3', 'block', 'connector', 30, { attempts: 0, output: undo }),
      step('r4', 'block', 'connector', 15, { output: undo }),
      step('r5', 'block', 'connector', 15, { output: undo }),
      // A connector call without undo (a lookup) is not a containment.
      step('r5', 'query', 'connector', 12, { output: { status: 200 } }),
    ];
    for (const s of steps) await store.putStep(s);

    const listed = await store.listRuns(['default'], { limit: 100 });
    const m = await summarizeRuns(listed, (id) => store.steps(id), {
      'intel.lookup': 3,
      connector: 10,
      http: 5,
      log: 0,
    });
    expect(m).toEqual({
      runs: 4,
      byStatus: { succeeded: 2, failed: 1, waiting: 1 },
      failures: 1,
      meanDurationSeconds: (60 + 30 + 60) / 3,
      timeSavedMinutes: 3 + 10 * 5,
      timeSavedByAction: {
        'intel.lookup': { count: 1, minutes: 3 },
        connector: { count: 5, minutes: 50 },
        log: { count: 1, minutes: 0 },
      },
      meanTimeToContainSeconds: (40 + 100) / 2,
      containedRuns: 2,
    });
  });

  it('has no time to contain without a containment, and none for a dry run', () => {
    expect(timeToContainSeconds(run('a'), [step('a', 'l', 'log', 5)])).toBeUndefined();
    expect(
      timeToContainSeconds(run('b', { dryRun: true }), [step('b', 'c', 'connector', 5, { output: undo })]),
    ).toBeUndefined();
    expect(timeToContainSeconds(run('c'), [step('c', 'c', 'connector', 5, { output: undo })])).toBe(5);
  });
});
