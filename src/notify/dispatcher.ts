import type { Logger } from 'pino';
import type { Bus, Subscription } from '../bus/ports.js';
import type { NotificationChannelConfig } from '../config/schema.js';
import type { Counter } from '../metrics/registry.js';
import { deliver } from './channels.js';
import { notificationSchema, type Delivery, type Notification, type NotificationOutbox } from './ports.js';

const SEVERITY_RANK = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;
const PUMP_MS = 1000;
const BATCH = 50;

export interface DispatcherOptions {
  bus: Bus;
  outbox: NotificationOutbox;
  channels: NotificationChannelConfig[];
  ratePerMinute: number;
  maxAttempts: number;
  log: Pick<Logger, 'warn' | 'info' | 'debug'>;
  counter?: Counter;
  /** The sender; tests pass the real one, the default. */
  send?: typeof deliver;
  now?: () => Date;
  pumpMs?: number;
}

/** Which configured channels hear about this notification. */
export function channelsFor(n: Notification, channels: NotificationChannelConfig[]): string[] {
  return channels
    .filter((c) => c.on.includes(n.kind))
    .filter((c) => !c.tenants || c.tenants.includes(n.tenant))
    .filter((c) => n.kind !== 'alert.created' || SEVERITY_RANK[n.severity] >= SEVERITY_RANK[c.minSeverity])
    .map((c) => c.id);
}

/** Exponential backoff from 5 s up to an hour, with ±20 % jitter so retries of a burst spread out. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(5000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Bus → durable outbox → channels. A notification is written to the outbox (one row per channel)
 * before its bus message is acknowledged, so a crash between the two re-enqueues rather than loses;
 * the outbox is then pumped with a token bucket per channel and retries with backoff.
 */
export class NotificationDispatcher {
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly byId: Map<string, NotificationChannelConfig>;
  private readonly send: typeof deliver;
  private readonly now: () => Date;

  constructor(private readonly o: DispatcherOptions) {
    this.byId = new Map(o.channels.map((c) => [c.id, c]));
    this.send = o.send ?? deliver;
    this.now = o.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    this.sub = await this.o.bus.consume<unknown>('notifications.>', 'notify', async (msg) => {
      const parsed = notificationSchema.safeParse(msg.data);
      if (!parsed.success) {
        this.o.counter?.inc({ channel: '-', status: 'invalid' });
        this.o.log.warn(
          { subject: msg.subject, issue: parsed.error.issues[0]?.message },
          'notification refused: invalid shape',
        );
        return;
      }
      const targets = channelsFor(parsed.data, this.o.channels);
      if (targets.length > 0) await this.o.outbox.enqueue(parsed.data, targets, this.now());
      void this.kick();
    });
    this.timer = setInterval(() => void this.kick(), this.o.pumpMs ?? PUMP_MS);
    this.timer.unref();
    void this.kick();
  }

  /** Runs one pump unless one is already running. */
  kick(): Promise<void> {
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  private takeToken(channel: string, nowMs: number): number {
    const rate = this.o.ratePerMinute / 60_000;
    const b = this.buckets.get(channel) ?? { tokens: this.o.ratePerMinute, at: nowMs };
    b.tokens = Math.min(this.o.ratePerMinute, b.tokens + (nowMs - b.at) * rate);
    b.at = nowMs;
    this.buckets.set(channel, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / rate);
  }

  private async pump(): Promise<void> {
    try {
      const now = this.now();
      for (const d of await this.o.outbox.due(now, BATCH)) await this.attempt(d, now);
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, 'notification pump failed');
    }
  }

  private async attempt(d: Delivery, now: Date): Promise<void> {
    const channel = this.byId.get(d.channel);
    if (!channel) {
      await this.o.outbox.markFailed(d.id, 'channel no longer configured', null);
      this.o.counter?.inc({ channel: d.channel, status: 'failed' });
      return;
    }
    const wait = this.takeToken(d.channel, now.getTime());
    if (wait > 0) {
      this.o.counter?.inc({ channel: d.channel, status: 'rate_limited' });
      await this.o.outbox.postpone(d.id, new Date(now.getTime() + wait));
      return;
    }
    try {
      await this.send(channel, d.notification, now);
      await this.o.outbox.markSent(d.id, this.now());
      this.o.counter?.inc({ channel: d.channel, status: 'sent' });
    } catch (e) {
      const attempts = d.attempts + 1;
      const retryAt = attempts >= this.o.maxAttempts ? null : new Date(now.getTime() + backoffMs(attempts));
      // The reason is ours (host and status), never the channel's secret or the receiver's body.
      const reason = (e as Error).message;
      await this.o.outbox.markFailed(d.id, reason, retryAt);
      this.o.counter?.inc({ channel: d.channel, status: retryAt ? 'retry' : 'failed' });
      this.o.log.warn(
        { channel: d.channel, attempts, reason, giveUp: retryAt === null },
        'notification delivery failed',
      );
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sub?.stop();
    await this.pumping;
  }
}
