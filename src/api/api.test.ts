import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../app.js';
import { ADMIN_PASSWORD, bearer, startTestApp, tokenFor } from '../test-support/app.js';

const ndjson = (docs: object[]) => docs.map((d) => JSON.stringify(d)).join('\n');

describe('HTTP API', () => {
  let app: VigilApp;
  let adminToken: string;
  beforeAll(async () => {
    app = await startTestApp({ VIGIL_LOG_LEVEL: 'silent' });
    app.config.http.bodyLimitBytes = 1024 * 1024;
    adminToken = await tokenFor(app, 'admin');
  });
  afterAll(async () => app.close());

  async function login(username: string, password: string) {
    const res = await app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    const setCookie = String(res.headers['set-cookie'] ?? '');
    const cookie = setCookie.split(';')[0] ?? '';
    return { res, cookie, csrf: res.statusCode === 200 ? (res.json() as { csrfToken: string }).csrfToken : '' };
  }

  describe('sessions', () => {
    it('sets an httpOnly SameSite=Strict cookie and demands the CSRF token on writes', async () => {
      const { res, cookie, csrf } = await login('admin', ADMIN_PASSWORD);
      expect(res.statusCode).toBe(200);
      const setCookie = String(res.headers['set-cookie']);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      const me = await app.http.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      expect(me.json()).toMatchObject({ name: 'admin', role: 'admin' });
      const noCsrf = await app.http.inject({ method: 'POST', url: '/api/v1/events', headers: { cookie, 'content-type': 'application/json' }, payload: '{"a":1}' });
      expect(noCsrf.statusCode).toBe(403);
      const withCsrf = await app.http.inject({ method: 'POST', url: '/api/v1/events', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: '{"a":1}' });
      expect(withCsrf.statusCode).toBe(200);
      const out = await app.http.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': csrf } });
      expect(out.statusCode).toBe(200);
      expect((await app.http.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
    });

    it('answers 401 for a wrong password and 429 with Retry-After once the account is locked', async () => {
      await app.auth.createUser({ name: 't', ip: null }, { username: 'locky', password: 'correct horse battery', role: 'analyst', tenants: ['default'] });
      for (let i = 0; i < 5; i++) expect((await login('locky', 'nope')).res.statusCode).toBe(401);
      const locked = await login('locky', 'correct horse battery');
      expect(locked.res.statusCode).toBe(429);
      expect(Number(locked.res.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('tenant isolation', () => {
    let a: string;
    let b: string;
    let readerA: string;
    beforeAll(async () => {
      for (const t of ['ta', 'tb']) {
        const r = await app.http.inject({ method: 'POST', url: '/api/v1/tenants', headers: bearer(adminToken), payload: { id: t, name: t } });
        expect(r.statusCode).toBe(201);
      }
      a = await tokenFor(app, 'ingest', 'ta');
      b = await tokenFor(app, 'ingest', 'tb');
      readerA = await tokenFor(app, 'analyst', 'ta');
      const send = (tok: string, body: string) =>
        app.http.inject({ method: 'POST', url: '/api/v1/events', headers: { ...bearer(tok), 'content-type': 'application/x-ndjson' }, payload: body });
      expect((await send(a, ndjson([{ message: 'alpha secret', organization: { id: 'tb' } }]) + '\n{oops')).json()).toMatchObject({ accepted: 1 });
      expect((await send(b, ndjson([{ message: 'bravo secret' }]) + '\n{oops-b')).json()).toMatchObject({ accepted: 1 });
    });

    it('shows a reader only its own tenant, even when the sender claimed another', async () => {
      const r = await app.http.inject({ method: 'GET', url: '/api/v1/events/search?q=secret', headers: bearer(readerA) });
      expect(r.statusCode).toBe(200);
      const body = r.json() as { total: number; events: Array<{ message: string; organization: { id: string } }> };
      expect(body.total).toBe(1);
      expect(body.events[0]).toMatchObject({ message: 'alpha secret', organization: { id: 'ta' } });
    });

    it('refuses to read another tenant by parameter or by id', async () => {
      expect((await app.http.inject({ method: 'GET', url: '/api/v1/events/search?tenant=tb', headers: bearer(readerA) })).statusCode).toBe(403);
      const id = (await app.storage.events.search({ tenants: ['tb'], text: ['bravo'], limit: 1 })).events[0]!.event.id;
      expect((await app.http.inject({ method: 'GET', url: `/api/v1/events/${id}`, headers: bearer(readerA) })).statusCode).toBe(404);
      const readerB = await tokenFor(app, 'analyst', 'tb');
      expect((await app.http.inject({ method: 'GET', url: `/api/v1/events/${id}`, headers: bearer(readerB) })).statusCode).toBe(200);
    });

    it('keeps dead letters per tenant', async () => {
      const r = await app.http.inject({ method: 'GET', url: '/api/v1/deadletters', headers: bearer(readerA) });
      const dl = (r.json() as { deadLetters: Array<{ raw: string; tenant: string }> }).deadLetters;
      expect(dl.map((d) => d.raw)).toEqual(['{oops']);
    });

    it('does not let a manager hand out admin or another tenant', async () => {
      const mgr = await tokenFor(app, 'manager', 'ta');
      const mk = (payload: object) => app.http.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(mgr), payload });
      expect((await mk({ username: 'x1', password: 'long enough pw', role: 'admin', tenants: ['ta'] })).statusCode).toBe(403);
      expect((await mk({ username: 'x2', password: 'long enough pw', role: 'analyst', tenants: ['tb'] })).statusCode).toBe(403);
      expect((await mk({ username: 'x3', password: 'long enough pw', role: 'analyst', tenants: ['ta'] })).statusCode).toBe(201);
    });
  });

  describe('tokens', () => {
    it('stops working once revoked through the API', async () => {
      const created = await app.http.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(adminToken), payload: { name: 'fb', role: 'ingest' } });
      expect(created.statusCode).toBe(201);
      const { id, token } = created.json() as { id: string; token: string };
      const send = () => app.http.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: '{"m":1}' });
      expect((await send()).statusCode).toBe(200);
      expect((await app.http.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: bearer(adminToken) })).statusCode).toBe(200);
      expect((await send()).statusCode).toBe(401);
      const list = await app.http.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(adminToken) });
      expect(list.body).not.toContain(token.split('.')[1]!);
    });

    it('accepts the shipper dialects of the Authorization header', async () => {
      const t = await tokenFor(app, 'ingest');
      for (const authorization of [`Splunk ${t}`, `ApiKey ${t}`, `ApiKey ${Buffer.from(`id:${t}`).toString('base64')}`, `Basic ${Buffer.from(`elastic:${t}`).toString('base64')}`]) {
        const r = await app.http.inject({ method: 'POST', url: '/api/v1/events', headers: { authorization }, payload: '{"m":1}' });
        expect(r.statusCode, authorization).toBe(200);
      }
    });
  });

  describe('errors', () => {
    it('answers with stable JSON error codes and stores nothing from a bad request', async () => {
      const tok = await tokenFor(app, 'ingest');
      const before = await app.storage.events.count();
      const bad = await app.http.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(tok), payload: '{not json' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'bad_request' } });
      const big = await app.http.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(tok), payload: 'x'.repeat(17 * 1024 * 1024) });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ error: { code: 'payload_too_large' } });
      expect((await app.http.inject({ method: 'POST', url: '/api/v1/events', payload: '{}' })).json()).toMatchObject({ error: { code: 'unauthorized' } });
      const wrongRole = await app.http.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(await tokenFor(app, 'auditor')), payload: '{}' });
      expect(wrongRole.json()).toMatchObject({ error: { code: 'forbidden' } });
      expect((await app.http.inject({ method: 'GET', url: '/api/v1/nope', headers: bearer(tok) })).json()).toMatchObject({ error: { code: 'not_found' } });
      const invalid = await app.http.inject({ method: 'GET', url: '/api/v1/events/search?limit=-5', headers: bearer(adminToken) });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().error.message).toMatch(/^query\.limit/);
      const badQuery = await app.http.inject({ method: 'GET', url: '/api/v1/events/search?q=a:%22open', headers: bearer(adminToken) });
      expect(badQuery.json().error.message).toMatch(/unterminated quote/);
      expect(await app.storage.events.count()).toBe(before);
    });

    it('publishes an OpenAPI document listing the routes', async () => {
      const doc = (await app.http.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/events', '/api/v1/events/search', '/api/v1/auth/login', '/api/v1/users/{username}']));
      expect(doc.paths['/api/v1/users']!.post).toMatchObject({ requestBody: { content: { 'application/json': { schema: { properties: { role: { enum: expect.arrayContaining(['auditor']) } } } } } } });
    });
  });
});
