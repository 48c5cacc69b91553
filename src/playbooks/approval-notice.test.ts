import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notificationSchema, type Notification } from '../notify/ports.js';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqlitePlaybookStore } from '../store/sqlite/playbooks.js';
import { logAction } from './actions/builtin.js';
import { APPROVAL_LINKS, approvalLinkSchema, linkKey, verifyApprovalToken } from './approval-link.js';
import { approvalNotifier } from './approval-notice.js';
import { parsePlaybook } from './definition.js';
import { PlaybookEngine } from './engine.js';
import type { Action } from './runner.js';

const log = pino({ level: 'silent' });
const KEY = linkKey(Buffer.alloc(32, 3));
const YAML = `
id: contain
name: Contain a host
triggers: [{ manual: true }]
steps:
  - { id: first, action: log, with: { message: hi } }
  - id: ok
    approval: { role: responder, message: "Isolate \${{ alert.host }}?", timeout: 30m, default: approve }
  - { id: after, action: log, with: { message: "\${{ steps.ok.output.approved }}" } }
`;

describe('approval requests (real SQLite store)', () => {
  let dir: string;
  let db: Db;
  let store: SqlitePlaybookStore;
  let sent: Notification[];
  let now: Date;

  // Publishing is captured as it happens (the hook is awaited), so "asked once" needs no waiting.
  const capture = async (subject: string, n: Notification) => {
    expect(subject).toBe(`notifications.${n.tenant}`);
    sent.push(notificationSchema.parse(JSON.parse(JSON.stringify(n))));
  };
  const engineWith = (publicUrl: string | undefined, publish = capture) =>
    new PlaybookEngine(store, new Map<string, Action>([[logAction.name, logAction]]), log, () => now, {
      onApprovalRequested: approvalNotifier({
        store,
        linkKey: KEY,
        publicUrl,
        publish,
        playbookName: async () => 'Contain a host',
        now: () => now,
      }),
    });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-pb-notice-'));
    db = openDatabase(path.join(dir, 'vigil.db'));
    store = new SqlitePlaybookStore(db);
    sent = [];
    now = new Date('2026-11-28T10:00:00Z');
    const p = parsePlaybook(YAML);
    if (!p.ok) throw new Error(JSON.stringify(p.errors));
    await store.savePlaybook('acme', 'contain', 1, YAML, 'test');
  });
  afterEach(async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const trigger = {
    type: 'alert',
    data: { alert: { id: 'a-1', title: 'Malware on web-1', host: 'web-1', severity: 'critical' } },
  };

  it('asks once per waiting step with signed links that expire when the default applies', async () => {
    const engine = engineWith('https://vigil.example.org/');
    const run = await engine.start('acme', 'contain', trigger, {});
    expect(run.status).toBe('waiting');
    expect(sent).toHaveLength(1);
    const n = sent[0]!;
    expect(n).toMatchObject({
      id: `playbook.approval:${run.id}:ok`,
      kind: 'playbook.approval',
      tenant: 'acme',
      severity: 'critical',
      title: 'Contain a host: Isolate web-1?',
      subject: { type: 'playbook_run', id: run.id },
      details: {
        playbook: 'Contain a host (contain)',
        run: run.id,
        step: 'ok',
        alert: 'Malware on web-1 (a-1)',
        'who may decide': 'responder or a higher role',
        'decide by': '2026-11-28T10:30:00.000Z (timeout 30m)',
        'without a decision': 'approved automatically',
      },
    });
    for (const [which, approve] of [
      ['approve', true],
      ['reject', false],
    ] as const) {
      const url = n.details[which]!;
      expect(url).toMatch(/^https:\/\/vigil\.example\.org\/api\/v1\/playbooks\/approvals\/[\w-]+\.[\w-]+$/);
      const nonce = verifyApprovalToken(KEY, url.split('/').pop()!);
      expect(nonce).toBeDefined();
      const link = approvalLinkSchema.parse(await store.getState(APPROVAL_LINKS, nonce!));
      expect(link).toEqual({
        run: run.id,
        path: 'ok',
        tenant: 'acme',
        approve,
        role: 'responder',
        by: 'approval request to responder',
        exp: Date.parse('2026-11-28T10:30:00Z') / 1000,
      });
    }

    // Resuming after the decision does not ask again.
    const done = await engine.decide(['acme'], run.id, 'ok', {
      approved: true,
      by: 'bob',
      role: 'responder',
    });
    expect(done.status).toBe('succeeded');
    expect(sent).toHaveLength(1);
    await engine.stop();
  });

  it('asks nothing in a dry run; without a public URL it asks without links', async () => {
    const engine = engineWith(undefined);
    const dry = await engine.start('acme', 'contain', trigger, {}, { dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(sent).toHaveLength(0);
    const run = await engine.start('acme', 'contain', { type: 'manual' }, {});
    expect(sent).toHaveLength(1);
    expect(sent[0]!.severity).toBe('high'); // no alert or case: someone must look soon
    expect(sent[0]!.details.approve).toBeUndefined();
    expect(sent[0]!.details.links).toMatch(/set http\.publicUrl/);
    expect(sent[0]!.details.console).toContain(`/api/v1/playbooks/runs/${run.id}/decision`);
    await engine.stop();
  });

  it('a request that cannot be sent leaves the run waiting for a decision in the console', async () => {
    const engine = engineWith('https://vigil.example.org', async () => {
      throw new Error('bus down');
    });
    const run = await engine.start('acme', 'contain', trigger, {});
    expect(run.status).toBe('waiting');
    expect((await store.steps(run.id)).find((s) => s.path === 'ok')?.status).toBe('waiting');
    const done = await engine.decide(['acme'], run.id, 'ok', { approved: false, by: 'bob', role: 'admin' });
    expect(done.status).toBe('succeeded');
    await engine.stop();
  });
});
