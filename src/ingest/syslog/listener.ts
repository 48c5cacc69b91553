import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { SyslogInputConfig } from '../../config/schema.js';
import type { VigilMetrics } from '../../metrics/registry.js';
import { parseSyslog } from '../../parse/syslog/index.js';
import type { IngestItem, IngestPipeline } from '../../pipeline/ingest.js';
import { Batcher } from '../batcher.js';
import type { SourceCounts, SourceHealth } from '../health/source-health.js';
import { rawForDeadLetter } from '../raw-text.js';
import { SyslogFramer } from './framing.js';

export interface SyslogListeners {
  udpPort?: number;
  tcpPort?: number;
  tlsPort?: number;
  /** The port to report: TCP's when it runs, else UDP's (TLS has its own configured port). */
  port: number;
  close(): Promise<void>;
}

type SyslogConfig = SyslogInputConfig;

/** Who is at the other end of a TLS connection, as proven by a verified client certificate. */
interface PeerIdentity {
  commonName: string;
  subject: string;
}

function toItem(msg: Buffer, cfg: SyslogConfig, from: string, now: Date, peer?: PeerIdentity): IngestItem {
  const r = parseSyslog(msg, { timezone: cfg.timezone, now, receivedFrom: from });
  if (!r.ok) return { ok: false, reason: r.reason, ...rawForDeadLetter(msg) };
  if (peer) {
    const doc = r.value as Record<string, unknown>;
    const prev = (doc.tls ?? {}) as Record<string, unknown>;
    doc.tls = {
      ...prev,
      client: { subject: peer.subject, x509: { subject: { common_name: [peer.commonName] } } },
    };
    const observer = (doc.observer ?? {}) as Record<string, unknown>;
    // A vendor parser's own observer name (the firewall's) wins over the relay's certificate.
    if (observer.name === undefined) doc.observer = { ...observer, name: peer.commonName };
  }
  return { ok: true, doc: r.value, normalized: true };
}

