/**
 * Splunk HEC indexer acknowledgement. A sender names a channel (a GUID); each accepted request on
 * it gets the channel's next ackId, and `/services/collector/ack` answers which ackIds are durable,
 * each true answer given once (Splunk forgets an ack once it has reported it).
 *
 * Vigil answers an HEC request only after its events are durable, so an ackId is already true when
 * it is handed out: the registry only has to remember which ones the sender has not asked about.
 * State is per process and in memory, as Splunk keeps it per indexer: a sender that loses its
 * acks to a restart re-sends, and event ids keep a re-sent event from being stored twice when the
 * sender supplies them.
 */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Channels belong to the sender (token) that uses them: the same GUID under two tokens is two channels. */
const key = (owner: string, channel: string) => `${owner}\u0000${channel.toLowerCase()}`;

export interface HecAckOptions {
  maxChannels: number;
  maxPendingPerChannel: number;
  channelIdleMinutes: number;
}

interface Channel {
  next: number;
  /** Durable ackIds not yet reported to the sender. */
  pending: Set<number>;
  lastUsed: number;
}

/** A request refused in HEC's terms: the HTTP status, Splunk's code and text. */
export interface HecRefusal {
  status: number;
  code: number;
  text: string;
}

export class HecAckRegistry {
  private readonly channels = new Map<string, Channel>();
  private lastSweep = 0;

  constructor(
    private readonly o: HecAckOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Why a request's channel is not usable, or undefined when it is. */
  check(owner: string, channel: string | undefined): HecRefusal | undefined {
    if (!channel) return { status: 400, code: 10, text: 'Data channel is missing' };
    if (!GUID.test(channel)) return { status: 400, code: 11, text: 'Invalid data channel' };
    this.sweep();
    const c = this.channels.get(key(owner, channel));
    if (!c && this.channels.size >= this.o.maxChannels)
      return { status: 503, code: 9, text: 'Server is busy' };
    if (c && c.pending.size >= this.o.maxPendingPerChannel)
      return { status: 503, code: 9, text: 'Server is busy' };
    return undefined;
  }

  /** The ackId of a request whose events are now durable. */
  complete(owner: string, channel: string): number {
    const k = key(owner, channel);
    let c = this.channels.get(k);
    if (!c) this.channels.set(k, (c = { next: 0, pending: new Set(), lastUsed: this.now() }));
    const id = c.next++;
    c.pending.add(id);
    c.lastUsed = this.now();
    return id;
  }

  /** Each asked ackId: true once if it is durable and not reported yet, else false. */
  query(owner: string, channel: string, ids: readonly number[]): Record<string, boolean> {
    const c = this.channels.get(key(owner, channel));
    const out: Record<string, boolean> = {};
    for (const id of ids) {
      const done = c?.pending.delete(id) ?? false;
      out[String(id)] = done || (out[String(id)] ?? false);
    }
    if (c) c.lastUsed = this.now();
    return out;
  }

  get size(): number {
    return this.channels.size;
  }

  /** Channels nobody used for channelIdleMinutes are forgotten, with their unreported acks. */
  private sweep(): void {
    // At most once a minute: a sweep walks every channel.
    if (this.now() - this.lastSweep < 60_000) return;
    this.lastSweep = this.now();
    const limit = this.now() - this.o.channelIdleMinutes * 60_000;
    for (const [k, c] of this.channels) if (c.lastUsed < limit) this.channels.delete(k);
  }
}
