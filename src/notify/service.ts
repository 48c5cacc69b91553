import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import { route } from '../api/route.js';
import { readTenants, targetTenant } from '../api/tenancy.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { runsDuty } from '../cluster/roles.js';
import { NotificationDispatcher } from './dispatcher.js';

/** Notifications: dispatcher over the outbox, and routes to see deliveries and test a channel. */
export async function startNotifications(ctx: CapabilityContext): Promise<Capability> {
  const { config, storage, bus, http, log, metrics } = ctx;
  const cfg = config.notifications;
  const dispatcher = new NotificationDispatcher({
    bus,
    outbox: storage.notifications,
    channels: cfg.channels,
    ratePerMinute: cfg.ratePerMinute,
    maxAttempts: cfg.maxAttempts,
    log,
    counter: metrics.registry.counter(
      'vigil_notifications_total',
      'Notification deliveries, by channel and outcome',
    ),
  });
  if (runsDuty(ctx, 'worker')) await dispatcher.start();

  route(http, {
    method: 'GET',
    url: '/api/v1/notifications/channels',
    access: 'reports:read',
    summary: 'Configured notification channels (no secrets)',
    tags: ['notifications'],
    handler: async () => ({
      channels: cfg.channels.map((c) => ({
        id: c.id,
        type: c.type,
        on: c.on,
        minSeverity: c.minSeverity,
        tenants: c.tenants ?? null,
      })),
    }),
  });

  route(http, {
    method: 'GET',
    url: '/api/v1/notifications/deliveries',
    access: 'reports:read',
    summary: 'Notification deliveries, newest first, with attempts and last error',
    tags: ['notifications'],
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      status: z.enum(['pending', 'sent', 'failed']).optional(),
      channel: z.string().max(63).optional(),
      tenant: z.string().max(63).optional(),
    }),
    handler: async ({ principal, query }) => ({
      deliveries: await storage.notifications.list(readTenants(principal!, query.tenant), {
        limit: query.limit,
        status: query.status,
        channel: query.channel,
      }),
    }),
  });

  route(http, {
    method: 'POST',
    url: '/api/v1/notifications/test',
    access: 'system:config',
    summary: 'Queue a test notification to one channel',
    tags: ['notifications'],
    body: z.object({ channel: z.string().min(1).max(63), tenant: z.string().max(63).optional() }).strict(),
    query: z.object({ tenant: z.string().max(63).optional() }),
    handler: async ({ principal, body, query, req }) => {
      if (!cfg.channels.some((c) => c.id === body.channel))
        throw new ApiError('not_found', `body.channel: no channel ${body.channel}`);
      const tenant = targetTenant(principal!, body.tenant ?? query.tenant);
      const now = new Date();
      const id = `test:${randomUUID()}`;
      await storage.notifications.enqueue(
        {
          id,
          kind: 'alert.created',
          tenant,
          severity: 'informational',
          title: 'Test notification from Vigil',
          subject: { type: 'alert', id },
          assignee: null,
          at: now.toISOString(),
          details: { requestedBy: principal!.name },
        },
        [body.channel],
        now,
      );
      await storage.audit.append({
        actor: principal!.name,
        tenant,
        action: 'notification.test',
        target: body.channel,
        ip: req.ip,
        before: null,
        after: { id },
      });
      void dispatcher.kick();
      return { queued: id };
    },
  });

  return { close: () => dispatcher.stop() };
}
