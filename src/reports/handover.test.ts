import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../app.js';
import { injectAs, startTestApp, tokenFor } from '../test-support/app.js';
import { until as waitUntil } from '../test-support/until.js';

const until = <T>(f: () => Promise<T | undefined>, ms = 15000): Promise<T> =>
  waitUntil(f, ms, 'a condition', 50);

describe('shift handover', () => {
  let app: VigilApp;
  const tok: Record<string, string> = {};
  const call = async (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const r = await injectAs(app, token, method, url, payload);
    return { status: r.statusCode, json: r.json() };
  };
  beforeAll(async () => {
    app = await startTestApp();
    for (const role of ['ingest', 'analyst', 'manager', 'auditor', 'responder'] as const)
      tok[role] = await tokenFor(app, role);
  });
  afterAll(async () => app.close());

  it('reports what opened and closed, open criticals, SLA state and who holds what', async () => {
    const now = Date.now();
    const docs = ['web-1', 'web-2', 'db-1'].flatMap((host, h) =>
      [0, 1].map((i) => ({
        '@timestamp': new Date(now - 5000 + h * 10 + i).toISOString(),
        message: `Failed password for admin from 203.0.113.${h + 1} port ${40000 + i} ssh2`,
        event: { module: 'system', dataset: 'system.auth' },
        host: { name: host },
        source: { ip: `203.0.113.${h + 1}` },
        user: { name: 'admin' },
        process: { name: 'sshd' },
      })),
    );
    expect((await call(tok.ingest!, 'POST', '/api/v1/events', docs)).json).toMatchObject({ accepted: 6 });
    const alerts = await until(async () => {
      const r = await call(tok.analyst!, 'GET', '/api/v1/alerts?limit=50');
      return r.json.alerts.length >= 3
        ? (r.json.alerts as Array<{ id: string; entity: { value: string } }>)
        : undefined;
    });
    const byHost = (h: string) => alerts.find((a) => a.entity.value === h)!.id;
    expect(
      (
        await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${byHost('web-1')}`, {
          status: 'closed',
          verdict: 'false_positive',
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${byHost('web-2')}`, { assignee: 'alice' })).status,
    ).toBe(200);
    const kase = await call(tok.analyst!, 'POST', '/api/v1/cases', {
      title: 'db-1 brute force',
      severity: 'critical',
      alertIds: [byHost('db-1')],
      assignee: 'bob',
    });
    expect(kase.status).toBe(201);

    const r = await call(tok.manager!, 'GET', '/api/v1/reports/handover?hours=8');
    expect(r.status).toBe(200);
    const h = r.json;
    expect(h.alerts).toMatchObject({ opened: 3, closed: 1, closedByVerdict: { false_positive: 1 } });
    expect(h.cases).toMatchObject({ opened: 1, closed: 0, breached: [] });
    const who = Object.fromEntries(
      (h.workload as Array<{ assignee: string; alerts: number; cases: number }>).map((w) => [w.assignee, w]),
    );
    expect(who.alice).toMatchObject({ alerts: 1, cases: 0 });
    expect(who.bob).toMatchObject({ cases: 1 });
    expect(Date.parse(h.to) - Date.parse(h.from)).toBe(8 * 3_600_000);

    // The auditor reads it; a responder (no reports:read) does not.
    expect((await call(tok.auditor!, 'GET', '/api/v1/reports/handover')).status).toBe(200);
    expect((await call(tok.responder!, 'GET', '/api/v1/reports/handover')).status).toBe(403);
  });
});
