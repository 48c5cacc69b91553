import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NATS_URL, serviceAvailable } from '../test-support/services.js';
import { until } from '../test-support/until.js';
import { PartitionCoordinator } from './partitions.js';

const target = new URL(NATS_URL);
const natsUp = await serviceAvailable('NATS', target.hostname, Number(target.port || 4222));
const P = 16;
const LEASE_MS = 1500;

/**
 * Tracks who owns what, from every member's own point of view: the acquire/release hooks (for a
 * child process, the lines it prints from them) and a 10 ms sampling of each in-process member's
 * owned(). Any moment where two members claim one partition is recorded as a violation.
 */
class Referee {
  readonly owner = new Map<number, string>();
  readonly violations: string[] = [];
  readonly acquired: Array<{ member: string; p: number }> = [];
  private readonly members = new Map<string, PartitionCoordinator>();
  private readonly timer = setInterval(() => this.sample(), 10);

  hooks(member: string) {
    return {
      acquire: async (p: number) => this.acquire(member, p),
      release: async (p: number) => this.release(member, p),
    };
  }
  acquire(member: string, p: number): void {
    const cur = this.owner.get(p);
    if (cur !== undefined && cur !== member) this.violations.push(`${member} acquired ${p} held by ${cur}`);
    this.owner.set(p, member);
    this.acquired.push({ member, p });
  }
  release(member: string, p: number): void {
    if (this.owner.get(p) === member) this.owner.delete(p);
  }
  /** A process that died owns nothing any more. */
  died(member: string): void {
    for (const [p, m] of [...this.owner]) if (m === member) this.owner.delete(p);
  }
  watch(c: PartitionCoordinator): PartitionCoordinator {
    this.members.set(c.memberId, c);
    return c;
  }
  unwatch(c: PartitionCoordinator): void {
    this.members.delete(c.memberId);
  }
  private sample(): void {
    const seen = new Map<number, string>();
    for (const [id, c] of this.members) {
      for (const p of c.owned()) {
        const other = seen.get(p);
        if (other) this.violations.push(`sampled ${p} owned by ${other} and ${id}`);
        seen.set(p, id);
      }
    }
  }
  count(member: string): number {
    return [...this.owner.values()].filter((m) => m === member).length;
  }
  close(): void {
    clearInterval(this.timer);
  }
}

/** Waits until the referee sees every partition owned and each given member at floor/ceil of P/N. */
async function balanced(ref: Referee, members: string[], what: string): Promise<void> {
  const lo = Math.floor(P / members.length);
  const hi = Math.ceil(P / members.length);
  await until(
    async () => {
      if (ref.owner.size !== P) return undefined;
      const counts = members.map((m) => ref.count(m));
      return counts.every((n) => n >= lo && n <= hi) ? true : undefined;
    },
    20_000,
    what,
    20,
  );
}

/** A member in its own process, reporting its hooks as JSON lines, to be killed with SIGKILL. */
function spawnMember(
  bucket: string,
  id: string,
  ref: Referee,
): { child: ChildProcess; started: Promise<void> } {
  const mod = fileURLToPath(new URL('./partitions.ts', import.meta.url));
  const code = `
    import { PartitionCoordinator } from ${JSON.stringify(mod)};
    const [servers, bucket, id, parts, lease] = process.argv.slice(1);
    const say = (o) => new Promise((r) => process.stdout.write(JSON.stringify(o) + '\\n', () => r()));
    const c = new PartitionCoordinator({ servers, bucket, memberId: id, partitions: Number(parts), leaseMs: Number(lease),
      onAcquire: (p) => say({ acquire: p }), onRelease: (p) => say({ release: p }) });
    await c.start();
    await say({ started: true });
    setInterval(() => {}, 1000);`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', code, NATS_URL, bucket, id, String(P), String(LEASE_MS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let buf = '';
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((r) => (onStarted = r));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = JSON.parse(line) as { acquire?: number; release?: number; started?: boolean };
      if (m.acquire !== undefined) ref.acquire(id, m.acquire);
      if (m.release !== undefined) ref.release(id, m.release);
      if (m.started) onStarted();
    }
  });
  return { child, started };
}

