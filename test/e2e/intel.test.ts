/**
 * Threat intelligence end to end on a real Vigil (SQLite in a temp dir, real sockets): a CSV feed
 * pulled from a real HTTP server, a STIX bundle imported, events posted over HTTP, indicator
 * detections stored and listed, a retro-hunt over history, tenants kept apart.
 * Needs `startIntel` in app.ts's capability list.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { startTestApp, tokenFor } from '../../src/test-support/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked field by field
type Json = any;

async function until<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('threat intel: feeds → indicators → live matches and retro-hunts, over real HTTP', () => {
  let app: VigilApp;
  let base: string;
  let feedServer: Server;
  let feedUrl: string;
  const tok: Record<string, string> = {};

  const call = async (
    token: string,
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  };
  const detectionsOf = async (token: string, ruleId: string) =>
    (await call(token, 'GET', `/api/v1/detections?rule=${encodeURIComponent(ruleId)}`)).json as {
      total: number;
      detections: Array<{
        kind: string;
        eventIds: string[];
        details: Record<string, unknown>;
        level: string;
      }>;
    };

  beforeAll(async () => {
    feedServer = createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer feed-token') return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end('# c2 list\nfirst_seen,dst_ip,port\n2026-11-27,192.0.2.66,443\n2026-11-27,192.0.2.67,8443\n');
    });
    await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', r));
    feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/c2.csv`;
    app = await startTestApp();
    base = `http://127.0.0.1:${app.ports.http}`;
    await app.auth.createTenant({ name: 'test', ip: null }, 'acme', 'Acme');
    tok.manager = await tokenFor(app, 'manager');
    tok.analyst = await tokenFor(app, 'analyst');
    tok.acme = await tokenFor(app, 'analyst', 'acme');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => feedServer?.close(r));
  });

  it('pulls a CSV feed with auth, matches posted events and stores indicator detections', async () => {
    const feed = await call(tok.manager!, 'POST', '/api/v1/intel/feeds', {
      name: 'c2-list',
      kind: 'csv',
      url: feedUrl,
      auth: { type: 'bearer', secret: 'feed-token' },
      options: { column: 'dst_ip', severity: 'high', confidence: 80 },
    });
    expect(feed.status).toBe(200);
    const pulled = await call(tok.manager!, 'POST', `/api/v1/intel/feeds/${feed.json.id as string}/pull`);
    expect(pulled.json).toMatchObject({ status: 'ok', inserted: 2, health: { lastCount: 2 } });
    const found = await call(tok.analyst!, 'GET', '/api/v1/intel/indicators?type=ipv4&value=192.0.2.66');
    expect(found.json.total).toBe(1);
    const id = found.json.indicators[0].id as string;
    const posted = await call(tok.manager!, 'POST', '/api/v1/events', [
      {
        '@timestamp': new Date().toISOString(),
        event: { id: 'e2e-intel-1' },
        source: { ip: '10.1.1.1' },
        destination: { ip: '192.0.2.66', port: 443 },
      },
    ]);
    expect(posted.json).toMatchObject({ accepted: 1 });
    const d = await until(async () => {
      const r = await detectionsOf(tok.analyst!, `intel:${id}`);
      return r.total > 0 ? r : undefined;
    });
    expect(d.detections[0]).toMatchObject({
      kind: 'indicator',
      level: 'high',
      eventIds: ['e2e-intel-1'],
      details: {
        matched: { field: 'destination.ip', value: '192.0.2.66' },
        indicator: { sources: ['c2-list'] },
      },
    });
    // Another tenant sees neither the indicator nor the detection.
    expect((await call(tok.acme!, 'GET', '/api/v1/intel/indicators')).json.total).toBe(0);
    expect((await detectionsOf(tok.acme!, `intel:${id}`)).total).toBe(0);
  });

  it('imports a STIX bundle and retro-hunts events stored before it', async () => {
    const posted = await call(tok.manager!, 'POST', '/api/v1/events', [
      {
        '@timestamp': new Date(Date.now() - 3_600_000).toISOString(),
        event: { id: 'e2e-intel-old' },
        dns: { question: { name: 'stage2.example' } },
      },
    ]);
    expect(posted.json).toMatchObject({ accepted: 1 });
    const bundle = {
      type: 'bundle',
      id: 'bundle--e2e',
      objects: [
        {
          type: 'indicator',
          spec_version: '2.1',
          id: 'indicator--e2e',
          pattern: "[domain-name:value = 'stage2.example']",
          pattern_type: 'stix',
          valid_from: '2026-01-01T00:00:00Z',
        },
      ],
    };
    const r = await call(tok.manager!, 'POST', '/api/v1/intel/import?format=stix&source=e2e-bundle', bundle);
    expect(r.json).toMatchObject({ indicators: 1, inserted: 1 });
    expect(r.json.hunts).toHaveLength(1);
    const hunt = await until(async () => {
      const h = await call(tok.analyst!, 'GET', `/api/v1/intel/hunts/${r.json.hunts[0] as string}`);
      return h.json.status === 'done' ? h.json : undefined;
    });
    expect(hunt).toMatchObject({ hits: 1 });
    const ind = await call(tok.analyst!, 'GET', '/api/v1/intel/indicators?type=stix');
    const d = await until(async () => {
      const x = await detectionsOf(tok.analyst!, `intel:${ind.json.indicators[0].id as string}`);
      return x.total > 0 ? x : undefined;
    });
    expect(d.detections[0]!.eventIds).toEqual(['e2e-intel-old']);
  });
});
