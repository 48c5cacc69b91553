/**
 * The intel capability on the real pieces of a running Vigil: SQLite storage, MemoryBus, the API
 * server with its authorization hook, the ingest pipeline. Events go in through POST /api/v1/events
 * and indicator detections come out on `detections.<tenant>`.
 */
import type { FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../api/server.js';
import { AuthService } from '../auth/service.js';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { loadConfig } from '../config/load.js';
import { createVigilMetrics } from '../metrics/registry.js';
import { normalizeIncoming } from '../normalize/incoming.js';
import { IngestPipeline } from '../pipeline/ingest.js';
import type { DetectionRecord, Storage } from '../store/ports.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import { VERSION } from '../version.js';
import { indicatorDetectionId } from './detections.js';
import { indicatorId } from './indicator.js';
import { startIntel, type IntelService } from './service.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const APT1 = path.resolve(
  ROOT,
  '..',
  'shared',
  'data',
  'ti',
  'cti-stix2-json-schemas',
  'examples',
  'threat-reports',
  'apt1.json',
);

async function until<T>(f: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('intel capability (SQLite + MemoryBus + API)', () => {
  let dataDir: string;
  let storage: Storage;
  let bus: MemoryBus;
  let http: FastifyInstance;
  let intel: IntelService;
  let close: () => Promise<void>;
  let manager: string;
  let reader: string;
  let acme: string;
  let auditor: string;
  const detections: DetectionRecord[] = [];

  const call = async (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    token: string,
    payload?: unknown,
    contentType?: string,
  ) => {
    const res = await http.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) },
      ...(payload !== undefined ? { payload: payload as string } : {}),
    });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };
  const ingest = (events: unknown[], token = manager) => call('POST', '/api/v1/events', token, events);

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-intel-svc-'));
    const config = loadConfig({ env: { VIGIL_DATA_DIR: dataDir } });
    storage = openSqliteStorage(dataDir);
    bus = new MemoryBus();
    const metrics = createVigilMetrics();
    const auth = new AuthService(storage.identity, storage.audit, config.auth);
    await auth.bootstrap('admin-password-for-tests');
    await storage.identity.createTenant({ id: 'acme', name: 'Acme' });
    const pipeline = new IngestPipeline(
      storage.events,
      storage.deadLetters,
      bus,
      metrics,
      10_000,
      undefined,
      normalizeIncoming,
    );
    const log = pino({ level: 'silent' });
    http = await buildServer(
      { config, storage, bus, auth, ingest: pipeline, metrics, version: VERSION },
      log,
    );
    const cap = await startIntel(
      { config, storage, bus, http, log, metrics, auth },
      { feedCheckMs: 3_600_000 },
    );
    intel = cap.intel!;
    close = () => cap.close();
    const actor = { name: 'test', ip: null };
    manager = (await auth.createToken(actor, { name: 'm', role: 'manager', tenant: 'default' })).token;
    reader = (await auth.createToken(actor, { name: 'r', role: 'analyst', tenant: 'default' })).token;
    auditor = (await auth.createToken(actor, { name: 'au', role: 'auditor', tenant: 'default' })).token;
    acme = (await auth.createToken(actor, { name: 'a', role: 'manager', tenant: 'acme' })).token;
    detections.length = 0;
    await bus.consume<DetectionRecord[]>('detections.>', 'test', async (m) => {
      detections.push(...m.data);
    });
  });
  afterEach(async () => {
    await close();
    await bus.close();
    await http.close();
    await storage.close();
  });

  it('matches stored events against added indicators and publishes stable indicator detections', async () => {
    const add = await call('POST', '/api/v1/intel/indicators', manager, {
      indicators: [
        {
          type: 'ipv4',
          value: '203.0.113.7',
          severity: 'high',
          confidence: 90,
          tags: ['c2'],
          attack: ['T1071'],
          source: 'analyst',
        },
        { type: 'domain', value: 'evil.example' },
        { type: 'md5', value: 'nope' },
      ],
    });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ inserted: 2, rejected: [{ index: 2 }] });
    await intel.idle();
    const r = await ingest([
      {
        '@timestamp': '2026-11-28T09:00:00Z',
        event: { id: 'ev-1' },
        source: { ip: '10.0.0.5' },
        destination: { ip: '203.0.113.7' },
      },
      {
        '@timestamp': '2026-11-28T09:00:01Z',
        event: { id: 'ev-2' },
        dns: { question: { name: 'cdn.evil.example' } },
      },
      {
        '@timestamp': '2026-11-28T09:00:02Z',
        event: { id: 'ev-3' },
        dns: { question: { name: 'good.example' } },
      },
    ]);
    expect(r.status).toBe(200);
    await until(() => (detections.length >= 2 ? true : undefined));
    const ipId = indicatorId('default', 'ipv4', '203.0.113.7');
    const ip = detections.find((d) => d.ruleId === `intel:${ipId}`)!;
    // Derived: the digest of indicator and event after the event's arrival time.
    expect(ip.id.slice(12)).toBe(indicatorDetectionId(ipId, ['ev-1'], 0).slice(12));
    expect(ip).toMatchObject({
      kind: 'indicator',
      tenant: 'default',
      level: 'high',
      eventIds: ['ev-1'],
      attack: { techniques: ['t1071'] },
      details: {
        matched: { field: 'destination.ip', value: '203.0.113.7' },
        indicator: { sources: ['analyst'], confidence: 90 },
      },
    });
    expect(ip.title).toContain('ipv4 203.0.113.7 (analyst)');
    expect(detections.find((d) => d.eventIds[0] === 'ev-2')!.details).toMatchObject({
      matched: { field: 'dns.question.name', value: 'cdn.evil.example' },
    });
    expect(detections.some((d) => d.eventIds.includes('ev-3'))).toBe(false);

    // Expired: no more matches.
    expect((await call('POST', `/api/v1/intel/indicators/${ipId}/expire`, manager)).status).toBe(200);
    await intel.idle();
    detections.length = 0;
    await ingest([
      { '@timestamp': '2026-11-28T09:05:00Z', event: { id: 'ev-4' }, destination: { ip: '203.0.113.7' } },
    ]);
    await new Promise((res) => setTimeout(res, 100));
    expect(detections).toEqual([]);
  });

  it('keeps tenants apart: indicators, searches and matches', async () => {
    await call('POST', '/api/v1/intel/indicators', acme, {
      indicators: [{ type: 'ipv4', value: '198.51.100.1' }],
    });
    await intel.idle();
    const mine = await call('GET', '/api/v1/intel/indicators', reader);
    expect(mine.body).toMatchObject({ total: 0 });
    const theirs = await call('GET', '/api/v1/intel/indicators?type=ipv4&value=198.51.100.1', acme);
    expect(theirs.body).toMatchObject({ total: 1 });
    expect((await call('GET', '/api/v1/intel/indicators?tenant=acme', reader)).status).toBe(403);
    // Reading intel does not allow changing it: an auditor reads everything and changes nothing.
    expect((await call('GET', '/api/v1/intel/indicators', auditor)).status).toBe(200);
    expect(
      (
        await call('POST', '/api/v1/intel/indicators', auditor, {
          indicators: [{ type: 'ipv4', value: '1.1.1.1' }],
        })
      ).status,
    ).toBe(403);
    await ingest([
      { '@timestamp': '2026-11-28T09:00:00Z', event: { id: 'd-1' }, source: { ip: '198.51.100.1' } },
    ]);
    await ingest(
      [{ '@timestamp': '2026-11-28T09:00:00Z', event: { id: 'a-1' }, source: { ip: '198.51.100.1' } }],
      acme,
    );
    const d = await until(() => (detections.length > 0 ? detections : undefined));
    await new Promise((res) => setTimeout(res, 50));
    expect(d.map((x) => [x.tenant, x.eventIds[0]])).toEqual([['acme', 'a-1']]);
  });

  it('imports the APT1 STIX bundle and matches its patterns; context objects are listed', async () => {
    const { readFileSync } = await import('node:fs');
    const r = await call(
      'POST',
      '/api/v1/intel/import?format=stix&source=mandiant-apt1',
      manager,
      readFileSync(APT1, 'utf8'),
      'application/json',
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ indicators: 12, inserted: 12, rejectedCount: 0 });
    const objs = await call('GET', '/api/v1/intel/objects?type=threat-actor', reader);
    expect((objs.body.objects as unknown[]).length).toBe(5);
    await intel.idle();
    await ingest([
      {
        '@timestamp': '2026-11-28T09:00:00Z',
        event: { id: 's-1' },
        dns: { question: { name: 'hugesoft.org' } },
      },
      { '@timestamp': '2026-11-28T09:00:00Z', event: { id: 's-2' }, source: { ip: '223.167.1.1' } },
    ]);
    const d = await until(() => (detections.length >= 2 ? detections : undefined));
    expect(d.map((x) => x.eventIds[0]).sort()).toEqual(['s-1', 's-2']);
    expect(
      d.every((x) => x.details.matched && (x.details.matched as { field: string }).field === 'stix-pattern'),
    ).toBe(true);
  });

  it('pulls a CSV feed and a MISP feed directory, records health, and survives an unreachable feed', async () => {
    const feeds = path.join(dataDir, 'intel-feeds');
    mkdirSync(path.join(feeds, 'misp'), { recursive: true });
    writeFileSync(path.join(feeds, 'c2.csv'), 'ip,port\n192.0.2.10,443\n192.0.2.11,80\n');
    const uuid = '5c3f7b2a-0000-4000-8000-000000000001';
    writeFileSync(
      path.join(feeds, 'misp', 'manifest.json'),
      JSON.stringify({ [uuid]: { info: 'x', timestamp: '1764288000' } }),
    );
    writeFileSync(
      path.join(feeds, 'misp', `${uuid}.json`),
      JSON.stringify({
        Event: {
          uuid,
          info: 'x',
          Attribute: [
            { type: 'domain', value: 'misp.example', to_ids: true },
            { type: 'domain', value: 'ctx.example', to_ids: false },
          ],
        },
      }),
    );
    const mk = async (body: Record<string, unknown>) =>
      (await call('POST', '/api/v1/intel/feeds', manager, body)).body as { id: string };
    const csv = await mk({
      name: 'c2',
      kind: 'csv',
      url: path.join(feeds, 'c2.csv'),
      options: { column: 'ip', severity: 'critical' },
      auth: { type: 'bearer', secret: 'feed-secret-xyz' },
    });
    const misp = await mk({ name: 'misp', kind: 'misp', url: path.join(feeds, 'misp') });
    const down = await mk({ name: 'down', kind: 'stix', url: 'http://127.0.0.1:9/bundle.json' });
    const outside = await mk({ name: 'outside', kind: 'csv', url: '/etc/hostname' });
    const pulled = await call('POST', `/api/v1/intel/feeds/${csv.id}/pull`, manager);
    expect(pulled.body).toMatchObject({
      status: 'ok',
      indicators: 2,
      inserted: 2,
      health: { lastCount: 2, lastError: null },
    });
    expect((await call('POST', `/api/v1/intel/feeds/${misp.id}/pull`, manager)).body).toMatchObject({
      status: 'ok',
      indicators: 1,
    });
    // The cursor makes the second pull read nothing new.
    expect((await call('POST', `/api/v1/intel/feeds/${misp.id}/pull`, manager)).body).toMatchObject({
      status: 'ok',
      indicators: 0,
    });
    const failed = await call('POST', `/api/v1/intel/feeds/${down.id}/pull`, manager);
    expect(failed.body).toMatchObject({
      status: 'failed',
      health: { consecutiveFailures: 1, lastError: expect.stringContaining('unreachable') },
    });
    expect((await call('POST', `/api/v1/intel/feeds/${outside.id}/pull`, manager)).body).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('local feeds must be under'),
    });
    const list = await call('GET', '/api/v1/intel/feeds', reader);
    const shown = (list.body.feeds as Array<Record<string, unknown>>).find((f) => f.name === 'c2')!;
    expect(shown.auth).toEqual({ type: 'bearer', hasSecret: true });
    expect(JSON.stringify(list.body)).not.toContain('feed-secret-xyz');
    await intel.idle();
    await ingest([
      { '@timestamp': '2026-11-28T09:00:00Z', event: { id: 'f-1' }, destination: { ip: '192.0.2.11' } },
      { '@timestamp': '2026-11-28T09:00:00Z', event: { id: 'f-2' }, url: { domain: 'misp.example' } },
      { '@timestamp': '2026-11-28T09:00:00Z', event: { id: 'f-3' }, url: { domain: 'ctx.example' } },
    ]);
    const d = await until(() => (detections.length >= 2 ? detections : undefined));
    await new Promise((res) => setTimeout(res, 50));
    expect(d.map((x) => [x.eventIds[0], x.level]).sort()).toEqual([
      ['f-1', 'critical'],
      ['f-2', 'medium'],
    ]);
  });

  it('retro-hunts stored history when new indicators arrive, with the ids live matching uses', async () => {
    await ingest([
      {
        '@timestamp': new Date(Date.now() - 3_600_000).toISOString(),
        event: { id: 'old-1' },
        file: { hash: { sha256: 'c'.repeat(64) } },
      },
      {
        '@timestamp': new Date(Date.now() - 20 * 86_400_000).toISOString(),
        event: { id: 'too-old' },
        file: { hash: { sha256: 'c'.repeat(64) } },
      },
    ]);
    await new Promise((res) => setTimeout(res, 50));
    expect(detections).toEqual([]);
    const add = await call('POST', '/api/v1/intel/indicators', manager, {
      indicators: [{ type: 'sha256', value: 'C'.repeat(64) }],
    });
    expect((add.body.hunts as string[]).length).toBe(1);
    await intel.idle();
    const d = await until(() => (detections.length > 0 ? detections : undefined));
    expect(d.map((x) => x.eventIds[0])).toEqual(['old-1']);
    expect(d[0]!.details.retroHunt).toBe((add.body.hunts as string[])[0]);
    expect(d[0]!.id.slice(12)).toBe(
      indicatorDetectionId(indicatorId('default', 'sha256', 'c'.repeat(64)), ['old-1'], 0).slice(12),
    );
    const job = await call('GET', `/api/v1/intel/hunts/${(add.body.hunts as string[])[0]}`, reader);
    expect(job.body).toMatchObject({ status: 'done', scanned: 1, hits: 1 });
    // An explicit hunt over 30 days finds both, from all live indicators.
    const started = await call('POST', '/api/v1/intel/hunts', manager, { days: 30 });
    await intel.idle();
    const done = await call('GET', `/api/v1/intel/hunts/${started.body.id as string}`, reader);
    expect(done.body).toMatchObject({ status: 'done', scanned: 2, hits: 2 });
  });

  it('survives a MISP outage: matching goes on, the cursor waits, and what was missed is hunted after', async () => {
    const key = 'misp-outage-key-0123456789';
    let up = true;
    const attrs: Array<Record<string, unknown>> = [];
    const attr = (n: number, value: string) => ({
      id: String(n),
      event_id: '40',
      uuid: `6f0c0c0c-0000-4000-8000-${String(n).padStart(12, '0')}`,
      type: 'domain',
      category: 'Network activity',
      to_ids: true,
      value,
      timestamp: String(1_764_100_000 + n),
      Event: {
        id: '40',
        uuid: 'b1b1b1b1-0000-4000-8000-000000000040',
        info: 'C2 wave',
        threat_level_id: '1',
      },
    });
    const asked: number[] = [];
    const server: Server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        if (!up) {
          res.writeHead(503).end('maintenance');
          return;
        }
        const body = JSON.parse(raw || '{}') as { timestamp?: number; page?: number; limit?: number };
        asked.push(Number(body.timestamp ?? 0));
        const since = Number(body.timestamp ?? 0);
        const page = Number(body.page ?? 1);
        const limit = Number(body.limit ?? 1000);
        const all = attrs.filter((a) => Number(a.timestamp) >= since);
        res.writeHead(req.headers.authorization === key ? 200 : 403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ response: { Attribute: all.slice((page - 1) * limit, page * limit) } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const feed = (
        await call('POST', '/api/v1/intel/feeds', manager, {
          name: 'misp-live',
          kind: 'misp-api',
          url,
          auth: { type: 'header', header: 'authorization', secret: key },
        })
      ).body as { id: string };
      attrs.push(attr(1, 'known-c2.example'));
      expect((await call('POST', `/api/v1/intel/feeds/${feed.id}/pull`, manager)).body).toMatchObject({
        status: 'ok',
        indicators: 1,
      });
      await intel.idle();

      // MISP goes away; MISP itself learns of a new domain meanwhile.
      up = false;
      attrs.push(attr(2, 'new-c2.example'));
      const failed = await call('POST', `/api/v1/intel/feeds/${feed.id}/pull`, manager);
      expect(failed.body).toMatchObject({ status: 'failed', health: { consecutiveFailures: 1 } });
      // Detection does not depend on MISP being up: the known indicator still matches inline.
      await ingest([
        {
          '@timestamp': new Date().toISOString(),
          event: { id: 'during-1' },
          url: { domain: 'known-c2.example' },
        },
        {
          '@timestamp': new Date().toISOString(),
          event: { id: 'during-2' },
          url: { domain: 'www.new-c2.example' },
        },
      ]);
      await until(() => (detections.some((d) => d.eventIds[0] === 'during-1') ? true : undefined));
      expect(detections.some((d) => d.eventIds[0] === 'during-2')).toBe(false);

      // Back up: the pull resumes from the last good cursor, and the retro-hunt of the new
      // indicator finds the event stored while MISP was down.
      up = true;
      const resumed = await call('POST', `/api/v1/intel/feeds/${feed.id}/pull`, manager);
      expect(resumed.body).toMatchObject({
        status: 'ok',
        inserted: 1,
        health: { consecutiveFailures: 0, lastError: null },
      });
      // Incremental from the first pull's cursor: it covers what MISP added during the outage.
      expect(asked).toHaveLength(2);
      expect(asked[1]).toBeGreaterThan(0);
      expect(asked[1]).toBeLessThanOrEqual(1_764_100_002);
      await intel.idle();
      const found = await until(() => detections.find((d) => d.eventIds[0] === 'during-2'));
      expect(found.details.retroHunt).toEqual(expect.any(String));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('pulls a STIX bundle over HTTP with bearer auth and a conditional request', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const server: Server = createServer((req, res) => {
      seen.push({ auth: req.headers.authorization, inm: req.headers['if-none-match'] });
      if (req.headers.authorization !== 'Bearer s3') return void res.writeHead(401).end();
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' });
      res.end(
        JSON.stringify({
          type: 'bundle',
          id: 'bundle--1',
          objects: [
            {
              type: 'indicator',
              id: 'indicator--9',
              pattern: "[url:value = 'http://x.example/p']",
              pattern_type: 'stix',
            },
          ],
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/b.json`;
      const f = (
        await call('POST', '/api/v1/intel/feeds', manager, {
          name: 'h',
          kind: 'stix',
          url,
          auth: { type: 'bearer', secret: 's3' },
        })
      ).body as { id: string };
      expect((await call('POST', `/api/v1/intel/feeds/${f.id}/pull`, manager)).body).toMatchObject({
        status: 'ok',
        inserted: 1,
      });
      expect((await call('POST', `/api/v1/intel/feeds/${f.id}/pull`, manager)).body).toMatchObject({
        status: 'not-modified',
      });
      expect(seen).toEqual([
        { auth: 'Bearer s3', inm: undefined },
        { auth: 'Bearer s3', inm: '"v1"' },
      ]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
