/**
 * Polls `f` until it returns something other than undefined, for tests that wait on real
 * asynchronous work (a bus, a listener, another process). An error from `f` counts as "not yet";
 * the last one is reported if time runs out.
 */
export async function until<T>(
  f: () => Promise<T | undefined>,
  ms = 15_000,
  what = 'a condition',
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + ms;
  let last: Error | undefined;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e as Error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
