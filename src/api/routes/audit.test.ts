import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { bearer, startTestApp, tokenFor } from '../../test-support/app.js';

describe('audit export', () => {
  let app: VigilApp;
  let auditor: string;
  let acmeAuditor: string;
  beforeAll(async () => {
    app = await startTestApp();
    await app.auth.createTenant({ name: 'root', ip: null }, 'acme', 'Acme');
    auditor = await tokenFor(app, 'auditor');
    acmeAuditor = await tokenFor(app, 'auditor', 'acme');
    await tokenFor(app, 'analyst', 'acme');
  });
  afterAll(async () => app.close());

  const get = async (token: string, url: string) => {
    const r = await app.http.inject({ method: 'GET', url, headers: bearer(token) });
    return { status: r.statusCode, type: String(r.headers['content-type']), body: r.body };
  };

  it('exports the caller’s tenants as NDJSON or CSV, filtered by action', async () => {
    const nd = await get(acmeAuditor, '/api/v1/audit/export?action=token.create');
    expect(nd.status).toBe(200);
    expect(nd.type).toContain('application/x-ndjson');
    const recs = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tenant: string; action: string; hash: string });
    // acme saw its own two token creations, nothing of default.
    expect(recs.map((r) => [r.tenant, r.action])).toEqual([
      ['acme', 'token.create'],
      ['acme', 'token.create'],
    ]);
    const csv = await get(acmeAuditor, '/api/v1/audit/export?format=csv&action=token.create');
    const rows = csv.body.trim().split('\n');
    expect(rows[0]).toBe('seq,ts,actor,tenant,action,target,ip,before,after,prev_hash,hash');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.endsWith(recs[0]!.hash)).toBe(true);
    const mine = await get(auditor, '/api/v1/audit/export?action=token.create');
    expect(
      mine.body
        .trim()
        .split('\n')
        .every((l) => (JSON.parse(l) as { tenant: string }).tenant === 'default'),
    ).toBe(true);
  });

  it('filters by time and refuses a bad time', async () => {
    const future = await get(
      auditor,
      `/api/v1/audit/export?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(future.body).toBe('');
    expect((await get(auditor, '/api/v1/audit/export?from=yesterday')).status).toBe(400);
  });
});
