/**
 * Hunting on the Search page in a real browser (Debian's Chromium via playwright-core) against a
 * real Vigil: an admin runs a search, saves it, previews and sets a threshold schedule (a piped
 * query is refused with the server's reason), exports the results, runs a Sigma retro-hunt over
 * events posted through the API and pivots from its hit to the event; an analyst sees no
 * Schedule button.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { ARTIFACTS, CHROMIUM, consolePage, ensureWebBuild, launchChromium, signIn } from '../support/ui.js';
import { ADMIN_PASSWORD, bearer, startTestApp, tokenFor } from '../../src/test-support/app.js';
import { until } from '../../src/test-support/until.js';

const QUERY = 'event.dataset:vpn.auth AND event.outcome:failure';
const SAVED = 'VPN refusals (UI)';
const RULE = `
title: Encoded PowerShell
id: 7d0c6f0e-1111-4c2b-8f4e-2a6b6c0de0aa
status: test
logsource: { category: process_creation, product: windows }
detection:
  selection:
    Image|endswith: '\\powershell.exe'
    CommandLine|contains: ' -enc '
  condition: selection
level: high
`;

/** The console as the server serves it: rebuilt when web/ changed since the last build. */
const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) process.stderr.write(`ui-hunting: skipped, ${CHROMIUM} is not installed\n`);

