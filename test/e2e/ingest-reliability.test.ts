/**
 * Ingest reliability against the built server as a child process: kill -9 during shipper traffic
 * (Elasticsearch _bulk via the official client, Splunk HEC), HTTP backpressure with a tiny queue,
 * and syslog over one TCP connection (completeness, and bounded memory while streaming).
 */
import { Client } from '@elastic/elasticsearch';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startServer, tempDataDir, type ServerProcess } from '../support/server-process.js';

const PASSWORD = 'e2e-admin-password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ingestToken(dataDir: string): string {
  const t = runCli(['token', 'create', '--role', 'ingest'], {
    VIGIL_DATA_DIR: dataDir,
    VIGIL_ADMIN_PASSWORD: PASSWORD,
  });
  expect(t.code).toBe(0);
  return t.stdout.trim();
}

/** Rows of the events table whose document contains `needle` (read-only, as an auditor would). */
function storedDocs(dataDir: string, needle: string): Array<{ id: string; doc: string }> {
  const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, doc FROM events WHERE doc LIKE ?').all(`%${needle}%`) as Array<{
      id: string;
      doc: string;
    }>;
  } finally {
    db.close();
  }
}

function storedCount(dataDir: string, needle: string): number {
  const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
  try {
    return (
      db.prepare('SELECT count(*) AS n FROM events WHERE doc LIKE ?').get(`%${needle}%`) as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Writes lines over one TCP connection as fast as the socket takes them, then closes it. */
async function streamSyslog(
  port: number,
  count: number,
  line: (i: number) => string,
  onProgress?: (sent: number) => void,
): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const PER_WRITE = 500;
  for (let i = 0; i < count; i += PER_WRITE) {
    let chunk = '';
    for (let j = i; j < Math.min(count, i + PER_WRITE); j++) chunk += line(j);
    if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
    onProgress?.(Math.min(count, i + PER_WRITE));
  }
  await new Promise<void>((r) => sock.end(r));
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond() && Date.now() < until) await sleep(200);
}

describe('kill -9 during shipper traffic loses nothing acknowledged', () => {
  it('Elasticsearch _bulk (official client, with _ids): every acknowledged id stored, none twice', async () => {
    const dataDir = tempDataDir();
    let srv: ServerProcess = await startServer(dataDir);
    const token = ingestToken(dataDir);
    const client = new Client({
      node: srv.base,
      auth: { apiKey: token },
      maxRetries: 0,
      requestTimeout: 10_000,
    });
    const acked: string[] = [];
    let sent = 0;
    let seq = 0;
    const sender = async () => {
      for (;;) {
        const ids = Array.from({ length: 100 }, () => `esk-${seq++}`);
        sent += ids.length;
        try {
          const r = await client.bulk({
            operations: ids.flatMap((id) => [
              { create: { _index: 'logs-kill', _id: id } },
              { '@timestamp': '2026-11-01T10:00:00Z', message: `esdur ${id}` },
            ]),
          });
          if (r.errors) return;
          acked.push(...ids);
        } catch {
          return;
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    while (acked.length < 3000) await sleep(5);
    await srv.stop('SIGKILL');
    await Promise.all(senders);
    await client.close();
    expect(sent).toBeGreaterThan(acked.length); // the kill landed with requests in flight
    srv = await startServer(dataDir);
    await srv.stop();
    const rows = storedDocs(dataDir, 'esdur esk-');
    const messages = rows.map((r) => (JSON.parse(r.doc) as { message: string }).message);
    const ids = new Set(messages.map((m) => m.slice('esdur '.length)));
    expect(acked.filter((id) => !ids.has(id))).toEqual([]);
    expect(messages.length).toBe(ids.size); // none twice
    expect(rows.length).toBeLessThanOrEqual(sent);
    // The _id given to _bulk is the stored event id.
    expect(
      rows.every((r) => r.id === (JSON.parse(r.doc) as { message: string }).message.slice('esdur '.length)),
    ).toBe(true);
  });

  it('Splunk HEC: every acknowledged event stored, never more than were sent', async () => {
    const dataDir = tempDataDir();
    let srv: ServerProcess = await startServer(dataDir);
    const token = ingestToken(dataDir);
    const run = `hecdur${Date.now()}`;
    const acked: number[] = [];
    let sent = 0;
    let seq = 0;
    const sender = async () => {
      for (;;) {
        const nums = Array.from({ length: 100 }, () => seq++);
        sent += nums.length;
        try {
          const r = await fetch(`${srv.base}/services/collector/event`, {
            method: 'POST',
            headers: { authorization: `Splunk ${token}` },
            body: nums
              .map((n) =>
                JSON.stringify({
                  event: { message: 'hec durability', marker: `${run}-${n}-` },
                  sourcetype: 'kill',
                }),
              )
              .join(''),
          });
          if (r.status !== 200) return;
          expect(((await r.json()) as { code: number }).code).toBe(0);
          acked.push(...nums);
        } catch {
          return;
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    while (acked.length < 3000) await sleep(5);
    await srv.stop('SIGKILL');
    await Promise.all(senders);
    srv = await startServer(dataDir);
    await srv.stop();
    const rows = storedDocs(dataDir, run);
    const stored = new Set(rows.map((r) => Number(new RegExp(`${run}-(\\d+)-`).exec(r.doc)![1])));
    expect(acked.filter((n) => !stored.has(n))).toEqual([]);
    expect(rows.length).toBeLessThanOrEqual(sent);
    expect(rows.length).toBe(stored.size);
  });
});

describe('HTTP backpressure', () => {
  it('answers 429 with Retry-After when the queue is full; retried requests all get stored; the server stays up', async () => {
    const dataDir = tempDataDir();
    const cfg = path.join(dataDir, 'vigil.yaml');
    writeFileSync(cfg, 'ingest:\n  maxPendingEvents: 50\n');
    const srv = await startServer(dataDir, { VIGIL_CONFIG: cfg });
    try {
      const token = ingestToken(dataDir);
      let refused = 0;
      const retryAfter: string[] = [];
      const sender = async (s: number) => {
        for (let req = 0; req < 4; req++) {
          const body = Array.from({ length: 2000 }, (_, i) =>
            JSON.stringify({ event: { id: `bp-${s}-${req}-${i}` }, message: 'backpressure' }),
          ).join('\n');
          for (;;) {
            const r = await fetch(`${srv.base}/api/v1/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}` },
              body,
            });
            if (r.status === 200) {
              expect(((await r.json()) as { accepted: number }).accepted).toBe(2000);
              break;
            }
            expect(r.status).toBe(429);
            refused++;
            const ra = r.headers.get('retry-after');
            retryAfter.push(ra ?? '');
            await r.arrayBuffer();
            await sleep(Number(ra) * 1000 * Math.random());
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, s) => sender(s)));
      expect(refused).toBeGreaterThan(0);
      expect(retryAfter.every((v) => Number(v) >= 1)).toBe(true);
      expect(srv.child.exitCode).toBeNull();
      expect((await fetch(`${srv.base}/api/v1/health`)).status).toBe(200);
      expect(storedCount(dataDir, '"backpressure"')).toBe(8 * 4 * 2000);
    } finally {
      await srv.stop();
    }
  }, 120_000);
});

describe('syslog over one TCP connection', () => {
  it('stores all of 50,000 lines sent as fast as possible, then closed', async () => {
    const dataDir = tempDataDir();
    const srv = await startServer(dataDir);
    try {
      const run = `tcpall${Date.now()}`;
      const N = 50_000;
      await streamSyslog(srv.ports.syslog!, N, (i) => `<13>Nov 28 04:00:00 web01 app[7]: ${run} seq=${i}\n`);
      let n = 0;
      await waitFor(() => (n = storedCount(dataDir, run)) >= N, 60_000);
      expect(n).toBe(N);
      const seqs = new Set(storedDocs(dataDir, run).map((r) => Number(/seq=(\d+)/.exec(r.doc)![1])));
      expect(seqs.size).toBe(N);
    } finally {
      await srv.stop();
    }
  }, 120_000);

  it('keeps its memory bounded while a client streams 200,000 lines without reading anything back', async () => {
    const dataDir = tempDataDir();
    const srv = await startServer(dataDir);
    try {
      const pid = srv.child.pid!;
      const run = `tcpmem${Date.now()}`;
      const N = 200_000;
      // The baseline is taken once the pipeline is running (the first line stored, so the event
      // writer thread started): what is measured is growth with the volume sent.
      const warm = `tcpwarm${Date.now()}`;
      await streamSyslog(srv.ports.syslog!, 1, () => `<13>Nov 28 04:00:00 web01 app[7]: ${warm}\n`);
      await waitFor(() => storedCount(dataDir, warm) >= 1, 30_000);
      const baseline = rssKb(pid);
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssKb(pid)), 250);
      // Lines of ~300 bytes: 60 MB in total, more than any bounded buffer should hold.
      const pad = 'x'.repeat(220);
      await streamSyslog(
        srv.ports.syslog!,
        N,
        (i) => `<13>Nov 28 04:00:00 web01 app[7]: ${run} seq=${i} ${pad}\n`,
      );
      let n = 0;
      await waitFor(() => (n = storedCount(dataDir, run)) >= N, 120_000);
      clearInterval(sampler);
      expect(n).toBe(N);
      const peak = Math.max(...samples);
      // The socket pauses while its batch is stored, so memory tracks the batch, not the volume
      // sent: it rises to where the two threads' collectors and page caches settle (a sawtooth
      // between ~170 and ~300 MB above the start, the same for 800,000 lines), then stops rising.
      expect(peak - baseline).toBeLessThan(360 * 1024);
      const cut = Math.floor((samples.length * 2) / 3);
      expect(Math.max(...samples.slice(cut))).toBeLessThan(Math.max(...samples.slice(0, cut)) + 64 * 1024);
      expect(srv.child.exitCode).toBeNull();
    } finally {
      await srv.stop();
    }
  }, 180_000);
});
