import { createHash } from 'node:crypto';
import type { Bus } from '../bus/ports.js';
import type { VigilMetrics } from '../metrics/registry.js';
import type { RawEventDoc, VigilEvent } from '../schema/ecs.js';
import type { Parsed } from '../schema/result.js';
import type { DeadLetterStore, EventStore } from '../store/ports.js';
import { stampEvent } from './stamp.js';

/** One record as decoded by an input: a document, or the reason it could not be decoded. */
export type IngestItem =
  | {
      ok: true;
      doc: unknown;
      raw?: string;
      /** already ECS (parsed by an input); skips normalization */ normalized?: boolean;
    }
  | { ok: false; reason: string; raw: string; encoding?: 'utf8' | 'base64' };

/** Maps a shipper's JSON document to ECS (Windows, Zeek, EVE shapes...), or gives the reason not. */
export type DocumentNormalizer = (doc: unknown, raw?: string) => Parsed<RawEventDoc>;

export interface IngestResult {
  accepted: number;
  /** Position of each refused record within the submitted batch, with its reason. */
  rejected: Array<{ index: number; reason: string }>;
}

/** Thrown when ingest queues are full: the sender should retry later (HTTP 429/503, TCP pause). */
export class IngestOverloaded extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('ingest queue is full, retry later');
  }
}

/** A pure batch stage after stamping: normalize, enrich. Runs before storage. */
export type EventStage = (events: VigilEvent[]) => VigilEvent[];

export const STORED_SUBJECT = 'events.stored';

/**
 * The common path of every input: stamp → stages → durable append → publish for detection.
 * Records that fail go to the dead-letter store with their reason and are counted; the rest of
 * their batch is still stored.
 */
export class IngestPipeline {
  private pending = 0;
  private readonly stages: EventStage[] = [];

  constructor(
    private readonly events: EventStore,
    private readonly deadLetters: DeadLetterStore,
    private readonly bus: Bus,
    private readonly metrics: VigilMetrics,
    private readonly maxPendingEvents: number,
    private readonly now: () => Date = () => new Date(),
    private readonly normalize?: DocumentNormalizer,
  ) {
    metrics.pendingEvents.set(() => this.pending);
  }

  private observer:
    | ((
        input: string,
        sender: string,
        counts: { received: number; parsed: number; failed: number },
        tenant: string,
      ) => void)
    | undefined;

  /** Called after every batch with who sent it and how it went (source health). */
  observe(fn: NonNullable<IngestPipeline['observer']>): void {
    this.observer = fn;
  }

  addStage(stage: EventStage): void {
    this.stages.push(stage);
  }

  get pendingEvents(): number {
    return this.pending;
  }

  /** `sender` (an address) is given by inputs that track senders themselves not; HTTP routes pass it. */
  async ingest(tenant: string, input: string, items: IngestItem[], sender?: string): Promise<IngestResult> {
    if (this.pending + items.length > this.maxPendingEvents && this.pending > 0) {
      this.metrics.ingestOverloaded.inc({ input });
      throw new IngestOverloaded(1);
    }
    this.pending += items.length;
    try {
      const result = await this.process(tenant, input, items);
      if (sender !== undefined)
        this.observer?.(
          input,
          sender,
          { received: items.length, parsed: result.accepted, failed: result.rejected.length },
          tenant,
        );
      return result;
    } finally {
      this.pending -= items.length;
    }
  }

  private async process(tenant: string, input: string, items: IngestItem[]): Promise<IngestResult> {
    const now = this.now();
    const nowIso = now.toISOString();
    const rejected: IngestResult['rejected'] = [];
    const dead: Parameters<DeadLetterStore['add']>[0] = [];
    let events: VigilEvent[] = [];
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      if (!item.ok) {
        rejected.push({ index, reason: item.reason });
        dead.push({ tenant, input, reason: item.reason, raw: item.raw, encoding: item.encoding ?? 'utf8' });
        continue;
      }
      let doc = item.doc;
      if (this.normalize && !item.normalized) {
        const n = this.normalize(doc, item.raw);
        if (!n.ok) {
          rejected.push({ index, reason: n.reason });
          dead.push({
            tenant,
            input,
            reason: n.reason,
            raw: item.raw ?? JSON.stringify(item.doc) ?? '',
            encoding: 'utf8',
          });
          continue;
        }
        doc = n.value;
      }
      const stamped = stampEvent(doc, tenant, now, nowIso);
      if (stamped.ok) {
        events.push(stamped.value);
      } else {
        rejected.push({ index, reason: stamped.reason });
        dead.push({
          tenant,
          input,
          reason: stamped.reason,
          raw: item.raw ?? JSON.stringify(item.doc) ?? '',
          encoding: 'utf8',
        });
      }
    }
    this.metrics.eventsReceived.inc({ input }, items.length);
    for (const stage of this.stages) events = stage(events);
    if (dead.length > 0) {
      await this.deadLetters.add(dead);
      this.metrics.eventsRejected.inc({ input }, dead.length);
    }
    if (events.length > 0) {
      await this.events.append(events);
      this.metrics.eventsStored.inc({ input }, events.length);
      await this.bus.publish(`${STORED_SUBJECT}.${tenant}`, events, { id: batchId(tenant, events) });
    }
    return { accepted: events.length, rejected };
  }
}

/**
 * The bus message id of a stored batch: the same events give the same id, so a batch published
 * again after a lost acknowledgement (or re-sent by a client with the same event ids) is delivered once.
 */
function batchId(tenant: string, events: VigilEvent[]): string {
  const h = createHash('sha256').update(tenant);
  for (const e of events) h.update('\n').update(e.event.id);
  return `stored-${h.digest('base64url').slice(0, 32)}`;
}
