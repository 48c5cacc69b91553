import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqlitePlaybookStore } from '../store/sqlite/playbooks.js';
import { SqliteSecretRepo } from '../store/sqlite/secrets.js';
import { httpAction } from './actions/http.js';
import { logAction } from './actions/builtin.js';
import { parsePlaybook } from './definition.js';
import { PlaybookEngine } from './engine.js';
import type { Value } from './expr/ast.js';
import type { Action } from './runner.js';
import { SecretVault } from './secrets.js';

const log = pino({ level: process.env.PB_DEBUG ? 'debug' : 'silent' });

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP target (firewall, EDR...) that records what it receives. */
async function target(
  statuses: number[] = [],
): Promise<{ base: string; got: Recorded[]; close(): Promise<void> }> {
  const got: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: res.statusCode < 300, rule: 'r-1' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('playbook definitions', () => {
  it('names the line of a schema error and of a bad expression', () => {
    const bad = parsePlaybook(
      [
        'id: p1',
        'name: P',
        'triggers: [{ manual: true }]',
        'steps:',
        '  - id: a',
        '    action: log',
        '    colour: red',
        '  - id: b',
        '    if: alert.severity ==',
        '    action: log',
      ].join('\n'),
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.some((e) => e.line === 5 || e.line === 7)).toBe(true);
    const expr = parsePlaybook(
      [
        'id: p1',
        'name: P',
        'triggers: [{ manual: true }]',
        'steps:',
        '  - id: a',
        '    action: log',
        '  - id: b',
        '    if: "alert.severity =="',
        '    action: log',
      ].join('\n'),
    );
    expect(expr).toMatchObject({
      ok: false,
      errors: [{ line: 8, message: expect.stringMatching(/^expression: expected a value/) }],
    });
    const dup = parsePlaybook(
      [
        'id: p1',
        'name: P',
        'triggers: [{ manual: true }]',
        'steps:',
        '  - { id: a, action: log }',
        '  - { id: a, action: log }',
      ].join('\n'),
    );
    expect(dup).toMatchObject({ ok: false, errors: [{ message: 'step id a is used 2 times' }] });
  });
});

describe('playbook engine (real SQLite, real HTTP target)', () => {
  let db: Db;
  let store: SqlitePlaybookStore;
  let vault: SecretVault;
  let fw: Awaited<ReturnType<typeof target>>;
  let calls: Record<string, number>;
  let now: Date;
  let engine: PlaybookEngine;

  const counting = (name: string, fail = 0, safeToRetry = false): Action => ({
    name,
    safeToRetry,
    async run(input) {
      calls[name] = (calls[name] ?? 0) + 1;
      if (calls[name]! <= fail) throw new Error(`${name} failed`);
      return { echo: input as Value, call: calls[name]! };
    },
  });

  function makeEngine(extra: Action[] = []): PlaybookEngine {
    const actions = new Map<string, Action>(
      [
        logAction,
        httpAction(vault),
        counting('enrich', 0, true),
        counting('flaky', 2),
        counting('contain'),
        ...extra,
      ].map((a) => [a.name, a]),
    );
    return new PlaybookEngine(store, actions, log, () => now);
  }

  async function save(yaml: string): Promise<void> {
    const p = parsePlaybook(yaml);
    if (!p.ok) throw new Error(JSON.stringify(p.errors));
    await store.savePlaybook('default', p.playbook.id, p.playbook.version, yaml, 'test');
  }

  beforeEach(async () => {
    db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-pb-')), 'vigil.db'));
    store = new SqlitePlaybookStore(db);
    vault = new SecretVault(new SqliteSecretRepo(db), Buffer.alloc(32, 7));
    await vault.set('default', 'fw-token', 's3cr3t-token', 'test');
    fw = await target();
    calls = {};
    now = new Date('2026-11-28T10:00:00Z');
    engine = makeEngine();
  });
  afterEach(async () => {
    await engine.stop();
    await fw.close();
    db.close();
  });

  it('runs conditions, loops with concurrency, parallel branches with a join, and outputs', async () => {
    await save(`
id: triage
name: Triage
triggers: [{ manual: true }]
steps:
  - id: skip-me
    if: "inputs.severity == 'low'"
    action: contain
  - id: each-ip
    for_each: "\${{ alert.observables[?(@.type == 'ip')].value }}"
    as: ip
    concurrency: 2
    steps:
      - id: look
        action: enrich
        with: { value: "\${{ ip }}" }
  - id: both
    parallel:
      - [{ id: left, action: log, with: { message: L } }]
      - [{ id: right, action: log, with: { message: R } }]
  - id: after
    action: log
    with: { message: "\${{ steps.left.output.message + steps.right.output.message }}" }
outputs:
  looked: "\${{ len(steps['each-ip'].output) }}"
  joined: "\${{ steps.after.output.message }}"
`);
    const alert = {
      observables: [
        { type: 'ip', value: '203.0.113.7' },
        { type: 'user', value: 'root' },
        { type: 'ip', value: '198.51.100.9' },
      ],
    };
    const run = await engine.start(
      'default',
      'triage',
      { type: 'manual', by: 'alice', data: { alert } },
      { severity: 'high' },
    );
    expect(run).toMatchObject({ status: 'succeeded', outputs: { looked: 2, joined: 'LR' } });
    expect(calls).toEqual({ enrich: 2 });
    const steps = await store.steps(run.id);
    expect(steps.find((s) => s.path === 'skip-me')?.status).toBe('skipped');
    expect(
      steps
        .filter((s) => s.stepId === 'look')
        .map((s) => s.path)
        .sort(),
    ).toEqual(['each-ip[0].look', 'each-ip[1].look']);
  });

  it('retries with backoff, continues or jumps on error, and stops a run naming the step', async () => {
    await save(`
id: errors
name: Errors
triggers: [{ manual: true }]
steps:
  - { id: retried, action: flaky, retry: { attempts: 3, backoff: 1ms } }
  - { id: tolerated, action: http, with: { url: "${'${{ inputs.base }}'}/x", expect: [200] }, on_error: continue }
  - { id: jump, action: http, with: { url: "${'${{ inputs.base }}'}/y" }, on_error: { goto: recover } }
  - { id: never, action: contain }
  - { id: recover, action: log, with: { message: "\${{ steps.jump.status }}" } }
  - { id: fatal, action: http, with: { url: "${'${{ inputs.base }}'}/z" } }
`);
    fw.got.length = 0;
    const statuses = [500, 500, 503];
    fw = await (async () => {
      await fw.close();
      return target(statuses);
    })();
    const run = await engine.start('default', 'errors', { type: 'manual' }, { base: fw.base });
    expect(calls.flaky).toBe(3);
    expect(calls.contain).toBeUndefined();
    expect(run.status).toBe('failed');
    expect(run.error).toBe(`step fatal: POST 127.0.0.1:${new URL(fw.base).port}: HTTP 503`);
    const steps = await store.steps(run.id);
    expect(steps.find((s) => s.stepId === 'retried')).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(steps.find((s) => s.stepId === 'recover')?.output).toEqual({ message: 'failed' });
  });

  it('times a step out', async () => {
    const slow: Action = {
      name: 'slow',
      safeToRetry: true,
      run: (_i, ctx) =>
        new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    await engine.stop();
    engine = makeEngine([slow]);
    await save(
      'id: t\nname: T\ntriggers: [{ manual: true }]\nsteps:\n  - { id: wait, action: slow, timeout: 50ms }\n',
    );
    const run = await engine.start('default', 't', { type: 'manual' }, {});
    expect(run).toMatchObject({ status: 'failed', error: 'step wait: timed out after 50ms' });
  });

  it('waits for an approval by the right role, resumes without redoing finished steps, and blocks with a secret', async () => {
    await save(`
id: brute-force
name: Brute force response
triggers: [{ manual: true }]
steps:
  - { id: enrich, action: enrich, with: { ip: "\${{ inputs.ip }}" } }
  - id: approve
    approval: { role: responder, message: "Block \${{ inputs.ip }}?", timeout: 30m, default: reject }
  - id: block
    if: "steps.approve.output.approved"
    action: http
    idempotency_key: "block-\${{ inputs.ip }}"
    with:
      url: "\${{ inputs.base }}/api/block"
      body: { ip: "\${{ inputs.ip }}", comment: "Vigil run \${{ run.id }}" }
      auth: { type: bearer, secret: fw-token }
`);
    const waiting = await engine.start(
      'default',
      'brute-force',
      { type: 'manual' },
      { ip: '203.0.113.7', base: fw.base },
    );
    expect(waiting.status).toBe('waiting');
    const pending = (await store.steps(waiting.id)).find((s) => s.path === 'approve')!;
    expect(pending).toMatchObject({
      status: 'waiting',
      input: { role: 'responder', message: 'Block 203.0.113.7?' },
    });
    await expect(
      engine.decide(['default'], waiting.id, 'approve', { approved: true, by: 'aud', role: 'auditor' }),
    ).rejects.toThrow(/needs the responder role/);
    const done = await engine.decide(['default'], waiting.id, 'approve', {
      approved: true,
      by: 'bob',
      role: 'responder',
    });
    expect(done.status).toBe('succeeded');
    expect(calls.enrich).toBe(1);
    expect(fw.got).toHaveLength(1);
    expect(fw.got[0]).toMatchObject({
      method: 'POST',
      url: '/api/block',
      headers: { authorization: 'Bearer s3cr3t-token', 'content-type': 'application/json' },
    });
    expect(JSON.parse(fw.got[0]!.body)).toEqual({ ip: '203.0.113.7', comment: `Vigil run ${done.id}` });
    // The secret is nowhere in what was recorded.
    expect(JSON.stringify(await store.steps(done.id))).not.toContain('s3cr3t-token');

    // A second run for the same address does not contain twice (idempotency key).
    const again = await engine.start(
      'default',
      'brute-force',
      { type: 'manual' },
      { ip: '203.0.113.7', base: fw.base },
    );
    await engine.decide(['default'], again.id, 'approve', { approved: true, by: 'bob', role: 'responder' });
    expect(fw.got).toHaveLength(1);
  });

  it('applies the approval default when nobody decides in time', async () => {
    await save(
      'id: a\nname: A\ntriggers: [{ manual: true }]\nsteps:\n  - id: ok\n    approval: { role: manager, message: go?, timeout: 5m, default: reject }\n  - { id: act, if: steps.ok.output.approved, action: contain }\n',
    );
    const run = await engine.start('default', 'a', { type: 'manual' }, {});
    expect(run.status).toBe('waiting');
    expect(await engine.sweepApprovals()).toBe(0);
    now = new Date(now.getTime() + 6 * 60_000);
    expect(await engine.sweepApprovals()).toBe(1);
    await engine.stop();
    const after = await store.runById(run.id);
    expect(after?.status).toBe('succeeded');
    expect((await store.steps(run.id)).find((s) => s.path === 'ok')?.output).toMatchObject({
      approved: false,
      by: 'timeout',
    });
    expect(calls.contain).toBeUndefined();
  });

  it('dry-runs without side effects: connectors show what they would send', async () => {
    await save(`
id: dry
name: Dry
triggers: [{ manual: true }]
steps:
  - { id: gate, approval: { role: admin, message: sure? } }
  - id: block
    action: http
    with: { url: "\${{ inputs.base }}/api/block", body: { ip: 1.2.3.4 }, auth: { type: bearer, secret: fw-token } }
`);
    const run = await engine.start('default', 'dry', { type: 'replay' }, { base: fw.base }, { dryRun: true });
    expect(run.status).toBe('succeeded');
    expect(fw.got).toHaveLength(0);
    const block = (await store.steps(run.id)).find((s) => s.path === 'block')!;
    expect(block.output).toMatchObject({
      dryRun: true,
      request: {
        method: 'POST',
        url: `${fw.base}/api/block`,
        auth: { type: 'bearer', secret: '<secret fw-token>' },
      },
    });
  });

  it('after a crash, resumes a run without running any step twice', async () => {
    await save(
      'id: c\nname: C\ntriggers: [{ manual: true }]\nsteps:\n  - { id: first, action: enrich }\n  - { id: second, action: contain }\n  - { id: third, action: log }\n',
    );
    // A process ran `first`, started `second` (a containment) and died: that is what it left.
    const run = {
      id: 'run-1',
      tenant: 'default',
      playbookId: 'c',
      playbookVersion: 1,
      trigger: { type: 'manual' },
      inputs: {},
      dryRun: false,
      status: 'running' as const,
      error: null,
      outputs: null,
      startedAt: now.toISOString(),
      endedAt: null,
    };
    await store.createRun(run);
    await store.putStep({
      runId: 'run-1',
      path: 'first',
      stepId: 'first',
      status: 'succeeded',
      attempts: 1,
      input: {},
      output: { x: 1 },
      error: null,
      startedAt: run.startedAt,
      endedAt: run.startedAt,
    });
    await store.putStep({
      runId: 'run-1',
      path: 'second',
      stepId: 'second',
      status: 'running',
      attempts: 1,
      input: {},
      output: null,
      error: null,
      startedAt: run.startedAt,
      endedAt: null,
    });
    expect(await engine.resumeInterrupted()).toBe(1);
    await engine.stop();
    const after = await store.runById('run-1');
    expect(after).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('step second: interrupted while running'),
    });
    expect(calls).toEqual({});
  });

  it('runs a sub-playbook with its own inputs and returns its outputs', async () => {
    await save(`
id: child
name: Child
triggers: [{ manual: true }]
inputs: { v: { type: string, required: true } }
steps:
  - { id: up, action: log, with: { message: "\${{ upper(inputs.v) }}" } }
outputs: { shout: "\${{ steps.up.output.message }}" }
`);
    await save(`
id: parent
name: Parent
triggers: [{ manual: true }]
steps:
  - { id: call, playbook: child, with: { v: hello } }
outputs: { got: "\${{ steps.call.output.shout }}" }
`);
    const run = await engine.start('default', 'parent', { type: 'manual' }, {});
    expect(run).toMatchObject({ status: 'succeeded', outputs: { got: 'HELLO' } });
    await expect(engine.start('default', 'child', { type: 'manual' }, {})).rejects.toThrow(
      /input v is required/,
    );
  });
});
