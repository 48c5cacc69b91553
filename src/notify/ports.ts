/**
 * Notifications: what happened (an alert opened, something was assigned, an SLA broke) and the
 * durable outbox of deliveries to channels. Adapters: store/sqlite/notifications.ts.
 */
import { z } from 'zod';

export const NOTIFICATION_KINDS = [
  'alert.created',
  'alert.assigned',
  'case.assigned',
  'case.sla_breached',
  /** A playbook run waits for someone with a role to approve a step; details carry the signed links. */
  'playbook.approval',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Published by alerts and cases on `notifications.<tenant>`; validated on receipt. */
export const notificationSchema = z.object({
  /** Stable per fact (e.g. alert id + kind), so a redelivered message is delivered once per channel. */
  id: z.string().min(1).max(200),
  kind: z.enum(NOTIFICATION_KINDS),
  tenant: z.string().min(1),
  severity: z.enum(['informational', 'low', 'medium', 'high', 'critical']),
  title: z.string().max(1000),
  /** What it is about: an `alert`, a `case` or a `playbook_run`, and its id. */
  subject: z.object({ type: z.enum(['alert', 'case', 'playbook_run']), id: z.string() }),
  assignee: z.string().nullable().default(null),
  at: z.string(),
  /** A few fields worth showing (rule, host, user...). */
  details: z.record(z.string(), z.string()).default({}),
});
export type Notification = z.infer<typeof notificationSchema>;

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface Delivery {
  id: string;
  tenant: string;
  channel: string;
  notification: Notification;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  createdAt: string;
  sentAt: string | null;
}

export interface NotificationOutbox {
  /** Enqueues one delivery per channel; idempotent by (notification id, channel). Returns how many were new. */
  enqueue(n: Notification, channels: string[], now: Date): Promise<number>;
  /** Pending deliveries due at `now`, oldest first. */
  due(now: Date, limit: number): Promise<Delivery[]>;
  markSent(id: string, at: Date): Promise<void>;
  /** Records a failed attempt; `retryAt` null means give up. */
  markFailed(id: string, error: string, retryAt: Date | null): Promise<void>;
  /** Pushes a pending delivery back without counting an attempt (rate limit). */
  postpone(id: string, until: Date): Promise<void>;
  list(
    tenants: string[],
    opts: { limit: number; status?: DeliveryStatus; channel?: string },
  ): Promise<Delivery[]>;
}
