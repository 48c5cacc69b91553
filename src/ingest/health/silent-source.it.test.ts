import dgram from 'node:dgram';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { bearer, startTestApp, tokenFor } from '../../test-support/app.js';
import type { SourceDetection } from './silent-monitor.js';

async function until<T>(f: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('silent-source detection through a running Vigil', () => {
  let app: VigilApp;
  const seen: SourceDetection[] = [];
  beforeAll(async () => {
    // 0.01 minutes = 600 ms of quiet makes a host silent; the monitor then checks every 300 ms.
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-silent-'));
    const file = path.join(dir, 'vigil.yaml');
    writeFileSync(file, 'syslog:\n  silentAfterMinutes: 0.01\n');
    app = await startTestApp({ VIGIL_CONFIG: file });
    await app.bus.consume<SourceDetection>('detections.>', 'silent-test', async (m) => {
      seen.push(m.data);
    });
  });
  afterAll(async () => app.close());

  const sendUdp = async (text: string) => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r, j) => s.send(Buffer.from(text), app.ports.syslog!, '127.0.0.1', (e) => (e ? j(e) : r())));
    s.close();
  };

  it('raises one silent_source when a sender stops and one source_resumed when it comes back', async () => {
    await sendUdp('<13>Nov 28 10:00:00 box app: first');
    const silent = await until(() => seen.find((d) => d.kind === 'silent_source'));
    expect(silent).toMatchObject({ ruleId: 'vigil-silent-source', level: 'medium', tenant: 'default', input: 'syslog-udp', host: '127.0.0.1' });
    expect(silent.silentForSeconds).toBeGreaterThanOrEqual(0);

    // Several more checks pass while it stays quiet: still one detection.
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen.filter((d) => d.kind === 'silent_source')).toHaveLength(1);

    const token = await tokenFor(app, 'analyst');
    const res = await fetch(`http://127.0.0.1:${app.ports.http}/api/v1/sources`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { inputs: Array<{ input: string; state: string; received: number; hosts: Array<{ host: string; state: string }> }> };
    const udp = body.inputs.find((i) => i.input === 'syslog-udp');
    expect(udp).toMatchObject({ state: 'silent', received: 1, hosts: [{ host: '127.0.0.1', state: 'silent' }] });
    expect(body.inputs.find((i) => i.input === 'netflow')?.state).toBe('never');

    await sendUdp('<13>Nov 28 10:00:05 box app: back again');
    const resumed = await until(() => seen.find((d) => d.kind === 'source_resumed'));
    expect(resumed).toMatchObject({ level: 'informational', input: 'syslog-udp', host: '127.0.0.1', lastSeen: silent.lastSeen });

    const metrics = await fetch(`http://127.0.0.1:${app.ports.http}/metrics`, { headers: bearer(token) });
    expect(await metrics.text()).toMatch(/vigil_source_last_seen_seconds\{input="syslog-udp"\} \d/);
  });

  it('shows a principal only the sources of its tenants', async () => {
    await app.auth.createTenant({ name: 'test', ip: null }, 'acme', 'Acme');
    app.sources.record('http', '198.51.100.7', { received: 4, parsed: 3, failed: 1 }, Date.now(), 'acme');
    const get = async (token: string, q = '') => {
      const res = await fetch(`http://127.0.0.1:${app.ports.http}/api/v1/sources${q}`, { headers: bearer(token) });
      return { status: res.status, body: (await res.json()) as { inputs: Array<{ input: string; tenant: string; received: number; hosts: Array<{ host: string }> }> } };
    };
    const acme = await get(await tokenFor(app, 'analyst', 'acme'));
    expect(acme.status).toBe(200);
    // The default-tenant syslog and netflow inputs are not acme's; acme's HTTP host is.
    expect(acme.body.inputs.map((i) => i.input)).toEqual(['http']);
    expect(acme.body.inputs[0]).toMatchObject({ received: 4, hosts: [{ host: '198.51.100.7' }] });
    const dflt = await get(await tokenFor(app, 'analyst'));
    expect(dflt.body.inputs.map((i) => i.input)).not.toContain('http');
    expect(dflt.body.inputs.map((i) => i.input)).toContain('syslog-udp');
    expect((await get(await tokenFor(app, 'analyst'), '?tenant=acme')).status).toBe(403);
  });

  it('refuses the sources route without a principal', async () => {
    const res = await fetch(`http://127.0.0.1:${app.ports.http}/api/v1/sources`);
    expect(res.status).toBe(401);
  });
});
