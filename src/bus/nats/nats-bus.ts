/**
 * The bus on NATS JetStream, for cluster mode. Nothing here re-implements what JetStream does:
 * persistence, redelivery and work sharing are the server's; this adapter maps the Bus port on it.
 *
 * - Each subject root (first token: `events`, `detections`, ...) has one file-backed stream
 *   `<prefix>_<ROOT>` capturing `<root>.>`, created on first use; publish resolves on the
 *   server's PubAck, i.e. once the message is persisted.
 * - A consumer group is a durable pull consumer (name from group + subject filter): members of the
 *   group pull from the same durable (work sharing); each group has its own (fan-out). New groups
 *   start with messages published after they were created; existing ones resume where they were.
 * - A failed handler naks with a growing delay; after `maxDeliver` attempts the message is handed
 *   to `onDeadLetter` and terminated so the server stops redelivering it.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Bus, BusMessage, ConsumeOptions, PublishOptions, Subscription } from '../ports.js';

export interface NatsBusOptions {
  url: string;
  /** Stream name prefix, so several Vigil installations can share one NATS account. */
  streamPrefix?: string;
  /** How long a stream keeps messages (consumers that fall further behind lose them). */
  maxAgeHours?: number;
  /** How long a delivered message may stay unacknowledged before the server redelivers it. */
  ackWaitSeconds?: number;
  /**
   * How long publish keeps retrying while the server is unreachable (restart, failover) before it
   * gives up. Meanwhile the publisher waits: ingest slows its senders instead of failing them.
   */
  publishRetryMs?: number;
  /** Copies of each stream in a NATS cluster (1 on a single server, 3 for a 3-node cluster: R3). */
  replicas?: number;
  /** TLS to the servers: a private CA, and a client certificate when the servers require one. */
  tls?: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined };
  /** Every server of a NATS cluster (the URL's host first): the client fails over between them. */
  servers?: string[];
}

const DEFAULT_MAX_DELIVER = 5;
const TOKEN = /^[A-Za-z0-9_-]+$/;

function rootOf(subject: string): string {
  const root = subject.split('.')[0] ?? '';
  if (!TOKEN.test(root)) throw new Error(`bus subject ${subject}: its first token must be a literal name`);
  return root;
}

/** Failures that the same request may get past later: the server away, slow or failing over. */
const PERMANENT = new Set([
  'InvalidArgumentError',
  'InvalidSubjectError',
  'PermissionViolationError',
  'AuthorizationError',
  'UserAuthenticationExpiredError',
]);
function transient(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return !PERMANENT.has(e.name) && !/maximum payload/i.test(e.message);
}

/** Consumer names allow only a restricted alphabet; a hash keeps distinct filters distinct. */
function durableName(group: string, subject: string): string {
  const safe = group.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return `${safe}-${createHash('sha256').update(subject).digest('hex').slice(0, 12)}`;
}

