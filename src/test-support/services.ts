import net from 'node:net';

/**
 * Whether a service the test needs is listening. Without it the test is skipped with a message,
 * unless VIGIL_REQUIRE_SERVICES is set (CI), where its absence is a failure.
 */
export async function serviceAvailable(name: string, host: string, port: number): Promise<boolean> {
  const up = await new Promise<boolean>((resolve) => {
    const s = net.connect(port, host);
    s.setTimeout(1000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('timeout', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(false));
  });
  if (up) return true;
  if (process.env.VIGIL_REQUIRE_SERVICES)
    throw new Error(
      `${name} at ${host}:${port} is required (VIGIL_REQUIRE_SERVICES is set) but not reachable`,
    );
  process.stderr.write(
    `skipping ${name} tests: nothing listens on ${host}:${port} (set VIGIL_REQUIRE_SERVICES=1 to make this a failure)\n`,
  );
  return false;
}

export const NATS_URL = process.env.VIGIL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const PG_URL = process.env.VIGIL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
