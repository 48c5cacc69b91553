/**
 * Shipper-protocol ingest into SQLite, end to end: Vigil runs in a child process (started from
 * source with the same tsx loader, so no build is needed), this process plays the shippers with
 * several concurrent clients. An event counts only once its request was acknowledged (= durable):
 * ES `_bulk` items with status 201, HEC batches answered code 0, OTLP records not rejected.
 * Prints one JSON line per protocol.
 */
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { WireWriter } from '../src/parse/otlp/wire.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 1000;
const CONCURRENCY = 4;

if (process.argv.includes('--serve')) {
  const { startTestApp, tokenFor } = await import('../src/test-support/app.js');
  const app = await startTestApp({ VIGIL_LOG_LEVEL: 'silent' });
  const token = await tokenFor(app, 'ingest');
  console.log(JSON.stringify({ port: app.ports.http, token }));
  process.stdin.resume();
  process.stdin.on('end', () => void app.close().then(() => process.exit(0)));
} else {
  await main();
}

function sample(seq: number, i: number) {
  return {
    '@timestamp': new Date(Date.UTC(2026, 10, 1, 0, 0, 0, seq * BATCH + i)).toISOString(),
    message: `Failed password for invalid user u${i % 97} from 10.0.${i % 250}.${i % 200} port ${1024 + i} ssh2`,
    host: { name: `host-${i % 50}` },
    source: { ip: `10.0.${i % 250}.${i % 200}`, port: 1024 + i },
    user: { name: `u${i % 97}` },
    event: { category: ['authentication'], outcome: 'failure', action: 'ssh_login' },
  };
}

function bulkBody(seq: number): string {
  const lines: string[] = [];
  for (let i = 0; i < BATCH; i++) lines.push('{"create":{"_index":"logs-system.auth-default"}}', JSON.stringify(sample(seq, i)));
  return lines.join('\n') + '\n';
}

function hecBody(seq: number): string {
  let out = '';
  for (let i = 0; i < BATCH; i++) {
    const { '@timestamp': ts, ...event } = sample(seq, i);
    out += JSON.stringify({ time: Date.parse(ts) / 1000, host: event.host.name, sourcetype: 'linux_secure', event });
  }
  return out;
}

function otlpBody(seq: number): Uint8Array {
  const scope = new WireWriter().message(1, new WireWriter().bytes(1, 'bench'));
  for (let i = 0; i < BATCH; i++) {
    const s = sample(seq, i);
    const kv = (k: string, v: string) => new WireWriter().bytes(1, k).message(2, new WireWriter().bytes(1, v));
    const rec = new WireWriter()
      .tag(1, 1).fixed64(BigInt(Date.parse(s['@timestamp'])) * 1_000_000n)
      .tag(2, 0).varint(13).bytes(3, 'WARN')
      .message(5, new WireWriter().bytes(1, s.message))
      .message(6, kv('user.name', s.user.name))
      .message(6, kv('source.ip', s.source.ip))
      .message(6, kv('event.outcome', 'failure'));
    scope.message(2, rec);
  }
  const resource = new WireWriter().message(1, new WireWriter().bytes(1, 'host.name').message(2, new WireWriter().bytes(1, `host-${seq % 50}`)));
  return new WireWriter().message(1, new WireWriter().message(1, resource).message(2, scope)).finish();
}

async function run(name: string, send: (seq: number) => Promise<number>, extra: Record<string, unknown>): Promise<void> {
  let next = 0;
  let acked = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next * BATCH < TOTAL) {
        // Not `acked += await ...`: that reads `acked` before the await and loses concurrent updates.
        const n = await send(next++);
        acked += n;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ name, events: acked, seconds: +seconds.toFixed(3), eventsPerSecond: Math.round(acked / seconds), batch: BATCH, concurrency: CONCURRENCY, ...extra }));
}

/** A fresh server per protocol, so that no figure pays for the rows an earlier one stored. */
async function withServer(fn: (base: string, token: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const { port, token } = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { port: number; token: string });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  try {
    await fn(`http://127.0.0.1:${port}`, token);
  } finally {
    child.stdin.end();
    await new Promise((resolve) => child.on('exit', resolve));
  }
}

async function bulkAcked(r: Response): Promise<number> {
  const out = (await r.json()) as { items?: Array<Record<string, { status: number }>> };
  return (out.items ?? []).filter((it) => Object.values(it)[0]!.status === 201).length;
}

async function main(): Promise<void> {
  const bulk = Array.from({ length: 8 }, (_, i) => bulkBody(i));
  await withServer((base, token) =>
    run('http-es-bulk-sqlite', async (seq) => bulkAcked(await fetch(`${base}/_bulk`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: bulk[seq % bulk.length],
    })), { gzip: false }),
  );
  const bulkGz = bulk.map((b) => gzipSync(b));
  await withServer((base, token) =>
    run('http-es-bulk-gzip-sqlite', async (seq) => bulkAcked(await fetch(`${base}/_bulk`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' }, body: bulkGz[seq % bulkGz.length],
    })), { gzip: true }),
  );
  const hec = Array.from({ length: 8 }, (_, i) => hecBody(i));
  await withServer((base, token) =>
    run('http-splunk-hec-sqlite', async (seq) => {
      const r = await fetch(`${base}/services/collector/event`, { method: 'POST', headers: { authorization: `Splunk ${token}` }, body: hec[seq % hec.length] });
      return ((await r.json()) as { code: number }).code === 0 ? BATCH : 0;
    }, {}),
  );
  const otlp = Array.from({ length: 8 }, (_, i) => otlpBody(i));
  await withServer((base, token) =>
    run('http-otlp-protobuf-sqlite', async (seq) => {
      const r = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-protobuf' }, body: otlp[seq % otlp.length] });
      const bytes = new Uint8Array(await r.arrayBuffer());
      return r.status === 200 && bytes.length === 0 ? BATCH : 0;
    }, {}),
  );
}
