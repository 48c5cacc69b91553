/**
 * Ownership of correlation partitions by detect workers, decided by leases in a NATS JetStream
 * key-value bucket. No home-made consensus: the JetStream server orders every write to a key, and a
 * write conditioned on the key's last revision (compare-and-set) is accepted by exactly one writer.
 *
 * The bucket is laid out as a NATS KV bucket (stream `KV_<bucket>`, subjects `$KV.<bucket>.<key>`,
 * one message kept per key), so `nats kv ls/get` shows it to operators. Keys:
 *
 * - `member.<id>`: a worker is alive. Rewritten on every renewal round.
 * - `partition.<n>`: the id of the worker holding the partition's lease. Created only when the key
 *   is absent or a release marker (expected last revision 0 or the marker's), renewed only at the
 *   revision its holder last wrote; a holder therefore never overwrites someone else's lease.
 *
 * Expiry is the stream's max_age, i.e. the bucket TTL, applied by the server to every key it has
 * not seen rewritten for a lease time: a worker that dies loses its member key and its leases on
 * the server's clock, with no cross-machine clock comparison. The holder itself stops trusting a
 * lease earlier (a safety margin before the lease time, measured from when it sent the renewal),
 * so it has let go before anyone can take the key over.
 *
 * Balance: with N live members each aims at floor(P/N) or ceil(P/N) (see `targetShare`). A member
 * over its share releases the surplus after a graceful handover (its release hook checkpoints the
 * state while it still holds the lease); one under its share creates free partition keys.
 */
import { createHash } from 'node:crypto';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { PartitionHooks, PartitionOwnership } from '../detections/partition-ownership.js';

/**
 * Stable partition of a key: FNV-1a (32 bit) over UTF-16 code units, the same function live
 * detection routes with, so every node (and this module) puts a key in the same partition.
 */
