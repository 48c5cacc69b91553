/**
 * Threat intel in cluster mode on real PostgreSQL: an `api` node takes indicators and lists over
 * HTTP, a `detect` node (its own process state: bus, index, lists) notices the change in the shared
 * database and matches with it. Skipped without PostgreSQL unless VIGIL_REQUIRE_SERVICES is set.
 */
import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../api/server.js';
import { AuthService } from '../auth/service.js';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import type { Duty } from '../cluster/roles.js';
import { loadConfig } from '../config/load.js';
import { createVigilMetrics } from '../metrics/registry.js';
import { normalizeIncoming } from '../normalize/incoming.js';
import { IngestPipeline } from '../pipeline/ingest.js';
import type { DetectionRecord, Storage } from '../store/ports.js';
import { openPostgresStorage } from '../store/postgres/index.js';
import { PG_URL, serviceAvailable } from '../test-support/services.js';
import { VERSION } from '../version.js';
import { indicatorId } from './indicator.js';
import { startIntel } from './service.js';

const target = new URL(PG_URL);
const available = await serviceAvailable('PostgreSQL', target.hostname, Number(target.port || 5432));
const dbName = `vigil_intel_cluster_${process.pid}_${Date.now().toString(36)}`;

async function until<T>(f: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Node {
  storage: Storage;
  http: FastifyInstance;
  detections: DetectionRecord[];
  close: () => Promise<void>;
}

async function startNode(url: string, roles: Duty[], bootstrap: boolean): Promise<Node> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-intel-cluster-'));
  const config = loadConfig({ env: { VIGIL_DATA_DIR: dataDir } });
  const storage = await openPostgresStorage(url);
  const bus = new MemoryBus();
  const metrics = createVigilMetrics();
  const auth = new AuthService(storage.identity, storage.audit, config.auth);
  if (bootstrap) await auth.bootstrap('admin-password-for-tests');
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
  const http = await buildServer(
    { config, storage, bus, auth, ingest: pipeline, metrics, version: VERSION },
    log,
  );
  const cap = await startIntel(
    { config, storage, bus, http, log, metrics, auth, roles: new Set(roles) },
    { feedCheckMs: 3_600_000, changePollMs: 50, retroHuntDays: 0 },
  );
  const detections: DetectionRecord[] = [];
  await bus.consume<DetectionRecord[]>('detections.>', 'test', async (m) => {
    detections.push(...m.data);
  });
  return {
    storage,
    http,
    detections,
    close: async () => {
      await cap.close();
      await bus.close();
      await http.close();
      await storage.close();
    },
  };
}

describe.runIf(available)('intel across cluster nodes (PostgreSQL)', () => {
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  }, 60_000);

  it('an indicator and an allowlist written on the api node take effect on the detect node', async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${dbName}`;
    const api = await startNode(u.toString(), ['api'], true);
    const detect = await startNode(u.toString(), ['detect', 'ingest'], false);
    try {
      const auth = new AuthService(api.storage.identity, api.storage.audit, loadConfig({ env: {} }).auth);
      const { token } = await auth.createToken(
        { name: 't', ip: null },
        { name: 'm', role: 'manager', tenant: 'default' },
      );
      const call = (node: Node, method: 'GET' | 'POST', url: string, payload?: unknown) =>
        node.http.inject({
          method,
          url,
          headers: { authorization: `Bearer ${token}` },
          payload: payload as string,
        });

      const add = await call(api, 'POST', '/api/v1/intel/indicators', {
        indicators: [
          { type: 'cidr', value: '198.51.100.0/24', severity: 'high' },
          { type: 'domain', value: 'cluster.example', severity: 'high' },
        ],
      });
      expect(add.statusCode).toBe(200);
      const list = await call(api, 'POST', '/api/v1/intel/warninglists?kind=allowlist', {
        name: 'scanner',
        description: 'our own vulnerability scanner',
        version: 1,
        type: 'cidr',
        list: ['198.51.100.10'],
      });
      expect(list.statusCode).toBe(200);
      const cidr = indicatorId('default', 'cidr', '198.51.100.0/24');
      // The detect node rebuilds once it sees the changes (indicators, then the list, maybe in two polls).
      await until(async () => {
        const r = await call(detect, 'GET', '/api/v1/intel/stats');
        const stats = r.json<{ liveIndicators: number; lists: number }>();
        return stats.liveIndicators === 2 && stats.lists === 1 ? true : undefined;
      });
      const ts = new Date().toISOString();
      const posted = await call(detect, 'POST', '/api/v1/events', [
        { '@timestamp': ts, event: { id: 'c-1' }, destination: { ip: '198.51.100.10' } },
        { '@timestamp': ts, event: { id: 'c-2' }, destination: { ip: '198.51.100.11' } },
        { '@timestamp': ts, event: { id: 'c-3' }, dns: { question: { name: 'www.cluster.example' } } },
      ]);
      expect(posted.json()).toMatchObject({ accepted: 3 });
      await until(() => (detect.detections.length >= 2 ? true : undefined));
      expect(detect.detections.map((d) => [d.ruleId, d.eventIds]).sort()).toEqual(
        [
          [`intel:${cidr}`, ['c-2']],
          [`intel:${indicatorId('default', 'domain', 'cluster.example')}`, ['c-3']],
        ].sort(),
      );
      const sightings = await until(async () => {
        const s = await api.storage.intel.listSightings(['default'], cidr, 10);
        return s.length >= 2 ? s : undefined;
      });
      expect(sightings.find((s) => s.kind === 'suppressed')).toMatchObject({ eventId: 'c-1' });
    } finally {
      await detect.close();
      await api.close();
    }
  }, 60_000);
});
