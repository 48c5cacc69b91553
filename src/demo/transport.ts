/**
 * Sends a scenario step through Vigil's real doors: the syslog listener (TCP, or UDP when that is all
 * the input offers), the Elasticsearch `_bulk` endpoint and `POST /api/v1/events`, each with the demo's
 * ingest token, exactly as rsyslog, Winlogbeat and a Zeek log shipper would.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Delivery } from './scenario.js';

export interface Sink {
  /** false when the syslog input is off, so scenarios that need it can be skipped up front */
  readonly hasSyslog: boolean;
  send(d: Delivery): Promise<void>;
}

export interface ListenerTargets {
  /** `http://127.0.0.1:8080` */
  httpBase: string;
  /** an ingest token of the tenant the syslog input stores into */
  token: string;
  syslog?: { host: string; port: number; protocol: 'tcp' | 'udp' } | undefined;
}

/** Where to connect to reach a listener bound to `host` on this machine. */
export function localAddress(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

export function httpBase(host: string, port: number): string {
  const h = localAddress(host);
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

const RETRIES = 5;

export class ListenerSink implements Sink {
  constructor(private readonly t: ListenerTargets) {}

  get hasSyslog(): boolean {
    return this.t.syslog !== undefined;
  }

  async send(d: Delivery): Promise<void> {
    if (d.via === 'syslog') return this.syslog(d.lines);
    if (d.via === 'bulk') return this.bulk(d.index, d.docs);
    return this.events(d.docs);
  }

  private async syslog(lines: string[]): Promise<void> {
    const s = this.t.syslog;
    if (!s) throw new Error('the syslog input is disabled');
    if (lines.length === 0) return;
    if (s.protocol === 'udp') return sendUdp(s.host, s.port, lines);
    return sendTcp(s.host, s.port, lines);
  }

  private async bulk(index: string, docs: Record<string, unknown>[]): Promise<void> {
    if (docs.length === 0) return;
    const action = JSON.stringify({ create: { _index: index } });
    const body = docs.map((d) => `${action}\n${JSON.stringify(d)}\n`).join('');
    // Winlogbeat authenticates with an API key; Vigil accepts its ingest token in that header.
    const res = await post(`${this.t.httpBase}/_bulk`, body, {
      authorization: `ApiKey ${this.t.token}`,
      'content-type': 'application/x-ndjson',
    });
    const r = (await res.json()) as {
      errors?: boolean;
      items?: Array<Record<string, { status?: number; error?: { reason?: string } }>>;
    };
    if (r.errors) {
      const failed = (r.items ?? []).map((i) => Object.values(i)[0]).find((i) => i?.error);
      throw new Error(`_bulk refused a document: ${failed?.error?.reason ?? 'unknown reason'}`);
    }
  }

  private async events(docs: Record<string, unknown>[]): Promise<void> {
    if (docs.length === 0) return;
    const body = docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
    const res = await post(`${this.t.httpBase}/api/v1/events`, body, {
      authorization: `Bearer ${this.t.token}`,
      'content-type': 'application/x-ndjson',
    });
    const r = (await res.json()) as { accepted: number; rejected: Array<{ index: number; reason: string }> };
    if (r.rejected.length > 0)
      throw new Error(`/api/v1/events refused ${r.rejected.length} record(s): ${r.rejected[0]!.reason}`);
  }
}

/** POST with the back-off a shipper uses when Vigil says it is busy (429/503). */
async function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { method: 'POST', headers, body });
    if (res.ok) return res;
    if ((res.status === 429 || res.status === 503) && attempt < RETRIES) {
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, 500 * attempt));
      continue;
    }
    throw new Error(`${new URL(url).pathname} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}

/** LF-framed lines over one TCP connection, closed when written (as `logger --tcp` does). */
function sendTcp(host: string, port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    sock.once('error', reject);
    sock.once('connect', () => sock.end(lines.join('\n') + '\n'));
    sock.once('close', (hadError) => {
      if (!hadError) resolve();
    });
  });
}

function sendUdp(host: string, port: number, lines: string[]): Promise<void> {
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const one = (line: string) =>
    new Promise<void>((resolve, reject) =>
      sock.send(Buffer.from(line), port, host, (e) => (e ? reject(e) : resolve())),
    );
  return (async () => {
    try {
      for (const l of lines) await one(l);
    } finally {
      sock.close();
    }
  })();
}
