/**
 * Console first load on localhost, in Debian's Chromium against the BUILT server (run `npm run
 * bench`, which builds first): a fresh browser context (empty cache) each time, timed from
 * navigation to the sign-in form, and after signing in, from navigation to the Overview page
 * rendered (both as the test driver sees them, which includes its own round trips), and the
 * browser's navigation timing to the load event. Also the JavaScript the first page needs
 * against the whole bundle (code-splitting).
 * The target: first load under 1 s on localhost. Median of 7. Prints one JSON line.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { tempDataDir } from '../test/support/server-process.js';
import { launchChromium, WEB_DIST } from '../test/support/ui.js';
import { startBenchServer } from './server.js';

const RUNS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dataDir = tempDataDir();
const srv = await startBenchServer(dataDir, { VIGIL_LOG_LEVEL: 'warn' });
const browser = await launchChromium();
try {
  const loginMs: number[] = [];
  const overviewMs: number[] = [];
  const navLoadMs: number[] = [];
  let firstPageJs = 0;
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const js = new Map<string, number>();
    page.on('response', (r) => {
      if (r.url().endsWith('.js'))
        void r
          .body()
          .then((b) => js.set(r.url(), b.length))
          .catch(() => undefined);
    });
    let t = performance.now();
    await page.goto(`${srv.base}/`);
    await page.getByLabel('User name').waitFor();
    loginMs.push(performance.now() - t);
    // The browser's own clock: navigation start to the load event (no test-driver overhead).
    navLoadMs.push(
      await page.evaluate<number>(
        "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()",
      ),
    );
    firstPageJs = [...js.values()].reduce((a, b) => a + b, 0);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('e2e-admin-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('whoami').waitFor();
    // A new tab on the signed-in session: the console loads from nothing up to the Overview.
    const tab = await context.newPage();
    t = performance.now();
    await tab.goto(`${srv.base}/#/`);
    await tab.getByRole('heading', { name: 'Overview' }).waitFor();
    overviewMs.push(performance.now() - t);
    await context.close();
  }
  // Every chunk of the build: what code-splitting keeps off the first page.
  const assets = path.join(WEB_DIST, 'assets');
  const allJs = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .reduce((n, f) => n + statSync(path.join(assets, f)).size, 0);
  process.stdout.write(
    JSON.stringify({
      name: 'console.first-load',
      runs: RUNS,
      loginFormMs: Math.round(median(loginMs)),
      navigationToLoadEventMs: Math.round(median(navLoadMs)),
      overviewMs: Math.round(median(overviewMs)),
      targetMs: 1000,
      firstPageJsBytes: firstPageJs,
      allJsBytes: allJs,
      load1: Number(loadavg()[0]!.toFixed(2)),
      cores: cpus().length,
    }) + '\n',
  );
} finally {
  await browser.close();
  await srv.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