export function partitionOf(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partitions must be ≥ 1, got ${partitions}`);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * How many partitions each member should hold: floor(P/N), and the P mod N extra ones go to the
 * members that hold the most already (then the smallest ids), so a join or a leave moves as few
 * partitions as possible and every member computes the same plan from the same view.
 */
export function targetShare(
  members: readonly string[],
  partitions: number,
  held: ReadonlyMap<string, number> = new Map(),
): Map<string, number> {
  const unique = [...new Set(members)];
  const out = new Map<string, number>();
  if (unique.length === 0) return out;
  const base = Math.floor(partitions / unique.length);
  const extra = partitions % unique.length;
  const ranked = unique.sort(
    (a, b) => (held.get(b) ?? 0) - (held.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
  );
  ranked.forEach((m, i) => out.set(m, base + (i < extra ? 1 : 0)));
  return out;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

const optionsSchema = z.object({
  bucket: z.string().regex(TOKEN, 'bucket: letters, digits, _ and - only'),
  memberId: z.string().regex(TOKEN, 'memberId: letters, digits, _ and - only').max(64),
  partitions: z.number().int().min(1).max(4096),
  leaseMs: z
    .number()
    .int()
    .min(300, 'leaseMs: at least 300 ms')
    .max(10 * 60_000),
  /** Fraction of the lease after which the holder stops trusting it unless renewed. */
  safety: z.number().gt(0).lt(1),
  replicas: z.number().int().min(1).max(5),
});

export interface PartitionCoordinatorOptions {
  /** KV bucket name shared by every member of one cluster (stream `KV_<bucket>`). */
  bucket?: string;
  /** This worker's id, unique in the cluster; also its key `member.<id>`. Default: host-pid-random. */
  memberId?: string;
  partitions: number;
  /** Lease time: how long a dead worker's partitions stay without owner. Renewed every third. */
  leaseMs?: number;
  safety?: number;
  /** Copies of the bucket in a NATS cluster (3 for R3). */
  replicas?: number;
  /** A connection to share (not closed by stop), or servers to connect to (closed by stop). */
  nc?: NatsConnection;
  servers?: string | string[];
  /** Called once this worker holds `p`: load its state. A throw gives the partition back. */
  onAcquire?: (p: number) => Promise<void>;
  /**
   * Called when this worker gives `p` up. `lost` false: it still holds the lease, so saving the
   * state is safe (graceful handover). `lost` true: the lease ran out, someone else may hold it;
   * the state must not be saved over theirs.
   */
  onRelease?: (p: number, lost: boolean) => Promise<void>;
  /** Errors of background rounds (NATS away...), which are retried on the next round. */
  onError?: (err: unknown) => void;
}

interface Lease {
  rev: number;
  /** performance.now() until which this worker may act as owner. */
  validUntil: number;
  /**
   * Fires at validUntil: the lease is given up on time even when a renewal hangs (NATS away), not
   * only when the next renewal round comes back.
   */
  timer?: NodeJS.Timeout;
}

/** Owner of each partition key that exists: its owner (undefined for a release marker) and revision. */
interface Snapshot {
  members: string[];
  partitions: Map<number, { owner: string | undefined; rev: number }>;
}

const OP_HEADER = 'KV-Operation';

function isApiCode(e: unknown, ...codes: number[]): boolean {
  return e instanceof JetStreamApiError && codes.includes(e.code);
}

export class PartitionCoordinator implements PartitionOwnership {
  readonly memberId: string;
  readonly partitions: number;
  readonly leaseMs: number;
  private readonly o: z.infer<typeof optionsSchema>;
  private readonly stream: string;
  private readonly prefix: string;
  private nc: NatsConnection | undefined;
  private ownsConnection = false;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  /** Leases held, whether or not the partition is handed to the application yet. */
  private readonly leases = new Map<number, Lease>();
  /** Partitions handed to the application: what owned() shows. */
  private readonly mine = new Set<number>();
  /** Per-partition write chain, so a renewal and a release never race on the same revision. */
  private readonly chains = new Map<number, Promise<unknown>>();
  private hooks: PartitionHooks;
  private timer: NodeJS.Timeout | undefined;
  /** Renewals run on their own clock, so a slow handover hook never delays them. */
  private renewing: Promise<void> | undefined;
  private balancing: Promise<void> | undefined;
  private stopped = false;
  private started = false;
  /** KV requests made (reads and writes), for the benchmark. */
  kvOps = 0;

  constructor(private readonly opts: PartitionCoordinatorOptions) {
    const parsed = optionsSchema.safeParse({
      bucket: opts.bucket ?? 'vigil_partitions',
      memberId: opts.memberId ?? defaultMemberId(),
      partitions: opts.partitions,
      leaseMs: opts.leaseMs ?? 10_000,
      safety: opts.safety ?? 0.8,
      replicas: opts.replicas ?? 1,
    });
    if (!parsed.success) {
      throw new Error(
        `partition coordinator options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    this.o = parsed.data;
    this.memberId = this.o.memberId;
    this.partitions = this.o.partitions;
    this.leaseMs = this.o.leaseMs;
    this.stream = `KV_${this.o.bucket}`;
    this.prefix = `$KV.${this.o.bucket}.`;
    this.hooks = {
      acquire: opts.onAcquire ?? (() => Promise.resolve()),
      release: opts.onRelease ?? (() => Promise.resolve()),
    };
  }

  owned(): ReadonlySet<number> {
    return this.mine;
  }

  /**
   * Joins the cluster: creates the bucket if needed, announces this member and takes its share of
   * the free partitions. Hooks given here replace the constructor's (same shape as the PostgreSQL
   * ownership, so either can drive correlation).
   */
  async start(hooks?: PartitionHooks): Promise<void> {
    if (this.started) throw new Error('partition coordinator already started');
    this.started = true;
    if (hooks) this.hooks = hooks;
    if (this.opts.nc) this.nc = this.opts.nc;
    else {
      if (!this.opts.servers) throw new Error('partition coordinator: give a connection (nc) or servers');
      this.nc = await connect({ servers: this.opts.servers, name: `vigil-partitions-${this.memberId}` });
      this.ownsConnection = true;
    }
    this.js = jetstream(this.nc);
    this.jsm = await jetstreamManager(this.nc);
    await this.ensureBucket();
    await this.renewAll();
    await this.rebalance();
    this.schedule();
  }

  /** Leaves gracefully: hands every partition over (release hook, then the lease is dropped). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.renewing;
    await this.balancing;
    for (const p of [...this.leases.keys()].sort((a, b) => a - b)) await this.release(p);
    await this.jsm?.streams
      .purge(this.stream, { filter: this.key(`member.${this.memberId}`) })
      .catch(() => undefined);
    await this.closeConnection();
  }

  /**
   * Stops as a process that dies would: nothing released, the leases just run out on the server.
   * For failure tests and the benchmark.
   */
  async abandon(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.renewing;
    await this.balancing;
    this.mine.clear();
    for (const l of this.leases.values()) clearTimeout(l.timer);
    this.leases.clear();
    await this.closeConnection();
  }

  /** Removes the bucket (tests, benchmark). */
  static async deleteBucket(nc: NatsConnection, bucket: string): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`KV_${bucket}`).catch((e: unknown) => {
      if (!isApiCode(e, 10059)) throw e; // 10059: stream not found
    });
  }

  /** Who holds each partition according to the bucket (operators, tests): partition → member id. */
  async holders(): Promise<Map<number, string>> {
    const s = await this.snapshot();
    const out = new Map<number, string>();
    for (const [p, v] of s.partitions) if (v.owner) out.set(p, v.owner);
    return out;
  }

  private key(k: string): string {
    return this.prefix + k;
  }

  private async ensureBucket(): Promise<void> {
    const maxAge = nanos(this.leaseMs);
    this.kvOps++;
    await this.jsm!.streams.add({
      name: this.stream,
      subjects: [`${this.prefix}>`],
      retention: RetentionPolicy.Limits,
      // Leases are worth nothing after a server restart longer than a lease anyway.
      storage: StorageType.Memory,
      num_replicas: this.o.replicas,
      max_msgs_per_subject: 1,
      max_age: maxAge,
      // The server refuses a duplicate window longer than max_age.
      duplicate_window: maxAge,
      discard: DiscardPolicy.New,
      allow_rollup_hdrs: true,
      deny_delete: true,
      allow_direct: true,
    }).catch(async (e: unknown) => {
      // 10058: exists with another configuration (another member created it with other options).
      if (!isApiCode(e, 10058)) throw e;
      this.kvOps++;
      const info = await this.jsm!.streams.info(this.stream);
      if (info.config.max_age !== maxAge) {
        throw new Error(
          `partition bucket ${this.o.bucket} exists with a lease of ${info.config.max_age / 1e6} ms, this member uses ${this.leaseMs} ms; every member must use the same lease`,
        );
      }
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.renewing = this.renewAll()
          .catch((err: unknown) => this.opts.onError?.(err))
          .finally(() => {
            this.renewing = undefined;
            if (!this.stopped && !this.balancing) {
              this.balancing = this.rebalance()
                .catch((err: unknown) => this.opts.onError?.(err))
                .finally(() => (this.balancing = undefined));
            }
            this.schedule();
          });
      },
      Math.floor(this.leaseMs / 3),
    );
  }

  /** Renews the member key and every lease; a lease that was taken or ran out is lost. */
  private async renewAll(): Promise<void> {
    this.kvOps++;
    await this.js!.publish(this.key(`member.${this.memberId}`), JSON.stringify({ since: Date.now() }), {
      timeout: this.requestTimeout(),
    });
    await Promise.all(
      [...this.leases.keys()].map((p) =>
        this.serial(p, async () => {
          const lease = this.leases.get(p);
          if (!lease) return;
          const sent = performance.now();
          try {
            this.kvOps++;
            const ack = await this.js!.publish(this.key(`partition.${p}`), this.ownerValue(), {
              expect: { lastSubjectSequence: lease.rev },
              timeout: this.requestTimeout(),
            });
            lease.rev = ack.seq;
            if (this.leases.get(p) === lease) this.arm(p, lease, sent);
          } catch (e) {
            if (isApiCode(e, JetStreamApiCodes.StreamWrongLastSequence)) lease.validUntil = 0;
            else this.opts.onError?.(e);
          }
        }),
      ),
    );
    // Past the margin the server may expire the key any moment: stop before anyone can take it.
    const now = performance.now();
    for (const [p, lease] of this.leases) if (lease.validUntil <= now) await this.lose(p);
  }

  private async rebalance(): Promise<void> {
    const s = await this.snapshot();
    if (!s.members.includes(this.memberId)) s.members.push(this.memberId);
    const held = new Map<string, number>();
    for (const v of s.partitions.values()) if (v.owner) held.set(v.owner, (held.get(v.owner) ?? 0) + 1);
    held.set(this.memberId, this.leases.size);
    const plan = targetShare(s.members, this.partitions, held);
    const mine = plan.get(this.memberId) ?? 0;

    if (this.leases.size > mine) {
      // Release only to someone who will take it: a member below its share in this view.
      const wanting = [...plan].reduce((n, [m, t]) => n + Math.max(0, t - (held.get(m) ?? 0)), 0);
      const surplus = Math.min(this.leases.size - mine, wanting);
      const give = [...this.leases.keys()].sort((a, b) => b - a).slice(0, surplus);
      for (const p of give) if (!this.stopped) await this.release(p);
      return;
    }
    if (this.leases.size >= mine) return;

    // Start at a place of our own so members starting together do not all race for partition 0.
    const offset =
      Number.parseInt(createHash('sha1').update(this.memberId).digest('hex').slice(0, 8), 16) %
      this.partitions;
    for (let i = 0; i < this.partitions && this.leases.size < mine && !this.stopped; i++) {
      const p = (offset + i) % this.partitions;
      if (this.leases.has(p)) continue;
      const cur = s.partitions.get(p);
      if (cur?.owner) continue;
      await this.tryAcquire(p, cur?.rev ?? 0);
    }
  }

  private async tryAcquire(p: number, expectedRev: number): Promise<void> {
    const sent = performance.now();
    let rev: number;
    try {
      this.kvOps++;
      const ack = await this.js!.publish(this.key(`partition.${p}`), this.ownerValue(), {
        expect: { lastSubjectSequence: expectedRev },
        timeout: this.requestTimeout(),
      });
      rev = ack.seq;
    } catch (e) {
      // Someone else was faster, or the key changed since the snapshot: not ours this round.
      if (isApiCode(e, JetStreamApiCodes.StreamWrongLastSequence)) return;
      throw e;
    }
    const lease: Lease = { rev, validUntil: 0 };
    this.leases.set(p, lease);
    this.arm(p, lease, sent);
    try {
      await this.hooks.acquire(p);
    } catch (err) {
      this.opts.onError?.(err);
      await this.dropLease(p);
      return;
    }
    this.mine.add(p);
    // Renewals go on during the hook, but NATS may have been away long enough to lose the lease.
    if (!this.leases.has(p)) await this.lose(p);
    else if (this.stopped) await this.release(p);
  }

  /** Graceful handover: stop using p, let the hook save its state under the lease, then free the key. */
  private async release(p: number): Promise<void> {
    const wasOwned = this.mine.delete(p);
    if (wasOwned) {
      await this.hooks.release(p, false).catch((err: unknown) => this.opts.onError?.(err));
    }
    await this.dropLease(p);
  }

  /** The lease ran out or was taken: the state may already be someone else's. */
  private async lose(p: number): Promise<void> {
    clearTimeout(this.leases.get(p)?.timer);
    this.leases.delete(p);
    // Still being acquired: tryAcquire sees the lease gone once its hook returns.
    if (this.mine.delete(p))
      await this.hooks.release(p, true).catch((err: unknown) => this.opts.onError?.(err));
  }

  /** Writes a release marker at our revision; if that fails the lease simply runs out. */
  private async dropLease(p: number): Promise<void> {
    await this.serial(p, async () => {
      const lease = this.leases.get(p);
      this.leases.delete(p);
      if (!lease) return;
      clearTimeout(lease.timer);
      const h = headers();
      h.set(OP_HEADER, 'DEL');
      this.kvOps++;
      await this.js!.publish(this.key(`partition.${p}`), new Uint8Array(0), {
        headers: h,
        expect: { lastSubjectSequence: lease.rev },
      }).catch(() => undefined);
    });
  }

  /** Trusts the lease until a safety margin before the server can expire it, counted from sending. */
  private arm(p: number, lease: Lease, sent: number): void {
    lease.validUntil = sent + this.leaseMs * this.o.safety;
    clearTimeout(lease.timer);
    lease.timer = setTimeout(
      () => {
        if (this.leases.get(p) === lease) void this.lose(p);
      },
      Math.max(0, lease.validUntil - performance.now()),
    );
  }

  /** A request outstanding longer than a renewal period is no use to the lease it renews. */
  private requestTimeout(): number {
    return Math.max(200, Math.floor(this.leaseMs / 3));
  }

  private serial<T>(p: number, f: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(p) ?? Promise.resolve();
    const next = prev.then(f, f);
    const settled = next.catch(() => undefined);
    this.chains.set(p, settled);
    void settled.then(() => {
      if (this.chains.get(p) === settled) this.chains.delete(p);
    });
    return next;
  }

  private ownerValue(): string {
    return JSON.stringify({ owner: this.memberId });
  }

  /** Live members and the current value of every partition key the server still has. */
  private async snapshot(): Promise<Snapshot> {
    this.kvOps++;
    const info = await this.jsm!.streams.info(this.stream, { subjects_filter: `${this.prefix}>` });
    const present: number[] = [];
    for (const s of Object.keys(info.state.subjects ?? {})) {
      const k = s.slice(this.prefix.length);
      if (k.startsWith('partition.')) {
        const p = Number(k.slice('partition.'.length));
        if (Number.isInteger(p) && p >= 0 && p < this.partitions) present.push(p);
      }
    }
    const partitions = new Map<number, { owner: string | undefined; rev: number }>();
    await Promise.all(
      present.map(async (p) => {
        try {
          this.kvOps++;
          const m = await this.jsm!.streams.getMessage(this.stream, {
            last_by_subj: this.key(`partition.${p}`),
          });
          if (!m) return;
          const op = m.header?.get(OP_HEADER);
          const owner = op ? undefined : ownerOf(m.string());
          partitions.set(p, { owner, rev: m.seq });
        } catch (e) {
          // Expired between the listing and the read: free, created at revision 0.
          if (!isApiCode(e, JetStreamApiCodes.NoMessageFound)) throw e;
        }
      }),
    );
    // Members listed after the partitions are read: whoever made a partition free was seen by a
    // member that had joined before, so this view includes that member too.
    this.kvOps++;
    const live = await this.jsm!.streams.info(this.stream, { subjects_filter: `${this.prefix}member.>` });
    const members = Object.keys(live.state.subjects ?? {}).map((s) =>
      s.slice(`${this.prefix}member.`.length),
    );
    return { members: members.sort(), partitions };
  }

  private async closeConnection(): Promise<void> {
    if (this.ownsConnection) await this.nc?.close().catch(() => undefined);
    this.nc = undefined;
  }
}

const ownerSchema = z.object({ owner: z.string() });
function ownerOf(raw: string): string | undefined {
  try {
    const r = ownerSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data.owner : undefined;
  } catch {
    return undefined;
  }
}

function defaultMemberId(): string {
  const host = (process.env.HOSTNAME ?? 'node').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
  return `${host}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