export class NatsBus implements Bus {
  private readonly streams = new Map<string, Promise<string>>();
  private readonly subs = new Set<Subscription>();
  private closing = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly o: Required<Omit<NatsBusOptions, 'url' | 'tls' | 'servers'>>,
  ) {}

  /** The bus's connection, shared with what else needs NATS (the KV partition leases). */
  get connection(): NatsConnection {
    return this.nc;
  }

  static async open(opts: NatsBusOptions): Promise<NatsBus> {
    const u = new URL(opts.url);
    const nc = await connect({
      servers: [`${u.hostname}:${u.port || '4222'}`, ...(opts.servers ?? [])],
      user: u.username ? decodeURIComponent(u.username) : undefined,
      pass: u.password ? decodeURIComponent(u.password) : undefined,
      tls: u.protocol === 'tls:' || opts.tls?.caFile || opts.tls?.certFile ? { ...opts.tls } : undefined,
      name: 'vigil',
      maxReconnectAttempts: -1,
    });
    const jsm = await jetstreamManager(nc);
    return new NatsBus(nc, jetstream(nc), jsm, {
      streamPrefix: opts.streamPrefix ?? 'VIGIL',
      maxAgeHours: opts.maxAgeHours ?? 72,
      ackWaitSeconds: opts.ackWaitSeconds ?? 60,
      publishRetryMs: opts.publishRetryMs ?? 60_000,
      replicas: opts.replicas ?? 1,
    });
  }

  /** The stream for a subject root, created (or found) once per process. */
  private stream(subject: string): Promise<string> {
    const root = rootOf(subject);
    let p = this.streams.get(root);
    if (!p) {
      const name = `${this.o.streamPrefix}_${root}`.replace(/[^A-Za-z0-9_-]/g, '_');
      p = (async () => {
        try {
          await this.jsm.streams.info(name);
        } catch {
          await this.jsm.streams.add({
            name,
            subjects: [`${root}.>`],
            storage: StorageType.File,
            retention: RetentionPolicy.Limits,
            max_age: nanos(this.o.maxAgeHours * 3_600_000),
            num_replicas: this.o.replicas,
          });
        }
        return name;
      })();
      p.catch(() => this.streams.delete(root));
      this.streams.set(root, p);
    }
    return p;
  }

  /**
   * Retries until the server has persisted the message or `publishRetryMs` has passed. Every
   * attempt carries the same message id (the caller's, or a fresh one), so an attempt whose PubAck
   * was lost and the retry after it leave one message in the stream.
   */
  async publish<T>(subject: string, data: T, opts: PublishOptions = {}): Promise<void> {
    rootOf(subject); // a malformed subject is the caller's error, not something to retry
    const body = JSON.stringify(data);
    const msgID = opts.id ?? randomUUID();
    const deadline = Date.now() + this.o.publishRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.stream(subject);
        await this.js.publish(subject, body, { msgID });
        return;
      } catch (e) {
        if (this.closing || !transient(e) || Date.now() >= deadline) throw e;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (attempt - 1), 2000)));
      }
    }
  }

  async consume<T>(
    subject: string,
    group: string,
    handler: (msg: BusMessage<T>) => Promise<void>,
    opts: ConsumeOptions<T> = {},
  ): Promise<Subscription> {
    const { stream, name } = await this.ensureConsumer(subject, group, opts);
    const maxDeliver = opts.maxDeliver ?? DEFAULT_MAX_DELIVER;
    const maxInFlight = opts.maxInFlight ?? 64;
    const consumer = await this.js.consumers.get(stream, name);
    const messages: ConsumerMessages = await consumer.consume({ max_messages: maxInFlight });
    const inFlight = new Set<Promise<void>>();

    const handle = async (m: JsMsg): Promise<void> => {
      const attempt = m.info.deliveryCount;
      let data: T;
      try {
        data = m.json<T>();
      } catch (e) {
        // Not ours to retry: a body that is not JSON never will be.
        await opts.onDeadLetter?.({ subject: m.subject, data: m.string() as T, attempt }, e);
        m.term('not JSON');
        return;
      }
      const msg: BusMessage<T> = { subject: m.subject, data, attempt };
      try {
        await handler(msg);
        m.ack();
      } catch (e) {
        if (attempt >= maxDeliver) {
          try {
            await opts.onDeadLetter?.(msg, e);
          } finally {
            m.term(String(e).slice(0, 200));
          }
        } else {
          m.nak(Math.min(50 * 2 ** (attempt - 1), 5000));
        }
      }
    };

    const loop = (async () => {
      for await (const m of messages) {
        const p = handle(m).finally(() => inFlight.delete(p));
        inFlight.add(p);
        // Keep at most maxInFlight handlers running; the server holds the rest.
        if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      }
    })();

    const sub: Subscription = {
      stop: async () => {
        this.subs.delete(sub);
        await messages.close();
        await loop.catch(() => undefined);
        await Promise.allSettled([...inFlight]);
      },
    };
    this.subs.add(sub);
    return sub;
  }

  /**
   * Creates the group's durable consumer if it does not exist, without receiving anything: from
   * then on the stream keeps the group's messages until a member consumes them (a partition whose
   * owner is not chosen yet loses nothing).
   */
  async prepare<T>(subject: string, group: string, opts: ConsumeOptions<T> = {}): Promise<void> {
    await this.ensureConsumer(subject, group, opts);
  }

  private async ensureConsumer<T>(
    subject: string,
    group: string,
    opts: ConsumeOptions<T>,
  ): Promise<{ stream: string; name: string }> {
    const stream = await this.stream(subject);
    const name = durableName(group, subject);
    const maxDeliver = opts.maxDeliver ?? DEFAULT_MAX_DELIVER;
    const maxInFlight = opts.maxInFlight ?? 64;
    try {
      await this.jsm.consumers.info(stream, name);
    } catch {
      try {
        await this.jsm.consumers.add(stream, {
          durable_name: name,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.New,
          filter_subject: subject,
          max_deliver: maxDeliver,
          ack_wait: nanos(this.o.ackWaitSeconds * 1000),
          max_ack_pending: Math.max(maxInFlight * 4, 256),
        });
      } catch (e) {
        // Another member of the group created it between our info and add.
        const exists = await this.jsm.consumers.info(stream, name).then(
          () => true,
          () => false,
        );
        if (!exists) throw e;
      }
    }
    return { stream, name };
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.subs].map((s) => s.stop()));
    await this.nc.drain();
  }

  /** Test support: removes every stream whose name starts with this bus's prefix. */
  async deleteStreamsWithPrefix(): Promise<void> {
    const names: string[] = [];
    for await (const name of this.jsm.streams.names())
      if (name.startsWith(`${this.o.streamPrefix}_`)) names.push(name);
    for (const name of names) await this.jsm.streams.delete(name).catch(() => undefined);
  }
}
