import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../app.js';
import { injectAs, startTestApp, tokenFor } from '../test-support/app.js';
import { until as waitUntil } from '../test-support/until.js';
import type { ComplianceReport } from './compliance.js';

const until = <T>(f: () => Promise<T | undefined>, ms = 15000): Promise<T> =>
  waitUntil(f, ms, 'a condition', 50);

describe('compliance report', () => {
  let app: VigilApp;
  const tok: Record<string, string> = {};
  const call = async (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const r = await injectAs(app, token, method, url, payload);
    return { status: r.statusCode, body: r.body, headers: r.headers };
  };
  beforeAll(async () => {
    app = await startTestApp();
    for (const role of ['ingest', 'analyst', 'auditor', 'admin'] as const)
      tok[role] = await tokenFor(app, role);
  });
  afterAll(async () => app.close());

  it('measures response, lists access changes and data access, and verifies the audit chain', async () => {
    const docs = [0, 1].map((i) => ({
      '@timestamp': new Date(Date.now() - 3000 + i).toISOString(),
      message: `Failed password for admin from 203.0.113.9 port ${41000 + i} ssh2`,
      event: { module: 'system', dataset: 'system.auth' },
      host: { name: `comp-${i}` },
      source: { ip: '203.0.113.9' },
      user: { name: 'admin' },
      process: { name: 'sshd' },
    }));
    expect((await call(tok.ingest!, 'POST', '/api/v1/events', docs)).status).toBe(200);
    const alerts = await until(async () => {
      const r = JSON.parse((await call(tok.analyst!, 'GET', '/api/v1/alerts?q=comp-')).body) as {
        alerts: Array<{ id: string }>;
      };
      return r.alerts.length >= 2 ? r.alerts : undefined;
    });
    await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${alerts[0]!.id}`, {
      status: 'closed',
      verdict: 'false_positive',
    });
    await call(tok.analyst!, 'POST', '/api/v1/search', { q: 'host.name:comp-0' });
    expect(
      (await call(tok.admin!, 'POST', '/api/v1/tokens', { name: 'shipper-2', role: 'ingest' })).status,
    ).toBe(201);

    const r = await call(tok.auditor!, 'GET', '/api/v1/reports/compliance?period=1d');
    expect(r.status).toBe(200);
    const rep = JSON.parse(r.body) as ComplianceReport;
    expect(rep.response.alerts.created).toBeGreaterThanOrEqual(2);
    expect(rep.response.alerts.closed).toBeGreaterThanOrEqual(1);
    expect(rep.response.mttr.all.count).toBeGreaterThanOrEqual(1);
    expect(rep.response.noisiestRules[0]).toMatchObject({ falsePositives: 1 });
    expect(rep.access.changes.map((c) => c.action)).toContain('token.create');
    expect(rep.dataAccess.byAction['search.run']).toBeGreaterThanOrEqual(1);
    expect(rep.audit.chain).toMatchObject({ ok: true });
    expect(rep.audit.recordsInPeriod).toBeGreaterThan(0);

    const md = await call(tok.auditor!, 'GET', '/api/v1/reports/compliance?period=1d&format=markdown');
    expect(md.headers['content-type']).toMatch(/text\/markdown/);
    expect(md.body).toMatch(/^# SOC compliance report/);
    expect(md.body).toContain('## Access control');
    expect(md.body).toMatch(/Hash chain verified: all \d+ records intact/);
    // Reading the report is itself audited.
    const audit = JSON.parse(
      (await call(tok.auditor!, 'GET', '/api/v1/audit?action=report.compliance')).body,
    ) as {
      records: unknown[];
    };
    expect(audit.records.length).toBeGreaterThanOrEqual(2);
  });

  it('is for the auditor role (and admins), refuses others, and checks the period', async () => {
    expect((await call(tok.analyst!, 'GET', '/api/v1/reports/compliance')).status).toBe(403);
    expect(
      (
        await call(
          tok.auditor!,
          'GET',
          '/api/v1/reports/compliance?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
        )
      ).status,
    ).toBe(400);
    expect((await call(tok.auditor!, 'GET', '/api/v1/reports/compliance?period=often')).status).toBe(400);
  });

  it('says so when the audit trail was tampered with', async () => {
    // Another process (or a person with the file) edits a record behind Vigil's back.
    const db = new Database(path.join(app.config.dataDir, 'vigil.db'));
    try {
      // The append-only triggers stop Vigil's own code, not someone holding the file.
      for (const { name } of db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'")
        .all() as Array<{ name: string }>)
        db.exec(`DROP TRIGGER "${name}"`);
      db.prepare("UPDATE audit SET actor = 'someone-else' WHERE seq = 2").run();
    } finally {
      db.close();
    }
    const r = await call(tok.auditor!, 'GET', '/api/v1/reports/compliance?period=1d&format=markdown');
    expect(r.body).toMatch(/\*\*Hash chain broken\*\* at record 2/);
  });
});
