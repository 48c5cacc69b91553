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

export interface ContrastFailure {
  text: string;
  element: string;
  color: string;
  background: string;
  ratio: number;
  needed: number;
}

/**
 * WCAG 2.x contrast of every visible text on the page against the background it is drawn on
 * (ancestors' background colours blended, alpha included): 4.5:1 for body text, 3:1 for large
 * text (24px, or 18.66px bold). Disabled controls are exempt, as WCAG exempts inactive components.
 * Runs in the page as a string: this package's TypeScript has no DOM types.
 */
const CONTRAST_AUDIT = `(() => {
  // rgb()/rgba(), and color(srgb r g b / a) that color-mix() computes to.
  const parse = (c) => {
    const srgb = /^color\\(srgb ([^)]+)\\)/.exec(c);
    const m = srgb ?? /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    const k = srgb ? 255 : 1;
    return [p[0] * k, p[1] * k, p[2] * k, p.length > 3 ? p[3] : 1];
  };
  const blend = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const backgroundOf = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || seen.has(el) || !node.textContent.trim()) continue;
    seen.add(el);
    if (el.closest(':disabled, [aria-disabled="true"], .sr-only, option, script, style')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || el.getClientRects().length === 0) continue;
    const bg = backgroundOf(el);
    const fg = blend(parse(cs.color), bg);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (Number(cs.fontWeight) >= 700 && size >= 18.66);
    const needed = large ? 3 : 4.5;
    const r = ratio(fg, bg);
    if (r < needed)
      out.push({
        text: node.textContent.trim().slice(0, 40),
        element: el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''),
        color: cs.color,
        background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')',
        ratio: Math.round(r * 100) / 100,
        needed,
      });
  }
  return out;
})()`;

export const contrastFailures = (page: Page): Promise<ContrastFailure[]> =>
  page.evaluate<ContrastFailure[]>(CONTRAST_AUDIT);
