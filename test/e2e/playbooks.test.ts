/**
 * Playbooks end to end: a real Vigil (SQLite in a temp dir, real sockets) and a real local HTTP
 * server standing in for the firewall and the identity provider, recording what it receives.
 * SSH events → correlation alert → brute-force playbook → approval → containment → case.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import type { Value } from '../../src/playbooks/expr/ast.js';
import { openSqliteStorage } from '../../src/store/sqlite/index.js';
import { startTestApp, tokenFor } from '../../src/test-support/app.js';
import { NATS_URL, serviceAvailable } from '../../src/test-support/services.js';
import { NatsBus } from '../../src/bus/nats/nats-bus.js';

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

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('playbooks: triggers, approvals, connectors, cases, over real HTTP', () => {
  let app: VigilApp;
  let base: string;
  let dataDir: string;
  const tok: Record<string, string> = {};
  const received: Recorded[] = [];
  let target: http.Server;
  let targetUrl: string;
  /** The notification webhook channel: approval requests arrive here. */
  let chat: http.Server;
  let chatUrl: string;
  const chatGot: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
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
  const runEnded = (id: string) =>
    until(async () => {
      const d = await runDetail(id);
      return ['succeeded', 'failed'].includes(d.run.status) ? d : undefined;
    });
  const runWith = (id: string, status: string) =>
    until(async () => {
      const d = await runDetail(id);
      return d.run.status === status ? d : undefined;
    });

  const startApp = async () => {
    // The public URL is known before start, as in production: links in approval requests use it.
    const port = await freePort();
    app = await startTestApp(
      {
        VIGIL_SECRET_KEY: SECRET_KEY,
        VIGIL_HTTP_PORT: String(port),
        ...(dataDir ? { VIGIL_DATA_DIR: dataDir } : {}),
      },
      (c) => {
        c.http.publicUrl = `http://127.0.0.1:${port}`;
        c.notifications.channels = [
          {
            id: 'soc-hook',
            type: 'webhook',
            url: chatUrl,
            on: ['playbook.approval'],
            minSeverity: 'high',
          },
        ];
      },
    );
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
    chat = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        chatGot.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => chat.listen(0, '127.0.0.1', r));
    chatUrl = `http://127.0.0.1:${(chat.address() as AddressInfo).port}/hook`;
    await startApp();
    dataDir = app.config.dataDir;
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => target.close(r));
    await new Promise((r) => chat.close(r));
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
    const diff = await call(tok.analyst!, 'GET', '/api/v1/playbooks/brute-force-response/diff');
    expect(diff.json).toMatchObject({ from: 1, to: 2, added: 1, removed: 1 });
    expect(diff.json.unified).toContain('--- brute-force-response v1\n+++ brute-force-response v2\n@@ ');
    expect(diff.json.unified).toContain('\n-enabled: false\n+enabled: true\n');
    expect(
      (await call(tok.analyst!, 'GET', '/api/v1/playbooks/brute-force-response/diff?from=7')).status,
    ).toBe(404);

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
    expect(m.json.failures).toBe(m.json.byStatus.failed ?? 0);
    // Two containments (block, disable) at 10 minutes each, a search and a case: 5 + 20 + 5 minutes.
    expect(m.json.timeSavedByAction.connector).toEqual({ count: 2, minutes: 20 });
    expect(m.json.timeSavedMinutes).toBeGreaterThanOrEqual(30);
    expect(m.json.containedRuns).toBe(1);
    expect(m.json.meanTimeToContainSeconds).toBeGreaterThanOrEqual(0);
    const prom = await call(tok.analyst!, 'GET', '/metrics');
    expect(prom.status).toBe(200);
    expect(prom.text).toMatch(/vigil_playbook_runs_total\{[^}]*status="succeeded"/);
    expect(prom.text).toMatch(/vigil_playbook_time_saved_seconds_total\{action="connector"\} 1200/);
    expect(prom.text).toMatch(
      /vigil_playbook_time_to_contain_seconds_count\{playbook="brute-force-response"\} 1/,
    );
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

  it('an approval request reaches the webhook channel with links that approve the step exactly once', async () => {
    const alerts = await call(tok.analyst!, 'GET', '/api/v1/alerts?limit=100&q=198.51.100.23');
    const alert = (alerts.json.alerts as Array<{ id: string; ruleId: string }>).find(
      (a) => a.ruleId === '011feb4e-9452-491e-b011-29f6503e4f4d',
    )!;
    const started = await call(tok.analyst!, 'POST', '/api/v1/playbooks/brute-force-response/run', {
      alertId: alert.id,
    });
    expect(started.json.run.status).toBe('waiting');
    const id = started.json.run.id as string;

    // Delivered through the notification outbox to the configured webhook channel.
    const got = await until(async () =>
      chatGot
        .map((g) => ({ headers: g.headers, msg: JSON.parse(g.body) }))
        .find((g) => g.msg.notification.subject.id === id),
    );
    expect(got.headers['x-vigil-event']).toBe('playbook.approval');
    const n = got.msg.notification;
    expect(n).toMatchObject({
      kind: 'playbook.approval',
      tenant: 'default',
      subject: { type: 'playbook_run', id },
      details: {
        playbook: 'SSH brute force followed by a successful login (brute-force-response)',
        run: id,
        step: 'approve',
        'who may decide': 'responder or a higher role',
        'without a decision': 'rejected automatically',
      },
    });
    expect(n.title).toContain('198.51.100.23 brute-forced SSH');
    expect(n.details['decide by']).toMatch(/\(timeout 30m\)$/);
    expect(n.details.approve).toMatch(new RegExp(`^${base}/api/v1/playbooks/approvals/`));
    expect(n.details.reject).toMatch(new RegExp(`^${base}/api/v1/playbooks/approvals/`));
    const deliveries = await call(tok.admin!, 'GET', '/api/v1/notifications/deliveries?channel=soc-hook');
    expect(
      deliveries.json.deliveries.find(
        (x: { notification: { id: string } }) => x.notification.id === `playbook.approval:${id}:approve`,
      ),
    ).toMatchObject({ status: 'sent', attempts: 1 });

    // A person opens the link: a page with one button; nothing is decided by looking.
    const page = await fetch(n.details.approve, { headers: { accept: 'text/html,*/*' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="">');
    expect(html).toContain(`Run: ${id}`);
    expect((await runDetail(id)).run.status).toBe('waiting');

    // The button posts a form to the same URL: approved, once.
    const form = {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    };
    const decided = await fetch(n.details.approve, form);
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain('Step approved');
    const again = await fetch(n.details.approve, form);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already used');
    // The other link of the pair is spent too: the step no longer waits.
    expect((await fetch(n.details.reject, { method: 'POST' })).status).toBe(409);

    const done = await runWith(id, 'succeeded');
    const approve = done.steps.find((s: { stepId: string }) => s.stepId === 'approve');
    expect(approve.decision).toMatchObject({
      approved: true,
      by: 'approval request to responder (signed link)',
    });
    expect(done.steps.find((s: { stepId: string }) => s.stepId === 'block').status).toBe('succeeded');
    const audit = await call(tok.admin!, 'GET', '/api/v1/audit?action=playbook.approve&limit=1000');
    expect(audit.json.records.filter((r: { target: string }) => r.target === `${id}/approve`)).toHaveLength(
      1,
    );
  });

  it('alert updated trigger: a severity change starts a matching playbook once, through the bus', async () => {
    const yaml = [
      'id: on-raise',
      'name: When an alert is raised',
      'enabled: true',
      'triggers:',
      '  - alert:',
      '      event: updated',
      "      rules: ['011feb4e-9452-491e-b011-29f6503e4f4d']",
      '      minSeverity: critical',
      '      fields: [severity]',
      'steps:',
      '  - id: note',
      '    action: log',
      '    with: { message: "${{ alert.id }} now ${{ alert.severity }} by ${{ trigger.by }}: ${{ join(trigger.changed, \',\') }}" }',
    ].join('\n');
    const tagged = [
      'id: on-tag',
      'name: When an alert gets the vip tag',
      'enabled: true',
      'triggers:',
      '  - alert: { event: updated, tags: [vip] }',
      'steps:',
      '  - id: note',
      '    action: log',
      '    with: { message: "${{ trigger.changed }}" }',
    ].join('\n');
    for (const y of [yaml, tagged])
      expect((await call(tok.admin!, 'POST', '/api/v1/playbooks', { yaml: y })).status).toBe(201);

    const alerts = await call(tok.analyst!, 'GET', '/api/v1/alerts?limit=100&q=198.51.100.23');
    const alert = (alerts.json.alerts as Array<{ id: string; ruleId: string; severity: string }>).find(
      (a) => a.ruleId === '011feb4e-9452-491e-b011-29f6503e4f4d',
    )!;
    // Changes that do not match: a comment (no severity change), and no vip tag yet.
    expect(
      (await call(tok.analyst!, 'POST', `/api/v1/alerts/${alert.id}/comments`, { body: 'looking' })).status,
    ).toBeLessThan(300);
    // High first (no match: below the floor), so that critical is a change whatever the alert was.
    expect(
      (await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${alert.id}`, { severity: 'high' })).status,
    ).toBe(200);
    const raised = await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${alert.id}`, { severity: 'critical' });
    expect(raised.status).toBe(200);
    const run = await until(async () => (await runsOf('on-raise'))[0]);
    const d = await runEnded(run.id);
    expect(d.run).toMatchObject({ status: 'succeeded', error: null });
    expect(d.run.trigger).toMatchObject({
      type: 'alert',
      data: { event: 'updated', changed: expect.arrayContaining(['severity']), by: 'token:t-analyst' },
    });
    expect(d.steps[0].output.message).toBe(
      `${alert.id} now critical by token:t-analyst: ${d.run.trigger.data.changed.join(',')}`,
    );

    // Tag it: the vip playbook starts; the severity one does not (severity did not change).
    expect((await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${alert.id}`, { tags: ['vip'] })).status).toBe(
      200,
    );
    const tagRun = await until(async () => (await runsOf('on-tag'))[0]);
    const tagDone = await runEnded(tagRun.id);
    expect(tagDone.run).toMatchObject({ status: 'succeeded', error: null });
    expect(tagDone.steps[0].output.message).toEqual(['tags']);
    // The comment earlier started nothing of its own: one run of on-tag... and the first alert change
    // before vip was on the alert did not match it.
    await new Promise((r) => setTimeout(r, 300));
    expect(await runsOf('on-raise')).toHaveLength(1);
    expect(await runsOf('on-tag')).toHaveLength(1);
    // Disable both so later tests' alert changes do not start them.
    for (const y of [yaml, tagged])
      await call(tok.admin!, 'POST', '/api/v1/playbooks', {
        yaml: y.replace('enabled: true', 'enabled: false'),
      });
  });

  it('case triggers: a new case and a status change each start their playbook once', async () => {
    const mk = (id: string, trig: string) =>
      [
        `id: ${id}`,
        `name: ${id}`,
        'enabled: true',
        'triggers:',
        `  - case: ${trig}`,
        'steps:',
        '  - id: note',
        '    action: log',
        '    with: { message: "${{ case.title }} ${{ case.status }} ${{ trigger.event }}" }',
      ].join('\n');
    const books = [
      mk('on-case', '{ event: created, minSeverity: high }'),
      mk('on-status', '{ event: status_changed }'),
    ];
    for (const y of books)
      expect((await call(tok.admin!, 'POST', '/api/v1/playbooks', { yaml: y })).status).toBe(201);
    const low = await call(tok.analyst!, 'POST', '/api/v1/cases', { title: 'Low one', severity: 'low' });
    expect(low.status).toBe(201);
    const high = await call(tok.analyst!, 'POST', '/api/v1/cases', { title: 'Phish wave', severity: 'high' });
    expect(high.status).toBe(201);
    const created = await until(async () => (await runsOf('on-case'))[0]);
    expect((await runWith(created.id, 'succeeded')).steps[0].output.message).toBe('Phish wave open created');
    const moved = await call(tok.analyst!, 'PATCH', `/api/v1/cases/${high.json.id}`, {
      status: 'in_progress',
    });
    expect(moved.status).toBe(200);
    const changed = await until(async () => (await runsOf('on-status'))[0]);
    expect((await runWith(changed.id, 'succeeded')).steps[0].output.message).toBe(
      'Phish wave in_progress status_changed',
    );
    // The low-severity case started nothing: one run of each.
    expect(await runsOf('on-case')).toHaveLength(1);
    expect(await runsOf('on-status')).toHaveLength(1);
    for (const y of books)
      await call(tok.admin!, 'POST', '/api/v1/playbooks', {
        yaml: y.replace('enabled: true', 'enabled: false'),
      });
  });

  it('built-in actions: alert update (severity) and comment, intel sightings and indicators, Sigma hunt, rotation, exception, case task and update', async () => {
    const alerts = await call(tok.analyst!, 'GET', '/api/v1/alerts?limit=100&q=198.51.100.23');
    const alert = (alerts.json.alerts as Array<{ id: string; ruleId: string; caseId: string | null }>).find(
      (a) => a.ruleId === '011feb4e-9452-491e-b011-29f6503e4f4d',
    )!;
    // A shift on a day that is not today in Paris: nobody is on call, the fallback gets it.
    const parisDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short' })
      .format(new Date())
      .toLowerCase()
      .slice(0, 3);
    const week = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const notTodayInParis = week[(week.indexOf(parisDay) + 3) % 7];
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
      '    with: { alert: "${{ alert.id }}", add_tags: [playbook-seen], severity: medium }',
      '  - id: note',
      '    action: alert.comment',
      '    with: { alert: "${{ alert.id }}", body: "seen in ${{ steps.seen.output.alerts }} alert(s)" }',
      '  - id: first',
      '    action: assign.rotation',
      '    with: { rotation: tier1, users: [ana, bob] }',
      '  - id: second',
      '    action: assign.rotation',
      '    with: { rotation: tier1, users: [ana, bob], alert: "${{ alert.id }}" }',
      '  - id: oncall',
      '    action: assign.oncall',
      '    with:',
      '      timezone: Europe/Paris',
      `      shifts: [{ user: nobody, days: [${notTodayInParis}] }]`,
      '      fallback: duty-lead',
      '      case: "${{ alert.caseId }}"',
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
      '  - id: ioc',
      '    action: indicator.add',
      '    with: { type: ipv4, value: 203.0.113.250, confidence: 80, severity: high, valid_for: 720h }',
      '  - id: check',
      '    action: intel.lookup',
      '    with: { type: ip, value: 203.0.113.250 }',
      '  - id: hunt',
      '    action: sigma.hunt',
      '    with:',
      '      last: 2h',
      '      rule: |',
      '        title: Password login in history',
      '        id: 6d2e3c1a-0b7e-4a55-9a8e-1f2b3c4d5e6f',
      '        logsource: { product: linux, service: auth }',
      "        detection: { keywords: ['Accepted password for '], condition: keywords }",
      '        level: low',
      '  - id: escalate',
      '    action: case.update',
      '    with: { case: "${{ alert.caseId }}", status: in_progress, severity: high, assignee: carol }',
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
    expect(a.json.severity ?? a.json.alert?.severity).toBe('medium');
    expect(out('escalate')).toEqual({
      case: alert.caseId,
      status: 'in_progress',
      severity: 'high',
      assignee: 'carol',
    });
    const dryRun = await runDetail(dry.json.run.id);
    const dryOut = (id: string) => dryRun.steps.find((s: { stepId: string }) => s.stepId === id).output;
    expect(dryOut('escalate')).toMatchObject({ dryRun: true, change: { status: 'in_progress' } });
    // The dry run added no indicator; the real one did, and a lookup then finds it.
    expect(dryOut('ioc')).toMatchObject({ dryRun: true, would: { type: 'ipv4', value: '203.0.113.250' } });
    expect(dryOut('check')).toMatchObject({ hit: false, indicator: null });
    expect(out('oncall')).toEqual({ assignee: 'duty-lead' });
    expect(out('ioc')).toMatchObject({ type: 'ipv4', value: '203.0.113.250', created: true });
    // The Sigma rule over stored history: the one accepted password among the SSH events.
    const hunted = out('hunt');
    expect(hunted).toMatchObject({ hits: 1, truncated: false });
    expect(hunted.scanned).toBe(hunted.total);
    expect(hunted.scanned).toBeGreaterThanOrEqual(13);
    expect(hunted.byRule['6d2e3c1a-0b7e-4a55-9a8e-1f2b3c4d5e6f']).toEqual({
      title: 'Password login in history',
      level: 'low',
      count: 1,
    });
    expect(hunted.events[0].event.message).toMatch(/^Accepted password for deploy from 198\.51\.100\.23/);
    expect(out('check')).toMatchObject({
      hit: true,
      indicator: { indicatorId: out('ioc').indicator, type: 'ipv4', value: '203.0.113.250', confidence: 80 },
    });
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

const natsUp = await serviceAvailable('NATS JetStream', '127.0.0.1', Number(new URL(NATS_URL).port || 4222));

describe.runIf(natsUp)('playbooks over the NATS JetStream bus', () => {
  const prefix = `VIGILPB_${process.pid}_${Date.now().toString(36)}`;
  afterAll(async () => {
    const cleaner = await NatsBus.open({ url: NATS_URL, streamPrefix: prefix });
    await cleaner.deleteStreamsWithPrefix();
    await cleaner.close();
  });

  it('alert change → updated trigger → approval request on the webhook → the link approves once', async () => {
    const got: string[] = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => (got.push(body), res.end('ok')));
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = await freePort();
    const app = await startTestApp(
      { VIGIL_NATS_URL: NATS_URL, VIGIL_HTTP_PORT: String(port), VIGIL_SECRET_KEY: SECRET_KEY },
      (c) => {
        c.nats.streamPrefix = prefix;
        c.http.publicUrl = `http://127.0.0.1:${port}`;
        c.notifications.channels = [
          {
            id: 'hook',
            type: 'webhook',
            url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
            on: ['playbook.approval'],
            minSeverity: 'high',
          },
        ];
      },
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      const as = async (role: 'ingest' | 'analyst' | 'admin') => ({
        authorization: `Bearer ${await tokenFor(app, role)}`,
        'content-type': 'application/json',
      });
      const yaml = [
        'id: escalated',
        'name: Escalated by an analyst',
        'enabled: true',
        'triggers:',
        '  - alert: { event: updated, tags: [escalate], fields: [tags] }',
        'steps:',
        '  - id: ok',
        '    approval: { role: responder, message: "Contain ${{ alert.title }}?", timeout: 10m }',
        '  - { id: done, action: log, with: { message: "${{ steps.ok.output.approved }}" } }',
      ].join('\n');
      const saved = await fetch(`${base}/api/v1/playbooks`, {
        method: 'POST',
        headers: await as('admin'),
        body: JSON.stringify({ yaml }),
      });
      expect(saved.status).toBe(201);
      const now = Date.now();
      const docs = Array.from({ length: 12 }, (_, i) => ({
        '@timestamp': new Date(now - 30_000 + i).toISOString(),
        message: `Failed password for root from 192.0.2.77 port ${41000 + i} ssh2`,
        event: { module: 'system', dataset: 'system.auth' },
        host: { name: 'db-1' },
        source: { ip: '192.0.2.77' },
        user: { name: 'root' },
        process: { name: 'sshd' },
      }));
      const ingested = await fetch(`${base}/api/v1/events`, {
        method: 'POST',
        headers: await as('ingest'),
        body: JSON.stringify(docs),
      });
      expect(ingested.status).toBeLessThan(300);
      const analyst = await as('analyst');
      const alert = await until(async () => {
        const r = await fetch(`${base}/api/v1/alerts?q=192.0.2.77`, { headers: analyst });
        return ((await r.json()) as { alerts: Array<{ id: string }> }).alerts[0];
      });
      const patched = await fetch(`${base}/api/v1/alerts/${alert.id}`, {
        method: 'PATCH',
        headers: analyst,
        body: JSON.stringify({ tags: ['escalate'] }),
      });
      expect(patched.status).toBe(200);

      const request = await until(async () => {
        const m = got.map((b) => JSON.parse(b) as { notification: { details: Record<string, string> } })[0];
        return m?.notification;
      });
      expect(request.details.step).toBe('ok');
      const link = request.details.approve!;
      expect(link.startsWith(`${base}/api/v1/playbooks/approvals/`)).toBe(true);
      expect((await fetch(link, { method: 'POST' })).status).toBe(200);
      expect((await fetch(link, { method: 'POST' })).status).toBe(409);
      const run = await until(async () => {
        const r = await fetch(`${base}/api/v1/playbooks/runs/${request.details.run}`, { headers: analyst });
        const d = (await r.json()) as {
          run: { status: string };
          steps: Array<{ stepId: string; output: unknown }>;
        };
        return d.run.status === 'succeeded' ? d : undefined;
      });
      expect(run.steps.find((x) => x.stepId === 'done')?.output).toEqual({ message: true });
      expect(got).toHaveLength(1);
    } finally {
      await app.close();
      await new Promise((r) => hook.close(r));
    }
  }, 60_000);
});
