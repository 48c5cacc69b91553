import type { IngestItem, IngestPipeline } from '../pipeline/ingest.js';

export interface BatcherOptions {
  tenant: string;
  input: string;
  maxBatch?: number;
  maxDelayMs?: number;
  /** Items held while a flush is running; beyond it `offer` refuses (UDP drops and counts). */
  maxBuffered?: number;
  onError?: (err: unknown) => void;
}

/**
 * Collects records from a listener into batches for the pipeline: by count or after a short delay,
 * one flush at a time, retrying a failed flush (full queue, full disk) rather than dropping it.
 */
export class Batcher {
  private buf: IngestItem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxBuffered: number;

  constructor(private readonly pipeline: IngestPipeline, private readonly opts: BatcherOptions) {
    this.maxBatch = opts.maxBatch ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 50;
    this.maxBuffered = opts.maxBuffered ?? 50_000;
  }

  /** Items waiting or being stored. */
  get pending(): number {
    return this.buf.length + this.inFlight;
  }

  /** Adds items unless the buffer is full; returns how many were taken. */
  offer(items: IngestItem[]): number {
    const room = Math.max(0, this.maxBuffered - this.pending);
    const taken = items.length <= room ? items : items.slice(0, room);
    for (const it of taken) this.buf.push(it);
    if (this.buf.length >= this.maxBatch) void this.flush();
    else if (!this.timer && this.buf.length > 0) this.timer = setTimeout(() => void this.flush(), this.maxDelayMs);
    return taken.length;
  }

  /** Stores everything offered so far; resolves when it is durable. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.buf;
    this.buf = [];
    if (batch.length === 0) return this.flushing;
    this.inFlight += batch.length;
    this.flushing = this.flushing.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.pipeline.ingest(this.opts.tenant, this.opts.input, batch);
          break;
        } catch (err) {
          this.opts.onError?.(err);
          if (this.closed && attempt >= 3) break;
          await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
        }
      }
      this.inFlight -= batch.length;
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.flushing;
  }
}
