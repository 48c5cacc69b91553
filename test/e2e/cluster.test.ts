/**
 * Cluster mode end to end: real `vigil start` processes, one per role and two detect nodes, sharing a fresh
 * PostgreSQL database and NATS JetStream (own stream prefix). sshd failure lines go to the ingest
 * node over syslog; the detect node detects, the worker node folds alerts, the api node shows them.
 * Then redeliveries are provoked (a worker killed with SIGKILL mid-stream and restarted, the same
 * detections published twice, the same events posted twice) and nothing may be stored or counted twice.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/nats/nats-bus.js';
import { NATS_URL, PG_URL, serviceAvailable } from '../../src/test-support/services.js';
import {
  loginCookie,
  runCli,
  startServer,
  tempDataDir,
  type ServerProcess,
} from '../support/server-process.js';
import { until as waitUntil } from '../../src/test-support/until.js';

const SSH_FAILED = '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01';
const BRUTE_FORCE = '0b8e6f3c-2d4a-4e71-b5c9-7a1f3e2d9c02';
const pgTarget = new URL(PG_URL);
const natsTarget = new URL(NATS_URL);
const available =
  (await serviceAvailable('PostgreSQL', pgTarget.hostname, Number(pgTarget.port || 5432))) &&
  (await serviceAvailable('NATS JetStream', natsTarget.hostname, Number(natsTarget.port || 4222)));

const run = `${process.pid}_${Date.now().toString(36)}`;
const dbName = `vigil_cluster_${run}`;
const prefix = `VIGILCL_${run}`;
const dbUrl = (() => {
  const u = new URL(PG_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 30000): Promise<T> =>
  waitUntil(f, ms, what, 200);

describe.runIf(available)('cluster: ingest, detect, worker and api nodes over PostgreSQL and NATS', () => {
  const dataDir = tempDataDir();
  const configFile = path.join(dataDir, 'cluster.yaml');
  const nodes: Partial<Record<'api' | 'ingest' | 'detect' | 'detect2' | 'worker', ServerProcess>> = {};
  let cookie = '';
  let ingestToken = '';
  let sent = 0;

  const start = (role: string) =>
    startServer(path.join(dataDir, role), { VIGIL_CONFIG: configFile, VIGIL_ROLE: role });

  const get = async (node: ServerProcess, url: string): Promise<{ status: number; json: unknown }> => {
    const r = await fetch(`${node.base}${url}`, { headers: { cookie } });
    return { status: r.status, json: await r.json().catch(() => undefined) };
  };

  /** The SSH-failure alert as the api node shows it. */
  const sshAlert = async () => {
    const r = await get(nodes.api!, `/api/v1/alerts?rule=${SSH_FAILED}&limit=10`);
    return r.json as { total: number; alerts: Array<{ id: string; count: number }> };
  };
  const eventTotal = async (q: string) =>
    (
      (await get(nodes.api!, `/api/v1/events/search?q=${encodeURIComponent(q)}&limit=1`)).json as {
        total: number;
      }
    ).total;
  const detectionTotal = async () =>
    ((await get(nodes.api!, `/api/v1/detections?limit=1`)).json as { total: number }).total;

  /** sshd failure lines over syslog/TCP to the ingest node, each a distinct attempt. */
  const sendFailures = async (n: number, ip = '203.0.113.9') => {
    const sock = net.connect(nodes.ingest!.ports.syslog!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      sent++;
      lines.push(
        `<38>1 ${new Date().toISOString()} bastion sshd ${1000 + sent} - - Failed password for root from ${ip} port ${40000 + sent} ssh2 cluster-${run}\n`,
      );
    }
    await new Promise<void>((r) => sock.end(lines.join(''), r));
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    writeFileSync(
      configFile,
      [
        `database:\n  url: ${dbUrl}`,
        `nats:\n  url: ${NATS_URL}\n  streamPrefix: ${prefix}`,
        // Every node takes port 0; only the ingest node opens its listeners.
        `syslog:\n  port: 0`,
      ].join('\n') + '\n',
    );
    // The api node first: it migrates the database and creates the admin; the others then find both.
    nodes.api = await start('api');
    [nodes.ingest, nodes.detect, nodes.detect2, nodes.worker] = await Promise.all([
      start('ingest'),
      start('detect'),
      startServer(path.join(dataDir, 'detect2'), { VIGIL_CONFIG: configFile, VIGIL_ROLE: 'detect' }),
      start('worker'),
    ]);
    cookie = (await loginCookie(nodes.api.base, 'admin', 'e2e-admin-password')).cookie;
    const token = runCli(['token', 'create', '--role', 'ingest', '--name', 'shipper'], {
      VIGIL_CONFIG: configFile,
      VIGIL_DATA_DIR: dataDir,
    });
    expect(token.code).toBe(0);
    ingestToken = token.stdout.trim();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n?.stop()));
    const bus = await NatsBus.open({ url: NATS_URL, streamPrefix: prefix });
    await bus.deleteStreamsWithPrefix();
    await bus.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }, 120_000);

  it('refuses a split role without PostgreSQL and NATS, naming both settings', () => {
    const r = runCli(['start', '--role', 'detect'], {
      VIGIL_DATA_DIR: tempDataDir(),
      VIGIL_HTTP_PORT: '0',
      VIGIL_DATABASE_URL: '',
      VIGIL_NATS_URL: '',
      VIGIL_CONFIG: '',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /role detect .*database\.url \(VIGIL_DATABASE_URL\) and nats\.url \(VIGIL_NATS_URL\)/,
    );
  });

  it('serves each route only on the nodes of its role', async () => {
    expect((await get(nodes.ingest!, '/api/v1/alerts')).status).toBe(404);
    expect((await get(nodes.detect!, '/api/v1/cases')).status).toBe(404);
    expect((await get(nodes.worker!, '/api/v1/alerts')).status).toBe(404);
    expect((await get(nodes.api!, '/api/v1/alerts')).status).toBe(200);
    // Authorization comes first; an authorised request for another role's route is then refused.
    const post = await fetch(`${nodes.api!.base}/api/v1/events`, {
      method: 'POST',
      body: '[]',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
    });
    expect(post.status).toBe(404);
    expect(((await post.json()) as { error: { message: string } }).error.message).toMatch(
      /role: api.*ingest role/,
    );
    // Shipper protocols live in their own plugin scopes; they are ingest routes all the same.
    for (const url of ['/_bulk', '/services/collector/event', '/v1/logs']) {
      const r = await fetch(`${nodes.api!.base}${url}`, {
        method: 'POST',
        body: '{}',
        headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
      });
      expect(r.status, url).toBe(404);
    }
    expect((await get(nodes.ingest!, '/api/v1/events/search?q=x')).status).toBe(404);
    for (const n of Object.values(nodes)) expect((await get(n!, '/api/v1/health')).status).toBe(200);
    // Only the ingest node listens for syslog.
    expect(nodes.ingest!.ports.syslog).toBeGreaterThan(0);
    expect(nodes.api!.ports.syslog).toBeUndefined();
  });

  it('turns syslog on the ingest node into one alert, shown by the api node', async () => {
    await sendFailures(20);
    const alert = await until('20 detections folded into one alert', async () => {
      const a = await sshAlert();
      return a.alerts[0]?.count === 20 ? a : undefined;
    });
    expect(alert.total).toBe(1);
    expect(await eventTotal(`cluster-${run}`)).toBe(20);
    await until('20 detections recorded', async () => ((await detectionTotal()) >= 20 ? true : undefined));
  }, 60_000);

  it('counts every detection once after a worker is killed mid-stream and restarted', async () => {
    // 30 more, in bursts, while the worker is killed after folding the first of them.
    const sending = (async () => {
      for (let i = 0; i < 6; i++) {
        await sendFailures(5);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    await until(
      'the worker to start on the new detections',
      async () => ((await sshAlert()).alerts[0]!.count > 20 ? true : undefined),
      30_000,
    );
    await nodes.worker!.stop('SIGKILL');
    const countAtKill = (await sshAlert()).alerts[0]!.count;
    await sending;
    nodes.worker = await start('worker');
    // Unacknowledged messages come back after the consumer's ack wait (60 s).
    const alert = await until(
      'all 50 detections folded',
      async () => {
        const a = await sshAlert();
        return a.alerts[0]!.count >= 50 ? a : undefined;
      },
      120_000,
    );
    expect(countAtKill).toBeLessThan(50); // killed mid-stream, not after
    expect(alert.total).toBe(1);
    expect(alert.alerts[0]!.count).toBe(50);
    expect(await eventTotal(`cluster-${run}`)).toBe(50);
  }, 200_000);

  it('a detect node killed with SIGKILL hands its correlation partitions over; the open window survives', async () => {
    const ip = '198.51.100.77';
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    try {
      /** Detect node process id → partitions it holds, from the database's own lock table. */
      const owners = async () => {
        const r = await db.query<{ p: number; app: string }>(
          `SELECT l.objid::bigint::int AS p, a.application_name AS app
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid = $1::bigint::oid AND l.granted`,
          [0x56474c02],
        );
        const m = new Map<number, number[]>();
        for (const row of r.rows) {
          const pid = Number(row.app.split(':')[1]);
          m.set(
            pid,
            [...(m.get(pid) ?? []), row.p].sort((a, b) => a - b),
          );
        }
        return m;
      };
      const shared = await until('both detect nodes to own partitions', async () => {
        const m = await owners();
        const all = [...m.values()].flat();
        return m.size === 2 && all.length === 16 && new Set(all).size === 16 ? m : undefined;
      });
      expect([...shared.keys()].sort()).toEqual([nodes.detect!.child.pid, nodes.detect2!.child.pid].sort());

      /** The brute-force window of this address in a partition checkpoint, with the partition. */
      const window = async () => {
        const r = await db.query<{ tenant: string; snapshot: string }>(
          `SELECT tenant, snapshot FROM correlation_state WHERE tenant LIKE 'partition:%' AND snapshot LIKE $1`,
          [`%${ip}%`],
        );
        for (const row of r.rows) {
          const engines = JSON.parse(JSON.parse(row.snapshot).engines as string) as Record<string, string>;
          const groups = JSON.parse(engines.default ?? '{}').groups?.[BRUTE_FORCE] ?? {};
          const g = groups[JSON.stringify({ 'source.ip': ip })] as { entries: unknown[] } | undefined;
          if (g) return { partition: Number(row.tenant.split(':')[1]), entries: g.entries.length };
        }
        return undefined;
      };
      await sendFailures(6, ip);
      const before = await until('six failures in the checkpointed window', async () => {
        const w = await window();
        return w?.entries === 6 ? w : undefined;
      });
      const ownerPid = [...(await owners())].find(([, ps]) => ps.includes(before.partition))![0];
      const victim = nodes.detect!.child.pid === ownerPid ? 'detect' : 'detect2';
      const survivor = victim === 'detect' ? 'detect2' : 'detect';
      await nodes[victim]!.stop('SIGKILL');
      const taken = await until('the survivor to own every partition', async () => {
        const m = await owners();
        return m.size === 1 && m.get(nodes[survivor]!.child.pid!)?.length === 16 ? m : undefined;
      });
      expect(taken.size).toBe(1);

      // Four more: only with the six from before the kill does the window reach ten.
      await sendFailures(4, ip);
      const fired = await until(
        'the brute-force correlation over the handed-over window',
        async () => {
          const r = await get(nodes.api!, `/api/v1/detections?rule=${BRUTE_FORCE}&limit=500`);
          const mine = (
            r.json as { detections: Array<{ details: { group?: Record<string, string> } }> }
          ).detections.filter((d) => d.details.group?.['source.ip'] === ip);
          return mine.length > 0 ? mine : undefined;
        },
        90_000,
      );
      expect(fired).toHaveLength(1);
      nodes[victim] = await start('detect');
      // Once the restarted node is back, the partitions are shared again.
      await until('the partitions to be shared again', async () =>
        (await owners()).size === 2 ? true : undefined,
      );
    } finally {
      await db.end();
    }
  }, 240_000);

  it('ignores the same detections published twice and the same events posted twice', async () => {
    const before = await sshAlert();
    const detections = (await get(nodes.api!, `/api/v1/detections?limit=500`)).json as {
      total: number;
      detections: Array<{ tenant: string; ruleId: string }>;
    };
    expect(detections.detections.length).toBe(detections.total);
    const bus = await NatsBus.open({ url: NATS_URL, streamPrefix: prefix });
    try {
      for (let round = 0; round < 2; round++) await bus.publish('detections.default', detections.detections);
    } finally {
      await bus.close();
    }
    // The worker reports every redelivered detection as a duplicate in its metrics.
    const duplicates = async () => {
      const text = await (await fetch(`${nodes.worker!.base}/metrics`, { headers: { cookie } })).text();
      const m = /vigil_alert_detections_total\{result="duplicate"\} (\d+)/.exec(text);
      return m ? Number(m[1]) : 0;
    };
    await until('the worker to see both copies', async () =>
      (await duplicates()) >= 2 * detections.total ? true : undefined,
    );
    const after = await sshAlert();
    expect(after.total).toBe(before.total);
    expect(after.alerts[0]!.count).toBe(before.alerts[0]!.count);
    expect(await detectionTotal()).toBe(detections.total);

    // Events: a shipper retrying a batch with the same ids stores each once.

    const docs = Array.from({ length: 5 }, (_, i) => ({
      '@timestamp': '2026-11-28T09:00:00.000Z',
      event: { id: `retry-${run}-${i}` },
      message: `retried-${run}`,
    }));
    for (let round = 0; round < 2; round++) {
      const r = await fetch(`${nodes.ingest!.base}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(docs),
      });
      expect(r.status).toBe(200);
    }
    expect(await eventTotal(`retried-${run}`)).toBe(5);
  }, 120_000);
});
