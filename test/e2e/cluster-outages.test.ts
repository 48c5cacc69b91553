/**
 * Cluster mode under outages, with real processes and real servers:
 * - NATS JetStream killed with SIGKILL and restarted (a server of the test's own, on its own port and
 *   store, so other tests keep theirs): ingest holds its senders back while it is away, resumes
 *   after, and no acknowledged event is lost or stored twice; detection resumes on the same consumers.
 * - PostgreSQL unreachable for 30 s (a TCP relay the test cuts, so the shared server stays up):
 *   nothing acknowledged is lost, nothing is stored twice, and the process survives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, serviceAvailable } from '../../src/test-support/services.js';
import { runCli, startServer, tempDataDir, type ServerProcess } from '../support/server-process.js';
import { freePort, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { until as waitUntil } from '../../src/test-support/until.js';

const NATS_SERVER = '/usr/sbin/nats-server';
const pgTarget = new URL(PG_URL);
const available =
  (await serviceAvailable('PostgreSQL', pgTarget.hostname, Number(pgTarget.port || 5432))) &&
  (await import('node:fs').then((fs) => fs.existsSync(NATS_SERVER)));
if (!available) console.warn(`cluster outage tests skipped: they need PostgreSQL and ${NATS_SERVER}`);

const run = `${process.pid}_${Date.now().toString(36)}`;
const dbName = `vigil_outage_${run}`;

const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 60000): Promise<T> =>
  waitUntil(f, ms, what, 200);

/** A JetStream server owned by this test: killed and restarted on the same port and store. */
class OwnNats {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}
  async start(): Promise<void> {
    this.child = spawn(
      NATS_SERVER,
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
      { stdio: 'ignore' },
    );
    await until('nats-server to listen', async () => {
      const ok = await new Promise<boolean>((r) => {
        const s = net.connect(this.port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), r(true)));
        s.once('error', () => r(false));
      });
      return ok ? true : undefined;
    });
  }
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }
}

