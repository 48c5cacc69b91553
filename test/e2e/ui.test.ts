/**
 * The analyst console in a real browser: Debian's Chromium driven by playwright-core against a real
 * Vigil (SQLite in a temp dir, real sockets) serving the built console from dist/web.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS, OPTIONAL_PATHS } from '../../web/src/api-paths.js';
import type { VigilApp } from '../../src/app.js';
import {
  ARTIFACTS,
  WEB_DIST,
  consolePage,
  ensureWebBuild,
  launchChromium,
  signIn,
  contrastFailures,
} from '../support/ui.js';
import { uiRoutes } from '../../src/api/routes/ui.js';
import { ADMIN_PASSWORD, startTestApp, tokenFor } from '../../src/test-support/app.js';

const SSH_FAILED_TITLE = 'SSH Failed Password';

/** The console as the server serves it: rebuilt when web/ changed since the last build. */
/**
 * Until src/api/server.ts registers uiRoutes, a front door on another port serves the console and
 * forwards everything else to the real server, so the browser flows still run end to end.
 */
async function frontDoor(target: string): Promise<FastifyInstance> {
  const front = Fastify();
  front.removeAllContentTypeParsers();
  front.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  uiRoutes(front, { root: WEB_DIST });
  front.route({
    method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: '/*',
    config: { access: 'public' },
    handler: async (req, reply) => {
      const headers: Record<string, string> = {};
      for (const h of ['accept', 'authorization', 'content-type', 'cookie', 'x-csrf-token']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const res = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        body: Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined,
      });
      for (const h of ['content-type', 'retry-after', 'x-elastic-product']) {
        const v = res.headers.get(h);
        if (v) void reply.header(h, v);
      }
      const cookies = res.headers.getSetCookie();
      if (cookies.length > 0) void reply.header('set-cookie', cookies);
      return reply.code(res.status).send(Buffer.from(await res.arrayBuffer()));
    },
  });
  await front.listen({ port: 0, host: '127.0.0.1' });
  return front;
}

