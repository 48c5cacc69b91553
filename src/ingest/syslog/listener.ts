import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { SyslogInputConfig } from '../../config/schema.js';
import type { VigilMetrics } from '../../metrics/registry.js';
import { parseSyslog } from '../../parse/syslog/index.js';
import type { IngestItem, IngestPipeline } from '../../pipeline/ingest.js';
import { Batcher } from '../batcher.js';
import { rawForDeadLetter } from '../raw-text.js';
import { SyslogFramer } from './framing.js';

export interface SyslogListeners {
  udpPort?: number;
  tcpPort?: number;
  /** The port to report: TCP's when it runs, else UDP's. */
  port: number;
  close(): Promise<void>;
}

type SyslogConfig = SyslogInputConfig;

function toItem(msg: Buffer, cfg: SyslogConfig, from: string): IngestItem {
  const r = parseSyslog(msg, { timezone: cfg.timezone, now: new Date(), receivedFrom: from });
  if (r.ok) return { ok: true, doc: r.value, normalized: true };
  return { ok: false, reason: r.reason, ...rawForDeadLetter(msg) };
}

/**
 * Syslog over UDP and TCP on one port number. TCP: per-connection framing (LF or octet counting,
 * detected), and the socket pauses while its batch is being stored, so a slow store slows the
 * sender instead of growing memory. UDP has no acknowledgement: what cannot be buffered is dropped
 * and counted.
 */
export async function startSyslogListeners(
  cfg: SyslogConfig,
  pipeline: IngestPipeline,
  metrics: VigilMetrics,
  log: Logger,
): Promise<SyslogListeners> {
  const onError = (input: string) => (err: unknown) => log.warn({ err, input }, 'syslog batch not stored yet; retrying');
  const udpInput = `${cfg.id}-udp`;
  const tcpInput = `${cfg.id}-tcp`;
  const udpBatcher = new Batcher(pipeline, { tenant: cfg.tenant, input: udpInput, onError: onError(udpInput) });

  const tcp = net.createServer();
  const sockets = new Set<net.Socket>();
  const closing = new Set<Promise<void>>();
  let open = 0;
  metrics.connections.set(() => open, { input: tcpInput });
  tcp.on('connection', (socket) => {
    open++;
    sockets.add(socket);
    const from = socket.remoteAddress ?? 'unknown';
    const framer = new SyslogFramer({ maxMessageSize: cfg.maxMessageBytes });
    const batcher = new Batcher(pipeline, { tenant: cfg.tenant, input: tcpInput, maxBuffered: Number.MAX_SAFE_INTEGER, onError: onError(tcpInput) });
    const take = (frames: ReturnType<SyslogFramer['push']>) => {
      const items: IngestItem[] = [];
      for (const f of frames) {
        metrics.packetsReceived.inc({ input: tcpInput });
        if (f.ok) items.push(toItem(f.message, cfg, from));
        else items.push({ ok: false, reason: `${f.reason} frame of ${f.size} bytes (limit ${cfg.maxMessageBytes})`, ...rawForDeadLetter(f.head) });
      }
      if (items.length > 0) batcher.offer(items);
    };
    socket.on('data', (chunk: Buffer) => {
      take(framer.push(chunk));
      if (batcher.pending >= 1000 && !socket.isPaused()) {
        // What was read is being stored; read more only once it is.
        socket.pause();
        void batcher.flush().then(() => socket.resume());
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
    socket.on('error', (err) => log.debug({ err, from }, 'syslog tcp connection error'));
    socket.on('close', () => {
      open--;
      sockets.delete(socket);
      finish();
    });
  });

  const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  udp.on('message', (msg, rinfo) => {
    metrics.packetsReceived.inc({ input: udpInput });
    const taken = udpBatcher.offer([toItem(msg, cfg, rinfo.address)]);
    if (taken === 0) metrics.eventsDropped.inc({ input: udpInput });
  });
  udp.on('error', (err) => log.error({ err }, 'syslog udp socket error'));

  const useTcp = cfg.protocols.includes('tcp');
  const useUdp = cfg.protocols.includes('udp');
  let tcpPort: number | undefined;
  if (useTcp) {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(cfg.port, cfg.host, () => resolve());
    });
    tcpPort = (tcp.address() as net.AddressInfo).port;
  }
  let udpPort: number | undefined;
  if (useUdp) {
    // UDP takes the same number as TCP, so port 0 yields one port for both.
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(tcpPort ?? cfg.port, cfg.host, () => resolve());
    });
    udpPort = udp.address().port;
  }
  return {
    udpPort,
    tcpPort,
    port: (tcpPort ?? udpPort)!,
    close: async () => {
      if (useUdp) await new Promise<void>((r) => udp.close(() => r()));
      if (useTcp) {
        await new Promise<void>((r) => {
          tcp.close(() => r());
          for (const s of sockets) s.end();
          setTimeout(() => {
            for (const s of sockets) s.destroy();
          }, 2000).unref();
        });
      }
      await udpBatcher.close();
      await Promise.all([...closing]);
    },
  };
}
