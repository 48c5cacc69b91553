import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVigil, type VigilApp } from '../app.js';
import { loadConfig } from '../config/load.js';
import { ADMIN_PASSWORD, bearer, tokenFor } from '../test-support/app.js';
import { updateSigmaRules } from './sigmahq-update.js';

/** End to end over HTTP and syslog: rule upload, enable/disable, exceptions, restart. */

const RULE_ID = '7d0c5a51-6b9e-4c1e-9f3a-2b8d4e6f1a01';
const RULE_YAML = `title: Widget Frobnicated
id: ${RULE_ID}
status: test
logsource:
    product: linux
    service: sshd
detection:
    keywords:
        - 'frobnicated the widget'
    condition: keywords
level: medium
`;
const SIGMA = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'data',
  'sigma',
  'rules',
  'rules',
  'application',
  'bitbucket',
  'audit',
);
const SSH_FAILED = '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01';
const SSH_BRUTE = '0b8e6f3c-2d4a-4e71-b5c9-7a1f3e2d9c02';

async function until<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(dataDir: string): Promise<VigilApp> {
  const config = loadConfig({
    env: { VIGIL_DATA_DIR: dataDir, VIGIL_HTTP_PORT: '0', VIGIL_SYSLOG_PORT: '0', VIGIL_NETFLOW_PORT: '0' },
  });
  config.http.host = '127.0.0.1';
  config.syslog.host = '127.0.0.1';
  config.netflow.enabled = false;
  return startVigil(config, {
    log: pino({ level: 'silent' }),
    adminPassword: ADMIN_PASSWORD,
    print: () => undefined,
  });
}