describe.runIf(natsUp)('partition leases over NATS JetStream KV', () => {
  let admin: NatsConnection;
  const cleanups: Array<() => Promise<void>> = [];
  let n = 0;
  const bucketName = () => `vigil_parts_test_${process.pid}_${Date.now().toString(36)}_${n++}`;

  beforeAll(async () => {
    admin = await connect({ servers: NATS_URL });
  });
  afterEach(async () => {
    for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
  });
  afterAll(async () => {
    await admin?.close();
  });

  /** A referee and in-process members on a fresh bucket, all torn down after the test. */
  function setup() {
    const bucket = bucketName();
    const ref = new Referee();
    const errors: unknown[] = [];
    const members: PartitionCoordinator[] = [];
    const member = (id: string) => {
      const c = new PartitionCoordinator({
        servers: NATS_URL,
        bucket,
        memberId: id,
        partitions: P,
        leaseMs: LEASE_MS,
        onError: (e) => errors.push(e),
      });
      members.push(ref.watch(c));
      return c;
    };
    cleanups.push(async () => {
      ref.close();
      for (const c of members) await c.stop().catch(() => undefined);
      await PartitionCoordinator.deleteBucket(admin, bucket);
    });
    return { bucket, ref, member, errors };
  }

  it('three members share sixteen partitions, and a graceful leaver’s are covered by the others', async () => {
    const { ref, member, errors } = setup();
    const [a, b, c] = [member('a'), member('b'), member('c')];
    for (const m of [a, b, c]) await m.start(ref.hooks(m.memberId));
    await balanced(ref, ['a', 'b', 'c'], '16 partitions over 3 members (6/5/5)');
    const union = new Set([...a.owned(), ...b.owned(), ...c.owned()]);
    expect(union.size).toBe(P);
    expect(a.owned().size + b.owned().size + c.owned().size).toBe(P);
    expect(await a.holders()).toEqual(new Map([...ref.owner].map(([p, m]) => [p, m] as const)));

    const leaving = [...c.owned()];
    expect(leaving.length).toBeGreaterThan(0);
    await c.stop();
    ref.unwatch(c);
    expect(c.owned().size).toBe(0);
    await balanced(ref, ['a', 'b'], 'the leaver’s partitions taken by the two others (8/8)');
    for (const p of leaving) expect(['a', 'b']).toContain(ref.owner.get(p));
    expect(ref.violations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a member killed with SIGKILL loses its partitions to the others once its leases expire', async () => {
    const { bucket, ref, member } = setup();
    const [a, b] = [member('a'), member('b')];
    for (const m of [a, b]) await m.start(ref.hooks(m.memberId));
    const { child, started } = spawnMember(bucket, 'doomed', ref);
    cleanups.push(async () => {
      child.kill('SIGKILL');
    });
    await started;
    await balanced(ref, ['a', 'b', 'doomed'], 'the child process taking its share');
    const its = [...ref.owner].filter(([, m]) => m === 'doomed').map(([p]) => p);
    expect(its.length).toBeGreaterThanOrEqual(5);

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    ref.died('doomed');
    const before = ref.acquired.length;
    await balanced(ref, ['a', 'b'], 'the dead member’s partitions taken over after lease expiry');
    const takenOver = ref.acquired.slice(before).map((x) => x.p);
    expect(takenOver.sort((x, y) => x - y)).toEqual(its.sort((x, y) => x - y));
    expect(ref.violations).toEqual([]);
  });

  it('an abandoned member (timers stopped, nothing released) is taken over after its lease', async () => {
    const { ref, member } = setup();
    const [a, b] = [member('a'), member('b')];
    for (const m of [a, b]) await m.start(ref.hooks(m.memberId));
    await balanced(ref, ['a', 'b'], '8/8');
    const its = [...b.owned()];
    await b.abandon();
    ref.unwatch(b);
    ref.died('b');
    await until(async () => (a.owned().size === P ? true : undefined), 20_000, 'a owning all 16', 20);
    for (const p of its) expect(ref.owner.get(p)).toBe('a');
    expect(ref.violations).toEqual([]);
  });

  it('a joining member gets its share, with never two owners of a partition during the move', async () => {
    const { ref, member, errors } = setup();
    const [a, b, c] = [member('a'), member('b'), member('c')];
    for (const m of [a, b, c]) await m.start(ref.hooks(m.memberId));
    await balanced(ref, ['a', 'b', 'c'], '6/5/5');
    const before = new Map(ref.owner);

    const d = member('d');
    await d.start(ref.hooks('d'));
    await balanced(ref, ['a', 'b', 'c', 'd'], '4/4/4/4 after d joined');
    expect(d.owned().size).toBe(4);
    // Only partitions that went to the newcomer moved: no reshuffling among the old members.
    const moved = [...ref.owner].filter(([p, m]) => before.get(p) !== m);
    expect(moved.every(([, m]) => m === 'd')).toBe(true);
    expect(moved.length).toBe(4);
    expect(ref.violations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a member cut off from NATS gives its partitions up as lost before the others take them', async () => {
    const { bucket, ref, member } = setup();
    const a = member('a');
    await a.start(ref.hooks('a'));
    const nc = await connect({ servers: NATS_URL });
    const lostCalls: number[] = [];
    const cut = ref.watch(
      new PartitionCoordinator({
        nc,
        bucket,
        memberId: 'cut',
        partitions: P,
        leaseMs: LEASE_MS,
        onError: () => undefined,
      }),
    );
    cleanups.push(async () => {
      await cut.abandon();
    });
    await cut.start({
      acquire: async (p) => ref.acquire('cut', p),
      release: async (p, lost) => {
        if (lost) lostCalls.push(p);
        ref.release('cut', p);
      },
    });
    await balanced(ref, ['a', 'cut'], '8/8');
    const its = [...cut.owned()].sort((x, y) => x - y);

    // Its connection goes (a network cut): renewals fail, nothing is released on the server.
    await nc.close();
    await until(async () => (a.owned().size === P ? true : undefined), 20_000, 'a owning all 16', 20);
    expect(cut.owned().size).toBe(0);
    expect(lostCalls.sort((x, y) => x - y)).toEqual(its);
    // The referee saw each of them released by "cut" before "a" acquired it.
    expect(ref.violations).toEqual([]);
  });

  it('refuses to join a bucket created with another lease time', async () => {
    const { bucket, member } = setup();
    const a = member('a');
    await a.start();
    const other = new PartitionCoordinator({
      servers: NATS_URL,
      bucket,
      memberId: 'z',
      partitions: P,
      leaseMs: 5000,
    });
    await expect(other.start()).rejects.toThrow(/every member must use the same lease/);
    await other.abandon();
  });
});
