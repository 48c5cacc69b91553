import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { bearer, startTestApp, tokenFor } from '../../test-support/app.js';
import { caseAuditHistory } from './cases.js';

describe('case audit history', () => {
  let app: VigilApp;
  let manager: string;
  let caseId: string;
  beforeAll(async () => {
    app = await startTestApp();
    await app.auth.createTenant({ name: 'root', ip: null }, 'acme', 'Acme');
    manager = await tokenFor(app, 'manager');
    const r = await app.http.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: bearer(manager),
      payload: { title: 'audit history case' },
    });
    expect(r.statusCode).toBe(201);
    caseId = (r.json() as { id: string }).id;
  });
  afterAll(async () => app.close());

  it('finds a case’s records past the first page of the trail, and nothing of other cases or tenants', async () => {
    const append = (tenant: string, action: string, target: string) =>
      app.storage.audit.append({
        actor: 'test',
        tenant,
        action,
        target,
        ip: null,
        before: null,
        after: null,
      });
    // More than one page (1000) of unrelated records, some of them look-alikes.
    for (let i = 0; i < 1100; i++) await append('default', 'case.update', `other-case-${i}`);
    await append('default', 'case.update', `${caseId}x`);
    await append('acme', 'case.task.create', `${caseId}/task-in-acme`);
    await append('default', 'rule.update', caseId);
    await append('default', 'case.task.create', `${caseId}/task-1`);
    await append('default', 'case.update', caseId);

    const records = await caseAuditHistory(app.storage.audit, 'default', caseId);
    expect(records.map((r) => [r.action, r.target])).toEqual([
      ['case.create', caseId],
      ['case.task.create', `${caseId}/task-1`],
      ['case.update', caseId],
    ]);
    expect(records.map((r) => r.seq)).toEqual([...records.map((r) => r.seq)].sort((a, b) => a - b));
  });

  it('is served to audit readers who can see the case, refused to roles without audit:read', async () => {
    const get = async (token: string, id = caseId) => {
      const r = await app.http.inject({
        method: 'GET',
        url: `/api/v1/cases/${id}/audit`,
        headers: bearer(token),
      });
      return { status: r.statusCode, json: r.json() as { records?: Array<{ action: string }> } };
    };
    const ok = await get(await tokenFor(app, 'auditor'));
    expect(ok.status).toBe(200);
    expect(ok.json.records?.[0]?.action).toBe('case.create');
    expect((await get(await tokenFor(app, 'investigator'))).status).toBe(403);
    // Another tenant's auditor cannot learn that the case exists.
    expect((await get(await tokenFor(app, 'auditor', 'acme'))).status).toBe(404);
  });
});
