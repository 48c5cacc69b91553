import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startVigil, type VigilApp } from '../app.js';
import type { TokenRole } from '../auth/roles.js';
import { loadConfig } from '../config/load.js';
import type { VigilConfig } from '../config/schema.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

/** A real Vigil (SQLite in a temp dir, HTTP on a free loopback port) for integration tests. */
export async function startTestApp(
  env: Record<string, string> = {},
  /** Adjusts the loaded configuration before start (settings that have no environment variable). */
  tweak?: (c: VigilConfig) => void,
): Promise<VigilApp & { dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-it-'));
  const config = loadConfig({
    env: {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_HTTP_PORT: '0',
      VIGIL_SYSLOG_PORT: '0',
      VIGIL_NETFLOW_PORT: '0',
      ...env,
    },
  });
  config.http.host = '127.0.0.1';
  config.syslog.host = '127.0.0.1';
  config.netflow.host = '127.0.0.1';
  tweak?.(config);
  const app = await startVigil(config, {
    log: pino({ level: 'silent' }),
    adminPassword: ADMIN_PASSWORD,
    print: () => undefined,
  });
  return Object.assign(app, { dataDir });
}

export async function tokenFor(app: VigilApp, role: TokenRole, tenant = 'default'): Promise<string> {
  const { token } = await app.auth.createToken(
    { name: 'test', ip: null },
    { name: `t-${role}`, role, tenant },
  );
  return token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A JSON request to the app in process (no socket), as `token`. */
export async function injectAs(
  app: VigilApp,
  token: string,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  payload?: unknown,
) {
  return app.http.inject({
    method,
    url,
    headers: { ...bearer(token), 'content-type': 'application/json' },
    payload: payload === undefined ? undefined : JSON.stringify(payload),
  });
}
