import type { Bus, BusMessage, ConsumeOptions, Subscription } from '../ports.js';
import { subjectMatches } from '../ports.js';

interface Member {
  handler: (msg: BusMessage<unknown>) => Promise<void>;
  inFlight: number;
  maxInFlight: number;
  stopped: boolean;
}

interface Group {
  pattern: string;
  name: string;
  queue: Array<BusMessage<unknown>>;
  members: Member[];
  next: number;
  maxDeliver: number;
  onDeadLetter: ConsumeOptions<unknown>['onDeadLetter'];
  waiters: Array<() => void>;
}

/**
 * In-process bus for the embedded mode. Bounded: when a group's queue is full, `publish` waits
 * until that group drains, so a slow consumer slows the producer instead of growing memory.
 */
export class MemoryBus implements Bus {
  private groups: Group[] = [];
  private closed = false;

  constructor(private readonly maxQueued = 10_000) {}

  async publish<T>(subject: string, data: T): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    for (const g of this.groups) {
      if (!subjectMatches(g.pattern, subject)) continue;
      while (g.queue.length >= this.maxQueued && !this.closed) {
        await new Promise<void>((r) => g.waiters.push(r));
      }
      g.queue.push({ subject, data, attempt: 1 });
      this.pump(g);
    }
  }

  async consume<T>(
    subject: string,
    group: string,
    handler: (msg: BusMessage<T>) => Promise<void>,
    opts: ConsumeOptions<T> = {},
  ): Promise<Subscription> {
    let g = this.groups.find((x) => x.name === group && x.pattern === subject);
    if (!g) {
      g = {
        pattern: subject,
        name: group,
        queue: [],
        members: [],
        next: 0,
        maxDeliver: opts.maxDeliver ?? 5,
        onDeadLetter: opts.onDeadLetter as ConsumeOptions<unknown>['onDeadLetter'],
        waiters: [],
      };
      this.groups.push(g);
    }
    const member: Member = {
      handler: handler as Member['handler'],
      inFlight: 0,
      maxInFlight: opts.maxInFlight ?? 1,
      stopped: false,
    };
    g.members.push(member);
    const owner = g;
    this.pump(owner);
    return {
      stop: async () => {
        member.stopped = true;
        owner.members = owner.members.filter((m) => m !== member);
        while (member.inFlight > 0) await new Promise((r) => setImmediate(r));
      },
    };
  }

  private pump(g: Group): void {
    while (g.queue.length > 0) {
      const ready = g.members.filter((m) => !m.stopped && m.inFlight < m.maxInFlight);
      if (ready.length === 0) return;
      const member = ready[g.next++ % ready.length]!;
      const msg = g.queue.shift()!;
      const waiter = g.waiters.shift();
      if (waiter) waiter();
      member.inFlight++;
      void this.deliver(g, member, msg);
    }
  }

  private async deliver(g: Group, member: Member, msg: BusMessage<unknown>): Promise<void> {
    try {
      await member.handler(msg);
    } catch (err) {
      if (msg.attempt >= g.maxDeliver) {
        try {
          await g.onDeadLetter?.(msg, err);
        } catch {
          // A failing dead-letter sink must not take the bus down; the attempt count is the record.
        }
      } else {
        g.queue.unshift({ ...msg, attempt: msg.attempt + 1 });
      }
    } finally {
      member.inFlight--;
      setImmediate(() => this.pump(g));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const g of this.groups) for (const w of g.waiters.splice(0)) w();
    while (this.groups.some((g) => g.members.some((m) => m.inFlight > 0))) await new Promise((r) => setImmediate(r));
  }
}
