import type { Delivery, DeliveryStatus, Notification, NotificationOutbox } from '../../notify/ports.js';
import { deliveryId } from '../sqlite/notifications.js';
import { Params, type Pool } from './db.js';

interface Row {
  id: string;
  tenant: string;
  channel: string;
  notification: Notification;
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
  notification: r.notification,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: new Date(r.next_attempt_at).toISOString(),
  createdAt: new Date(r.created_at).toISOString(),
  sentAt: r.sent_at === null ? null : new Date(r.sent_at).toISOString(),
});

/** How long a claimed delivery is left to its claimer before another pump may take it. */
export const CLAIM_LEASE_MS = 5 * 60_000;

export class PostgresNotificationOutbox implements NotificationOutbox {
  constructor(private readonly pool: Pool) {}

  async enqueue(n: Notification, channels: string[], now: Date): Promise<number> {
    if (channels.length === 0) return 0;
    const r = await this.pool.query(
      `INSERT INTO notification_deliveries (id, tenant, channel, notification, status, next_attempt_at, created_at)
       SELECT id, $2, channel, $3::jsonb, 'pending', $4, $4 FROM unnest($1::text[], $5::text[]) AS x(id, channel)
       ON CONFLICT (id) DO NOTHING`,
      [channels.map((c) => deliveryId(n.id, c)), n.tenant, JSON.stringify(n), now.getTime(), channels],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Claims the due deliveries: each is leased to this caller for CLAIM_LEASE_MS (its next attempt
   * moved past the lease), so the pumps of several worker nodes never send one twice. markSent,
   * markFailed or postpone end the lease; a node that dies mid-send leaves it to be retried after.
   */
  async due(now: Date, limit: number): Promise<Delivery[]> {
    const r = await this.pool.query<Row & { due_at: number }>(
      `WITH picked AS (
         SELECT id, next_attempt_at AS due_at FROM notification_deliveries
         WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE notification_deliveries d SET next_attempt_at = $3 FROM picked WHERE d.id = picked.id
       RETURNING d.*, picked.due_at`,
      [now.getTime(), limit, now.getTime() + CLAIM_LEASE_MS],
    );
    return r.rows
      .sort((a, b) => a.due_at - b.due_at)
      .map((row) => toDelivery({ ...row, next_attempt_at: row.due_at }));
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.pool.query(
      "UPDATE notification_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = NULL WHERE id = $2",
      [at.getTime(), id],
    );
  }

  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    await this.pool.query(
      'UPDATE notification_deliveries SET attempts = attempts + 1, last_error = $1, status = $2, next_attempt_at = COALESCE($3, next_attempt_at) WHERE id = $4',
      [error.slice(0, 1000), retryAt ? 'pending' : 'failed', retryAt?.getTime() ?? null, id],
    );
  }

  async postpone(id: string, until: Date): Promise<void> {
    await this.pool.query('UPDATE notification_deliveries SET next_attempt_at = $1 WHERE id = $2', [
      until.getTime(),
      id,
    ]);
  }

  async list(
    tenants: string[],
    opts: { limit: number; status?: DeliveryStatus; channel?: string },
  ): Promise<Delivery[]> {
    if (tenants.length === 0) return [];
    const p = new Params();
    const where = [`tenant = ANY(${p.add(tenants)}::text[])`];
    if (opts.status) where.push(`status = ${p.add(opts.status)}`);
    if (opts.channel) where.push(`channel = ${p.add(opts.channel)}`);
    const r = await this.pool.query<Row>(
      `SELECT * FROM notification_deliveries WHERE ${where.join(' AND ')} ORDER BY created_at DESC LIMIT ${p.add(opts.limit)}`,
      p.values,
    );
    return r.rows.map(toDelivery);
  }
}
