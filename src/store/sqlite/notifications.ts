import { createHash } from 'node:crypto';
import type { Delivery, DeliveryStatus, Notification, NotificationOutbox } from '../../notify/ports.js';
import type { Db } from './db.js';

interface Row {
  id: string;
  tenant: string;
  channel: string;
  notification: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
}

const toDelivery = (r: Row): Delivery => ({
  id: r.id,
  tenant: r.tenant,
  channel: r.channel,
  notification: JSON.parse(r.notification) as Notification,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: new Date(r.next_attempt_at).toISOString(),
  createdAt: new Date(r.created_at).toISOString(),
  sentAt: r.sent_at === null ? null : new Date(r.sent_at).toISOString(),
});

/** Delivery id from notification and channel: the same fact is queued once per channel. */
export const deliveryId = (notificationId: string, channel: string): string =>
  createHash('sha256').update(`${notificationId}\n${channel}`).digest('base64url').slice(0, 24);

export class SqliteNotificationOutbox implements NotificationOutbox {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      "INSERT OR IGNORE INTO notification_deliveries (id, tenant, channel, notification, status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
    );
  }

  async enqueue(n: Notification, channels: string[], now: Date): Promise<number> {
    let added = 0;
    const doc = JSON.stringify(n);
    this.db.transaction(() => {
      for (const c of channels)
        added += this.insert.run(deliveryId(n.id, c), n.tenant, c, doc, now.getTime(), now.getTime()).changes;
    })();
    return added;
  }

  async due(now: Date, limit: number): Promise<Delivery[]> {
    const rows = this.db
      .prepare(
        "SELECT * FROM notification_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
      )
      .all(now.getTime(), limit) as Row[];
    return rows.map(toDelivery);
  }

  async markSent(id: string, at: Date): Promise<void> {
    this.db
      .prepare(
        "UPDATE notification_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?",
      )
      .run(at.getTime(), id);
  }

  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    this.db
      .prepare(
        'UPDATE notification_deliveries SET attempts = attempts + 1, last_error = ?, status = ?, next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?',
      )
      .run(error.slice(0, 1000), retryAt ? 'pending' : 'failed', retryAt?.getTime() ?? null, id);
  }

  async postpone(id: string, until: Date): Promise<void> {
    this.db
      .prepare('UPDATE notification_deliveries SET next_attempt_at = ? WHERE id = ?')
      .run(until.getTime(), id);
  }

  async list(
    tenants: string[],
    opts: { limit: number; status?: DeliveryStatus; channel?: string },
  ): Promise<Delivery[]> {
    if (tenants.length === 0) return [];
    const where = [`tenant IN (${tenants.map(() => '?').join(',')})`];
    const params: unknown[] = [...tenants];
    if (opts.status) {
      where.push('status = ?');
      params.push(opts.status);
    }
    if (opts.channel) {
      where.push('channel = ?');
      params.push(opts.channel);
    }
    params.push(opts.limit);
    const rows = this.db
      .prepare(
        `SELECT * FROM notification_deliveries WHERE ${where.join(' AND ')} ORDER BY created_at DESC LIMIT ?`,
      )
      .all(...params) as Row[];
    return rows.map(toDelivery);
  }
}
