/**
 * The bus port: at-least-once delivery of batches between pipeline stages. In-memory for the
 * embedded mode, NATS JetStream for cluster mode; both pass `bus/contract/`.
 *
 * Semantics shared by every adapter:
 * - every consumer group receives every message published after it subscribed (fan-out across groups);
 * - within a group, each message goes to one member (work sharing);
 * - a handler that resolves acknowledges the message; one that throws gets it redelivered, up to
 *   `maxDeliver` attempts, after which `onDeadLetter` receives it with the last error;
 * - consumers must be idempotent: a message can arrive more than once.
 */
export interface BusMessage<T> {
  subject: string;
  data: T;
  /** 1 on first delivery. */
  attempt: number;
}

export interface ConsumeOptions<T> {
  maxDeliver?: number;
  /** Messages handed to this member at once before acknowledgements come back. */
  maxInFlight?: number;
  onDeadLetter?: (msg: BusMessage<T>, error: unknown) => void | Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface PublishOptions {
  /**
   * Identity of the message: a durable bus stores a message with an id it has already seen (within
   * its duplicate window) only once, so a publisher may retry after an ambiguous failure.
   */
  id?: string;
}

export interface Bus {
  /** Resolves when the bus has accepted the message (for a durable bus: when it is persisted). */
  publish<T>(subject: string, data: T, opts?: PublishOptions): Promise<void>;
  /** `subject` may use NATS wildcards: `*` one token, `>` the rest. */
  consume<T>(
    subject: string,
    group: string,
    handler: (msg: BusMessage<T>) => Promise<void>,
    opts?: ConsumeOptions<T>,
  ): Promise<Subscription>;
  /**
   * Durable buses: creates a group's consumer ahead of its first member, so messages published
   * before anyone consumes are kept for the group. Absent on buses without durable groups.
   */
  prepare?<T>(subject: string, group: string, opts?: ConsumeOptions<T>): Promise<void>;
  close(): Promise<void>;
}

/** NATS subject matching, shared so that every adapter agrees on wildcards. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const tok = p[i];
    if (tok === '>') return s.length > i;
    if (i >= s.length) return false;
    if (tok !== '*' && tok !== s[i]) return false;
  }
  return p.length === s.length;
}