async function sendSyslog(app: VigilApp, lines: string[]): Promise<void> {
  const sock = net.connect(app.ports.syslog!, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  await new Promise<void>((r) => sock.end(lines.map((l) => `${l}\n`).join(''), () => r()));
}

let seq = 0;
/** An sshd line at a given minute/second of a fixed day, from `host`. */
const line = (host: string, msg: string, second = seq++) =>
  `<38>1 ${new Date(Date.UTC(2026, 10, 28, 9, 0, second)).toISOString()} ${host} sshd 4242 - - ${msg}`;

async function detectionsOf(
  app: VigilApp,
  token: string,
  ruleId: string,
): Promise<Array<{ eventIds: string[]; details: Record<string, unknown> }>> {
  const r = await app.http.inject({
    method: 'GET',
    url: `/api/v1/detections?limit=1000&rule=${ruleId}`,
    headers: bearer(token),
  });
  return (r.json() as { detections: Array<{ eventIds: string[]; details: Record<string, unknown> }> })
    .detections;
}

/**
 * Sends `lines` followed by one sentinel failed-password line and waits until the sentinel's
 * detection is stored: batches are evaluated and recorded in order, so everything before it is done.
 */
async function sendAndSettle(app: VigilApp, token: string, lines: string[]): Promise<void> {
  const before = (await detectionsOf(app, token, SSH_FAILED)).length;
  await sendSyslog(app, [...lines]);
  await new Promise((r) => setTimeout(r, 120));
  await sendSyslog(app, [
    line('sentinel', `Failed password for invalid user s${seq} from 192.0.2.${seq % 250} port 1 ssh2`),
  ]);
  await until(async () => ((await detectionsOf(app, token, SSH_FAILED)).length > before ? true : undefined));
}

describe('rule management over the API', () => {
  let dataDir: string;
  let app: VigilApp;
  let admin: string;
  let manager: string;
  let analyst: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-rules-'));
    app = await start(dataDir);
    admin = await tokenFor(app, 'admin');
    manager = await tokenFor(app, 'manager');
    analyst = await tokenFor(app, 'analyst');
  });
  afterAll(async () => app.close());

  it('refuses an invalid upload with the line and the problem, and stores nothing', async () => {
    const bad = `${RULE_YAML}---\ntitle: Broken\nid: 11111111-2222-4333-8444-555555555555\nlogsource:\n    product: linux\ndetection:\n    sel:\n        a: b\n    condition: sel and missing_one\n`;
    const r = await app.http.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: { ...bearer(admin), 'content-type': 'application/yaml' },
      payload: bad,
    });
    expect(r.statusCode).toBe(400);
    const body = r.json() as {
      error: { message: string; details: Array<{ line?: number; reason: string }> };
    };
    expect(body.error.details).toHaveLength(1);
    expect(body.error.details[0]!.reason).toMatch(/missing_one/);
    expect(body.error.details[0]!.line).toBeGreaterThanOrEqual(14);
    const get = await app.http.inject({
      method: 'GET',
      url: `/api/v1/rules/${RULE_ID}`,
      headers: bearer(analyst),
    });
    expect(get.statusCode).toBe(404);
  });

  it('uploads a rule that then fires on the live stream, and serves its YAML', async () => {
    const r = await app.http.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: { ...bearer(admin), 'content-type': 'application/yaml' },
      payload: RULE_YAML,
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ id: RULE_ID, ruleIds: [RULE_ID], tenant: null });
    const got = (
      await app.http.inject({ method: 'GET', url: `/api/v1/rules/${RULE_ID}`, headers: bearer(analyst) })
    ).json() as Record<string, unknown>;
    expect(got).toMatchObject({
      id: RULE_ID,
      source: 'upload',
      enabled: true,
      yaml: RULE_YAML,
      title: 'Widget Frobnicated',
    });

    await sendAndSettle(app, analyst, [line('bastion', 'user ops frobnicated the widget')]);
    expect(await detectionsOf(app, analyst, RULE_ID)).toHaveLength(1);

    const audit = (
      await app.http.inject({
        method: 'GET',
        url: '/api/v1/audit?action=rules.upload',
        headers: bearer(admin),
      })
    ).json() as { records: Array<{ target: string }> };
    expect(audit.records.map((x) => x.target)).toContain(RULE_ID);
  });

  it('a rule disabled for the tenant fires no more, and fires again once enabled', async () => {
    const off = await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/rules/${RULE_ID}`,
      headers: bearer(manager),
      payload: { enabled: false },
    });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ enabled: false, tenant: 'default' });
    const n0 = (await detectionsOf(app, analyst, RULE_ID)).length;
    await sendAndSettle(app, analyst, [line('bastion', 'user ops frobnicated the widget again')]);
    expect(await detectionsOf(app, analyst, RULE_ID)).toHaveLength(n0);
    const listed = (
      await app.http.inject({ method: 'GET', url: '/api/v1/rules?limit=10000', headers: bearer(analyst) })
    ).json() as { rules: Array<{ id: string; enabled: boolean }> };
    expect(listed.rules.find((x) => x.id === RULE_ID)?.enabled).toBe(false);

    // A manager cannot switch a rule off for every tenant.
    const global = await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/rules/${RULE_ID}`,
      headers: bearer(manager),
      payload: { enabled: false, tenant: '*' },
    });
    expect(global.statusCode).toBe(403);

    await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/rules/${RULE_ID}`,
      headers: bearer(manager),
      payload: { enabled: true },
    });
    await sendAndSettle(app, analyst, [line('bastion', 'user ops frobnicated the widget a third time')]);
    expect(await detectionsOf(app, analyst, RULE_ID)).toHaveLength(n0 + 1);
  });

  it('an exception suppresses matching detections (counted), others still fire, and deleting it restores them', async () => {
    const created = await app.http.inject({
      method: 'POST',
      url: '/api/v1/rules/exceptions',
      headers: bearer(analyst),
      payload: {
        ruleId: RULE_ID,
        match: [{ field: 'host.name', value: 'BASTION' }],
        reason: 'maintenance script on the bastion',
      },
    });
    expect(created.statusCode).toBe(201);
    const ex = created.json() as { id: string; tenant: string };
    expect(ex.tenant).toBe('default');
    const n0 = (await detectionsOf(app, analyst, RULE_ID)).length;
    await sendAndSettle(app, analyst, [
      line('bastion', 'cron frobnicated the widget'),
      line('web1', 'cron frobnicated the widget'),
    ]);
    expect(await detectionsOf(app, analyst, RULE_ID)).toHaveLength(n0 + 1);
    const metrics = (await app.http.inject({ method: 'GET', url: '/metrics', headers: bearer(admin) })).body;
    expect(metrics).toMatch(/vigil_detections_suppressed_total\{kind="sigma"\} 1/);

    const listed = (
      await app.http.inject({ method: 'GET', url: '/api/v1/rules/exceptions', headers: bearer(analyst) })
    ).json() as { exceptions: Array<{ id: string }> };
    expect(listed.exceptions.map((x) => x.id)).toEqual([ex.id]);
    // The responder reads but may not change exceptions.
    const responder = await tokenFor(app, 'responder');
    expect(
      (
        await app.http.inject({
          method: 'DELETE',
          url: `/api/v1/rules/exceptions/${ex.id}`,
          headers: bearer(responder),
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await app.http.inject({
          method: 'DELETE',
          url: `/api/v1/rules/exceptions/${ex.id}`,
          headers: bearer(analyst),
        })
      ).statusCode,
    ).toBe(200);
    await sendAndSettle(app, analyst, [line('bastion', 'cron frobnicated the widget once more')]);
    expect(await detectionsOf(app, analyst, RULE_ID)).toHaveLength(n0 + 2);
  });

  it('picks up an exception another module stored, on control.rules.changed', async () => {
    // What the alert "tune" action does: add through the port, then announce on the bus.
    await app.storage.ruleExceptions.add({
      id: 'tune-1',
      tenant: 'default',
      ruleId: '*',
      match: [{ field: 'host.name', value: 'tuned-host' }],
      reason: 'tuned from an alert',
      createdBy: 'alerts',
      createdAt: new Date().toISOString(),
      expiresAt: null,
    });
    await app.bus.publish('control.rules.changed.default', { reason: 'tune' });
    // The refresh is asynchronous; give the consumer its turn.
    await new Promise((r) => setTimeout(r, 200));
    const n0 = (await detectionsOf(app, analyst, RULE_ID)).length;
    await sendAndSettle(app, analyst, [
      line('tuned-host', 'x frobnicated the widget'),
      line('web3', 'x frobnicated the widget'),
    ]);
    const after = await detectionsOf(app, analyst, RULE_ID);
    expect(after).toHaveLength(n0 + 1);
  });

  it('deletes an uploaded rule but not a built-in one', async () => {
    expect(
      (
        await app.http.inject({
          method: 'DELETE',
          url: `/api/v1/rules/${SSH_FAILED}`,
          headers: bearer(admin),
        })
      ).statusCode,
    ).toBe(409);
    const del = await app.http.inject({
      method: 'DELETE',
      url: `/api/v1/rules/${RULE_ID}`,
      headers: bearer(admin),
    });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ deleted: [RULE_ID] });
    expect(
      (await app.http.inject({ method: 'GET', url: `/api/v1/rules/${RULE_ID}`, headers: bearer(admin) }))
        .statusCode,
    ).toBe(404);
    const n0 = (await detectionsOf(app, analyst, RULE_ID)).length;
    await sendAndSettle(app, analyst, [line('web2', 'y frobnicated the widget')]);
    expect(await detectionsOf(app, analyst, RULE_ID)).toHaveLength(n0);
  });

  it('keeps a tenant’s upload to that tenant and refuses to let it take over a shared rule id', async () => {
    const id = '7d0c5a51-6b9e-4c1e-9f3a-2b8d4e6f1a02';
    const yaml = RULE_YAML.replace(RULE_ID, id).replace('Widget Frobnicated', 'Tenant widget');
    const up = await app.http.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: bearer(manager),
      payload: { yaml },
    });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toMatchObject({ tenant: 'default', ruleIds: [id] });
    await app.auth.createTenant({ name: 't', ip: null }, 'other', 'Other');
    const other = await tokenFor(app, 'manager', 'other');
    expect(
      (await app.http.inject({ method: 'GET', url: `/api/v1/rules/${id}`, headers: bearer(other) }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.http.inject({ method: 'DELETE', url: `/api/v1/rules/${id}`, headers: bearer(other) }))
        .statusCode,
    ).toBe(404);
    const clash = await app.http.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: bearer(other),
      payload: { yaml },
    });
    expect(clash.statusCode).toBe(409);
    const mine = (
      await app.http.inject({ method: 'GET', url: `/api/v1/rules/${id}`, headers: bearer(manager) })
    ).json() as Record<string, unknown>;
    expect(mine).toMatchObject({ source: 'upload', upload: { id, tenant: 'default' }, yaml });
    expect(
      (await app.http.inject({ method: 'DELETE', url: `/api/v1/rules/${id}`, headers: bearer(manager) }))
        .statusCode,
    ).toBe(200);
  });

  it('loads a SigmaHQ install on the reload a SIGHUP asks for', async () => {
    const src = mkdtempSync(path.join(tmpdir(), 'vigil-sigma-'));
    mkdirSync(path.join(src, 'rules'));
    cpSync(
      path.join(SIGMA, 'bitbucket_audit_full_data_export_triggered.yml'),
      path.join(src, 'rules', 'a.yml'),
    );
    const r = await updateSigmaRules({ from: src, dataDir });
    expect(r.loaded).toBe(1);
    const sigmahq = async () => {
      const list = (
        await app.http.inject({ method: 'GET', url: '/api/v1/rules?limit=10000', headers: bearer(analyst) })
      ).json() as { rules: Array<{ source: string }> };
      return list.rules.filter((x) => x.source === 'sigmahq').length;
    };
    expect(await sigmahq()).toBe(0);
    // What the SIGHUP handler of `vigil start` publishes.
    await app.bus.publish('control.rules.changed.all', { reload: true, reason: 'SIGHUP' });
    expect(await until(async () => ((await sigmahq()) === 1 ? 1 : undefined))).toBe(1);
  });

  it('keeps correlation state over a reload and over a restart with the same data directory', async () => {
    const fail = (i: number) =>
      line(
        'bastion',
        `Failed password for invalid user u${i} from 203.0.113.99 port ${40000 + i} ssh2`,
        100 + i,
      );
    await sendAndSettle(app, analyst, [0, 1, 2, 3].map(fail));
    const reload = await app.http.inject({
      method: 'POST',
      url: '/api/v1/rules/reload',
      headers: bearer(admin),
    });
    expect(reload.statusCode).toBe(200);
    await sendAndSettle(app, analyst, [4, 5].map(fail));
    expect(
      (await detectionsOf(app, analyst, SSH_BRUTE)).filter(
        (d) => (d.details.group as Record<string, string>)['source.ip'] === '203.0.113.99',
      ),
    ).toHaveLength(0);

    // An upload and a setting made before the restart must be there after it.
    expect(
      (
        await app.http.inject({
          method: 'POST',
          url: '/api/v1/rules',
          headers: { ...bearer(admin), 'content-type': 'application/yaml' },
          payload: RULE_YAML,
        })
      ).statusCode,
    ).toBe(201);
    await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/rules/${RULE_ID}`,
      headers: bearer(manager),
      payload: { enabled: false },
    });

    await app.close();
    app = await start(dataDir);
    await sendAndSettle(app, analyst, [6, 7, 8, 9].map(fail));
    const brute = (await detectionsOf(app, analyst, SSH_BRUTE)).filter(
      (d) => (d.details.group as Record<string, string>)['source.ip'] === '203.0.113.99',
    );
    expect(brute).toHaveLength(1);
    expect(Number(brute[0]!.details.value)).toBe(10);
    const kept = await app.http.inject({
      method: 'GET',
      url: `/api/v1/rules/${RULE_ID}`,
      headers: bearer(manager),
    });
    expect(kept.statusCode).toBe(200);
    expect(kept.json()).toMatchObject({
      source: 'upload',
      enabled: false,
      globallyEnabled: true,
      tenantSettings: { default: false },
    });
  });
});
