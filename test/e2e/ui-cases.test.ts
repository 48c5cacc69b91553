/**
 * The case page and the admin pages in a real browser (Debian's Chromium via playwright-core)
 * against a real Vigil: open a case from alerts, work it (task, comment, evidence, status), read its
 * audit history; an admin creates a user who then signs in, and a token whose secret is shown once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { ARTIFACTS, CHROMIUM, consolePage, ensureWebBuild, launchChromium, signIn } from '../support/ui.js';
import { ADMIN_PASSWORD, bearer, startTestApp, tokenFor } from '../../src/test-support/app.js';

const HOST = 'case-ui-host';

/** The console as the server serves it: rebuilt when web/ changed since the last build. */
const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) process.stderr.write(`ui-cases: skipped, ${CHROMIUM} is not installed\n`);

describe.skipIf(chromiumMissing)('case page and admin pages in Chromium', () => {
  let app: VigilApp;
  let base: string;
  let browser: Browser;
  let ingest: string;
  let analyst: string;
  let auditor: string;
  let caseId = '';
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

  const newPage = (): Promise<Page> => consolePage(browser, pageErrors);

  const login = (page: Page, username = 'admin', password = ADMIN_PASSWORD) =>
    signIn(page, base, username, password);

  beforeAll(async () => {
    ensureWebBuild();
    app = await startTestApp();
    base = `http://127.0.0.1:${app.ports.http}`;
    ingest = await tokenFor(app, 'ingest');
    analyst = await tokenFor(app, 'analyst');
    auditor = await tokenFor(app, 'auditor');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('opens a case from an alert, adds a task, comments, uploads evidence with its SHA-256, resolves it', async () => {
    // sshd failures from one host: the built-in rule pack raises an alert for it.
    const now = Date.now();
    const docs = Array.from({ length: 3 }, (_, i) => ({
      '@timestamp': new Date(now - 1000 + i).toISOString(),
      message: `Failed password for root from 198.51.100.23 port ${41000 + i} ssh2`,
      event: { module: 'system', dataset: 'system.auth' },
      host: { name: HOST },
      source: { ip: '198.51.100.23' },
      user: { name: 'root' },
      process: { name: 'sshd' },
    }));
    const ing = await api<{ accepted: number }>(ingest, '/api/v1/events', {
      method: 'POST',
      body: JSON.stringify(docs),
    });
    expect(ing.json.accepted).toBe(3);
    let alertId = '';
    await expect
      .poll(
        async () => {
          const r = await api<{ alerts: Array<{ id: string }> }>(analyst, `/api/v1/alerts?q=${HOST}`);
          alertId = r.json.alerts[0]?.id ?? '';
          return alertId;
        },
        { timeout: 20_000, interval: 500 },
      )
      .not.toBe('');

    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/cases`);
    await page.getByRole('button', { name: 'New case' }).click();
    await page.getByRole('heading', { name: 'New case' }).waitFor();
    await page.getByLabel('Filter open alerts').fill(HOST);
    const pick = page.getByRole('checkbox', { name: new RegExp(`Link alert .*${HOST}`) });
    await pick.waitFor({ timeout: 10_000 });
    await pick.check();
    await page.getByRole('button', { name: 'Create case from 1 alert' }).click();

    // The case page: its id is in the URL, and the server has the alert linked to it.
    await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(/#\/cases\/(?!new$)[^/?]+$/);
    caseId = decodeURIComponent(page.url().split('#/cases/')[1]!);
    await page.getByRole('heading', { name: /^#\d+ / }).waitFor();
    const linked = await api<{ alerts: Array<{ id: string }> }>(analyst, `/api/v1/cases/${caseId}/alerts`);
    expect(linked.json.alerts.map((a) => a.id)).toEqual([alertId]);
    await page.getByRole('tab', { name: /Alerts/ }).click();
    await page.getByTestId('case-alerts').getByText('SSH Failed Password').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-page.png'), fullPage: true });

    // A task, then its status worked from the table.
    await page.getByRole('tab', { name: /Tasks/ }).click();
    await page.getByLabel('New task').fill('Block 198.51.100.23 at the edge');
    await page.getByRole('button', { name: 'Add task' }).click();
    const taskRow = page
      .getByTestId('case-tasks')
      .locator('tr', { hasText: 'Block 198.51.100.23 at the edge' });
    await taskRow.waitFor({ timeout: 10_000 });
    await page.getByLabel('Status of Block 198.51.100.23 at the edge').selectOption('done');
    await expect
      .poll(async () => {
        const r = await api<{ tasks: Array<{ title: string; status: string }> }>(
          analyst,
          `/api/v1/cases/${caseId}/tasks`,
        );
        return r.json.tasks.find((t) => t.title === 'Block 198.51.100.23 at the edge')?.status;
      })
      .toBe('done');

    // A Markdown comment carrying a script payload: the markup renders, the payload stays text.
    await page.getByRole('tab', { name: /Comments/ }).click();
    const payload = '<img src=x onerror="window.__vigilXss=1"><script>window.__vigilXss=2</script>';
    await page.getByLabel(/^Comment \(Markdown/).fill(`Contained the **bastion**. ${payload}`);
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const comments = page.getByTestId('case-comments');
    await comments.locator('strong', { hasText: 'bastion' }).waitFor({ timeout: 10_000 });
    expect(await comments.textContent()).toContain(payload);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __vigilXss?: number }).__vigilXss)).toBeUndefined();
    // The author edits their comment in place; the page says it was edited.
    await comments.getByRole('button', { name: 'Edit' }).first().click();
    await page.getByLabel('Comment text').fill('Contained the **bastion**; keys rotated.');
    await page.getByRole('form', { name: 'Edit the comment' }).getByRole('button', { name: 'Save' }).click();
    // The editor closes once the server has the new text; until then 'keys rotated.' may be the
    // editor's own, so wait for it to go before reading the comment.
    await page.getByRole('form', { name: 'Edit the comment' }).waitFor({ state: 'detached' });
    await comments.getByText('keys rotated.').waitFor();
    expect(await comments.textContent()).toMatch(/edited/);

    // Evidence: the page shows the SHA-256 the test computes itself, and the custody log.
    await page.getByRole('tab', { name: /Evidence/ }).click();
    const bytes = Buffer.from(`pcap excerpt for ${HOST} ${now}\n`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    await page
      .getByLabel('Evidence file')
      .setInputFiles({ name: 'excerpt.txt', mimeType: 'text/plain', buffer: bytes });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByTestId('evidence-sha256').first().waitFor({ timeout: 10_000 });
    expect((await page.getByTestId('evidence-sha256').first().textContent())?.trim()).toBe(sha);
    expect(await page.getByTestId('evidence-msg').textContent()).toContain(sha);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download' }).first().click();
    const file = await (await download).path();
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(sha);
    await page.getByRole('button', { name: 'Custody' }).first().click();
    const custody = page.getByTestId('custody-log');
    await custody.getByText('downloaded', { exact: true }).waitFor({ timeout: 10_000 });
    expect(await custody.getByText('added', { exact: true }).count()).toBe(1);

    // Status change, with the resolution the server demands.
    await page.getByTestId('case-status-select').selectOption('resolved');
    await page.getByLabel('Resolution').selectOption('true_positive');
    await page.getByRole('button', { name: 'Set status' }).click();
    await expect
      .poll(() => page.getByTestId('case-status').textContent(), { timeout: 10_000 })
      .toContain('resolved');
    const after = await api<{ status: string; resolution: string }>(analyst, `/api/v1/cases/${caseId}`);
    expect(after.json).toMatchObject({ status: 'resolved', resolution: 'true_positive' });

    // The timeline has the comment and the status change; the audit tab has each write.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    const tl = page.getByTestId('case-timeline');
    await tl.getByText('Contained the **bastion**', { exact: false }).waitFor({ timeout: 10_000 });
    await page.getByRole('tab', { name: 'Audit history' }).click();
    const audit = page.getByTestId('case-audit');
    await audit.getByText('case.task.create').waitFor({ timeout: 10_000 });
    for (const action of ['case.create', 'case.comment.add', 'case.evidence.add'])
      expect(await audit.getByText(action, { exact: true }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-audit.png'), fullPage: true });
    await page.context().close();
  }, 180_000);

  it('case audit history is an audit:read route: an auditor reads it, an analyst is refused', async () => {
    expect(caseId).not.toBe('');
    const denied = await api<{ error: { code: string } }>(analyst, `/api/v1/cases/${caseId}/audit`);
    expect(denied.status).toBe(403);
    const ok = await api<{ records: Array<{ action: string; target: string }> }>(
      auditor,
      `/api/v1/cases/${caseId}/audit`,
    );
    expect(ok.status).toBe(200);
    expect(ok.json.records.map((r) => r.action)).toContain('case.create');
    expect(ok.json.records.every((r) => r.target === caseId || r.target.startsWith(`${caseId}/`))).toBe(true);
    const missing = await api<unknown>(auditor, '/api/v1/cases/no-such-case/audit');
    expect(missing.status).toBe(404);
  });

  it('the case page is role-aware, and a Markdown description with a script payload stays inert', async () => {
    expect(caseId).not.toBe('');
    const manager = await tokenFor(app, 'manager');
    const payload = '<img src=x onerror="window.__vigilXss=3">';
    const patched = await api<unknown>(manager, `/api/v1/cases/${caseId}`, {
      method: 'PATCH',
      body: JSON.stringify({ description: `Seen on **${HOST}** first. ${payload}` }),
    });
    expect(patched.status).toBe(200);
    for (const role of ['auditor', 'analyst'] as const) {
      await app.auth.createUser(
        { name: 'test', ip: null },
        { username: `case-${role}`, password: `${role}-case-password-1`, role, tenants: ['default'] },
      );
    }

    const page = await newPage();
    await login(page, 'case-auditor', 'auditor-case-password-1');
    await page.goto(`${base}/#/cases/${caseId}`);
    const description = page.getByTestId('case-description');
    await description.locator('strong', { hasText: HOST }).waitFor({ timeout: 10_000 });
    expect(await description.textContent()).toContain(payload);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __vigilXss?: number }).__vigilXss)).toBeUndefined();
    // The auditor reads everything, audit history included, and has nothing to press.
    expect(await page.getByRole('button', { name: 'Edit case' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Set status' }).count()).toBe(0);
    await page.getByRole('tab', { name: /Tasks/ }).click();
    await page.getByTestId('case-tasks').waitFor();
    expect(await page.getByRole('button', { name: 'Add task' }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Audit history' }).click();
    await page.getByTestId('case-audit').getByText('case.update', { exact: false }).first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    // An analyst works the case but may not upload evidence or read the audit trail.
    await login(page, 'case-analyst', 'analyst-case-password-1');
    await page.goto(`${base}/#/cases/${caseId}?tab=evidence`);
    await page.getByTestId('case-evidence').waitFor({ timeout: 10_000 });
    expect(await page.getByRole('button', { name: 'Upload' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit case' }).count()).toBe(1);
    expect(await page.getByRole('tab', { name: 'Audit history' }).count()).toBe(0);
    await page.context().close();
  }, 90_000);

  it('splits an alert out into a new case, then merges that case back from the case page', async () => {
    expect(caseId).not.toBe('');
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/cases/${caseId}?tab=alerts`);
    await page.getByRole('checkbox', { name: /^Select alert SSH Failed Password/ }).check();
    await page.getByRole('button', { name: 'Split 1 into a new case' }).click();
    await expect
      .poll(() => page.url(), { timeout: 10_000 })
      .toMatch(new RegExp(`#/cases/(?!${caseId})[^/?]+$`));
    const splitId = decodeURIComponent(page.url().split('#/cases/')[1]!);
    const moved = await api<{ alerts: Array<{ id: string }> }>(analyst, `/api/v1/cases/${splitId}/alerts`);
    expect(moved.json.alerts).toHaveLength(1);
    expect(
      (await api<{ alerts: unknown[] }>(analyst, `/api/v1/cases/${caseId}/alerts`)).json.alerts,
    ).toHaveLength(0);

    // Fold the new case back into the first one.
    await page.getByRole('heading', { name: /^#\d+ / }).waitFor();
    await page.getByRole('button', { name: 'Merge into…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge case' });
    const target = await api<{ number: number }>(analyst, `/api/v1/cases/${caseId}`);
    await dialog.getByLabel('Into').selectOption({ value: caseId });
    expect(await dialog.getByLabel('Into').locator('option:checked').textContent()).toContain(
      `#${target.json.number} `,
    );
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(new RegExp(`#/cases/${caseId}$`));
    const merged = await api<{ mergedInto: string | null; status: string }>(
      analyst,
      `/api/v1/cases/${splitId}`,
    );
    expect(merged.json).toMatchObject({ mergedInto: caseId, status: 'closed' });
    const back = await api<{ alerts: unknown[] }>(analyst, `/api/v1/cases/${caseId}/alerts`);
    expect(back.json.alerts).toHaveLength(1);
    await page.context().close();
  }, 90_000);

  it('an admin creates a user who then signs in with that role; the admin link follows the role', async () => {
    const page = await newPage();
    await login(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByTestId('users-table').waitFor({ timeout: 10_000 });
    await page.getByLabel('User name').fill('ui-new-investigator');
    await page.getByLabel('Initial password').fill('investigator-password-123');
    await page.getByRole('form', { name: 'Create a user' }).getByLabel('Role').selectOption('investigator');
    await page.getByLabel('Tenants (comma separated)').fill('default');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect
      .poll(() => page.getByTestId('create-user-msg').textContent(), { timeout: 10_000 })
      .toContain('Created ui-new-investigator');
    await page.getByTestId('users-table').locator('[data-username="ui-new-investigator"]').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-users.png') });
    await page.getByRole('button', { name: 'Sign out' }).click();

    await login(page, 'ui-new-investigator', 'investigator-password-123');
    expect(await page.getByTestId('whoami').textContent()).toContain('investigator');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Cases' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto(`${base}/#/admin`);
    await page.getByText('Your role (investigator) may not open Admin.').waitFor();
    await page.context().close();
  }, 90_000);

  it('an admin disables a user, who can no longer sign in', async () => {
    await app.auth.createUser(
      { name: 'test', ip: null },
      { username: 'ui-to-disable', password: 'disable-password-123', role: 'analyst', tenants: ['default'] },
    );
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/admin/users`);
    const row = page.getByTestId('users-table').locator('[data-username="ui-to-disable"]');
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('disabled').waitFor({ timeout: 10_000 });
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ui-to-disable', password: 'disable-password-123' }),
    });
    expect(r.status).not.toBe(200);
    await page.context().close();
  }, 90_000);

  it('a token secret is shown once and works; revoking it stops it', async () => {
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/admin/tokens`);
    await page.getByLabel('Token name').fill('ui-shipper');
    await page.getByRole('form', { name: 'Create a token' }).getByLabel('Role').selectOption('analyst');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretBox = page.getByLabel('Token secret');
    await secretBox.waitFor({ timeout: 10_000 });
    const secret = await secretBox.inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect((await api<{ name: string }>(secret, '/api/v1/me')).status).toBe(200);
    // The list never carries the secret.
    const listed = await page.getByTestId('tokens-table').textContent();
    expect(listed).toContain('ui-shipper');
    expect(listed).not.toContain(secret);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByLabel('Token secret').count()).toBe(0);

    page.once('dialog', (d) => void d.accept());
    await page
      .getByTestId('tokens-table')
      .locator('tr', { hasText: 'ui-shipper' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await expect
      .poll(async () => (await api<unknown>(secret, '/api/v1/me')).status, { timeout: 10_000 })
      .toBe(401);
    await page.context().close();
  }, 90_000);

  it('an admin sets the case SLA and a tenant template a new case then follows; restricts a case to members', async () => {
    expect(caseId).not.toBe('');
    const admin = await tokenFor(app, 'admin');
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/admin/cases`);
    await page.getByTestId('sla-high').fill('12');
    await page.getByRole('button', { name: 'Save SLA' }).click();
    await expect.poll(() => page.getByTestId('sla-msg').textContent()).toContain('SLA saved');
    expect((await api<{ high: number }>(admin, '/api/v1/cases/sla-policy')).json.high).toBe(12);

    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByTestId('template-id').fill('phishing-local');
    await page.getByLabel('Name', { exact: true }).fill('Phishing (ours)');
    await page.getByLabel('Task 1 title').fill('Pull the mail from every mailbox');
    await page.getByRole('button', { name: 'Add task' }).click();
    await page.getByLabel('Task 2 title').fill('Block the sender');
    await page.getByLabel('Task 2 due in hours').fill('2');
    await page.getByTestId('template-save').click();
    await page.getByTestId('case-templates').getByText('Phishing (ours)').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-case-settings.png'), fullPage: true });
    const created = await api<{ id: string }>(admin, '/api/v1/cases', {
      method: 'POST',
      body: JSON.stringify({ title: 'templated', template: 'phishing-local' }),
    });
    expect(created.status).toBe(201);
    const tasks = await api<{ tasks: Array<{ title: string }> }>(
      admin,
      `/api/v1/cases/${created.json.id}/tasks`,
    );
    expect(tasks.json.tasks.map((t) => t.title)).toEqual([
      'Pull the mail from every mailbox',
      'Block the sender',
    ]);

    await page.goto(`${base}/#/cases/${caseId}`);
    await page.getByTestId('case-members').getByRole('button', { name: 'Restrict…' }).click();
    await page.getByTestId('case-members-input').fill('case-analyst');
    await page.getByTestId('case-members').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('case-members').locator('.tag', { hasText: 'case-analyst' }).waitFor();
    expect((await api<{ members: string[] }>(admin, `/api/v1/cases/${caseId}`)).json.members).toEqual([
      'case-analyst',
    ]);
    await api(admin, `/api/v1/cases/${caseId}/members`, {
      method: 'PUT',
      body: JSON.stringify({ members: [] }),
    });
    await page.context().close();
  }, 90_000);

  it('groups the queue by entity, selects a group and adds it to an existing case', async () => {
    const now = Date.now();
    const docs = ['grp-host-a', 'grp-host-a', 'grp-host-b'].map((h, i) => ({
      '@timestamp': new Date(now - 2000 + i).toISOString(),
      message: `Failed password for admin from 198.51.100.${40 + i} port ${42000 + i} ssh2`,
      event: { module: 'system', dataset: 'system.auth' },
      host: { name: h },
      source: { ip: `198.51.100.${40 + i}` },
      user: { name: 'admin' },
      process: { name: 'sshd' },
    }));
    expect(
      (
        await api<{ accepted: number }>(ingest, '/api/v1/events', {
          method: 'POST',
          body: JSON.stringify(docs),
        })
      ).json.accepted,
    ).toBe(3);
    await expect
      .poll(async () => (await api<{ total: number }>(analyst, '/api/v1/alerts?q=grp-host-')).json.total, {
        timeout: 20_000,
        interval: 500,
      })
      .toBeGreaterThanOrEqual(2);
    const target = await api<{ id: string; number: number }>(analyst, '/api/v1/cases', {
      method: 'POST',
      body: JSON.stringify({ title: 'Grouped intake' }),
    });
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/alerts?q=grp-host-&group=entity`);
    await page.getByTestId('group-note').waitFor();
    const group = page.locator('[data-group]').filter({ hasText: 'grp-host-a' });
    await group.waitFor();
    await group.getByRole('checkbox').check();
    await page.getByTestId('add-to-case-button').click();
    const dialog = page.getByTestId('add-to-case');
    await dialog.getByLabel('Find an open case').fill('Grouped intake');
    await dialog.getByRole('button', { name: /Grouped intake/ }).click();
    await expect
      .poll(() => page.getByTestId('action-message').textContent())
      .toMatch(/Added \d+ alerts? to case #/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'alerts-grouped.png') });
    const linked = await api<{ alerts: Array<{ entity: { value: string } | null }> }>(
      analyst,
      `/api/v1/cases/${target.json.id}/alerts`,
    );
    expect(linked.json.alerts.length).toBeGreaterThan(0);
    expect(linked.json.alerts.every((x) => x.entity?.value === 'grp-host-a')).toBe(true);
    await page.context().close();
  });

  it('counts a group over every matching alert, shows more on demand and selects the whole group', async () => {
    const now = Date.now();
    const n = 130;
    const docs = Array.from({ length: n }, (_, i) => ({
      '@timestamp': new Date(now - 5000 + i).toISOString(),
      message: `Failed password for admin from 198.51.100.9 port ${43000 + i} ssh2`,
      event: { module: 'system', dataset: 'system.auth' },
      host: { name: `many-grp-${i}` },
      source: { ip: '198.51.100.9' },
      user: { name: 'admin' },
      process: { name: 'sshd' },
    }));
    await api(ingest, '/api/v1/events', { method: 'POST', body: JSON.stringify(docs) });
    await expect
      .poll(async () => (await api<{ total: number }>(analyst, '/api/v1/alerts?q=many-grp-')).json.total, {
        timeout: 30_000,
        interval: 500,
      })
      .toBe(n);
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/alerts?q=many-grp-&group=rule`);
    const group = page.locator('[data-group]').first();
    await group.waitFor();
    // The count is the server's, not the loaded rows'.
    await expect.poll(() => group.getByTestId('group-count').textContent()).toBe(String(n));
    // Rows are virtualized: the "show more" row renders once the list is scrolled to its end.
    await page.locator('.alerts-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const more = page.getByRole('button', { name: /show 30 more/ });
    await more.waitFor();
    await more.click();
    await expect.poll(() => page.getByRole('button', { name: /show \d+ more/ }).count()).toBe(0);
    await group.getByRole('checkbox').check();
    await expect.poll(() => page.locator('.bulkbar').textContent()).toContain(`${n} selected`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'alerts-grouped-many.png') });
    await page.context().close();
  }, 90_000);

  it('dialogs keep keyboard focus inside until they close, then give it back', async () => {
    await api(ingest, '/api/v1/events', {
      method: 'POST',
      body: JSON.stringify([
        {
          '@timestamp': new Date().toISOString(),
          message: 'Failed password for admin from 198.51.100.8 port 41999 ssh2',
          event: { module: 'system', dataset: 'system.auth' },
          host: { name: 'focus-host' },
          source: { ip: '198.51.100.8' },
          user: { name: 'admin' },
          process: { name: 'sshd' },
        },
      ]),
    });
    await expect
      .poll(async () => (await api<{ total: number }>(analyst, '/api/v1/alerts?q=focus-host')).json.total, {
        timeout: 20_000,
        interval: 500,
      })
      .toBe(1);
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/alerts?q=focus-host`);
    await page.locator('[data-alert-id]').first().waitFor();
    // Expressions run in the page (this file's TypeScript has no DOM types).
    const inDialog = () =>
      page.evaluate<boolean>(`document.activeElement?.closest('[role="dialog"]') !== null`);
    const focused = () =>
      page.evaluate<string>(
        `(() => { const el = document.activeElement; return el?.getAttribute('data-testid') ?? el?.textContent?.trim() ?? el?.tagName ?? ''; })()`,
      );
    const focusedTag = () => page.evaluate<string>('document.activeElement?.tagName');

    // A Modal: Tab and Shift+Tab wrap inside; Escape closes and focus returns to the opener.
    await page.getByTestId('add-to-case-button').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('add-to-case').waitFor();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      expect(await inDialog()).toBe(true);
    }
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await inDialog()).toBe(true);
    }
    await page.keyboard.press('Escape');
    await page.getByTestId('add-to-case').waitFor({ state: 'detached' });
    expect(await focused()).toBe('add-to-case-button');

    // The assign dialog (opened with "e", a form in a Modal): from the last control Tab goes back to the first.
    await page.evaluate('document.activeElement?.blur()');
    await page.keyboard.press('e');
    const assign = page.getByRole('dialog', { name: 'Assign' });
    await assign.waitFor();
    expect(await focusedTag()).toBe('INPUT');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Cancel');
    await page.keyboard.press('Tab');
    expect(await focusedTag()).toBe('INPUT');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Cancel');
    await page.keyboard.press('Escape');
    await assign.waitFor({ state: 'detached' });

    // The shortcuts list ("?"): focus inside, Escape closes it.
    await page.evaluate('document.activeElement?.blur()');
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await inDialog()).toBe(true);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    await page.context().close();
  }, 60_000);

  it('a user of several tenants works in one at a time: lists narrow, the choice persists', async () => {
    await app.auth.createTenant({ name: 'test', ip: null }, 'picker-t', 'Picker Tenant');
    const otherIngest = await tokenFor(app, 'ingest', 'picker-t');
    const sshFail = (host: string) => ({
      '@timestamp': new Date().toISOString(),
      message: 'Failed password for admin from 198.51.100.7 port 41000 ssh2',
      event: { module: 'system', dataset: 'system.auth' },
      host: { name: host },
      source: { ip: '198.51.100.7' },
      user: { name: 'admin' },
      process: { name: 'sshd' },
    });
    await api(ingest, '/api/v1/events', { method: 'POST', body: JSON.stringify([sshFail('pick-default')]) });
    await api(otherIngest, '/api/v1/events', {
      method: 'POST',
      body: JSON.stringify([sshFail('pick-other')]),
    });
    for (const reader of [analyst, await tokenFor(app, 'analyst', 'picker-t')])
      await expect
        .poll(async () => (await api<{ total: number }>(reader, '/api/v1/alerts?q=pick-')).json.total, {
          timeout: 20_000,
          interval: 500,
        })
        .toBe(1);
    const page = await newPage();
    await login(page);
    await page.goto(`${base}/#/alerts?q=pick-`);
    const rows = page.locator('[data-alert-id]');
    await expect.poll(() => rows.count()).toBe(2);
    const picker = page.getByTestId('tenant-picker');
    await picker.selectOption('picker-t');
    await expect.poll(async () => (await rows.allTextContents()).join(' ')).not.toContain('pick-default');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('pick-other');
    // The choice survives a reload and a new page; "all tenants" brings both back.
    await page.reload();
    await expect.poll(() => page.getByTestId('tenant-picker').inputValue()).toBe('picker-t');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('tenant-picker').selectOption('');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByTestId('tenant-picker').selectOption('default');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('pick-default');
    await page.getByTestId('tenant-picker').selectOption('');
    await page.context().close();
  }, 60_000);

  it('the console logged no errors while doing all of that', () => {
    expect(pageErrors).toEqual([]);
  });
});
