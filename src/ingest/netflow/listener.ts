import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { NetflowInputConfig } from '../../config/schema.js';
import type { VigilMetrics } from '../../metrics/registry.js';
import { NetflowDecoder } from '../../parse/netflow/index.js';
import type { IngestItem, IngestPipeline } from '../../pipeline/ingest.js';
import { Batcher } from '../batcher.js';
import { countItems, type SourceHealth } from '../health/source-health.js';

export interface NetflowListener {
  port: number;
  decoder: NetflowDecoder;
  close(): Promise<void>;
}

/** NetFlow v5/v9 and IPFIX over UDP: one decoder (template cache) for all exporters. */
export async function startNetflowListener(
  cfg: NetflowInputConfig,
  pipeline: IngestPipeline,
  metrics: VigilMetrics,
  log: Logger,
  health?: SourceHealth,
): Promise<NetflowListener> {
  const input = cfg.id;
  const decoder = new NetflowDecoder();
  const batcher = new Batcher(pipeline, {
    tenant: cfg.tenant,
    input,
    maxBatch: 2000,
    onError: (err) => log.warn({ err, input }, 'netflow batch not stored yet; retrying'),
  });
  const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  udp.on('message', (packet, rinfo) => {
    metrics.packetsReceived.inc({ input });
    const exporter = `${rinfo.address}:${rinfo.port}`;
    const { records, errors } = decoder.decode(packet, exporter, new Date());
    const items: IngestItem[] = records.map((doc) => ({ ok: true, doc, normalized: true }));
    if (errors.length > 0) {
      // One dead letter per packet, with every problem found in it and the packet itself.
      items.push({ ok: false, reason: `from ${exporter}: ${errors.join('; ')}`.slice(0, 4000), raw: packet.toString('base64'), encoding: 'base64' });
    }
    health?.record(input, rinfo.address, countItems(items));
    const taken = batcher.offer(items);
    if (taken < items.length) metrics.eventsDropped.inc({ input }, items.length - taken);
  });
  udp.on('error', (err) => log.error({ err }, 'netflow udp socket error'));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(cfg.port, cfg.host, () => resolve());
  });
  return {
    port: udp.address().port,
    decoder,
    close: async () => {
      await new Promise<void>((r) => udp.close(() => r()));
      await batcher.close();
    },
  };
}