describe('analyst console in Chromium', () => {
  let app: VigilApp;
  let server: string;
  /** Where the browser goes: the server itself once it serves the console, else the front door. */
  let base: string;
  let front: FastifyInstance | undefined;
  let browser: Browser;
  let ingest: string;
  const pageErrors: string[] = [];
  let seq = 0;

  const post = async (token: string, url: string, body: unknown) => {
    const r = await fetch(`${server}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as unknown };
  };

  /** sshd failure lines as an auth-log shipper sends them: the built-in rule pack detects each. */
  const sshFailures = async (host: string, ip: string, n: number) => {
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
    const r = await post(ingest, '/api/v1/events', docs);
    expect(r.json).toMatchObject({ accepted: n, rejected: [] });
  };

  // Chromium logs every non-2xx fetch: "who am I" before login and a wrong password answer 401,
  // the deliberately bad search query 400, the locked account 429. Anything else (CSP violations, exceptions) counts.
  const newPage = (): Promise<Page> =>
    consolePage(browser, pageErrors, (status) => status === '400' || status === '401' || status === '429');

  const login = (page: Page, password = ADMIN_PASSWORD, username = 'admin') =>
    signIn(page, base, username, password, false);

  beforeAll(async () => {
    ensureWebBuild();
    app = await startTestApp();
    server = `http://127.0.0.1:${app.ports.http}`;
    ingest = await tokenFor(app, 'ingest');
    const probe = await fetch(`${server}/`, { headers: { accept: 'text/html' } });
    if ((probe.headers.get('content-type') ?? '').startsWith('text/html')) base = server;
    else {
      front = await frontDoor(server);
      const addr = front.server.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await front?.close();
    await app?.close();
  });

  it('the server serves the console at / to browsers, with strict security headers', async () => {
    const r = await fetch(`${server}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await r.text();
    expect(html).toContain('<div id="root">');
    // No inline script: every script element names a same-origin file.
    expect(html.match(/<script\b[^>]*>/g)?.every((t) => / src="\/assets\//.test(t))).toBe(true);

    // A deep link a browser reloads gets the shell too; an API typo still gets the API's 404.
    const deep = await fetch(`${server}/some/where`, { headers: { accept: 'text/html' } });
    expect(deep.headers.get('content-type')).toMatch(/^text\/html/);
    const api404 = await fetch(`${server}/api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(api404.status).toBe(404);
    expect(((await api404.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('GET / still answers Elasticsearch clients with the product JSON', async () => {
    for (const accept of ['application/json', undefined]) {
      const r = await fetch(`${server}/`, {
        headers: { authorization: `Bearer ${ingest}`, ...(accept ? { accept } : {}) },
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-elastic-product')).toBe('Elasticsearch');
      expect(r.headers.get('content-security-policy')).toBeNull();
      const body = (await r.json()) as { tagline: string; version: { number: string } };
      expect(body.tagline).toBe('You Know, for Search');
      expect(body.version.number).toMatch(/^\d+\.\d+\.\d+$/);
    }
    // Without a credential the shipper route still demands one (JSON, not the console).
    const anon = await fetch(`${server}/`, { headers: { accept: 'application/json' } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('content-type')).toMatch(/json/);
  });

  it('serves hashed assets as immutable files; the console calls only documented API paths', async () => {
    const asset = readdirSync(path.join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    const r = await fetch(`${base}/assets/${asset}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/javascript/);
    expect(r.headers.get('cache-control')).toContain('immutable');
    const escape = await fetch(`${base}/assets/..%2f..%2fpackage.json`);
    expect([403, 404]).toContain(escape.status);
    expect(await escape.text()).not.toContain('"name": "vigil"');

    const doc = (await (await fetch(`${server}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    const missing = Object.entries(API_PATHS)
      .filter(([k, p]) => !(p in doc.paths) && !OPTIONAL_PATHS.includes(k as keyof typeof API_PATHS))
      .map(([, p]) => p);
    expect(missing).toEqual([]);
  });

  it('shows the error for a wrong password and stays on the login page', async () => {
    const page = await newPage();
    // How fast the first load is belongs to a benchmark, not to a test on a shared CI machine.
    await page.goto(`${base}/`);
    await page.getByLabel('User name').waitFor();
    await login(page, 'not-the-password');
    await expect
      .poll(() => page.getByTestId('login-error').textContent(), { timeout: 10_000 })
      .toContain('Wrong user name or password');
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await page.context().close();
  });

  it('logs in as admin, shows Overview, then the detections (and alerts) of ingested ssh failures', async () => {
    const page = await newPage();
    await login(page);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('whoami').textContent()).toContain('admin');
    await page.getByText('Detections by level').waitFor();

    // A known-bad address: the alert page shows the indicator next to the observable.
    const ind = await fetch(`${server}/api/v1/intel/indicators`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokenFor(app, 'manager')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        indicators: [{ type: 'ipv4', value: '203.0.113.77', confidence: 85, severity: 'high' }],
      }),
    });
    expect(ind.status).toBe(200);
    await sshFailures('ui-bastion', '203.0.113.77', 3);
    await page.goto(`${base}/#/detections`);
    const row = page.getByTestId('detections-table').getByText(SSH_FAILED_TITLE).first();
    await expect
      .poll(
        async () => {
          if ((await row.count()) === 0) await page.reload();
          return row.count();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'detections.png') });

    await page.goto(`${base}/#/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expect
      .poll(() => page.getByTestId('tile-eps').textContent(), { timeout: 15_000 })
      .not.toContain('…');
    await page.screenshot({ path: '/tmp/vigil-ui-overview.png', fullPage: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview.png'), fullPage: true });

    const alertsApi = await fetch(`${server}/api/v1/alerts?limit=1`, {
      headers: { authorization: `Bearer ${await tokenFor(app, 'analyst')}` },
    });
    if (alertsApi.status !== 404) {
      await page.goto(`${base}/#/alerts`);
      const alertRow = page.locator('[data-alert-id]').filter({ hasText: SSH_FAILED_TITLE }).first();
      await expect.poll(() => alertRow.count(), { timeout: 20_000, interval: 500 }).toBeGreaterThan(0);
      const id = (await alertRow.getAttribute('data-alert-id'))!;
      await page.screenshot({ path: '/tmp/vigil-ui-alerts.png' });
      await page.screenshot({ path: path.join(ARTIFACTS, 'alerts.png') });
      // Keyboard triage: select the row with x, acknowledge with a.
      await alertRow.click();
      await page.keyboard.press('x');
      await page.keyboard.press('a');
      await expect
        .poll(() => page.getByTestId('action-message').textContent(), { timeout: 10_000 })
        .toContain('Acknowledged 1 alert');
      const after = (await (
        await fetch(`${server}/api/v1/alerts/${id}`, {
          headers: { authorization: `Bearer ${await tokenFor(app, 'analyst')}` },
        })
      ).json()) as { alert: { status: string } };
      expect(after.alert.status).toBe('acknowledged');

      // "Open case…" takes the selection to the new-case form with the alert already ticked.
      await page.getByTestId('open-case').click();
      await expect.poll(() => page.url()).toContain(`#/cases/new?alerts=${encodeURIComponent(id)}`);
      await expect
        .poll(() => page.getByTestId('new-case-alerts').locator('input[type=checkbox]:checked').count(), {
          timeout: 10_000,
        })
        .toBe(1);
      await page.goBack();
      await page.getByTestId('alert-total').waitFor();

      // "g d" is the shell's go-to-Detections, not the queue's keys; then back and close with a verdict.
      await page.keyboard.press('g');
      await page.keyboard.press('d');
      await page.getByRole('heading', { name: 'Detections' }).waitFor();
      await page.goBack();
      await alertRow.click();
      await page.keyboard.press('c');
      await page.getByRole('dialog', { name: 'Close with verdict' }).waitFor();
      await page.keyboard.press('2');
      await expect
        .poll(() => page.getByTestId('action-message').textContent(), { timeout: 10_000 })
        .toContain('Closed 1 alert as false positive');
      const closed = (await (
        await fetch(`${server}/api/v1/alerts/${id}`, {
          headers: { authorization: `Bearer ${await tokenFor(app, 'analyst')}` },
        })
      ).json()) as { alert: { status: string; verdict: string } };
      expect(closed.alert).toMatchObject({ status: 'closed', verdict: 'false_positive' });

      await page.goto(`${base}/#/alerts/${id}`);
      await page.getByText('Matched events').waitFor({ timeout: 10_000 });
      await page.getByText('Failed password for root from 203.0.113.77', { exact: false }).first().waitFor();
      const hit = page.getByTestId('intel-hit').first();
      await hit.waitFor({ timeout: 10_000 });
      expect(await hit.textContent()).toContain('intel 85');
      await page.screenshot({ path: path.join(ARTIFACTS, 'alert-detail.png'), fullPage: true });
    }
    await page.context().close();
  });

  it('rule page: YAML, a test bench that explains each event, exceptions made from an alert, enable/disable', async () => {
    const ruleId = '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01';
    const analystToken = await tokenFor(app, 'analyst');
    const alerts = (await (
      await fetch(`${server}/api/v1/alerts?rule=${ruleId}&limit=5`, {
        headers: { authorization: `Bearer ${analystToken}` },
      })
    ).json()) as { alerts: Array<{ id: string }> };
    expect(alerts.alerts.length).toBeGreaterThan(0);
    const page = await newPage();
    await login(page);
    // From the alert: "Create exception…" with the host ticked.
    await page.goto(`${base}/#/alerts/${alerts.alerts[0]!.id}`);
    await page.getByRole('button', { name: 'Create exception…' }).click();
    const dialog = page.getByTestId('exception-dialog');
    await dialog.getByLabel('Reason').fill('bastion health checks');
    await dialog.getByTestId('exception-save').click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Exception created: host.name=');

    await page.goto(`${base}/#/rules/${ruleId}`);
    await page.getByRole('heading', { name: 'YAML' }).waitFor();
    await page.getByTestId('rule-exceptions').getByText('bastion health checks').waitFor();
    const bench = page.getByLabel('Events (a JSON array, or one object)');
    await bench.fill(
      JSON.stringify([
        {
          '@timestamp': '2026-11-28T09:00:00Z',
          message: 'Failed password for root from 203.0.113.5 port 4242 ssh2',
          event: { module: 'system', dataset: 'system.auth' },
          process: { name: 'sshd' },
          source: { ip: '203.0.113.5' },
        },
        { '@timestamp': '2026-11-28T09:00:00Z', message: 'Accepted publickey for ops' },
      ]),
    );
    await page.getByTestId('rule-test-run').click();
    const results = page.getByTestId('rule-test-result');
    await expect.poll(() => results.count()).toBe(2);
    expect(await results.nth(0).getAttribute('data-matched')).toBe('true');
    expect(await results.nth(1).getAttribute('data-matched')).toBe('false');
    await page.screenshot({ path: path.join(ARTIFACTS, 'rule-detail.png'), fullPage: true });
    await page.getByTestId('rule-enabled').getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => page.getByTestId('rule-enabled').textContent()).toContain('no');
    await page.getByTestId('rule-enabled').getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => page.getByTestId('rule-enabled').textContent()).toContain('yes');
    await page.context().close();
  });

  it('search: inline error under the bad column, results, pivot; script payloads stay inert text', async () => {
    const payload = '<img src=x onerror="window.__vigilXss=1"><script>window.__vigilXss=2</script>';
    expect(
      (
        await post(ingest, '/api/v1/events', [
          { '@timestamp': new Date().toISOString(), message: payload, host: { name: 'xss-host' } },
        ])
      ).status,
    ).toBe(200);
    const page = await newPage();
    await login(page);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 10_000 });

    await page.goto(`${base}/#/search?q=${encodeURIComponent('host.name:xss-host bad$field:1')}&range=all`);
    await page.getByTestId('query-error').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('query-error').textContent()).toContain('column 20');
    expect(await page.getByTestId('query-underline').locator('.squiggle').textContent()).toBe('b');

    await page.getByLabel('Query').fill('host.name:xss-host');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-total').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('search-total').textContent()).toContain('1 event');
    expect(await page.getByText(payload).first().count()).toBe(1);
    await page.getByRole('button', { name: 'Expand event' }).first().click();
    await page.getByRole('tree').first().waitFor();
    expect(await page.evaluate(() => (globalThis as { __vigilXss?: number }).__vigilXss)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'search.png') });

    // Pivot: clicking a value adds it to the query.
    await page.getByRole('button', { name: 'xss-host' }).first().click();
    await expect.poll(() => decodeURIComponent(page.url())).toContain('host.name:"xss-host"');
    await page.context().close();
  });

  it('rules, sources, dead letters, audit and cases pages render; the theme toggles and persists', async () => {
    const page = await newPage();
    await login(page);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 10_000 });
    await page.goto(`${base}/#/rules`);
    await page.getByTestId('rules-table').getByText(SSH_FAILED_TITLE).first().waitFor({ timeout: 10_000 });
    await page.goto(`${base}/#/sources`);
    await page.getByTestId('sources-table').waitFor({ timeout: 10_000 });
    await page.goto(`${base}/#/deadletters`);
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await page.goto(`${base}/#/audit`);
    await page.getByTestId('audit-table').getByText('auth.login').first().waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Verify hash chain' }).click();
    await expect
      .poll(() => page.getByTestId('audit-verify').textContent(), { timeout: 10_000 })
      .toContain('Chain intact');
    // The compliance report downloads as Markdown with the session's cookie.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('compliance-report').getByRole('link', { name: 'Markdown' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^vigil-compliance-\d{4}-\d{2}-\d{2}\.md$/);
    const report = await readFile(await download.path(), 'utf8');
    expect(report).toMatch(/^# SOC compliance report/);
    expect(report).toMatch(/Hash chain verified/);
    await page.goto(`${base}/#/cases`);
    await page.getByRole('heading', { name: 'Cases' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'cases.png') });

    // Dark by default; the light theme is one click away and survives a reload.
    const theme = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } })
            .document.documentElement.dataset.theme,
      );
    expect(await theme()).toBe('dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.goto(`${base}/#/sources`);
    await page.reload();
    await page.getByTestId('sources-table').waitFor({ timeout: 10_000 });
    expect(await theme()).toBe('light');
    await page.screenshot({ path: '/tmp/vigil-ui-light.png' });
    await page.context().close();
  });

  it('is role-aware: an auditor reads but gets no triage buttons; an analyst has no audit page', async () => {
    for (const role of ['auditor', 'analyst'] as const) {
      await app.auth.createUser(
        { name: 'test', ip: null },
        { username: `ui-${role}`, password: `${role}-password-123`, role, tenants: ['default'] },
      );
    }
    const page = await newPage();
    await login(page, 'auditor-password-123', 'ui-auditor');
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 10_000 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Audit' }).count()).toBe(1);
    await page.goto(`${base}/#/alerts`);
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.locator('[data-alert-id], .state').first().waitFor({ timeout: 10_000 });
    expect(await page.getByRole('button', { name: /Acknowledge/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await login(page, 'analyst-password-123', 'ui-analyst');
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 10_000 });
    expect(await nav.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Alerts' }).count()).toBe(1);
    await page.goto(`${base}/#/audit`);
    await page.getByText('Your role (analyst) may not open Audit.').waitFor();
    await page.context().close();
  });

  it('a locked account says so, with when to try again', async () => {
    await app.auth.createUser(
      { name: 'test', ip: null },
      { username: 'ui-locked', password: 'locked-password-123', role: 'analyst', tenants: ['default'] },
    );
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${server}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ui-locked', password: `wrong-${i}` }),
      });
      expect([401, 429]).toContain(r.status);
    }
    const page = await newPage();
    await login(page, 'locked-password-123', 'ui-locked');
    await expect
      .poll(() => page.getByTestId('login-error').textContent(), { timeout: 10_000 })
      .toMatch(/locked.*Try again in \d+ (s|min)\./i);
    await page.context().close();
  });

  it('opens a deep link with its page fetched beside the session check; a page that fails to load can be retried', async () => {
    // Its own error list: the refused chunk below is the point of this test.
    const own: string[] = [];
    const page = await consolePage(browser, own);
    await signIn(page, base, 'admin', ADMIN_PASSWORD);
    let refused = 0;
    await page.route(/\/assets\/Rules-[^/]*\.js$/, async (route) => {
      if (refused++ === 0) await route.fulfill({ status: 503, body: 'try later' });
      else await route.continue();
    });
    await page.goto(`${base}/#/rules`);
    const failed = page.getByRole('alert');
    await failed.getByText('Could not load this page').waitFor();
    await failed.getByRole('button', { name: /retry/i }).click();
    await page.getByTestId('rules-table').waitFor();
    expect(refused).toBe(2);
    // The page's code is asked for before "who am I" answers, not after.
    await page.goto(`${base}/#/sources`);
    await page.reload();
    await page.getByTestId('sources-table').waitFor();
    const order = await page.evaluate<string[]>(
      "performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((p) => p.startsWith('/assets/Sources-') || p === '/api/v1/me')",
    );
    expect(order[0]).toMatch(/^\/assets\/Sources-/);
    expect(order).toContain('/api/v1/me');
    await page.context().close();
  });

  // Last: every flow above ran in pages that reported exceptions and console errors here.
  it('every page reads at WCAG AA contrast in the dark and the light theme', async () => {
    const page = await newPage();
    await login(page);
    await page.getByTestId('whoami').waitFor();
    const failures: string[] = [];
    for (const theme of ['dark', 'light']) {
      await page.evaluate(`localStorage.setItem('vigil.theme', '${theme}')`);
      for (const route of [
        '/',
        '/alerts',
        '/cases',
        '/search',
        '/detections',
        '/rules',
        '/sources',
        '/deadletters',
        '/audit',
        '/playbooks',
        '/intel',
        '/admin',
      ]) {
        await page.goto(`${base}/#${route}`);
        await page.reload();
        await page.getByTestId('whoami').waitFor();
        await page.locator('main h1').first().waitFor();
        // Let the page's data arrive so the audit reads the filled page, not only its frame.
        await page.waitForLoadState('networkidle');
        expect(await page.evaluate<string>('document.documentElement.dataset.theme')).toBe(theme);
        for (const f of await contrastFailures(page))
          failures.push(
            `${theme} ${route}: "${f.text}" ${f.element} ${f.color} on ${f.background} = ${f.ratio} < ${f.needed}`,
          );
      }
    }
    await page.evaluate(`localStorage.setItem('vigil.theme', 'dark')`);
    await page.context().close();
    expect([...new Set(failures)]).toEqual([]);
  }, 120_000);

  it('the console logged no errors: no exceptions, no CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
