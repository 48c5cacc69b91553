/* eslint-disable @typescript-eslint/no-explicit-any -- JSON replies are asserted field by field */
/**
 * Cases end to end, over real HTTP against a real Vigil (SQLite and evidence files in a temp dir):
 * events detected by the built-in rules become alerts, alerts become a case with template tasks,
 * observables and evidence; cases are split, merged and closed; restricted cases and other tenants
 * see nothing.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { startTestApp, tokenFor } from '../../src/test-support/app.js';
import { until as waitUntil } from '../../src/test-support/until.js';

const SSH_FAILED = '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01';

const until = <T>(f: () => Promise<T | undefined>, ms = 20000): Promise<T> =>
  waitUntil(f, ms, 'a condition', 50);

describe('cases: alerts → case → tasks → observables → evidence → merge/split → close, over real HTTP', () => {
  let app: VigilApp & { dataDir: string };
  let base: string;
  const tok: Record<string, string> = {};
  let carol: { cookie: string; csrf: string };
  let seq = 0;

  type Reply = { status: number; json: any; text: string; headers: Headers; bytes: Buffer };
  const call = async (
    auth: string | { cookie: string; csrf: string },
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const h: Record<string, string> =
      typeof auth === 'string'
        ? { authorization: `Bearer ${auth}` }
        : { cookie: auth.cookie, 'x-csrf-token': auth.csrf };
    const raw = Buffer.isBuffer(body);
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...h,
        ...(body === undefined || raw ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? (body as Buffer) : JSON.stringify(body),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers, bytes };
  };

  const failedLogins = async (host: string, ip: string, n: number) => {
    const now = Date.now();
    const docs = Array.from({ length: n }, () => {
      seq++;
      return {
        '@timestamp': new Date(now - 1000 + seq).toISOString(),
        message: `Failed password for admin from ${ip} port ${40000 + seq} ssh2`,
        event: { module: 'system', dataset: 'system.auth' },
        host: { name: host },
        source: { ip },
        user: { name: 'admin' },
        process: { name: 'sshd' },
      };
    });
    const r = await call(tok.ingest!, 'POST', '/api/v1/events', docs);
    expect(r.json).toMatchObject({ accepted: n, rejected: [] });
  };

  /** The open alert of the SSH rule on `host`, once the pipeline has made it. */
  const alertOn = (host: string) =>
    until(async () => {
      const r = await call(tok.analyst!, 'GET', `/api/v1/alerts?rule=${SSH_FAILED}&q=${host}&limit=100`);
      const a = (r.json?.alerts ?? []).filter((x: any) => x.entity?.value === host);
      return a.length === 1 ? (a[0] as { id: string; title: string; severity: string }) : undefined;
    });

  beforeAll(async () => {
    app = await startTestApp();
    base = `http://127.0.0.1:${app.ports.http}`;
    for (const role of ['ingest', 'analyst', 'investigator', 'responder', 'manager', 'auditor'] as const)
      tok[role] = await tokenFor(app, role);
    await app.auth.createTenant({ name: 'test', ip: null }, 'acme', 'Acme');
    tok.acmeAnalyst = await tokenFor(app, 'analyst', 'acme');
    tok.acmeInvestigator = await tokenFor(app, 'investigator', 'acme');
    await app.auth.createUser(
      { name: 'test', ip: null },
      { username: 'carol', password: 'carol-password-123', role: 'analyst', tenants: ['default'] },
    );
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'carol-password-123' }),
    });
    carol = {
      cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!,
      csrf: ((await login.json()) as { csrfToken: string }).csrfToken,
    };
  });
  afterAll(async () => app?.close());

  it('runs a whole investigation: case from alerts, template tasks, observables, evidence, split, merge, close', async () => {
    await failedLogins('web-01', '203.0.113.50', 2);
    await failedLogins('web-02', '203.0.113.50', 2);
    const a1 = await alertOn('web-01');
    const a2 = await alertOn('web-02');

    // Case from two alerts with the compromised-account template.
    const created = await call(tok.analyst!, 'POST', '/api/v1/cases', {
      alertIds: [a1.id, a2.id],
      template: 'compromised-account',
      tags: ['ssh'],
    });
    expect(created.status).toBe(201);
    const c = created.json;
    expect(c).toMatchObject({
      title: `${a1.title} (+1 alerts)`,
      severity: 'low',
      status: 'open',
      template: 'compromised-account',
      sla: { state: 'ok' },
    });
    expect(c.attack.techniques.map((t: string) => t.toLowerCase())).toContain('t1110.001');
    const alertNow = await call(tok.analyst!, 'GET', `/api/v1/alerts/${a1.id}`);
    expect(alertNow.json.caseId ?? alertNow.json.alert?.caseId).toBe(c.id);

    // Tasks from the template, worked by a responder.
    const tasks = (await call(tok.responder!, 'GET', `/api/v1/cases/${c.id}/tasks`)).json.tasks;
    expect(tasks.length).toBe(6);
    const done = await call(tok.responder!, 'PATCH', `/api/v1/cases/${c.id}/tasks/${tasks[0].id}`, {
      status: 'done',
      assignee: 'carol',
    });
    expect(done.json).toMatchObject({ status: 'done', assignee: 'carol' });
    expect(done.json.completedAt).toBeTruthy();
    expect((await call(tok.responder!, 'PATCH', `/api/v1/cases/${c.id}`, { severity: 'high' })).status).toBe(
      403,
    );

    // Observables from the alerts, plus one by hand flagged as IOC.
    const obs = (await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/observables`)).json.observables;
    const ip = obs.find((o: any) => o.type === 'ip' && o.value === '203.0.113.50');
    expect(ip.alertIds.sort()).toEqual([a1.id, a2.id].sort());
    expect(obs.some((o: any) => o.type === 'host' && o.value === 'web-01')).toBe(true);
    const manual = await call(tok.analyst!, 'POST', `/api/v1/cases/${c.id}/observables`, {
      type: 'domain',
      value: 'c2.evil.example',
      ioc: true,
    });
    expect(manual.status).toBe(201);
    expect(
      (
        await call(tok.analyst!, 'POST', `/api/v1/cases/${c.id}/observables`, {
          type: 'ip',
          value: '999.1.1.1',
        })
      ).status,
    ).toBe(400);
    await call(tok.analyst!, 'PATCH', `/api/v1/cases/${c.id}/observables/${ip.id}`, { ioc: true });

    // Evidence: upload (investigator), download with hash check, custody log.
    const bytes = Buffer.from(`auth.log excerpt ${Date.now()}\nFailed password for admin\n`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const denied = await call(tok.analyst!, 'POST', `/api/v1/cases/${c.id}/evidence?name=auth.log`, bytes, {
      'content-type': 'application/octet-stream',
    });
    expect(denied.status).toBe(403);
    const up = await call(
      tok.investigator!,
      'POST',
      `/api/v1/cases/${c.id}/evidence?name=${encodeURIComponent('../../etc/auth "log".txt')}`,
      bytes,
      { 'content-type': 'text/plain' },
    );
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({
      sha256: sha,
      size: bytes.length,
      name: 'auth "log".txt',
      contentType: 'text/plain',
      integrity: 'ok',
    });
    const stored = path.join(app.dataDir, 'evidence', sha.slice(0, 2), sha);
    expect(readFileSync(stored)).toEqual(bytes);
    const dl = await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/evidence/${up.json.id}/content`);
    expect(dl.status).toBe(200);
    expect(dl.bytes).toEqual(bytes);
    expect(dl.headers.get('content-type')).toBe('application/octet-stream');
    expect(dl.headers.get('content-disposition')).toBe(
      `attachment; filename="auth _log_.txt"; filename*=UTF-8''auth%20%22log%22.txt`,
    );
    expect(dl.headers.get('x-evidence-sha256')).toBe(sha);
    const custody = (await call(tok.auditor!, 'GET', `/api/v1/cases/${c.id}/evidence/${up.json.id}/custody`))
      .json.custody;
    expect(custody.map((x: any) => [x.action, x.actor, x.ip])).toEqual([
      ['added', 'token:t-investigator', '127.0.0.1'],
      ['downloaded', 'token:t-analyst', '127.0.0.1'],
    ]);

    // Comment and a pinned event from search, then the timeline.
    await call(tok.analyst!, 'POST', `/api/v1/cases/${c.id}/comments`, {
      body: 'Brute force from **203.0.113.50**',
    });
    const ev = (
      await call(
        tok.analyst!,
        'GET',
        `/api/v1/events/search?q=${encodeURIComponent('host.name:web-01')}&limit=1`,
      )
    ).json.events[0];
    expect(
      (
        await call(tok.analyst!, 'POST', `/api/v1/cases/${c.id}/pins`, {
          eventId: ev.event.id,
          note: 'first attempt',
        })
      ).status,
    ).toBe(201);
    const timeline = (await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/timeline`)).json.timeline;
    const kinds = timeline.map((t: any) => t.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['alert', 'created', 'task_status', 'evidence_added', 'comment', 'event']),
    );
    const times = timeline.map((t: any) => Date.parse(t.at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);

    // Split the second alert into its own case, then merge it back.
    const split = await call(tok.analyst!, 'POST', `/api/v1/cases/${c.id}/split`, {
      alertIds: [a2.id],
      to: 'new',
    });
    expect(split.status).toBe(200);
    const other = split.json.created;
    expect(
      (await call(tok.analyst!, 'GET', `/api/v1/cases/${other.id}/alerts`)).json.links.map(
        (l: any) => l.alertId,
      ),
    ).toEqual([a2.id]);
    expect(
      (await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/alerts`)).json.links.map((l: any) => l.alertId),
    ).toEqual([a1.id]);
    await call(tok.analyst!, 'POST', `/api/v1/cases/${other.id}/comments`, { body: 'same actor' });
    const merged = await call(tok.analyst!, 'POST', `/api/v1/cases/${other.id}/merge`, { into: c.id });
    expect(merged.status).toBe(200);
    expect(
      (await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/alerts`)).json.links
        .map((l: any) => l.alertId)
        .sort(),
    ).toEqual([a1.id, a2.id].sort());
    expect((await call(tok.analyst!, 'GET', `/api/v1/cases/${other.id}`)).json).toMatchObject({
      status: 'closed',
      resolution: 'merged',
      mergedInto: c.id,
    });
    expect((await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/comments`)).json.comments).toHaveLength(2);
    expect((await call(tok.analyst!, 'GET', '/api/v1/cases')).json.cases.map((x: any) => x.id)).not.toContain(
      other.id,
    );

    // Reports, then close.
    const md = await call(tok.auditor!, 'GET', `/api/v1/cases/${c.id}/report`);
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(md.text).toContain('c2\\.evil\\.example');
    const html = await call(tok.manager!, 'GET', `/api/v1/cases/${c.id}/report?format=html`);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.text).toContain(sha);
    const ocsf = await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/ocsf`);
    expect(ocsf.json).toMatchObject({ class_uid: 2005, category_uid: 2 });
    expect(ocsf.json.finding_info_list[0].uid).toBe(c.id);
    expect(
      ocsf.json.finding_info_list
        .slice(1)
        .map((f: any) => f.uid)
        .sort(),
    ).toEqual([a1.id, a2.id].sort());
    expect(ocsf.json.finding_info_list[0].types).toEqual(['ssh', 'account', 'identity']);
    expect((await call(tok.analyst!, 'PATCH', `/api/v1/cases/${c.id}`, { status: 'closed' })).status).toBe(
      400,
    );
    const closed = await call(tok.analyst!, 'PATCH', `/api/v1/cases/${c.id}`, {
      status: 'closed',
      resolution: 'true_positive',
    });
    expect(closed.json).toMatchObject({ status: 'closed', resolution: 'true_positive' });
    expect(
      (await call(tok.analyst!, 'GET', '/api/v1/cases?status=closed')).json.cases.map((x: any) => x.id),
    ).toContain(c.id);
    expect(
      (await call(tok.analyst!, 'GET', '/api/v1/cases?status=open,in_progress')).json.cases.map(
        (x: any) => x.id,
      ),
    ).not.toContain(c.id);

    // Every change is in the audit trail with before and after.
    const audit = (await call(tok.manager!, 'GET', '/api/v1/audit?limit=1000')).json.records.filter(
      (r: any) => r.action.startsWith('case.'),
    );
    const actions = audit.map((r: any) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'case.create',
        'case.task.update',
        'case.observable.add',
        'case.evidence.add',
        'case.split',
        'case.merge',
        'case.status.closed',
      ]),
    );
    expect(audit.find((r: any) => r.action === 'case.status.closed')).toMatchObject({
      before: { status: 'open' },
      after: { status: 'closed' },
      ip: '127.0.0.1',
    });
  });

  it('refuses to serve evidence whose bytes changed on disk, and flags it', async () => {
    const c = (await call(tok.investigator!, 'POST', '/api/v1/cases', { title: 'integrity' })).json;
    const bytes = Buffer.from('original evidence bytes');
    const up = (
      await call(tok.investigator!, 'POST', `/api/v1/cases/${c.id}/evidence?name=e.bin`, bytes, {
        'content-type': 'application/octet-stream',
      })
    ).json;
    const file = path.join(app.dataDir, 'evidence', up.sha256.slice(0, 2), up.sha256);
    chmodSync(file, 0o600);
    writeFileSync(file, 'altered');
    const dl = await call(tok.investigator!, 'GET', `/api/v1/cases/${c.id}/evidence/${up.id}/content`);
    expect(dl.status).toBe(409);
    expect(dl.json.error.details).toMatchObject({
      expected: up.sha256,
      actual: createHash('sha256').update('altered').digest('hex'),
    });
    expect(
      (await call(tok.investigator!, 'GET', `/api/v1/cases/${c.id}/evidence`)).json.evidence[0].integrity,
    ).toBe('mismatch');
    const custody = (await call(tok.investigator!, 'GET', `/api/v1/cases/${c.id}/evidence/${up.id}/custody`))
      .json.custody;
    expect(custody.at(-1)).toMatchObject({ action: 'integrity_failed' });
    expect(existsSync(path.join(app.dataDir, 'evidence', 'tmp'))).toBe(true);
  });

  it('hides a restricted case from non-members (404) but shows it to members and managers', async () => {
    const c = (
      await call(tok.investigator!, 'POST', '/api/v1/cases', {
        title: 'Insider investigation',
        members: ['carol'],
      })
    ).json;
    expect(c.members.sort()).toEqual(['carol', 'token:t-investigator']);
    expect((await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}`)).status).toBe(404);
    expect((await call(tok.analyst!, 'POST', `/api/v1/cases/${c.id}/comments`, { body: 'x' })).status).toBe(
      404,
    );
    expect(
      (await call(tok.analyst!, 'GET', '/api/v1/cases?limit=500')).json.cases.map((x: any) => x.id),
    ).not.toContain(c.id);
    expect((await call(carol, 'GET', `/api/v1/cases/${c.id}`)).status).toBe(200);
    expect((await call(carol, 'POST', `/api/v1/cases/${c.id}/comments`, { body: 'on it' })).status).toBe(201);
    expect((await call(tok.manager!, 'GET', `/api/v1/cases/${c.id}`)).status).toBe(200);
    expect((await call(tok.auditor!, 'GET', `/api/v1/cases/${c.id}/report`)).status).toBe(404);
  });

  it('keeps tenants apart: acme sees and touches nothing of default, and the other way round', async () => {
    const c = (await call(tok.investigator!, 'POST', '/api/v1/cases', { title: 'Default tenant case' })).json;
    const ev = (
      await call(
        tok.investigator!,
        'POST',
        `/api/v1/cases/${c.id}/evidence?name=x.bin`,
        Buffer.from('secret'),
        { 'content-type': 'application/octet-stream' },
      )
    ).json;
    const acme = tok.acmeAnalyst!;
    expect((await call(acme, 'GET', `/api/v1/cases/${c.id}`)).status).toBe(404);
    expect((await call(acme, 'GET', '/api/v1/cases')).json.cases).toEqual([]);
    expect((await call(acme, 'GET', '/api/v1/cases?tenant=default')).status).toBe(403);
    expect((await call(acme, 'PATCH', `/api/v1/cases/${c.id}`, { title: 'pwned' })).status).toBe(404);
    expect((await call(acme, 'POST', `/api/v1/cases/${c.id}/comments`, { body: 'x' })).status).toBe(404);
    expect((await call(acme, 'GET', `/api/v1/cases/${c.id}/evidence`)).status).toBe(404);
    expect((await call(acme, 'GET', `/api/v1/cases/${c.id}/evidence/${ev.id}/content`)).status).toBe(404);
    expect(
      (
        await call(tok.acmeInvestigator!, 'POST', `/api/v1/cases/${c.id}/evidence?name=y`, Buffer.from('x'), {
          'content-type': 'application/octet-stream',
        })
      ).status,
    ).toBe(404);
    expect((await call(acme, 'GET', `/api/v1/cases/${c.id}/report`)).status).toBe(404);

    const mine = (await call(acme, 'POST', '/api/v1/cases', { title: 'Acme case' })).json;
    expect(mine).toMatchObject({ tenant: 'acme', number: 1 });
    expect((await call(acme, 'POST', `/api/v1/cases/${mine.id}/merge`, { into: c.id })).status).toBe(404);
    expect((await call(tok.analyst!, 'GET', `/api/v1/cases/${mine.id}`)).status).toBe(404);
    expect(
      (await call(tok.analyst!, 'GET', '/api/v1/cases?limit=500')).json.cases.map((x: any) => x.id),
    ).not.toContain(mine.id);
    expect((await call(acme, 'GET', `/api/v1/cases/${c.id}`)).status).toBe(404);
    expect((await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}`)).json.title).toBe('Default tenant case');
  });

  it("exports a case's IOCs as a STIX bundle and a MISP event; a TLP:RED case never leaves", async () => {
    const c = (await call(tok.analyst!, 'POST', '/api/v1/cases', { title: 'IOC export', severity: 'high' }))
      .json;
    for (const o of [
      { type: 'ip', value: '198.51.100.66', ioc: true },
      { type: 'domain', value: 'c2.evil.example', ioc: true },
      { type: 'user', value: 'bob', ioc: true },
      { type: 'domain', value: 'intranet.example', ioc: false },
    ])
      expect((await call(tok.analyst!, 'POST', `/api/v1/cases/${c.id}/observables`, o)).status).toBe(201);
    const stix = await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/iocs/export?format=stix`);
    expect(stix.status).toBe(200);
    expect(stix.headers.get('content-disposition')).toMatch(
      /attachment; filename="case-\d+-iocs\.stix\.json"/,
    );
    expect(stix.headers.get('x-vigil-skipped')).toBe('1');
    const patterns = (stix.json.objects as Array<{ type: string; pattern?: string }>)
      .filter((o) => o.type === 'indicator')
      .map((o) => o.pattern)
      .sort();
    expect(patterns).toEqual([
      "[domain-name:value = 'c2.evil.example']",
      "[ipv4-addr:value = '198.51.100.66']",
    ]);
    const misp = await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/iocs/export?format=misp&all=true`);
    expect((misp.json.Event.Attribute as Array<{ value: string }>).map((a) => a.value).sort()).toEqual([
      '198.51.100.66',
      'c2.evil.example',
      'intranet.example',
    ]);
    expect((await call(tok.analyst!, 'PATCH', `/api/v1/cases/${c.id}`, { tlp: 'red' })).status).toBe(200);
    const red = await call(tok.analyst!, 'GET', `/api/v1/cases/${c.id}/iocs/export?format=stix`);
    expect(red.status).toBe(403);
    expect(red.text).toMatch(/TLP:RED/);
    const trail = await app.storage.audit.list({ limit: 1000, action: 'case.iocs.export' });
    expect(trail.filter((r) => r.target === c.id)).toHaveLength(2);
  });
});
