import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqlitePlaybookStore } from '../store/sqlite/playbooks.js';
import { logAction } from './actions/builtin.js';
import { PlaybookEngine } from './engine.js';
import { runEventHooks, type RunEvent } from './run-events.js';

const YAML = `
id: live
name: Live
triggers: [{ manual: true }]
steps:
  - { id: hello, action: log, with: { message: "secret-ish \${{ inputs.x }}" } }
  - id: ok
    approval: { role: responder, message: go?, timeout: 5m }
`;

async function until(f: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('run progress on the bus (real SQLite, real bus)', () => {
  let dir: string;
  let db: Db;
  let bus: MemoryBus;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-pb-live-'));
    db = openDatabase(path.join(dir, 'vigil.db'));
    bus = new MemoryBus();
  });
  afterEach(async () => {
    await bus.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('announces start, each step, waiting and the end, per tenant, without step data', async () => {
    const store = new SqlitePlaybookStore(db);
    await store.savePlaybook('acme', 'live', 1, YAML, 'test');
    const seen: Array<{ subject: string; e: RunEvent }> = [];
    await bus.consume<RunEvent>('playbooks.runs.>', 'test', async (m) => {
      seen.push({ subject: m.subject, e: m.data });
    });
    const engine = new PlaybookEngine(
      store,
      new Map([[logAction.name, logAction]]),
      pino({ level: 'silent' }),
      undefined,
      runEventHooks((s, e) => bus.publish(s, e)),
    );
    const run = await engine.start('acme', 'live', { type: 'manual' }, { x: 'zzz' });
    expect(run.status).toBe('waiting');
    await until(() => seen.some((s) => s.e.status === 'waiting'));
    await engine.decide(['acme'], run.id, 'ok', { approved: true, by: 'bob', role: 'responder' });
    await until(() => seen.some((s) => s.e.status === 'succeeded'));
    await engine.stop();

    expect(new Set(seen.map((s) => s.subject))).toEqual(new Set(['playbooks.runs.acme']));
    expect(seen.every((s) => s.e.run === run.id && s.e.playbook === 'live')).toBe(true);
    const trail = seen.map((s) => (s.e.step ? `${s.e.step.path}:${s.e.step.status}` : `run:${s.e.status}`));
    expect(trail).toEqual([
      'run:running',
      // A read-only action is not recorded as running first (it may simply run again after a crash).
      'hello:succeeded',
      'ok:waiting',
      'run:waiting',
      'run:running',
      'ok:succeeded',
      'run:succeeded',
    ]);
    expect(seen.find((s) => s.e.step?.path === 'hello')?.e.step?.action).toBe('log');
    // Inputs and outputs stay in the run API.
    expect(JSON.stringify(seen)).not.toContain('zzz');
  });
});
