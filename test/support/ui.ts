/**
 * What every console test in a real browser shares: the web bundle built from the current
 * sources, Debian's Chromium launched headless, pages whose unexpected errors are collected, and
 * signing in through the login form.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './server-process.js';

export const WEB_DIST = path.join(ROOT, 'dist', 'web');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'ui');
export const CHROMIUM = '/usr/bin/chromium';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the console bundle when a file under web/ is newer than it. */
export function ensureWebBuild(): void {
  const index = path.join(WEB_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(path.join(ROOT, 'web'))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-web.mjs')], {
    stdio: 'inherit',
    cwd: ROOT,
  });
}

/** Headless Chromium with the flags STACK.md lists; the screenshot folder made ready. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A failed request the page is known to handle: its HTTP status and URL. */
export type ExpectedFailure = (status: string, url: string) => boolean;

/** "Who am I" before sign-in answers 401 on every page. */
export const SIGNED_OUT: ExpectedFailure = (status) => status === '401';

/**
 * A page in its own context (1366×768, the smallest screen the console must fit); exceptions,
 * CSP violations and failed requests other than the expected ones are pushed to `errors`.
 */
export async function consolePage(
  browser: Browser,
  errors: string[],
  expected: ExpectedFailure = SIGNED_OUT,
): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  const page = await ctx.newPage();
  // A stuck step names its locator instead of running into the test's own timeout.
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(m.text())?.[1];
    if (status !== undefined && expected(status, url)) return;
    errors.push(`console: ${m.text()} (${url})`);
  });
  return page;
}

/** Signs in through the form; waits for the signed-in shell unless told not to (a refused sign-in). */
export async function signIn(
  page: Page,
  base: string,
  username: string,
  password: string,
  wait = true,
): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (wait) await page.getByTestId('whoami').waitFor({ timeout: 10_000 });
}
