import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../app.js';
import { bearer, startTestApp, tokenFor } from '../test-support/app.js';

async function until<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('live detection with the built-in rule pack', () => {
  let app: VigilApp;
  let analyst: string;
  beforeAll(async () => {
    app = await startTestApp();
    analyst = await tokenFor(app, 'analyst');
  });
  afterAll(async () => app.close());

  it('turns twelve failed SSH logins from one address into twelve low detections and one brute-force correlation', async () => {
    const sock = net.connect(app.ports.syslog!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let body = '';
    for (let i = 0; i < 12; i++) {
      const ts = new Date(Date.UTC(2026, 10, 28, 9, 0, i * 10)).toISOString();
      body += `<38>1 ${ts} bastion sshd 4242 - - Failed password for invalid user admin${i} from 203.0.113.7 port ${40000 + i} ssh2\n`;
    }
    // One unrelated success from another address must not count.
    body += `<38>1 2026-11-28T09:02:30Z bastion sshd 4242 - - Accepted publickey for ops from 198.51.100.2 port 50000 ssh2\n`;
    sock.end(body);

    const res = await until(async () => {
      const r = await app.http.inject({
        method: 'GET',
        url: '/api/v1/detections?limit=100',
        headers: bearer(analyst),
      });
      const b = r.json() as {
        total: number;
        detections: Array<{
          kind: string;
          ruleId: string;
          level: string;
          details: Record<string, unknown>;
          eventIds: string[];
        }>;
      };
      return b.detections.some((d) => d.kind === 'correlation') && b.total >= 13 ? b : undefined;
    });
    const sigma = res.detections.filter((d) => d.kind === 'sigma');
    const corr = res.detections.filter((d) => d.kind === 'correlation');
    expect(sigma).toHaveLength(12);
    expect(
      sigma.every(
        (d) =>
          d.ruleId === '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01' && d.level === 'low' && d.eventIds.length === 1,
      ),
    ).toBe(true);
    expect(corr).toHaveLength(1);
    expect(corr[0]).toMatchObject({
      ruleId: '0b8e6f3c-2d4a-4e71-b5c9-7a1f3e2d9c02',
      level: 'high',
      details: { group: { 'source.ip': '203.0.113.7' } },
    });
    expect(Number(corr[0]!.details.value)).toBeGreaterThanOrEqual(10);
  });

  it('lists the loaded rules and filters detections by level', async () => {
    const rules = (
      await app.http.inject({ method: 'GET', url: '/api/v1/rules', headers: bearer(analyst) })
    ).json() as { rules: Array<{ id: string }> };
    expect(rules.rules.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01',
        '0b8e6f3c-2d4a-4e71-b5c9-7a1f3e2d9c02',
      ]),
    );
    const high = (
      await app.http.inject({ method: 'GET', url: '/api/v1/detections?level=high', headers: bearer(analyst) })
    ).json() as { detections: Array<{ level: string }> };
    expect(high.detections.length).toBeGreaterThan(0);
    expect(high.detections.every((d) => d.level === 'high' || d.level === 'critical')).toBe(true);
  });

  it('keeps detections inside their tenant', async () => {
    await app.auth.createTenant({ name: 't', ip: null }, 'other', 'Other');
    const other = await tokenFor(app, 'analyst', 'other');
    const r = (
      await app.http.inject({ method: 'GET', url: '/api/v1/detections', headers: bearer(other) })
    ).json() as { total: number };
    expect(r.total).toBe(0);
  });
});
