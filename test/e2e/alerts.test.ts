/**
 * Alerts end to end: events posted over HTTP to a real Vigil (SQLite in a temp dir, real sockets),
 * detected by the built-in rule pack, folded into alerts, triaged over the API, measured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { startTestApp, tokenFor } from '../../src/test-support/app.js';
import { until as waitUntil } from '../../src/test-support/until.js';

const SSH_FAILED = '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01';

interface AlertView {
  id: string;
  tenant: string;
  ruleId: string;
  status: string;
  verdict: string | null;
  count: number;
  severity: string;
  entity: { type: string; value: string } | null;
  assignee: string | null;
  tags: string[];
  observables: Array<{ type: string; value: string }>;
}

const until = <T>(f: () => Promise<T | undefined>, ms = 15000): Promise<T> =>
  waitUntil(f, ms, 'a condition', 50);

describe('alerts: detection → alert → triage → metrics, over real HTTP', () => {
  let app: VigilApp;
  let base: string;
  const tok: Record<string, string> = {};
  let seq = 0;

  const call = async (token: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked field by field below
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
  };

  /** sshd failure lines as an auth-log shipper sends them (ECS, system.auth). */
  const failedLogins = async (host: string, ip: string, n: number, token = tok.ingest!) => {
    const now = Date.now();
    const docs = Array.from({ length: n }, () => {
      seq++;
      return {
        '@timestamp': new Date(now - 1000 + seq).toISOString(),
        message: `Failed password for root from ${ip} port ${40000 + seq} ssh2`,
        event: { module: 'system', dataset: 'system.auth' },
        host: { name: host },
        source: { ip },
        user: { name: 'root' },
        process: { name: 'sshd' },
      };
    });
    const r = await call(token, 'POST', '/api/v1/events', docs);
    expect(r.json).toMatchObject({ accepted: n, rejected: [] });
  };

  const alertsOf = async (token: string, query: string) =>
    (await call(token, 'GET', `/api/v1/alerts?${query}`)).json as { total: number; alerts: AlertView[] };

  const alertFor = (host: string, minCount: number, token = tok.analyst!) =>
    until(async () => {
      const { alerts } = await alertsOf(token, `rule=${SSH_FAILED}&q=${host}&limit=100`);
      const open = alerts.filter((a) => a.entity?.value === host && a.status !== 'closed');
      return open.length === 1 && open[0]!.count >= minCount ? open[0] : undefined;
    });

  beforeAll(async () => {
    app = await startTestApp();
    base = `http://127.0.0.1:${app.ports.http}`;
    for (const role of ['ingest', 'analyst', 'auditor', 'responder', 'manager'] as const)
      tok[role] = await tokenFor(app, role);
    await app.auth.createTenant({ name: 'test', ip: null }, 'acme', 'Acme');
    tok.acmeIngest = await tokenFor(app, 'ingest', 'acme');
    tok.acmeAnalyst = await tokenFor(app, 'analyst', 'acme');
  });
  afterAll(async () => app?.close());

  it('deduplicates repeats into one alert, then acknowledges, closes with a verdict and shows MTTA/MTTR', async () => {
    await failedLogins('bastion', '203.0.113.7', 3);
    const first = await alertFor('bastion', 3);
    expect(first).toMatchObject({
      severity: 'low',
      status: 'new',
      entity: { type: 'host', value: 'bastion' },
    });
    expect(first.observables).toEqual(
      expect.arrayContaining([
        { type: 'ip', value: '203.0.113.7' },
        { type: 'user', value: 'root' },
      ]),
    );

    await failedLogins('bastion', '203.0.113.7', 2);
    const grown = await alertFor('bastion', 5);
    expect(grown.id).toBe(first.id);
    expect(grown.count).toBe(5);

    const detail = await call(tok.analyst!, 'GET', `/api/v1/alerts/${first.id}`);
    expect(detail.status).toBe(200);
    expect(detail.json.detections).toHaveLength(5);
    expect(detail.json.events).toHaveLength(5);
    expect(detail.json.events[0].message).toMatch(/^Failed password for root/);

    // A responder reads but may not triage; an auditor likewise.
    expect(
      (await call(tok.responder!, 'PATCH', `/api/v1/alerts/${first.id}`, { status: 'acknowledged' })).status,
    ).toBe(403);
    expect(
      (await call(tok.auditor!, 'PATCH', `/api/v1/alerts/${first.id}`, { status: 'acknowledged' })).status,
    ).toBe(403);

    const ack = await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${first.id}`, {
      status: 'acknowledged',
      assignee: 'alice',
    });
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ status: 'acknowledged', assignee: 'alice' });
    expect(ack.json.acknowledgedAt).toEqual(expect.any(String));
    const noVerdict = await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${first.id}`, { status: 'closed' });
    expect(noVerdict.status).toBe(400);
    expect(noVerdict.json.error.message).toMatch(/verdict/);
    expect(
      (
        await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${first.id}`, {
          status: 'in_progress',
          tags: ['ssh'],
        })
      ).status,
    ).toBe(200);
    // Severity by hand: the analyst knows more than the rule level; the change is stored and audited.
    const raised = await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${first.id}`, { severity: 'critical' });
    expect(raised.status).toBe(200);
    expect((await call(tok.auditor!, 'GET', `/api/v1/alerts/${first.id}`)).json.alert.severity).toBe(
      'critical',
    );
    const bySeverity = await call(tok.auditor!, 'GET', '/api/v1/alerts?severity=critical');
    expect(bySeverity.json.alerts.map((a: { id: string }) => a.id)).toContain(first.id);
    const back = await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${first.id}`, { status: 'new' });
    expect(back.status).toBe(409);

    const comment = await call(tok.analyst!, 'POST', `/api/v1/alerts/${first.id}/comments`, {
      body: 'root brute force from a known scanner',
    });
    expect(comment.status).toBe(201);
    const comments = await call(tok.auditor!, 'GET', `/api/v1/alerts/${first.id}/comments`);
    expect(comments.json.comments).toEqual([
      expect.objectContaining({ body: 'root brute force from a known scanner' }),
    ]);

    const closed = await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${first.id}`, {
      status: 'closed',
      verdict: 'true_positive',
    });
    expect(closed.json).toMatchObject({ status: 'closed', verdict: 'true_positive' });
    expect(
      (await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${first.id}`, { status: 'in_progress' })).status,
    ).toBe(409);

    // The same activity after closing opens a new alert instead of reopening the closed one.
    await failedLogins('bastion', '203.0.113.7', 1);
    const reopened = await alertFor('bastion', 1);
    expect(reopened.id).not.toBe(first.id);
    expect(reopened.count).toBe(1);

    const m = (await call(tok.analyst!, 'GET', '/api/v1/metrics/soc?period=24h')).json;
    expect(m.mtta.all.count).toBe(1);
    expect(m.mttr.all.count).toBe(1);
    expect(m.mtta.bySeverity.critical.meanSeconds).toBeGreaterThanOrEqual(0);
    expect(m.mttr.bySeverity.critical.meanSeconds).toBeGreaterThanOrEqual(
      m.mtta.bySeverity.critical.meanSeconds,
    );
    expect(m.mttd.all.count).toBeGreaterThanOrEqual(2);
    expect(m.rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleId: SSH_FAILED, falsePositives: 0, falsePositiveRate: 0 }),
      ]),
    );
    expect(m.openByAge.buckets[0]).toMatchObject({ bucket: '<1h' });
    expect(m.openByAge.buckets[0].count).toBeGreaterThanOrEqual(1);

    // Every change is in the audit trail with before and after.
    const audit = (await call(tok.auditor!, 'GET', '/api/v1/audit?action=alert.update&limit=100')).json
      .records as Array<{
      target: string;
      actor: string;
      before: { status: string; severity: string };
      after: { status: string; severity: string; verdict: string | null };
    }>;
    const mine = audit.filter((r) => r.target === first.id);
    expect(mine.map((r) => [r.before.status, r.after.status])).toEqual([
      ['new', 'acknowledged'],
      ['acknowledged', 'in_progress'],
      ['in_progress', 'in_progress'],
      ['in_progress', 'closed'],
    ]);
    expect([mine[2]!.before.severity, mine[2]!.after.severity]).toEqual(['low', 'critical']);
    expect(mine[3]!.after.verdict).toBe('true_positive');
  });

  it('exports OCSF Detection Findings and finds similar alerts', async () => {
    await failedLogins('web-1', '198.51.100.23', 1);
    const web = await alertFor('web-1', 1);
    const similar = (await call(tok.analyst!, 'GET', `/api/v1/alerts/${web.id}/similar`)).json;
    expect(similar.sameRule.length).toBeGreaterThanOrEqual(1);
    expect(
      similar.sharedObservables.some((s: { shared: Array<{ type: string; value: string }> }) =>
        s.shared.some((o) => o.type === 'user' && o.value === 'root'),
      ),
    ).toBe(true);

    const exp = await call(tok.auditor!, 'GET', '/api/v1/alerts/export?format=ocsf');
    expect(exp.status).toBe(200);
    expect(exp.type).toMatch(/application\/x-ndjson/);
    const lines = exp.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const f of lines)
      expect(f).toMatchObject({
        class_uid: 2004,
        category_uid: 2,
        finding_info: { analytic: { type: 'Rule' } },
      });
    const webFinding = lines.find((f) => f.finding_info.uid === web.id);
    expect(webFinding).toMatchObject({
      severity_id: 2,
      status_id: 1,
      type_uid: 200401,
      resources: [{ type: 'host', name: 'web-1' }],
    });
    expect(webFinding.observables).toEqual(
      expect.arrayContaining([{ name: 'ip', type_id: 2, type: 'IP Address', value: '198.51.100.23' }]),
    );
  });

  it("counts alerts per rule and per entity on the server, and lists one group's alerts", async () => {
    for (const h of ['grp-1', 'grp-2']) await failedLogins(h, '192.0.2.77', 1);
    await alertFor('grp-1', 1);
    await alertFor('grp-2', 1);
    const byEntity = (await call(tok.analyst!, 'GET', '/api/v1/alerts/groups?by=entity&q=grp-')).json as {
      total: number;
      groups: Array<{ key: string; count: number; entity: { value: string } | null }>;
    };
    expect(byEntity.groups.map((g) => g.key).sort()).toEqual(['host:grp-1', 'host:grp-2']);
    expect(byEntity.total).toBe(2);
    const byRule = (await call(tok.analyst!, 'GET', '/api/v1/alerts/groups?by=rule&q=grp-')).json as {
      groups: Array<{ ruleId: string; count: number; label: string }>;
    };
    expect(byRule.groups).toEqual([expect.objectContaining({ ruleId: SSH_FAILED, count: 2 })]);
    const one = await alertsOf(tok.analyst!, `entity=${encodeURIComponent('host:grp-2')}`);
    expect(one.alerts.map((a) => a.entity?.value)).toEqual(['grp-2']);
    expect((await call(tok.analyst!, 'GET', '/api/v1/alerts/groups?by=tenant')).status).toBe(400);
    expect((await call(tok.analyst!, 'GET', '/api/v1/alerts?entity=nocolon')).status).toBe(400);
  });

  it('applies bulk actions per alert and reports the ones it could not change', async () => {
    for (const h of ['bulk-1', 'bulk-2', 'bulk-3']) await failedLogins(h, '192.0.2.50', 1);
    const ids = [];
    for (const h of ['bulk-1', 'bulk-2', 'bulk-3']) ids.push((await alertFor(h, 1)).id);
    const ack = await call(tok.analyst!, 'POST', '/api/v1/alerts/bulk', { ids, action: 'ack' });
    expect(ack.json).toEqual({ updated: ids, failed: [] });
    const assign = await call(tok.analyst!, 'POST', '/api/v1/alerts/bulk', {
      ids,
      action: 'assign',
      assignee: 'bob',
    });
    expect(assign.json.updated).toHaveLength(3);
    await call(tok.analyst!, 'POST', '/api/v1/alerts/bulk', { ids, action: 'tag', tags: ['scanner'] });
    const close = await call(tok.analyst!, 'POST', '/api/v1/alerts/bulk', {
      ids: [...ids, 'no-such-alert'],
      action: 'close',
      verdict: 'false_positive',
    });
    expect(close.json.updated).toEqual(ids);
    expect(close.json.failed).toEqual([{ id: 'no-such-alert', reason: expect.stringMatching(/no alert/) }]);
    const listed = await alertsOf(tok.analyst!, 'tag=scanner&status=closed&assignee=bob');
    expect(listed.alerts.map((a) => a.id).sort()).toEqual([...ids].sort());
    expect(listed.alerts.every((a) => a.verdict === 'false_positive')).toBe(true);
    const badClose = await call(tok.analyst!, 'POST', '/api/v1/alerts/bulk', { ids, action: 'close' });
    expect(badClose.status).toBe(400);

    const m = (await call(tok.manager!, 'GET', '/api/v1/metrics/soc?period=1d')).json;
    const rule = m.rules.find((r: { ruleId: string }) => r.ruleId === SSH_FAILED);
    expect(rule.falsePositives).toBe(3);
    expect(rule.falsePositiveRate).toBeCloseTo(3 / 4);
    expect(m.byAnalyst).toEqual(
      expect.arrayContaining([expect.objectContaining({ assignee: 'bob', assigned: 3, closed: 3 })]),
    );
  });

  it('tunes from an alert: a rule exception from the alert event values, with expiry, reason and audit', async () => {
    await failedLogins('jump-1', '192.0.2.77', 1);
    const a = await alertFor('jump-1', 1);
    const notSeen = await call(tok.analyst!, 'POST', `/api/v1/alerts/${a.id}/exception`, {
      fields: [{ field: 'source.ip', value: '10.9.9.9' }],
      reason: 'known scanner',
      expiresInHours: 24,
    });
    expect(notSeen.status).toBe(400);
    const noExpiry = await call(tok.analyst!, 'POST', `/api/v1/alerts/${a.id}/exception`, {
      fields: [{ field: 'source.ip' }],
      reason: 'forgot the expiry',
    });
    expect(noExpiry.status).toBe(400);
    expect(noExpiry.json.error.message).toMatch(/expiresAt/);
    const r = await call(tok.analyst!, 'POST', `/api/v1/alerts/${a.id}/exception`, {
      fields: [{ field: 'source.ip' }, { field: 'host.name' }],
      reason: 'vulnerability scanner run weekly',
      expiresInHours: 24,
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      ruleId: SSH_FAILED,
      tenant: 'default',
      reason: 'vulnerability scanner run weekly',
      match: [
        { field: 'source.ip', value: '192.0.2.77' },
        { field: 'host.name', value: 'jump-1' },
      ],
    });
    expect(Date.parse(r.json.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(
      (
        await call(tok.responder!, 'POST', `/api/v1/alerts/${a.id}/exception`, {
          fields: [{ field: 'source.ip' }],
          reason: 'nope',
        })
      ).status,
    ).toBe(403);
    const audit = (await call(tok.auditor!, 'GET', '/api/v1/audit?action=rule_exception.create&limit=10'))
      .json.records;
    expect(audit).toEqual([
      expect.objectContaining({ target: r.json.id, after: expect.objectContaining({ fromAlert: a.id }) }),
    ]);
  });

  it('documents every alert route in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const [path, method] of [
      ['/api/v1/alerts', 'get'],
      ['/api/v1/alerts/{id}', 'patch'],
      ['/api/v1/alerts/bulk', 'post'],
      ['/api/v1/alerts/{id}/exception', 'post'],
      ['/api/v1/alerts/export', 'get'],
      ['/api/v1/metrics/soc', 'get'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
  });

  it('keeps tenants apart: a user of another tenant sees nothing of these alerts, and they see nothing of its', async () => {
    const { alerts } = await alertsOf(tok.analyst!, 'limit=1');
    const victim = alerts[0]!;
    const other = tok.acmeAnalyst!;
    expect((await alertsOf(other, 'limit=100')).total).toBe(0);
    expect((await call(other, 'GET', `/api/v1/alerts/${victim.id}`)).status).toBe(404);
    expect((await call(other, 'GET', `/api/v1/alerts/${victim.id}/comments`)).status).toBe(404);
    expect((await call(other, 'GET', `/api/v1/alerts/${victim.id}/similar`)).status).toBe(404);
    expect((await call(other, 'PATCH', `/api/v1/alerts/${victim.id}`, { assignee: 'mallory' })).status).toBe(
      404,
    );
    expect((await call(other, 'POST', `/api/v1/alerts/${victim.id}/comments`, { body: 'x' })).status).toBe(
      404,
    );
    expect(
      (await call(other, 'POST', `/api/v1/alerts/bulk`, { ids: [victim.id], action: 'ack' })).json.failed,
    ).toHaveLength(1);
    expect((await call(other, 'GET', '/api/v1/alerts?tenant=default')).status).toBe(403);
    expect((await call(other, 'GET', '/api/v1/alerts/export?format=ocsf')).text).toBe('');
    expect((await call(other, 'GET', '/api/v1/metrics/soc')).json.alerts).toEqual({
      created: 0,
      acknowledged: 0,
      closed: 0,
      open: 0,
    });
    expect((await call(tok.analyst!, 'GET', `/api/v1/alerts/${victim.id}`)).json.alert.assignee).not.toBe(
      'mallory',
    );

    // Acme's own alerts stay in Acme.
    await failedLogins('acme-host', '203.0.113.99', 1, tok.acmeIngest);
    const acme = await alertFor('acme-host', 1, other);
    expect(acme.tenant).toBe('acme');
    expect((await call(tok.analyst!, 'GET', `/api/v1/alerts/${acme.id}`)).status).toBe(404);
    expect((await alertsOf(tok.analyst!, 'q=acme-host')).total).toBe(0);
  });
});
