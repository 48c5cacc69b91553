import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptsHtml, UI_SECURITY_HEADERS, uiRoutes } from './ui.js';

function builtConsole(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'vigil-ui-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><div id="root"></div><script type="module" src="/assets/app.js"></script>',
  );
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(tmpdir(), 'vigil-ui-secret.txt'), 'TOP-SECRET-CONTENT');
  return root;
}

/** Like the real server: every route must declare access, and `GET /` belongs to the ES shippers. */
async function server(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.addHook('onRoute', (o) => {
    if (!o.config?.access) throw new Error(`route ${o.url} declares no access rule`);
  });
  app.route({
    method: 'GET',
    url: '/',
    config: { access: 'events:ingest' },
    handler: async () => ({ tagline: 'You Know, for Search' }),
  });
  app.route({
    method: 'GET',
    url: '/api/v1/health',
    config: { access: 'public' },
    handler: async () => ({ status: 'ok' }),
  });
  uiRoutes(app, { root });
  await app.ready();
  return app;
}

describe('console routes', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  it('serves the shell to HTML requests and leaves JSON clients to the routes they had', async () => {
    app = await server(builtConsole());
    const html = await app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain('<div id="root">');
    for (const [k, v] of Object.entries(UI_SECURITY_HEADERS)) expect(html.headers[k]).toBe(v);

    for (const accept of ['application/json', '*/*', undefined]) {
      const es = await app.inject({ url: '/', headers: accept ? { accept } : {} });
      expect(es.json()).toEqual({ tagline: 'You Know, for Search' });
      expect(es.headers['content-security-policy']).toBeUndefined();
    }
    expect((await app.inject({ url: '/api/v1/health', headers: { accept: 'text/html' } })).json()).toEqual({
      status: 'ok',
    });
  });

  it('falls back to the shell for other HTML paths, but not under /api/', async () => {
    app = await server(builtConsole());
    const deep = await app.inject({ url: '/alerts/123', headers: { accept: 'text/html' } });
    expect(deep.body).toContain('<div id="root">');
    expect(
      (await app.inject({ url: '/alerts/123', headers: { accept: 'application/json' } })).statusCode,
    ).toBe(404);
    expect((await app.inject({ url: '/api/v1/nope', headers: { accept: 'text/html' } })).statusCode).toBe(
      404,
    );
  });

  it('serves assets with long caching and refuses paths outside the root', async () => {
    app = await server(builtConsole());
    const js = await app.inject({ url: '/assets/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    for (const url of [
      '/assets/../../vigil-ui-secret.txt',
      '/assets/..%2f..%2fvigil-ui-secret.txt',
      '/assets/%2e%2e/%2e%2e/vigil-ui-secret.txt',
    ]) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(r.body).not.toContain('TOP-SECRET-CONTENT');
    }
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
  });

  it('says the console is not built instead of failing obscurely', async () => {
    app = await server(path.join(tmpdir(), 'vigil-ui-does-not-exist'));
    const r = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build');
  });

  it('recognizes browsers by their Accept header', () => {
    expect(acceptsHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true);
    expect(acceptsHtml(['application/json', 'TEXT/HTML'])).toBe(true);
    expect(acceptsHtml('application/json')).toBe(false);
    expect(acceptsHtml('*/*')).toBe(false);
    expect(acceptsHtml(undefined)).toBe(false);
  });
});