describe.runIf(available)('cluster outages: NATS restart and PostgreSQL away for 30 s', () => {
  const dataDir = tempDataDir();
  const configFile = path.join(dataDir, 'outage.yaml');
  let nats: OwnNats;
  let proxy: TcpProxy;
  let node: ServerProcess;
  let token = '';
  let db: pg.Client;

  /** Posts one batch until Vigil acknowledges it (200), as a shipper with retries does. */
  const sendUntilAcked = async (messages: string[]): Promise<number> => {
    let attempts = 0;
    const giveUp = Date.now() + 150_000;
    for (;;) {
      attempts++;
      if (Date.now() > giveUp) throw new Error(`batch not acknowledged after ${attempts} attempts`);
      try {
        const r = await fetch(`${node.base}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(messages.map((message) => ({ message, host: { name: 'outage-host' } }))),
          signal: AbortSignal.timeout(120_000),
        });
        await r.arrayBuffer();
        if (r.status === 200) return attempts;
      } catch {
        // refused or timed out: not acknowledged, so send again
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  /** How many times each marked message is stored, read from PostgreSQL itself. */
  const storedCounts = async (marker: string): Promise<Map<string, number>> => {
    const r = await db.query<{ m: string; n: string }>(
      `SELECT doc->>'message' AS m, count(*) AS n FROM events WHERE doc->>'message' LIKE $1 GROUP BY 1`,
      [`${marker}%`],
    );
    return new Map(r.rows.map((x) => [x.m, Number(x.n)]));
  };

  const detections = async (): Promise<number> => {
    const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM detections`);
    return Number(r.rows[0]!.n);
  };

  /** One sshd failure over syslog/TCP: the built-in SSH rule turns it into a detection. */
  const sshFailure = async (i: number) => {
    const sock = net.connect(node.ports.syslog!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const line = `<38>1 ${new Date().toISOString()} bastion sshd ${2000 + i} - - Failed password for root from 203.0.113.50 port ${50000 + i} ssh2 outage-${run}\n`;
    await new Promise<void>((r) => sock.end(line, r));
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const dbUrl = new URL(PG_URL);
    dbUrl.pathname = `/${dbName}`;
    db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();

    nats = new OwnNats(await freePort(), mkdtempSync(path.join(tmpdir(), 'vigil-nats-')));
    await nats.start();
    proxy = await startTcpProxy(pgTarget.hostname, Number(pgTarget.port || 5432));
    const viaProxy = new URL(dbUrl);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    writeFileSync(
      configFile,
      [
        `database:\n  url: ${viaProxy.toString()}`,
        `nats:\n  url: nats://127.0.0.1:${nats.port}\n  streamPrefix: OUTAGE`,
        `syslog:\n  port: 0`,
      ].join('\n') + '\n',
    );
    node = await startServer(path.join(dataDir, 'node'), { VIGIL_CONFIG: configFile, VIGIL_ROLE: 'all' });
    // Straight to PostgreSQL: runCli blocks this process, and with it the relay in it.
    const t = runCli(['token', 'create', '--role', 'ingest', '--name', 'shipper'], {
      VIGIL_CONFIG: configFile,
      VIGIL_DATABASE_URL: dbUrl.toString(),
      VIGIL_DATA_DIR: path.join(dataDir, 'node'),
    });
    expect(t.code, t.stderr).toBe(0);
    token = t.stdout.trim();
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await nats?.kill();
    await proxy?.close();
    await db?.end();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }, 60_000);

  it('NATS killed and restarted: senders wait, then every acknowledged event is stored once and detection resumes', async () => {
    const marker = `nats-${run}-`;
    await sshFailure(0);
    const before = await until('a detection before the outage', async () =>
      (await detections()) > 0 ? detections() : undefined,
    );
    const batches = 40;
    let acked = 0;
    const sender = (async () => {
      for (let b = 0; b < batches; b++) {
        const attempts = await sendUntilAcked(
          Array.from({ length: 25 }, (_, i) => `${marker}${String(b).padStart(3, '0')}-${i}`),
        );
        acked++;
        expect(attempts).toBeGreaterThanOrEqual(1);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await until('some batches before the outage', async () => (acked >= 5 ? true : undefined));
    await nats.kill();
    const ackedWhileDown = acked;
    await new Promise((r) => setTimeout(r, 4000));
    // While the bus is away, nothing new is acknowledged (at most the batch that was in flight).
    expect(acked - ackedWhileDown).toBeLessThanOrEqual(1);
    await nats.start();
    await sender;
    expect(acked).toBe(batches);

    const counts = await until('every acknowledged event in PostgreSQL', async () => {
      const c = await storedCounts(marker);
      return c.size === batches * 25 ? c : undefined;
    });
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(node.child.exitCode).toBeNull();

    // The detection consumers came back by themselves: a new failure is detected.
    await sshFailure(1);
    await until('a detection after the restart', async () =>
      (await detections()) > before ? true : undefined,
    );
  }, 180_000);

  it('PostgreSQL unreachable for 30 s: what was acknowledged is stored once; the rest is refused, then accepted', async () => {
    const marker = `pg-${run}-`;
    let acked = 0;
    let refusedOrWaited = 0;
    let stop = false;
    const sender = (async () => {
      for (let b = 0; !stop || b < 10; b++) {
        const attempts = await sendUntilAcked(
          Array.from({ length: 10 }, (_, i) => `${marker}${String(b).padStart(4, '0')}-${i}`),
        );
        acked++;
        if (attempts > 1) refusedOrWaited++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await until('some batches before the outage', async () => (acked >= 3 ? true : undefined));
    proxy.cut();
    const cutAt = acked;
    await new Promise((r) => setTimeout(r, 30_000));
    // With the database away nothing can be durable, so nothing more is acknowledged.
    expect(acked - cutAt).toBeLessThanOrEqual(1);
    proxy.restore();
    stop = true;
    await sender;
    expect(refusedOrWaited).toBeGreaterThanOrEqual(1);

    const sentBatches = acked;
    const counts = await until('every acknowledged event in PostgreSQL', async () => {
      const c = await storedCounts(marker);
      return c.size === sentBatches * 10 ? c : undefined;
    });
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(node.child.exitCode).toBeNull();
    // The process is healthy again: a fresh batch is acknowledged at the first attempt.
    expect(await sendUntilAcked([`${marker}after`])).toBe(1);
  }, 180_000);
});
