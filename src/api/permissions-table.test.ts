import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../app.js';
import { MATRIX } from '../auth/permissions.js';
import { TOKEN_ROLES, type TokenRole } from '../auth/roles.js';
import { bearer, startTestApp, tokenFor } from '../test-support/app.js';
import { openApiRegistry } from './route.js';

/**
 * Calls every route as every role and checks allow/deny against the permission matrix. Routes are
 * read from the server itself, so a new route is covered without editing this test.
 */
describe('every route as every role', () => {
  let app: VigilApp;
  const tokens = {} as Record<TokenRole, string>;
  beforeAll(async () => {
    app = await startTestApp();
    for (const r of TOKEN_ROLES) tokens[r] = await tokenFor(app, r);
  });
  afterAll(async () => app.close());

  it('covers a meaningful number of routes', () => {
    expect(openApiRegistry.get(app.http)!.length).toBeGreaterThanOrEqual(15);
  });

  it('allows exactly what the matrix allows', async () => {
    const routes = openApiRegistry.get(app.http)!;
    const failures: string[] = [];
    for (const r of routes) {
      const url = r.url.replace(/:([A-Za-z_]+)/g, 'does-not-exist');
      for (const role of TOKEN_ROLES) {
        // As a stream: an allowed event stream (SSE) never ends; its status line is the answer.
        const res = await app.http.inject({ method: r.method as 'GET', url, headers: { ...bearer(tokens[role]), 'content-type': 'application/json' }, payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}', payloadAsStream: true });
        res.stream().destroy();
        const expectAllowed = r.access === 'public' || r.access === 'authenticated' || MATRIX[role].has(r.access);
        const denied = res.statusCode === 403;
        if (expectAllowed === denied) failures.push(`${r.method} ${r.url} as ${role}: got ${res.statusCode}, expected ${expectAllowed ? 'allowed' : '403'}`);
      }
      if (r.access !== 'public') {
        const anon = await app.http.inject({ method: r.method as 'GET', url });
        if (anon.statusCode !== 401) failures.push(`${r.method} ${r.url} without credentials: got ${anon.statusCode}, expected 401`);
      }
    }
    expect(failures).toEqual([]);
  });
});
