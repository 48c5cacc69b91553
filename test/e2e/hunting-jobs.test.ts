/**
 * Hunting jobs end to end over real HTTP: a saved search scheduled with a threshold raises an
 * alert from events posted to the server; a Sigma retro-hunt finds stored events, reports its
 * progress and hits, raises alerts when asked. Lease and restart behaviour is covered beside the
 * runners (src/hunting/*.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { startTestApp, tokenFor } from '../../src/test-support/app.js';
import { until } from '../../src/test-support/until.js';

const RULE = `
title: Encoded PowerShell
id: 7d0c6f0e-1111-4c2b-8f4e-2a6b6c0de001
status: test
logsource: { category: process_creation, product: windows }
detection:
  selection:
    Image|endswith: '\\powershell.exe'
    CommandLine|contains: ' -enc '
  condition: selection
level: high
`;

describe('scheduled searches and Sigma retro-hunts over HTTP', () => {
  let app: VigilApp;
  let base: string;
  const tok: Record<string, string> = {};

  const call = async (token: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked field by field below
    return { status: res.status, json: JSON.parse(text || 'null') as any };
  };

  beforeAll(async () => {
    app = await startTestApp({}, (c) => {
      c.hunting.scheduleTickSeconds = 1;
      c.hunting.scheduleGraceSeconds = 0;
      c.hunting.huntPollSeconds = 0.2;
    });
    base = `http://127.0.0.1:${app.ports.http}`;
    for (const r of ['admin', 'analyst', 'ingest'] as const) tok[r] = await tokenFor(app, r);
  });
  afterAll(async () => app?.close());

  it('a threshold schedule raises one alert for the window, with the group as entity', async () => {
    // Inside every 10-minute window that closes in the next few minutes.
    const ts = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30_000).toISOString();
    const docs = Array.from({ length: 4 }, (_, i) => ({
      '@timestamp': ts,
      message: `VPN login refused for carol attempt ${i}`,
      event: { dataset: 'vpn.auth', outcome: 'failure' },
      user: { name: 'carol' },
    }));
    expect((await call(tok.ingest!, 'POST', '/api/v1/events', docs)).json).toMatchObject({ accepted: 4 });

    const saved = await call(tok.analyst!, 'POST', '/api/v1/saved-searches', {
      name: 'VPN refusals',
      query: 'event.dataset:vpn.auth AND event.outcome:failure',
      shared: true,
    });
    expect(saved.status).toBe(201);
    const schedule = {
      schedule: {
        kind: 'threshold',
        everyMinutes: 1,
        windowMinutes: 10,
        op: '>=',
        value: 3,
        by: 'user.name',
        level: 'high',
      },
    };
    // Scheduling raises alerts: rule management, which an analyst does not hold.
    expect(
      (await call(tok.analyst!, 'PUT', `/api/v1/saved-searches/${saved.json.id}/schedule`, schedule)).status,
    ).toBe(403);
    const preview = await call(
      tok.analyst!,
      'POST',
      `/api/v1/saved-searches/${saved.json.id}/schedule/preview`,
      schedule,
    );
    expect(preview.status).toBe(200);
    const put = await call(tok.admin!, 'PUT', `/api/v1/saved-searches/${saved.json.id}/schedule`, schedule);
    expect(put.status).toBe(200);

    const alert = await until(async () => {
      const r = await call(tok.analyst!, 'GET', `/api/v1/alerts?rule=search:${saved.json.id}`);
      return r.json.alerts[0] as
        { entity: { type: string; value: string }; severity: string; title: string } | undefined;
    }, 20_000);
    expect(alert.entity).toMatchObject({ value: 'carol' });
    expect(alert.title).toBe('VPN refusals');
    const state = await call(tok.analyst!, 'GET', `/api/v1/saved-searches/${saved.json.id}/schedule`);
    expect(state.json).toMatchObject({ lastStatus: 'ok', enabled: true });
    expect(state.json.lastHits).toBeGreaterThanOrEqual(1);
    const listed = await call(tok.analyst!, 'GET', '/api/v1/scheduled-searches');
    expect(listed.json.schedules.map((s: { name: string }) => s.name)).toContain('VPN refusals');
    // A pipe in the saved query makes it unschedulable, with the reason.
    const piped = await call(tok.analyst!, 'POST', '/api/v1/saved-searches', {
      name: 'p',
      query: 'x | head 5',
      shared: true,
    });
    const bad = await call(tok.admin!, 'PUT', `/api/v1/saved-searches/${piped.json.id}/schedule`, schedule);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/remove the pipes/);
  });

  it('a Sigma retro-hunt finds stored events, reports progress and hits, and raises alerts', async () => {
    const now = Date.now();
    const docs = [
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
      host: { name: 'ws-12' },
    }));
    expect((await call(tok.ingest!, 'POST', '/api/v1/events', docs)).json).toMatchObject({ accepted: 2 });

    const bad = await call(tok.analyst!, 'POST', '/api/v1/hunts/sigma', {
      rule: 'title: x',
      from: new Date(now - 86_400_000).toISOString(),
    });
    expect(bad.status).toBe(400);
    const started = await call(tok.analyst!, 'POST', '/api/v1/hunts/sigma', {
      rule: RULE,
      from: new Date(now - 7 * 86_400_000).toISOString(),
      raise_alerts: true,
    });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({
      status: 'queued',
      rules: [{ title: 'Encoded PowerShell', level: 'high' }],
    });
    const id = started.json.id as string;
    const done = await until(async () => {
      const r = await call(tok.analyst!, 'GET', `/api/v1/hunts/sigma/${id}`);
      return r.json.status === 'done' ? r.json : undefined;
    }, 20_000);
    expect(done).toMatchObject({ hits: 1, progress: 1 });
    expect(done.scanned).toBeGreaterThanOrEqual(2);
    const hits = await call(tok.analyst!, 'GET', `/api/v1/hunts/sigma/${id}/hits`);
    expect(hits.json.total).toBe(1);
    expect(hits.json.hits[0]).toMatchObject({
      ruleId: '7d0c6f0e-1111-4c2b-8f4e-2a6b6c0de001',
      level: 'high',
    });
    await until(async () => {
      const r = await call(tok.analyst!, 'GET', '/api/v1/alerts?rule=7d0c6f0e-1111-4c2b-8f4e-2a6b6c0de001');
      return r.json.total === 1 ? true : undefined;
    }, 20_000);
    // A finished hunt cannot be cancelled; the list shows it.
    expect((await call(tok.analyst!, 'POST', `/api/v1/hunts/sigma/${id}/cancel`)).status).toBe(409);
    const list = await call(tok.analyst!, 'GET', '/api/v1/hunts/sigma');
    expect(list.json.hunts.map((h: { id: string }) => h.id)).toContain(id);
    // Every hunt is audited for the auditor.
    const audit = await call(tok.admin!, 'GET', '/api/v1/audit?action=hunt.sigma.create');
    expect(JSON.stringify(audit.json)).toContain(id);
  });
});
