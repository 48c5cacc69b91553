/**
 * Which detect node owns which correlation partition, decided by PostgreSQL session advisory
 * locks: a node holds the lock of each partition it owns and one "member" lock. A node that stops
 * unlocks; one that dies loses its connection and PostgreSQL drops its locks at once, so the others
 * take its partitions over. No home-made consensus: the database already is the cluster's arbiter.
 *
 * Balance: every node aims at ceil(P / members). One with more releases the surplus (after its
 * state is saved); one with fewer tries the free partitions. A partition with no owner for a moment
 * loses nothing: its durable consumer keeps the routed matches until the next owner reads them.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';

/** Advisory lock classes (first key of the two-key form), private to Vigil. */
const MEMBER_CLASS = 0x56474c01;
const PARTITION_CLASS = 0x56474c02;

export interface PartitionHooks {
  /** This node now owns `p`: load its state and start consuming. A throw gives it back. */
  acquire(p: number): Promise<void>;
  /** This node gives `p` up. `lost`: the lock is already gone, so the state must not be saved over the next owner's. */
  release(p: number, lost: boolean): Promise<void>;
}

export interface PartitionOwnership {
  start(hooks: PartitionHooks): Promise<void>;
  stop(): Promise<void>;
  owned(): ReadonlySet<number>;
}

export class PgPartitionOwnership implements PartitionOwnership {
  private client: pg.Client | undefined;
  private hooks: PartitionHooks | undefined;
  private readonly mine = new Set<number>();
  private readonly member = randomInt(1, 2 ** 31 - 1);
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly partitions: number,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
    /** Session name in pg_stat_activity; operators see which node holds what. */
    private readonly name = `vigil-partitions:${process.pid}`,
  ) {}

  owned(): ReadonlySet<number> {
    return this.mine;
  }

  async start(hooks: PartitionHooks): Promise<void> {
    this.hooks = hooks;
    await this.connect();
    await this.tick();
    const loop = (): void => {
      if (this.stopped) return;
      this.ticking = this.tick()
        .catch((err: unknown) => this.log.warn({ err }, 'correlation partitions: rebalance failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
        });
    };
    this.timer = setTimeout(loop, this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    for (const p of [...this.mine].sort((a, b) => a - b)) await this.give(p, false);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  /**
   * Stops as a process that dies would: no state saved, nothing unlocked by hand; the session just
   * goes, and PostgreSQL drops its locks. For failure tests and the scale-out benchmark.
   */
  async abandon(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    this.mine.clear();
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ connectionString: this.url, application_name: this.name });
    // A broken session has lost every lock with it: stop working on those partitions at once.
    c.on('error', (err) => {
      this.log.error({ err }, 'correlation partitions: database session lost; giving up every partition');
      if (this.client === c) this.client = undefined;
      void this.loseAll();
    });
    await c.connect();
    await c.query('SELECT pg_advisory_lock($1, $2)', [MEMBER_CLASS, this.member]);
    this.client = c;
  }

  private async loseAll(): Promise<void> {
    for (const p of [...this.mine]) {
      this.mine.delete(p);
      await this.hooks?.release(p, true).catch(() => undefined);
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (!this.client) await this.connect();
    const c = this.client!;
    const members = await c.query<{ n: string }>(
      `SELECT count(DISTINCT objid) AS n FROM pg_locks
       WHERE locktype = 'advisory' AND objsubid = 2 AND classid = $1::bigint::oid AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [MEMBER_CLASS],
    );
    const target = Math.ceil(this.partitions / Math.max(1, Number(members.rows[0]?.n ?? 1)));
    // Surplus first, highest numbers first: a joining node finds them free on its next round.
    for (const p of [...this.mine].sort((a, b) => b - a)) {
      if (this.mine.size <= target) break;
      await this.give(p, false);
    }
    if (this.mine.size >= target) return;
    // Start at a place of our own so nodes starting together do not all race for partition 0.
    const offset = this.member % this.partitions;
    for (let i = 0; i < this.partitions && this.mine.size < target && !this.stopped; i++) {
      const p = (offset + i) % this.partitions;
      if (this.mine.has(p)) continue;
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        PARTITION_CLASS,
        p,
      ]);
      if (!r.rows[0]?.ok) continue;
      this.mine.add(p);
      try {
        await this.hooks!.acquire(p);
      } catch (err) {
        this.log.error({ err, partition: p }, 'correlation partition not taken over; giving it back');
        this.mine.delete(p);
        await c.query('SELECT pg_advisory_unlock($1, $2)', [PARTITION_CLASS, p]).catch(() => undefined);
      }
    }
  }

  private async give(p: number, lost: boolean): Promise<void> {
    this.mine.delete(p);
    await this.hooks!.release(p, lost).catch((err: unknown) =>
      this.log.error({ err, partition: p }, 'correlation partition state not saved on release'),
    );
    await this.client
      ?.query('SELECT pg_advisory_unlock($1, $2)', [PARTITION_CLASS, p])
      .catch(() => undefined);
  }
}

/** Who holds each partition lock right now (operators, tests): partition → backend pid. */
export async function partitionHolders(client: pg.ClientBase): Promise<Map<number, number>> {
  const r = await client.query<{ p: number; pid: number }>(
    `SELECT objid::bigint::int AS p, pid FROM pg_locks
     WHERE locktype = 'advisory' AND objsubid = 2 AND classid = $1::bigint::oid AND granted
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [PARTITION_CLASS],
  );
  return new Map(r.rows.map((x) => [Number(x.p), Number(x.pid)]));
}
