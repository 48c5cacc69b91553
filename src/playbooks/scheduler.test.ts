import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/sqlite/db.js';
import { SqlitePlaybookStore } from '../store/sqlite/playbooks.js';
import { parsePlaybook, type Playbook } from './definition.js';
import { fireDueSchedules } from './scheduler.js';

const pb = (schedule: string, enabled = true): Playbook => {
  const p = parsePlaybook(
    `id: nightly\nname: n\nenabled: ${enabled}\ntriggers: [{ schedule: "${schedule}" }]\nsteps:\n  - id: a\n    action: log\n`,
  );
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p.playbook;
};

describe('scheduled triggers', () => {
  it('start nothing for the past, then fire once per due time, and never when disabled', async () => {
    const store = new SqlitePlaybookStore(
      openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-sched-')), 'v.db')),
    );
    const started: string[] = [];
    const run = (now: string, book = pb('*/15 * * * *')) =>
      fireDueSchedules({
        store,
        tenants: ['t1'],
        playbooksOf: async () => [book],
        start: async (_t, _pb, fact) => void started.push(fact),
        now: new Date(now),
      });
    expect(await run('2026-11-28T10:07:00Z')).toBe(0); // first sight: marks, fires nothing
    expect(await run('2026-11-28T10:14:30Z')).toBe(0);
    expect(await run('2026-11-28T10:15:10Z')).toBe(1);
    expect(await run('2026-11-28T10:15:40Z')).toBe(0); // same due time: once
    expect(await run('2026-11-28T11:02:00Z')).toBe(1); // missed fires collapse into one
    expect(started).toEqual(['schedule:0:2026-11-28T10:15:00.000Z', 'schedule:0:2026-11-28T10:30:00.000Z']);
    expect(await run('2026-11-28T12:00:00Z', pb('*/15 * * * *', false))).toBe(0);
  });
});