describe.skipIf(chromiumMissing)('hunting on the Search page in Chromium', () => {
  let app: VigilApp;
  let base: string;
  let browser: Browser;
  let ingest: string;
  let analyst: string;
  const pageErrors: string[] = [];

  const api = async <T>(
    token: string,
    url: string,
    init: RequestInit = {},
  ): Promise<{ status: number; json: T }> => {
    const r = await fetch(`${base}${url}`, {
      ...init,
      headers: { ...bearer(token), 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    const text = await r.text();
    return { status: r.status, json: (text ? JSON.parse(text) : undefined) as T };
  };

  // Expected answers the page handles: "who am I" before login (401), the analyst's refused
  // delete (403, shown inline), a saved search with no schedule yet (404, shown as "no
  // schedule"), the piped query's refusal (400, shown inline).
  const newPage = (): Promise<Page> =>
    consolePage(
      browser,
      pageErrors,
      (status, url) =>
        status === '401' ||
        (status === '403' && /\/saved-searches\/[^/]+$/.test(url)) ||
        (status === '404' && /\/saved-searches\/[^/]+\/schedule$/.test(url)) ||
        (status === '400' && /\/schedule\/preview$/.test(url)),
    );

  const login = (page: Page, username = 'admin', password = ADMIN_PASSWORD) =>
    signIn(page, base, username, password);

  beforeAll(async () => {
    ensureWebBuild();
    app = await startTestApp({}, (c) => {
      c.hunting.scheduleTickSeconds = 1;
      c.hunting.scheduleGraceSeconds = 0;
      c.hunting.huntPollSeconds = 0.2;
    });
    base = `http://127.0.0.1:${app.ports.http}`;
    ingest = await tokenFor(app, 'ingest');
    analyst = await tokenFor(app, 'analyst');
    browser = await launchChromium();

    // Four refused VPN logins inside the last closed minute, and two process starts three days ago.
    const ts = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30_000).toISOString();
    const vpn = Array.from({ length: 4 }, (_, i) => ({
      '@timestamp': ts,
      message: `VPN login refused for carol attempt ${i}`,
      event: { dataset: 'vpn.auth', outcome: 'failure' },
      user: { name: 'carol' },
    }));
    const now = Date.now();
    const sysmon = [
      {
        cmd: 'powershell.exe -nop -enc SQBFAFgA',
        image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      },
      { cmd: 'notepad.exe report.txt', image: 'C:\\Windows\\System32\\notepad.exe' },
    ].map((d, i) => ({
      '@timestamp': new Date(now - 3 * 86_400_000 + i * 1000).toISOString(),
      event: { code: '1', provider: 'Microsoft-Windows-Sysmon' },
      winlog: {
        channel: 'Microsoft-Windows-Sysmon/Operational',
        event_id: 1,
        event_data: { Image: d.image, CommandLine: d.cmd },
      },
      host: { name: 'ws-ui-12' },
    }));
    const ing = await api<{ accepted: number }>(ingest, '/api/v1/events', {
      method: 'POST',
      body: JSON.stringify([...vpn, ...sysmon]),
    });
    expect(ing.json.accepted).toBe(6);
    // Ingestion is asynchronous: wait until the four VPN events are searchable.
    await until(async () => {
      const r = await api<{ total: number }>(
        analyst,
        `/api/v1/events/search?q=${encodeURIComponent(QUERY)}&from=${new Date(now - 86_400_000).toISOString()}`,
      );
      return r.json.total === 4 ? true : undefined;
    }, 20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('an admin saves a search, previews and sets a threshold schedule, and exports', async () => {
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/search`);
    await page.getByLabel('Query').fill(QUERY);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByTestId('search-total').textContent()).toContain('4 events');

    // Save it, shared.
    await page.getByRole('button', { name: 'Save…' }).click();
    const save = page.getByTestId('save-dialog');
    await save.getByLabel('Name').fill(SAVED);
    await save.getByLabel('Shared with the tenant').check();
    await save.getByRole('button', { name: 'Save', exact: true }).click();
    await save.waitFor({ state: 'detached' });
    const listed = await api<{
      searches: Array<{ id: string; name: string; query: string; shared: boolean }>;
    }>(analyst, '/api/v1/saved-searches');
    const saved = listed.json.searches.find((s) => s.name === SAVED);
    expect(saved).toMatchObject({ query: QUERY, shared: true });

    // A piped query saved elsewhere: the server refuses to schedule it, and the dialog says why.
    const piped = await api<{ id: string }>(analyst, '/api/v1/saved-searches', {
      method: 'POST',
      body: JSON.stringify({ name: 'Piped (UI)', query: 'event.dataset:vpn.auth | head 5', shared: true }),
    });
    expect(piped.status).toBe(201);

    await page.getByRole('button', { name: /^Saved/ }).click();
    const row = page.getByTestId('saved-search').filter({ hasText: SAVED });
    await row.waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-saved.png') });

    await page.getByRole('button', { name: 'Schedule Piped (UI)' }).click();
    let dialog = page.getByTestId('schedule-dialog');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => dialog.getByTestId('schedule-error').textContent()).toMatch(/remove the pipes/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    await row.getByRole('button', { name: `Schedule ${SAVED}` }).click();
    dialog = page.getByTestId('schedule-dialog');
    await dialog.getByLabel('Kind').selectOption('threshold');
    await dialog.getByLabel('Operator').selectOption('>=');
    await dialog.getByLabel('Value').fill('3');
    await dialog.getByLabel('Group by field (optional)').fill('user.name');
    await dialog.getByLabel('Every (minutes)').fill('1');
    await dialog.getByLabel('Window (minutes)').fill('10');
    await dialog.getByLabel('Level').selectOption('high');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const preview = dialog.getByTestId('schedule-preview');
    await expect.poll(() => preview.textContent()).toContain('1 alert would fire');
    expect(await preview.textContent()).toContain('user.name=carol');
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-schedule.png') });
    await dialog.getByRole('button', { name: 'Save schedule' }).click();
    await dialog.getByText('Schedule saved.').waitFor();
    const sched = await api<{
      schedule: { kind: string; op: string; value: number; by: string };
      enabled: boolean;
    }>(analyst, `/api/v1/saved-searches/${saved!.id}/schedule`);
    expect(sched.status).toBe(200);
    expect(sched.json).toMatchObject({
      enabled: true,
      schedule: { kind: 'threshold', op: '>=', value: 3, by: 'user.name', level: 'high' },
    });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The scheduled list shows it; its first run (every second here) ends as ok with one alert.
    const scheduled = page.getByTestId('scheduled-searches');
    await expect.poll(() => scheduled.textContent()).toContain(SAVED);

    // Export: plain links to the streaming route for the current query and range.
    const csvHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(csvHref).toMatch(/^\/api\/v1\/search\/export\?format=csv&q=/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export NDJSON' }).click(),
    ]);
    const file = await download.path();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => (JSON.parse(l) as { user: { name: string } }).user.name)).toEqual([
      'carol',
      'carol',
      'carol',
      'carol',
    ]);
    await page.context().close();
  }, 90_000);

  it('an admin runs a Sigma retro-hunt, follows it to done and pivots from its hit', async () => {
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/search`);
    await page.getByRole('tab', { name: 'Sigma retro-hunt' }).click();
    await page.getByLabel('Sigma rule YAML').fill(RULE);
    await page.getByLabel('Raise alerts').check();
    await page.getByRole('button', { name: 'Start hunt' }).click();
    const job = page.getByTestId('hunt-job').first();
    await job.waitFor();
    await expect.poll(() => job.getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    expect(await job.getByTestId('hunt-hits-count').textContent()).toBe('1 hit');
    expect(await job.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await job.getByRole('button', { name: 'View hits' }).click();
    const hits = job.getByTestId('hunt-hits');
    await hits.waitFor();
    expect(await hits.locator('tbody tr').count()).toBe(1);
    expect(await hits.textContent()).toContain('Encoded PowerShell');
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-retro-hunt.png'), fullPage: true });
    // The same panel in the light theme: colours come from the theme's variables.
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-retro-hunt-light.png'), fullPage: true });

    // The event id pivots to a search for exactly that event.
    const eventId = (await hits.locator('tbody tr td').first().textContent())!.trim();
    await hits.getByRole('button', { name: eventId }).click();
    await expect.poll(() => page.getByLabel('Query').inputValue()).toBe(`event.id:"${eventId}"`);
    await expect.poll(() => page.getByTestId('search-total').textContent()).toContain('1 event');
    await page.context().close();
  }, 90_000);

  it('an analyst sees saved searches but no Schedule button', async () => {
    await app.auth.createUser(
      { name: 'test', ip: null },
      {
        username: 'hunt-analyst',
        password: 'analyst-hunt-password-1',
        role: 'analyst',
        tenants: ['default'],
      },
    );
    const page = await newPage();
    await login(page, 'hunt-analyst', 'analyst-hunt-password-1');
    await page.goto(`${base}/#/search`);
    await page.getByRole('button', { name: /^Saved/ }).click();
    await page.getByTestId('saved-search').filter({ hasText: SAVED }).waitFor();
    expect(await page.getByRole('button', { name: /^Schedule/ }).count()).toBe(0);
    // Someone else's shared search: the server refuses the delete and the row says why.
    page.on('dialog', (d) => void d.accept());
    const theirs = page.getByTestId('saved-search').filter({ hasText: SAVED });
    await theirs.getByRole('button', { name: `Delete ${SAVED}` }).click();
    await expect.poll(() => theirs.getByRole('alert').textContent()).toMatch(/only the owner/);
    // Their own: saved privately, then renamed in place.
    await page.getByRole('button', { name: 'Save…' }).click();
    await page.getByTestId('save-dialog').getByLabel('Name').fill('mine');
    await page.getByTestId('save-dialog').getByRole('button', { name: 'Save', exact: true }).click();
    const mine = page.getByTestId('saved-search').filter({ hasText: 'mine' });
    await mine.getByRole('button', { name: 'Rename mine' }).click();
    // While renaming, the row's name is an input's value, not its text: find the input by its label.
    await page.getByLabel('New name for mine').fill('mine, renamed');
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.getByRole('button', { name: 'mine, renamed', exact: true }).waitFor();
    // The scheduled list is for everyone who may read the search.
    await expect.poll(() => page.getByTestId('scheduled-searches').textContent()).toContain(SAVED);
    await page.getByRole('tab', { name: 'Sigma retro-hunt' }).click();
    await page.getByLabel('Sigma rule YAML').waitFor();
    // Raising alerts from a hunt needs alerts:write, which an analyst holds.
    expect(await page.getByLabel('Raise alerts').count()).toBe(1);
    await page.context().close();
  }, 60_000);

  it('a rule on the Rules page opens the retro-hunt with its YAML', async () => {
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/rules`);
    await page.getByTestId('rules-table').waitFor();
    const link = page.getByRole('link', { name: /^Retro-hunt with / }).first();
    const title = ((await link.getAttribute('aria-label')) ?? '').replace(/^Retro-hunt with /, '');
    await link.click();
    const editor = page.getByLabel('Sigma rule YAML');
    await expect.poll(() => editor.inputValue()).toContain('detection');
    expect(await editor.inputValue()).toContain(title);
    await page.context().close();
  }, 60_000);

  it('every path the hunting UI calls is in the server OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    const paths = [
      '/api/v1/saved-searches',
      '/api/v1/saved-searches/{id}',
      '/api/v1/saved-searches/{id}/schedule',
      '/api/v1/saved-searches/{id}/schedule/preview',
      '/api/v1/scheduled-searches',
      '/api/v1/search/export',
      '/api/v1/hunts/sigma',
      '/api/v1/hunts/sigma/{id}/hits',
      '/api/v1/hunts/sigma/{id}/cancel',
      '/api/v1/rules/{id}',
    ];
    expect(paths.filter((p) => !(p in doc.paths))).toEqual([]);
  });

  it('the console logged no errors while doing all of that', () => {
    expect(pageErrors).toEqual([]);
  });
});
