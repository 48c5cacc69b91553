/**
 * Console pages for response and intel in a real browser (Debian's Chromium via playwright-core)
 * against a real Vigil: edit and validate a playbook (error shown at its line), run it, watch its
 * steps, approve the pending step; search intel; see a new alert arrive in the queue without reload.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { ARTIFACTS, consolePage, ensureWebBuild, launchChromium, signIn } from '../support/ui.js';
import { ADMIN_PASSWORD, startTestApp, tokenFor } from '../../src/test-support/app.js';

const XSS = '<img src=x onerror="window.__pbXss=1"><script>window.__pbXss=2</script>';

const BROKEN = `id: ui-approve
name: UI approval
enabled: true
triggers:
  - manual: true
steps:
  - { id: note, action: log, with: { message: hello } }
  - { id: bad, nope: 1 }
`;

const GOOD = `id: ui-approve
name: UI approval
enabled: true
triggers:
  - manual: true
inputs:
  ip: { type: string }
steps:
  - id: note
    action: log
    with:
      message: "checking \${{ inputs.ip }}"
  - id: approve
    approval: { role: analyst, message: "Block \${{ inputs.ip }}?", timeout: 30m, default: reject }
  - id: done
    if: steps.approve.output.approved
    action: log
    with:
      message: approved
`;

describe('console: playbooks, intel and live alerts in Chromium', () => {
  let app: VigilApp;
  let base: string;
  let browser: Browser;
  let ingest: string;
  let analyst: string;
  const pageErrors: string[] = [];

  const post = async (token: string, url: string, body: unknown) => {
    const r = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as unknown };
  };

  const newPage = (): Promise<Page> => consolePage(browser, pageErrors);

  const login = async (page: Page, username = 'admin', password = ADMIN_PASSWORD) => {
    await signIn(page, base, username, password, false);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15_000 });
  };

  beforeAll(async () => {
    ensureWebBuild();
    app = await startTestApp();
    base = `http://127.0.0.1:${app.ports.http}`;
    ingest = await tokenFor(app, 'ingest');
    analyst = await tokenFor(app, 'analyst');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('edits a playbook (error at its line), saves, runs it, shows the steps and approves the waiting one', async () => {
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/playbooks/new`);
    const editor = page.getByLabel('Playbook YAML');
    await editor.waitFor({ timeout: 10_000 });
    await editor.fill(BROKEN);
    await expect
      .poll(() => page.getByTestId('editor-errors').textContent(), { timeout: 10_000 })
      .toContain('line 8');
    expect(await page.locator('.code-line-no.bad[data-line="8"]').count()).toBe(1);
    expect(await page.getByTestId('validation-state').textContent()).toMatch(/1 error/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'playbook-editor-error.png') });

    await editor.fill(GOOD);
    await expect
      .poll(() => page.getByTestId('validation-state').textContent(), { timeout: 10_000 })
      .toBe('valid');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect
      .poll(() => page.getByTestId('save-message').textContent(), { timeout: 10_000 })
      .toContain('Saved ui-approve as version 1');
    await expect.poll(() => page.url()).toContain('#/playbooks/ui-approve');

    // A second version, then the diff between v1 and it.
    await editor.fill(GOOD.replace('name: UI approval', 'name: UI approval (v2)'));
    await page.getByRole('button', { name: 'Save new version' }).click();
    await expect
      .poll(() => page.getByTestId('save-message').textContent(), { timeout: 10_000 })
      .toContain('version 2');
    await page.getByLabel('Older version').selectOption('1');
    await page.getByLabel('Newer version').selectOption('2');
    await page.getByTestId('diff').locator('.diff-add').first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('diff').locator('.diff-add').first().textContent()).toContain(
      'name: UI approval (v2)',
    );

    // Run for real (dry run off): the log step runs, the approval waits.
    await page.getByLabel('Inputs (JSON)').fill('{"ip": "203.0.113.9"}');
    await page.getByRole('checkbox', { name: /Dry run/ }).uncheck();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('run-steps').waitFor({ timeout: 10_000 });
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 })
      .toContain('waiting');
    const approval = page.getByTestId('approval');
    await approval.waitFor({ timeout: 10_000 });
    expect(await approval.textContent()).toContain('Block 203.0.113.9?');
    expect(await page.locator('tr[data-step="note"]').textContent()).toContain('succeeded');
    await page.locator('tr[data-step="note"]').getByRole('button', { name: 'Input / output' }).click();
    await page.getByText('checking 203.0.113.9').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'playbook-run-waiting.png'), fullPage: true });

    await approval.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 15_000 })
      .toContain('succeeded');
    await page.locator('tr[data-step="done"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('tr[data-step="done"]').textContent()).toContain('succeeded');
    expect(await page.getByText(/Approved by admin/).count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'playbook-run-done.png'), fullPage: true });

    await page.goto(`${base}/#/playbooks`);
    await page.getByTestId('playbooks-table').getByText('UI approval (v2)').waitFor({ timeout: 10_000 });
    expect(await page.locator('tr[data-playbook-id="ui-approve"]').textContent()).toContain('manual');
    await page.getByTestId('runs-table').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'playbooks.png'), fullPage: true });

    // Import from a file: validated by the server, listed afterwards.
    await page.locator('input[type="file"]').setInputFiles({
      name: 'imported.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(
        GOOD.replace('id: ui-approve', 'id: ui-imported').replace('UI approval', 'UI imported'),
      ),
    });
    await expect
      .poll(() => page.getByTestId('playbooks-message').textContent(), { timeout: 10_000 })
      .toContain('Imported ui-imported v1');
    await page.locator('tr[data-playbook-id="ui-imported"]').waitFor({ timeout: 10_000 });
    await page.context().close();
  }, 90_000);

  it('is role-aware: an auditor reads playbooks but gets no edit, import or run controls', async () => {
    await app.auth.createUser(
      { name: 'test', ip: null },
      { username: 'pb-auditor', password: 'auditor-password-123', role: 'auditor', tenants: ['default'] },
    );
    const page = await newPage();
    await login(page, 'pb-auditor', 'auditor-password-123');
    await page.goto(`${base}/#/playbooks`);
    await page.getByTestId('playbooks-table').waitFor({ timeout: 10_000 });
    expect(await page.getByRole('link', { name: 'New playbook' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Import YAML' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Run/ }).count()).toBe(0);
    await page.goto(`${base}/#/playbooks/ui-approve`);
    const editor = page.getByLabel('Playbook YAML');
    await editor.waitFor({ timeout: 10_000 });
    expect(await editor.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByRole('button', { name: 'Save new version' }).count()).toBe(0);
    await page.context().close();
  });

  it('intel: searching by value shows the indicator; its page shows provenance', async () => {
    const added = await post(analyst, '/api/v1/intel/indicators', {
      indicators: [
        {
          type: 'ipv4',
          value: '198.51.100.99',
          name: 'ui test c2',
          confidence: 80,
          tlp: 'amber',
          source: 'ui-test-feed',
          description: XSS,
        },
      ],
    });
    expect(added.status).toBe(200);
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/intel`);
    await page.getByRole('heading', { name: 'Threat intelligence' }).waitFor();
    await page.getByLabel('Value (exact)').fill('198.51.100.99');
    await page.getByLabel('TLP').selectOption('amber');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByTestId('indicators-table').locator('tr[data-indicator-id]');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.textContent()).toContain('ui test c2');
    expect(await row.textContent()).toContain('TLP:AMBER');
    await page.screenshot({ path: path.join(ARTIFACTS, 'intel.png'), fullPage: true });
    await row.getByRole('link', { name: '198.51.100.99' }).click();
    await page.getByTestId('provenance-table').getByText('ui-test-feed').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('indicator-value').textContent()).toBe('198.51.100.99');
    // Feed text is shown as text: the planted markup is visible and inert.
    await page.getByText(XSS).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pbXss?: number }).__pbXss)).toBeUndefined();
    await page.context().close();
  });

  it('a new alert arrives in the open queue without a reload', async () => {
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/alerts`);
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 }).toBe('live');
    await page.locator('[data-alert-id], .state').first().waitFor({ timeout: 10_000 });
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));

    const sshFailure = async (host: string, ip: string) => {
      const r = await post(ingest, '/api/v1/events', [
        {
          '@timestamp': new Date().toISOString(),
          message: `Failed password for root from ${ip} port 40123 ssh2`,
          event: { module: 'system', dataset: 'system.auth' },
          host: { name: host },
          source: { ip },
          user: { name: 'root' },
          process: { name: 'sshd' },
        },
      ]);
      expect(r.status).toBe(200);
    };

    await sshFailure('ui-live-host', '192.0.2.150');
    // The arrival notice comes only from the stream (polling does not set it).
    await page.getByTestId('live-arrivals').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('live-arrivals').textContent()).toMatch(/1 new alert arrived/);
    const first = page.locator('.grid-row.fresh[data-alert-id]').filter({ hasText: 'ui-live-host' });
    await expect.poll(() => first.count(), { timeout: 10_000 }).toBe(1);
    const firstId = (await first.getAttribute('data-alert-id'))!;
    await first.locator('span.mono').click();

    // A second alert lands above it (newest activity first): the keyboard cursor stays on the first.
    await sshFailure('ui-live-host-2', '192.0.2.151');
    await expect
      .poll(() => page.getByTestId('live-arrivals').textContent(), { timeout: 15_000 })
      .toMatch(/2 new alerts arrived/);
    const second = page.locator('[data-alert-id]').filter({ hasText: 'ui-live-host-2' });
    await expect.poll(() => second.count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('.grid-row.cursor').getAttribute('data-alert-id')).toBe(firstId);
    expect(navigations.filter((u) => !u.includes('#/alerts'))).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'alerts-live.png') });

    // The overview shows it too, with the trends and the ATT&CK heatmap.
    await page.goto(`${base}/#/`);
    await page.getByTestId('attack-heatmap').waitFor({ timeout: 15_000 });
    expect(
      Number(await page.locator('[data-technique="T1110"]').first().getAttribute('data-rules')),
    ).toBeGreaterThan(0);
    // The SSH failures just alerted on are T1110: the cell says the technique produced alerts.
    expect(
      Number(await page.locator('[data-technique="T1110"]').first().getAttribute('data-alerts')),
    ).toBeGreaterThan(0);
    await page.getByTestId('soc-trends').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.getByTestId('soc-trends').textContent(), { timeout: 10_000 })
      .toContain('today: 2 created');
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-coverage.png'), fullPage: true });
    await page.context().close();
  });

  it('the pages logged no errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
