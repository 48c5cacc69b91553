/**
 * Correlation partitions on a detect node (cluster mode): for each partition it owns, the node
 * restores the partition's checkpoint, consumes `correlate.*.<p>` one batch at a time, correlates,
 * publishes what fired (and what chains on), then saves the checkpoint before acknowledging. A
 * node that takes a partition over resumes from that checkpoint and the bus redelivers the batch
 * that was in flight; batch ids kept in the checkpoint make a redelivered batch count once.
 */
import type { Logger } from 'pino';
import type { Bus, Subscription } from '../bus/ports.js';
import { CORRELATE_SUBJECT, type CorrelationBatch, type LiveDetection } from './live.js';
import type { PartitionOwnership } from './partition-ownership.js';

/** Batch ids remembered per partition: far more than a redelivery can reach back. */
const SEEN_LIMIT = 4096;

export interface PartitionStateStore {
  load(partition: number): Promise<string | undefined>;
  save(partition: number, state: string): Promise<void>;
}

interface Checkpoint {
  engines: string;
  seen: string[];
}

export const partitionGroup = (p: number): string => `correlate-${p}`;
export const partitionSubject = (p: number): string => `${CORRELATE_SUBJECT}.*.${p}`;

export class CorrelationPartitions {
  private readonly subs = new Map<number, Subscription>();
  private readonly seen = new Map<number, string[]>();
  /** The engines' state as last saved, per partition. */
  private readonly saved = new Map<number, string | undefined>();

  constructor(
    private readonly d: {
      bus: Bus;
      live: LiveDetection;
      ownership: PartitionOwnership;
      state: PartitionStateStore;
      partitions: number;
      log: Logger;
    },
  ) {}

  async start(): Promise<void> {
    // Every partition's durable consumer exists before any match is routed to it.
    for (let p = 0; p < this.d.partitions; p++)
      await this.d.bus.prepare?.(partitionSubject(p), partitionGroup(p), { maxDeliver: 10, maxInFlight: 1 });
    await this.d.ownership.start({
      acquire: (p) => this.acquire(p),
      release: (p, lost) => this.release(p, lost),
    });
  }

  async stop(): Promise<void> {
    await this.d.ownership.stop();
  }

  owned(): ReadonlySet<number> {
    return this.d.ownership.owned();
  }

  private async acquire(p: number): Promise<void> {
    const saved = await this.d.state.load(p);
    let cp: Checkpoint = { engines: '', seen: [] };
    if (saved) {
      try {
        cp = JSON.parse(saved) as Checkpoint;
      } catch {
        this.d.log.warn({ partition: p }, 'correlation partition checkpoint unreadable; starting empty');
      }
    }
    this.saved.set(p, cp.engines || undefined);
    if (!this.d.live.restorePartition(p, cp.engines || undefined))
      this.d.log.warn({ partition: p }, 'correlation partition state unreadable; starting empty');
    this.seen.set(p, Array.isArray(cp.seen) ? cp.seen.slice(-SEEN_LIMIT) : []);
    this.subs.set(
      p,
      await this.d.bus.consume<CorrelationBatch>(
        partitionSubject(p),
        partitionGroup(p),
        (msg) => this.handle(p, msg.data),
        {
          maxDeliver: 10,
          maxInFlight: 1,
          onDeadLetter: (m, err) =>
            this.d.log.error(
              { err, partition: p, batch: m.data.id },
              'correlation batch failed 10 times; skipped',
            ),
        },
      ),
    );
    this.d.log.info({ partition: p }, 'correlation partition taken');
  }

  private async release(p: number, lost: boolean): Promise<void> {
    const sub = this.subs.get(p);
    this.subs.delete(p);
    await sub?.stop();
    if (!lost) await this.save(p);
    this.d.live.dropPartition(p);
    this.seen.delete(p);
    this.saved.delete(p);
    this.d.log.info({ partition: p, lost }, 'correlation partition given up');
  }

  private async handle(p: number, batch: CorrelationBatch): Promise<void> {
    const seen = this.seen.get(p);
    if (!seen) throw new Error(`partition ${p} is no longer owned here`);
    if (seen.includes(batch.id)) return;
    try {
      const { records, routed } = this.d.live.correlatePartition(batch);
      await this.d.live.publishRouted(routed);
      await this.d.live.publishRecords(records);
    } catch (err) {
      // The batch comes again: count it from the last checkpoint, not on top of this attempt.
      this.d.live.restorePartition(p, this.saved.get(p));
      throw err;
    }
    seen.push(batch.id);
    if (seen.length > SEEN_LIMIT) seen.splice(0, seen.length - SEEN_LIMIT);
    // Saved before the batch is acknowledged: a node taking over never misses what this one counted.
    await this.save(p);
  }

  private async save(p: number): Promise<void> {
    const cp: Checkpoint = { engines: this.d.live.partitionSnapshot(p), seen: this.seen.get(p) ?? [] };
    await this.d.state.save(p, JSON.stringify(cp));
    this.saved.set(p, cp.engines);
  }
}