function peerIdentity(socket: tls.TLSSocket): PeerIdentity | undefined {
  // An unverified certificate proves nothing, so its names are not recorded.
  if (!socket.authorized) return undefined;
  const subject = socket.getPeerCertificate().subject as Record<string, string | string[]> | undefined;
  if (!subject) return undefined;
  const cn = subject.CN;
  const commonName = Array.isArray(cn) ? cn[0] : cn;
  if (!commonName) return undefined;
  const dn = Object.entries(subject)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}=${x}`))
    .join(',');
  return { commonName, subject: dn };
}

function readTlsFile(cfg: SyslogConfig, key: 'cert' | 'key' | 'ca', file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`syslog input ${cfg.id}: cannot read tls.${key} file ${file}: ${(err as Error).message}`);
  }
}

/** Records per batch of a stream connection. */
const STREAM_BATCH = 1000;
/** Batches of one stream connection being stored at once. */
const STREAM_BATCHES_IN_FLIGHT = 4;
/** Records read from one connection and not yet stored, beyond which its socket pauses. */
const STREAM_MAX_PENDING = STREAM_BATCH * STREAM_BATCHES_IN_FLIGHT;

const ONE_PARSED: SourceCounts = { received: 1, parsed: 1, failed: 0 };
const ONE_FAILED: SourceCounts = { received: 1, parsed: 0, failed: 1 };

/**
 * Syslog over UDP and TCP on one port number, and over TLS (RFC 5425) on its own port. TCP and TLS:
 * per-connection framing (LF or octet counting, detected); a few batches of a connection are stored
 * at once, and its socket pauses when that many are pending, so a slow store slows the sender
 * instead of growing memory. UDP has no
 * acknowledgement: what cannot be buffered is dropped and counted.
 */
export async function startSyslogListeners(
  cfg: SyslogConfig,
  pipeline: IngestPipeline,
  metrics: VigilMetrics,
  log: Logger,
  health?: SourceHealth,
): Promise<SyslogListeners> {
  const onError = (input: string) => (err: unknown) =>
    log.warn({ err, input }, 'syslog batch not stored yet; retrying');
  const udpInput = `${cfg.id}-udp`;
  const tcpInput = `${cfg.id}-tcp`;
  const tlsInput = `${cfg.id}-tls`;
  const useTcp = cfg.protocols.includes('tcp');
  const useUdp = cfg.protocols.includes('udp');
  const tlsCfg = cfg.tls;
  const udpBatcher = new Batcher(pipeline, {
    tenant: cfg.tenant,
    input: udpInput,
    onError: onError(udpInput),
  });
  for (const [on, input, kind] of [
    [useUdp, udpInput, 'syslog-udp'],
    [useTcp, tcpInput, 'syslog-tcp'],
    [!!tlsCfg, tlsInput, 'syslog-tls'],
  ] as const) {
    if (on) health?.register({ input, tenant: cfg.tenant, kind, silentAfterMinutes: cfg.silentAfterMinutes });
  }

  const sockets = new Set<net.Socket>();
  const closing = new Set<Promise<void>>();

  /** One stream connection (TCP or TLS): frame, parse, batch, pause while storing. */
  const serveStream = (socket: net.Socket, input: string, onClosed: () => void, peer?: PeerIdentity) => {
    sockets.add(socket);
    const from = socket.remoteAddress ?? 'unknown';
    const framer = new SyslogFramer({ maxMessageSize: cfg.maxMessageBytes });
    const batcher = new Batcher(pipeline, {
      tenant: cfg.tenant,
      input,
      maxBatch: STREAM_BATCH,
      maxInFlight: STREAM_BATCHES_IN_FLIGHT,
      maxBuffered: Number.MAX_SAFE_INTEGER,
      onError: onError(input),
    });
    const take = (frames: ReturnType<SyslogFramer['push']>) => {
      if (frames.length === 0) return;
      const items: IngestItem[] = [];
      let parsed = 0;
      // One clock reading per chunk: it only resolves RFC 3164's missing year.
      const now = new Date();
      for (const f of frames) {
        if (f.ok) {
          const it = toItem(f.message, cfg, from, now, peer);
          if (it.ok) parsed++;
          items.push(it);
        } else
          items.push({
            ok: false,
            reason: `${f.reason} frame of ${f.size} bytes (limit ${cfg.maxMessageBytes})`,
            ...rawForDeadLetter(f.head),
          });
      }
      metrics.packetsReceived.inc({ input }, frames.length);
      health?.record(input, from, { received: items.length, parsed, failed: items.length - parsed });
      batcher.offer(items);
    };
    socket.on('data', (chunk: Buffer) => {
      take(framer.push(chunk));
      if (batcher.pending >= STREAM_MAX_PENDING && !socket.isPaused()) {
        // What was read is being stored; read more once a batch of it is. Reading on while
        // earlier batches commit keeps the parser busy; the bound keeps memory flat.
        socket.pause();
        void batcher.flush();
        void batcher.whenBelow(STREAM_MAX_PENDING).then(() => socket.resume());
      }
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      take(framer.end());
      const done = batcher.close().finally(() => closing.delete(done));
      closing.add(done);
    };
    socket.on('end', finish);
    socket.on('error', (err) => log.debug({ err, from, input }, 'syslog stream connection error'));
    socket.on('close', () => {
      onClosed();
      sockets.delete(socket);
      finish();
    });
  };

  const tcp = net.createServer();
  let openTcp = 0;
  metrics.connections.set(() => openTcp, { input: tcpInput });
  tcp.on('connection', (socket) => {
    openTcp++;
    serveStream(socket, tcpInput, () => openTcp--);
  });

  let tlsServer: tls.Server | undefined;
  if (tlsCfg) {
    const ca = tlsCfg.ca ? readTlsFile(cfg, 'ca', tlsCfg.ca) : undefined;
    tlsServer = tls.createServer({
      cert: readTlsFile(cfg, 'cert', tlsCfg.cert),
      key: readTlsFile(cfg, 'key', tlsCfg.key),
      ...(ca ? { ca } : {}),
      // With a CA but no requirement, a client may present a certificate; only verified ones are recorded.
      requestCert: tlsCfg.requireClientCert || ca !== undefined,
      rejectUnauthorized: tlsCfg.requireClientCert,
    });
    let openTls = 0;
    metrics.connections.set(() => openTls, { input: tlsInput });
    tlsServer.on('secureConnection', (socket: tls.TLSSocket) => {
      openTls++;
      serveStream(socket, tlsInput, () => openTls--, peerIdentity(socket));
    });
    tlsServer.on('tlsClientError', (err, socket) =>
      log.debug({ err, from: socket.remoteAddress }, 'syslog tls handshake failed'),
    );
  }

  const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  udp.on('message', (msg, rinfo) => {
    metrics.packetsReceived.inc({ input: udpInput });
    const item = toItem(msg, cfg, rinfo.address, new Date());
    health?.record(udpInput, rinfo.address, item.ok ? ONE_PARSED : ONE_FAILED);
    const taken = udpBatcher.offer([item]);
    if (taken === 0) metrics.eventsDropped.inc({ input: udpInput });
  });
  udp.on('error', (err) => log.error({ err }, 'syslog udp socket error'));

  const listen = (server: net.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, cfg.host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  let tcpPort: number | undefined;
  let udpPort: number | undefined;
  let tlsPort: number | undefined;
  try {
    if (useTcp) tcpPort = await listen(tcp, cfg.port);
    if (useUdp) {
      // UDP takes the same number as TCP, so port 0 yields one port for both.
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(tcpPort ?? cfg.port, cfg.host, () => resolve());
      });
      udpPort = udp.address().port;
    }
    if (tlsServer && tlsCfg) tlsPort = await listen(tlsServer, tlsCfg.port);
  } catch (err) {
    // A port in use must not leave the other listeners of this input holding theirs.
    if (tcp.listening) tcp.close();
    if (udpPort !== undefined) udp.close();
    throw err;
  }
  const closeServer = (server: net.Server) =>
    new Promise<void>((r) => {
      server.close(() => r());
    });
  return {
    udpPort,
    tcpPort,
    tlsPort,
    port: (tcpPort ?? udpPort ?? tlsPort)!,
    close: async () => {
      if (useUdp) await new Promise<void>((r) => udp.close(() => r()));
      const servers: net.Server[] = [];
      if (useTcp) servers.push(tcp);
      if (tlsServer) servers.push(tlsServer);
      const closed = Promise.all(servers.map(closeServer));
      for (const s of sockets) s.end();
      setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2000).unref();
      await closed;
      await udpBatcher.close();
      await Promise.all([...closing]);
    },
  };
}
