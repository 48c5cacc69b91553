import type { IngestItem, IngestPipeline } from '../pipeline/ingest.js';

export interface BatcherOptions {
  tenant: string;
  input: string;
  maxBatch?: number;
  maxDelayMs?: number;
  /** Items held while flushes are running; beyond it `offer` refuses (UDP drops and counts). */
  maxBuffered?: number;
  /**
   * Batches being stored at the same time. More than one lets a stream keep reading while its
   * previous batch commits, and lets the store group several batches into one commit.
   */
  maxInFlight?: number;
  onError?: (err: unknown) => void;
}

interface Waiting {
  batch: IngestItem[];
  done: () => void;
}

/**
 * Collects records from a listener into batches for the pipeline: by count or after a short delay,
 * up to `maxInFlight` flushes at a time, retrying a failed flush (full queue, full disk) rather
 * than dropping it.
 */
export class Batcher {
  private buf: IngestItem[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Batches cut but not yet handed to the pipeline (all slots busy). */
  private readonly waiting: Waiting[] = [];
  /** Completion of every batch cut and not yet stored. */
  private readonly unsettled = new Set<Promise<void>>();
  private running = 0;
  private inFlight = 0;
  private drainWaiters: Array<{ below: number; resolve: () => void }> = [];
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxBuffered: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly pipeline: IngestPipeline,
    private readonly opts: BatcherOptions,
  ) {
    this.maxBatch = opts.maxBatch ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 50;
    this.maxBuffered = opts.maxBuffered ?? 50_000;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
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
    if (this.buf.length >= this.maxBatch) this.cut();
    else if (!this.timer && this.buf.length > 0) this.timer = setTimeout(() => this.cut(), this.maxDelayMs);
    return taken.length;
  }

  /** Stores everything offered so far; resolves when it is durable. */
  flush(): Promise<void> {
    this.cut();
    if (this.unsettled.size === 0) return Promise.resolve();
    return Promise.all(this.unsettled).then(() => undefined);
  }

  /** Resolves once fewer than `below` items are waiting or being stored (stream backpressure). */
  whenBelow(below: number): Promise<void> {
    if (this.pending < below) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ below, resolve }));
  }

  async close(): Promise<void> {
    this.cut();
    this.closed = true;
    await this.flush();
  }

  /** Turns the buffer into a batch and starts storing it when a slot is free. */
  private cut(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buf.length === 0) return;
    const batch = this.buf;
    this.buf = [];
    this.inFlight += batch.length;
    let done!: () => void;
    const settled = new Promise<void>((r) => (done = r));
    this.unsettled.add(settled);
    this.waiting.push({
      batch,
      done: () => {
        this.unsettled.delete(settled);
        done();
      },
    });
    this.pump();
  }

  private pump(): void {
    while (this.running < this.maxInFlight && this.waiting.length > 0) {
      const w = this.waiting.shift()!;
      this.running++;
      void this.store(w.batch).then(() => {
        this.running--;
        this.inFlight -= w.batch.length;
        w.done();
        this.wakeDrainWaiters();
        this.pump();
      });
    }
  }

  private async store(batch: IngestItem[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.pipeline.ingest(this.opts.tenant, this.opts.input, batch);
        return;
      } catch (err) {
        this.opts.onError?.(err);
        if (this.closed && attempt >= 3) return;
        await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
      }
    }
  }

  private wakeDrainWaiters(): void {
    if (this.drainWaiters.length === 0) return;
    const pending = this.pending;
    const still: typeof this.drainWaiters = [];
    for (const w of this.drainWaiters) {
      if (pending < w.below) w.resolve();
      else still.push(w);
    }
    this.drainWaiters = still;
  }
}
