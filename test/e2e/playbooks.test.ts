/**
 * Playbooks end to end: a real Vigil (SQLite in a temp dir, real sockets) and a real local HTTP
 * server standing in for the firewall and the identity provider, recording what it receives.
 * SSH events → correlation alert → brute-force playbook → approval → containment → case.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import type { Value } from '../../src/playbooks/expr/ast.js';
import { openSqliteStorage } from '../../src/store/sqlite/index.js';
import { startTestApp, tokenFor } from '../../src/test-support/app.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SECRET_KEY = 'a'.repeat(64);
const FW_SECRET = 'fw-api-key-7f3e9c';
const IDP_SECRET = 'idp-token-51d2aa';

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function until<T>(f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('playbooks: triggers, approvals, connectors, cases, over real HTTP', () => {
  let app: VigilApp;
  let base: string;
  let dataDir: string;
  const tok: Record<string, string> = {};
  const received: Recorded[] = [];
  let target: http.Server;
  let targetUrl: string;
  let seq = 0;

  const call = async (
    token: string | null,
    method: string,
    url: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked field by field
  ): Promise<{ status: number; json: any; text: string }> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };

  const sshEvents = async (ip: string, host: string, failures: number, acceptedUser?: string) => {
    const now = Date.now();
    const docs: unknown[] = [];
    for (let i = 0; i < failures; i++) {
      seq++;
      docs.push({
        '@timestamp': new Date(now - 60_000 + seq).toISOString(),
        message: `Failed password for root from ${ip} port ${40000 + seq} ssh2`,
        event: { module: 'system', dataset: 'system.auth' },
        host: { name: host },
        source: { ip },
        user: { name: 'root' },
        process: { name: 'sshd' },
      });
    }
    if (acceptedUser) {
      seq++;
      docs.push({
        '@timestamp': new Date(now - 1000 + seq).toISOString(),
        message: `Accepted password for ${acceptedUser} from ${ip} port ${40000 + seq} ssh2`,
        event: { module: 'system', dataset: 'system.auth' },
        host: { name: host },
        source: { ip },
        user: { name: acceptedUser },
        process: { name: 'sshd' },
      });
    }
    const r = await call(tok.ingest!, 'POST', '/api/v1/events', docs);
    expect(r.json).toMatchObject({ accepted: docs.length, rejected: [] });
  };

  const runsOf = async (playbook: string) =>
    (await call(tok.analyst!, 'GET', `/api/v1/playbooks/runs?playbook=${playbook}`)).json.runs as Array<{
      id: string;
      status: string;
      dryRun: boolean;
      trigger: { type: string };
      outputs: Record<string, unknown> | null;
      error: string | null;
    }>;
  const runDetail = async (id: string) =>
    (await call(tok.analyst!, 'GET', `/api/v1/playbooks/runs/${id}`)).json;
  const runWith = (id: string, status: string) =>
    until(async () => {
      const d = await runDetail(id);
      return d.run.status === status ? d : undefined;
    });

  const startApp = async () => {
    app = await startTestApp({
      VIGIL_SECRET_KEY: SECRET_KEY,
      ...(dataDir ? { VIGIL_DATA_DIR: dataDir } : {}),
    });
    base = `http://127.0.0.1:${app.ports.http}`;
    for (const role of ['ingest', 'analyst', 'responder', 'admin', 'auditor'] as const)
      tok[role] = await tokenFor(app, role);
  };

  beforeAll(async () => {
    process.env.VIGIL_SECRET_KEY = SECRET_KEY;
    target = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.method === 'POST' && req.url === '/api/v1/blocklist') {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: `rule-${received.length}` }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    await startApp();
    dataDir = app.config.dataDir;
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => target.close(r));
    delete process.env.VIGIL_SECRET_KEY;
  });

  it('installs the three examples, disabled, at first start', async () => {
    const r = await call(tok.analyst!, 'GET', '/api/v1/playbooks');
    expect(r.status).toBe(200);
    const ids = (r.json.playbooks as Array<{ id: string; enabled: boolean; valid: boolean }>).map((p) => [
      p.id,
      p.enabled,
      p.valid,
    ]);
    expect(ids).toEqual([
      ['brute-force-response', false, true],
      ['malware-on-host', false, true],
      ['phishing-triage', false, true],
    ]);
  });

  it('refuses invalid YAML with the line, and keeps every version', async () => {
    const bad = await call(tok.admin!, 'POST', '/api/v1/playbooks', {
      yaml: 'id: x1\nname: bad\ntriggers:\n  - manual: true\nsteps:\n  - id: a\n    action: log\n    if: "1 +"\n',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^line 8: steps\.0\.if: expression/);
    expect(bad.json.error.details[0]).toMatchObject({ line: 8 });
    expect((await call(tok.analyst!, 'POST', '/api/v1/playbooks', { yaml: 'x: 1' })).status).toBe(403);
  });

  it('brute force → alert → playbook waits → approved → firewall and IdP called with secrets → case', async () => {
    // Secrets and connector settings; the values never come back.
    expect(
      (await call(tok.admin!, 'PUT', '/api/v1/playbooks/secrets/fw-key', { value: FW_SECRET })).status,
    ).toBe(200);
    expect(
      (await call(tok.admin!, 'PUT', '/api/v1/playbooks/secrets/idp-key', { value: IDP_SECRET })).status,
    ).toBe(200);
    const names = await call(tok.admin!, 'GET', '/api/v1/playbooks/secrets');
    expect(names.json.secrets.map((s: { name: string }) => s.name)).toEqual(['fw-key', 'idp-key']);
    expect(names.text).not.toContain(FW_SECRET);
    for (const [id, secret] of [
      ['rest-firewall', 'fw-key'],
      ['idp-disable-user', 'idp-key'],
    ])
      expect(
        (await call(tok.admin!, 'PUT', `/api/v1/playbooks/connectors/${id}`, { baseUrl: targetUrl, secret }))
          .status,
      ).toBe(200);

    // Enable the shipped example as it is.
    const shipped = readFileSync(path.join(ROOT, 'templates/playbooks/brute-force-response.yml'), 'utf8');
    const saved = await call(tok.admin!, 'PUT', '/api/v1/playbooks/brute-force-response', {
      yaml: shipped.replace('enabled: false', 'enabled: true'),
    });
    expect(saved.json).toMatchObject({ id: 'brute-force-response', version: 2, enabled: true });
    const versions = await call(tok.analyst!, 'GET', '/api/v1/playbooks/brute-force-response/versions');
    expect(versions.json.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const v1 = await call(tok.analyst!, 'GET', '/api/v1/playbooks/brute-force-response/versions/1');
    expect(v1.json.yaml).toContain('enabled: false');

    await sshEvents('198.51.100.23', 'web-1', 12, 'deploy');
    const run = await until(async () =>
      (await runsOf('brute-force-response')).find((r) => r.status === 'waiting'),
    );
    expect(run.trigger.type).toBe('alert');
    const waiting = await runDetail(run.id);
    const approval = waiting.steps.find((s: { stepId: string }) => s.stepId === 'approve');
    expect(approval).toMatchObject({ status: 'waiting', input: { role: 'responder' } });
    expect(approval.input.message).toContain('198.51.100.23');
    expect(approval.input.message).toContain('deploy');
    expect(received).toHaveLength(0); // nothing contained before a person agreed

    // An auditor may not decide; a responder may.
    expect(
      (
        await call(tok.auditor!, 'POST', `/api/v1/playbooks/runs/${run.id}/decision`, {
          path: 'approve',
          approved: true,
        })
      ).status,
    ).toBe(403);
    const decided = await call(tok.responder!, 'POST', `/api/v1/playbooks/runs/${run.id}/decision`, {
      path: 'approve',
      approved: true,
    });
    expect(decided.status).toBe(200);
    const done = await runWith(run.id, 'succeeded');

    const block = received.find((r) => r.method === 'POST' && r.url === '/api/v1/blocklist');
    expect(block).toBeDefined();
    expect(block!.headers['x-api-key']).toBe(FW_SECRET);
    expect(JSON.parse(block!.body)).toMatchObject({ address: '198.51.100.23' });
    const disable = received.find((r) => r.method === 'PATCH');
    expect(disable!.url).toBe('/scim/v2/Users/deploy');
    expect(disable!.headers.authorization).toBe(`Bearer ${IDP_SECRET}`);
    expect(JSON.parse(disable!.body).Operations[0]).toEqual({ op: 'replace', path: 'active', value: false });

    // Each containment records how to undo it.
    expect(done.run.outputs.undo_block).toEqual({
      connector: 'rest-firewall',
      operation: 'unblock_ip',
      params: { ip: '198.51.100.23', rule_id: 'rule-1' },
    });
    expect(done.run.outputs.undo_disable).toMatchObject({
      operation: 'enable_user',
      params: { user: 'deploy' },
    });
    const approveStep = done.steps.find((s: { stepId: string }) => s.stepId === 'approve');
    expect(approveStep.decision).toMatchObject({ approved: true, by: 'token:t-responder' });
    expect(JSON.stringify(done)).not.toContain(FW_SECRET);
    expect(JSON.stringify(done)).not.toContain(IDP_SECRET);

    const caseId = done.run.outputs.case as string;
    const c = await call(tok.analyst!, 'GET', `/api/v1/cases/${caseId}`);
    expect(c.status).toBe(200);
    expect(c.json).toMatchObject({ severity: 'critical', template: 'compromised-account' });
    const comments = await call(tok.analyst!, 'GET', `/api/v1/cases/${caseId}/comments`);
    expect(comments.json.comments[0].body).toMatch(/approved by token:t-responder/);

    // Replaying as a dry run sends nothing and shows what would be sent.
    const before = received.length;
    const replay = await call(tok.analyst!, 'POST', `/api/v1/playbooks/runs/${run.id}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json.run).toMatchObject({ dryRun: true, status: 'succeeded' });
    const dryBlock = replay.json.steps.find((s: { stepId: string }) => s.stepId === 'block');
    expect(dryBlock.output.request).toMatchObject({
      method: 'POST',
      url: `${targetUrl}/api/v1/blocklist`,
      auth: { type: 'header', secret: '<secret fw-key>' },
    });
    expect(received.length).toBe(before);

    const m = await call(tok.analyst!, 'GET', '/api/v1/playbooks/metrics');
    expect(m.json.byStatus.succeeded).toBeGreaterThanOrEqual(1);
    expect(m.json.timeSavedMinutes).toBeGreaterThanOrEqual(20);
    expect(m.json.meanTimeToContainSeconds).toBeGreaterThanOrEqual(0);
    const prom = await app.http.inject({ method: 'GET', url: '/metrics' });
    if (prom.statusCode === 200)
      expect(prom.body).toMatch(/vigil_playbook_runs_total\{[^}]*status="succeeded"/);
  });

  it('a signed one-time link decides once; a second use and a forged link do nothing', async () => {
    const alerts = await call(tok.analyst!, 'GET', '/api/v1/alerts?limit=100&q=198.51.100.23');
    const alert = (alerts.json.alerts as Array<{ id: string; ruleId: string }>).find(
      (a) => a.ruleId === '011feb4e-9452-491e-b011-29f6503e4f4d',
    )!;
    const started = await call(tok.analyst!, 'POST', '/api/v1/playbooks/brute-force-response/run', {
      alertId: alert.id,
    });
    expect(started.json.run.status).toBe('waiting');
    const id = started.json.run.id as string;
    const links = await call(tok.responder!, 'POST', `/api/v1/playbooks/runs/${id}/approval-links`, {
      path: 'approve',
    });
    expect(links.status).toBe(200);
    const preview = await call(null, 'GET', links.json.reject.url);
    expect(preview.json).toMatchObject({ decision: 'reject', step: 'approve' });
    expect((await runDetail(id)).run.status).toBe('waiting'); // looking at a link decides nothing
    const forged = links.json.approve.token.replace(/.$/, (ch: string) => (ch === 'A' ? 'B' : 'A'));
    expect((await call(null, 'POST', `/api/v1/playbooks/approvals/${forged}`)).status).toBe(401);
    const used = await call(null, 'POST', links.json.reject.url);
    expect(used.status).toBe(200);
    expect(used.json.decided).toBe('rejected');
    expect((await call(null, 'POST', links.json.reject.url)).status).toBe(409);
    const done = await runWith(id, 'succeeded');
    expect(done.steps.find((s: { stepId: string }) => s.stepId === 'block').status).toBe('skipped');
  });

  it('built-in actions: alert update and comment, intel sightings, rotation, exception, case task', async () => {
    const alerts = await call(tok.analyst!, 'GET', '/api/v1/alerts?limit=100&q=198.51.100.23');
    const alert = (alerts.json.alerts as Array<{ id: string; ruleId: string; caseId: string | null }>).find(
      (a) => a.ruleId === '011feb4e-9452-491e-b011-29f6503e4f4d',
    )!;
    const yaml = [
      'id: actions-tour',
      'name: Every built-in action once',
      'triggers: [{ manual: true }]',
      'steps:',
      '  - id: seen',
      '    action: intel.lookup',
      '    with: { type: ip, value: "${{ observable.value }}" }',
      '  - id: tag',
      '    action: alert.update',
      '    with: { alert: "${{ alert.id }}", add_tags: [playbook-seen] }',
      '  - id: note',
      '    action: alert.comment',
      '    with: { alert: "${{ alert.id }}", body: "seen in ${{ steps.seen.output.alerts }} alert(s)" }',
      '  - id: first',
      '    action: assign.rotation',
      '    with: { rotation: tier1, users: [ana, bob] }',
      '  - id: second',
      '    action: assign.rotation',
      '    with: { rotation: tier1, users: [ana, bob], alert: "${{ alert.id }}" }',
      '  - id: quiet',
      '    action: exception.add',
      '    with:',
      '      rule: "${{ alert.ruleId }}"',
      '      match: [{ field: source.ip, value: "${{ observable.value }}" }]',
      '      reason: scanner we own',
      '      expires_in: 1h',
      '  - id: task',
      '    action: case.task',
      '    with: { case: "${{ alert.caseId }}", title: "Reset the password of deploy" }',
    ].join('\n');
    expect((await call(tok.admin!, 'POST', '/api/v1/playbooks', { yaml })).status).toBe(201);
    const body = { alertId: alert.id, observable: { type: 'ip', value: '198.51.100.23' } };
    const dry = await call(tok.analyst!, 'POST', '/api/v1/playbooks/actions-tour/run', {
      ...body,
      dryRun: true,
    });
    expect(dry.json.run.status).toBe('succeeded');
    const exceptionsBefore = (await call(tok.analyst!, 'GET', '/api/v1/rules/exceptions')).text;

    const r = await call(tok.analyst!, 'POST', '/api/v1/playbooks/actions-tour/run', body);
    expect(r.json.run.status).toBe('succeeded');
    const d = await runDetail(r.json.run.id);
    const out = (id: string) => d.steps.find((s: { stepId: string }) => s.stepId === id).output;
    expect(out('seen').alerts).toBeGreaterThanOrEqual(1);
    expect(out('seen').cases.length).toBeGreaterThanOrEqual(1);
    // The dry run peeked at the rotation without moving it: the real run starts at ana.
    expect([out('first').assignee, out('second').assignee]).toEqual(['ana', 'bob']);
    const a = await call(tok.analyst!, 'GET', `/api/v1/alerts/${alert.id}`);
    expect(a.json.tags ?? a.json.alert?.tags).toContain('playbook-seen');
    expect(a.json.assignee ?? a.json.alert?.assignee).toBe('bob');
    const comments = await call(tok.analyst!, 'GET', `/api/v1/alerts/${alert.id}/comments`);
    expect(comments.json.comments.map((c: { author: string }) => c.author)).toContain(
      'playbook:actions-tour',
    );
    const tasks = await call(tok.analyst!, 'GET', `/api/v1/cases/${alert.caseId}/tasks`);
    expect(JSON.stringify(tasks.json)).toContain('Reset the password of deploy');
    const audit = await call(tok.auditor!, 'GET', '/api/v1/audit?action=rule_exception.create&limit=10');
    expect(JSON.stringify(audit.json)).toContain('198.51.100.23');
    expect(exceptionsBefore).not.toContain('scanner we own');
  });

  it('the phishing and malware examples run (as dry runs) on a real alert', async () => {
    const alerts = await call(tok.analyst!, 'GET', '/api/v1/alerts?limit=100&q=198.51.100.23');
    const alert = (alerts.json.alerts as Array<{ id: string }>)[0]!;
    for (const id of ['phishing-triage', 'malware-on-host']) {
      const r = await call(tok.analyst!, 'POST', `/api/v1/playbooks/${id}/run`, {
        alertId: alert.id,
        dryRun: true,
      });
      expect(r.json.run, id).toMatchObject({ status: 'succeeded', dryRun: true });
    }
  });

  it('webhook trigger: a good signature starts a run, a bad or replayed one does not', async () => {
    await call(tok.admin!, 'PUT', '/api/v1/playbooks/secrets/hook-key', { value: 'hook-secret' });
    const yaml = [
      'id: from-webhook',
      'name: From a webhook',
      'triggers:',
      '  - webhook: { secretRef: hook-key }',
      'steps:',
      '  - id: say',
      '    action: log',
      '    with: { message: "${{ trigger.webhook.host }}" }',
      'outputs:',
      '  host: ${{ steps.say.output.message }}',
    ].join('\n');
    expect((await call(tok.admin!, 'POST', '/api/v1/playbooks', { yaml })).status).toBe(201);
    const body = JSON.stringify({ host: 'db-7' });
    const post = (sig: string, ts = Math.floor(Date.now() / 1000)) =>
      fetch(`${base}/api/v1/playbooks/from-webhook/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-vigil-timestamp': String(ts),
          'x-vigil-signature': sig,
        },
        body,
      });
    const ts = Math.floor(Date.now() / 1000);
    const good = `sha256=${createHmac('sha256', 'hook-secret').update(`${ts}.${body}`).digest('hex')}`;
    const bad = `sha256=${createHmac('sha256', 'wrong').update(`${ts}.${body}`).digest('hex')}`;
    expect((await post(bad, ts)).status).toBe(401);
    const old = ts - 3600;
    const stale = `sha256=${createHmac('sha256', 'hook-secret').update(`${old}.${body}`).digest('hex')}`;
    expect((await post(stale, old)).status).toBe(401);
    const ok = await post(good, ts);
    expect(ok.status).toBe(202);
    const { run } = (await ok.json()) as { run: string };
    const done = await runWith(run, 'succeeded');
    expect(done.run.outputs).toEqual({ host: 'db-7' });
    expect((await post(good, ts)).status).toBe(409);
    expect((await runsOf('from-webhook')).length).toBe(1);
  });

  it("a playbook's text cannot reach the process: no constructor, __proto__ or require", async () => {
    const yaml = [
      'id: escape',
      'name: Tries to escape',
      'triggers: [{ manual: true }]',
      'steps:',
      '  - id: probe',
      '    action: log',
      '    with:',
      '      message:',
      '        - ${{ inputs.x.constructor }}',
      '        - ${{ inputs.x.__proto__ }}',
      "        - ${{ inputs.x['constructor']['constructor'] }}",
      '        - ${{ constructor }}',
      '        - ${{ [].constructor }}',
      "        - ${{ 'a'.constructor }}",
      '        - ${{ process }}',
      '        - ${{ globalThis }}',
      '  - id: pollute',
      '    action: log',
      '    with: { message: "${{ {__proto__: {polluted: true} } }}" }',
      '    on_error: continue',
      '  - id: req',
      '    action: log',
      '    with: { message: "${{ require(\'child_process\') }}" }',
    ].join('\n');
    const saved = await call(tok.admin!, 'POST', '/api/v1/playbooks', { yaml });
    expect(saved.status).toBe(201);
    const r = await call(tok.analyst!, 'POST', '/api/v1/playbooks/escape/run', { inputs: { x: {} } });
    const d = await runDetail(r.json.run.id);
    const probe = d.steps.find((s: { stepId: string }) => s.stepId === 'probe');
    expect(probe.output.message).toEqual([null, null, null, null, null, null, null, null]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const req = d.steps.find((s: { stepId: string }) => s.stepId === 'req');
    expect(req.status).toBe('failed');
    expect(req.error).toMatch(/unknown function require/);
    expect(d.run.status).toBe('failed');
  });

  it('after a restart: a waiting run resumes on approval; a step cut off mid-flight is not run twice', async () => {
    // A run waiting for approval when the server stops.
    const alerts = await call(tok.analyst!, 'GET', '/api/v1/alerts?limit=100&q=198.51.100.23');
    const alert = (alerts.json.alerts as Array<{ id: string; ruleId: string }>).find(
      (a) => a.ruleId === '011feb4e-9452-491e-b011-29f6503e4f4d',
    )!;
    const waiting = await call(tok.analyst!, 'POST', '/api/v1/playbooks/brute-force-response/run', {
      alertId: alert.id,
    });
    expect(waiting.json.run.status).toBe('waiting');
    await app.close();

    // A run the stopped server left in the middle of a containment step (as after kill -9).
    const storage = openSqliteStorage(dataDir);
    const now = new Date().toISOString();
    await storage.playbooks.createRun({
      id: 'crashed-run',
      tenant: 'default',
      playbookId: 'brute-force-response',
      playbookVersion: 2,
      trigger: {
        type: 'manual',
        data: { alert: { id: alert.id, observables: [{ type: 'ip', value: '203.0.113.99' }] } },
      },
      inputs: {},
      dryRun: false,
      status: 'running',
      error: null,
      outputs: null,
      startedAt: now,
      endedAt: null,
    });
    for (const [stepId, status, output] of [
      ['logins', 'succeeded', { total: 0, events: [] as Value[] }],
      ['approve', 'succeeded', { approved: true, by: 'x', at: now, reason: null }],
      ['block', 'running', null],
    ] as const)
      await storage.playbooks.putStep({
        runId: 'crashed-run',
        path: stepId,
        stepId,
        status,
        attempts: 1,
        input: null,
        output,
        error: null,
        startedAt: now,
        endedAt: status === 'running' ? null : now,
      });
    await storage.close();

    const before = received.length;
    await startApp();
    const crashed = await runWith('crashed-run', 'failed');
    const block = crashed.steps.find((s: { stepId: string }) => s.stepId === 'block');
    expect(block.error).toMatch(/interrupted while running/);
    expect(received.length).toBe(before); // the block was not sent again

    const resumed = await call(
      tok.responder!,
      'POST',
      `/api/v1/playbooks/runs/${waiting.json.run.id}/decision`,
      {
        path: 'approve',
        approved: false,
      },
    );
    expect(resumed.status).toBe(200);
    const done = await runWith(waiting.json.run.id, 'succeeded');
    expect(done.steps.filter((s: { stepId: string }) => s.stepId === 'logins')).toHaveLength(1);
    expect(done.steps.find((s: { stepId: string }) => s.stepId === 'block').status).toBe('skipped');
  });
});
