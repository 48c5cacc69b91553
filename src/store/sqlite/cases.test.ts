import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeCaseStoreContract } from '../../cases/contract/case-store.contract.js';
import type { Storage } from '../ports.js';
import { openSqliteStorage, SQLITE_FILE } from './index.js';

// Real SQLite files on disk, not :memory:, so reopening proves durability.
describeCaseStoreContract('sqlite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-cases-'));
  let s = openSqliteStorage(dir);
  return {
    cases: s.cases,
    reopen: async () => {
      await s.close();
      s = openSqliteStorage(dir);
      return s.cases;
    },
    close: () => s.close(),
  };
});

const T0 = '2026-11-01T10:00:00.000Z';

describe('SqliteCaseStore specifics', () => {
  let dir: string;
  let s: Storage;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-cases-'));
    s = openSqliteStorage(dir);
  });
  afterEach(async () => s.close());

  it('keeps the chain of custody append-only even for direct SQL', async () => {
    const c = await s.cases.create(
      {
        id: randomUUID(),
        tenant: 't',
        title: 'x',
        description: '',
        severity: 'low',
        status: 'open',
        resolution: null,
        tlp: 'amber',
        pap: 'amber',
        tags: [],
        customFields: {},
        assignee: null,
        dueAt: null,
        dueSource: null,
        attack: { techniques: [], tactics: [] },
        members: [],
        template: null,
        createdBy: 'a',
        createdAt: T0,
      },
      { tasks: [], links: [], observables: [], activity: [] },
    );
    const evId = randomUUID();
    await s.cases.addEvidence(
      {
        id: evId,
        tenant: 't',
        caseId: c.id,
        sha256: 'b'.repeat(64),
        size: 1,
        name: 'y',
        contentType: 'text/plain',
        description: '',
        addedBy: 'a',
        addedAt: T0,
        integrity: 'ok',
        lastVerifiedAt: null,
      },
      {
        tenant: 't',
        evidenceId: evId,
        caseId: c.id,
        action: 'added',
        actor: 'a',
        ip: null,
        at: T0,
        sha256: 'b'.repeat(64),
        detail: null,
      },
    );
    await s.close();
    const raw = new Database(path.join(dir, SQLITE_FILE));
    expect(() => raw.prepare("UPDATE case_custody SET doc = '{}'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM case_custody').run()).toThrow(/append-only/);
    raw.close();
    s = openSqliteStorage(dir);
    expect(await s.cases.custody('t', evId)).toHaveLength(1);
  });
});
