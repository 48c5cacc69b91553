/**
 * Live updates for the console over Server-Sent Events: new and updated alerts, new cases and case
 * status changes, playbook run progress, relayed from the bus to every connected browser of the tenant.
 *
 * One bus subscription per process (its own consumer group, so every API node sees every message)
 * fans out to the connections. A connection that reads too slowly does not grow memory: its queue is
 * bounded, and when it overflows the queue is dropped and the client is told to `resync` (refetch).
 * The credential is checked again on every heartbeat, so a signed-out session stops receiving.
 */
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can, type Permission } from '../../auth/permissions.js';
import type { Principal } from '../../auth/principal.js';
import type { Subscription } from '../../bus/ports.js';
import { credentialFromHeader, SESSION_COOKIE } from '../authorize.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants } from '../tenancy.js';

export const STREAM_TOPICS = ['alerts', 'cases', 'playbooks'] as const;
type Topic = (typeof STREAM_TOPICS)[number];

const TOPIC_NEEDS: Record<Topic, Permission> = {
  alerts: 'alerts:read',
  cases: 'cases:read',
  playbooks: 'playbooks:read',
};

/** Bus subject prefix → SSE event name and topic. */
const RELAYS: ReadonlyArray<{ subject: string; event: string; topic: Topic }> = [
  { subject: 'alerts.created', event: 'alert.created', topic: 'alerts' },
  { subject: 'alerts.updated', event: 'alert.updated', topic: 'alerts' },
  { subject: 'cases.created', event: 'case.created', topic: 'cases' },
  { subject: 'cases.status', event: 'case.status', topic: 'cases' },
  // Run and step status only (src/playbooks/run-events.ts): inputs and outputs stay behind the run API.
  { subject: 'playbooks.runs', event: 'playbook.run', topic: 'playbooks' },
];

/** Alerts described in one `alert.created` event; beyond this the ids alone are sent. */
const MAX_ALERTS_DESCRIBED = 100;

export interface StreamOptions {
  heartbeatMs?: number;
  /** Events queued for one slow connection before it is told to resync. */
  bufferLimit?: number;
  /** Consumer group; one per process so that each API node relays everything. */
  group?: string;
}

interface Client {
  tenants: ReadonlySet<string>;
  topics: ReadonlySet<Topic>;
  send(event: string, data: unknown): void;
  close(reason: string): void;
}

export function streamRoutes(app: FastifyInstance, ctx: ApiContext, opts: StreamOptions = {}): void {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const bufferLimit = opts.bufferLimit ?? 256;
  const group = opts.group ?? `ui-stream-${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const clients = new Set<Client>();
  const subs: Subscription[] = [];
  let seq = 0;

  const wants = (c: Client, topic: Topic, tenant: string) => c.topics.has(topic) && c.tenants.has(tenant);

  const relay = async (subject: string, data: unknown): Promise<void> => {
    const r = RELAYS.find((x) => subject.startsWith(`${x.subject}.`));
    if (!r) return;
    const tenant = subject.slice(r.subject.length + 1);
    const audience = [...clients].filter((c) => wants(c, r.topic, tenant));
    if (audience.length === 0) return;
    const payload: Record<string, unknown> = {
      tenant,
      ...(data && typeof data === 'object' && !Array.isArray(data) ? data : { data }),
    };
    if (r.event === 'alert.created' && Array.isArray(payload.alertIds)) {
      // Read once for every connection: the queue can show the new rows without a query per browser.
      const ids = (payload.alertIds as unknown[]).filter((x): x is string => typeof x === 'string');
      const found = await ctx.storage.alerts.get(tenant, ids.slice(0, MAX_ALERTS_DESCRIBED)).catch(() => []);
      payload.alerts = found.map((a) => ({
        id: a.id,
        title: a.title,
        severity: a.severity,
        status: a.status,
        ruleId: a.ruleId,
        entity: a.entity,
        createdAt: a.createdAt,
      }));
    }
    for (const c of audience) c.send(r.event, payload);
  };

  app.addHook('onReady', async () => {
    for (const r of RELAYS) {
      subs.push(
        await ctx.bus.consume<unknown>(
          `${r.subject}.>`,
          group,
          async (msg) => {
            // Live updates are best effort: a failure here must not redeliver into other consumers' work.
            await relay(msg.subject, msg.data).catch((err: unknown) =>
              app.log.warn({ err, subject: msg.subject }, 'live update not relayed'),
            );
          },
          { maxDeliver: 1 },
        ),
      );
    }
  });
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const c of [...clients]) c.close('server shutting down');
  });
  app.addHook('onClose', async () => {
    await Promise.allSettled(subs.map((s) => s.stop()));
  });

  const stillSignedIn = async (req: FastifyRequest): Promise<Principal | undefined> => {
    const presented = credentialFromHeader(req.headers.authorization);
    if (presented) return ctx.auth.fromToken(presented);
    const cookie = req.cookies[SESSION_COOKIE];
    return cookie ? ctx.auth.fromSession(cookie) : undefined;
  };

  route(app, {
    method: 'GET',
    url: '/api/v1/stream',
    // Every person's role reads alerts; a machine token (ingest) has nothing to follow here.
    access: 'alerts:read',
    summary:
      'Server-Sent Events: alert.created, alert.updated, case.created, case.status, playbook.run of your tenants (as your role may read them); resync when updates were dropped',
    tags: ['system'],
    query: z.object({
      topics: z
        .string()
        .max(100)
        .optional()
        .transform((s, c) => {
          const list = (s ?? STREAM_TOPICS.join(',')).split(',').filter(Boolean);
          const bad = list.find((t) => !(STREAM_TOPICS as readonly string[]).includes(t));
          if (bad) {
            c.addIssue({
              code: 'custom',
              message: `unknown topic ${bad}; one of ${STREAM_TOPICS.join(', ')}`,
            });
            return z.NEVER;
          }
          return list as Topic[];
        }),
      tenant: z.string().max(63).optional(),
    }),
    handler: async ({ req, reply, principal, query }) => {
      const p = principal!;
      const topics = new Set(query.topics.filter((t) => can(p.role, TOPIC_NEEDS[t])));
      if (topics.size === 0)
        throw new ApiError('forbidden', `role ${p.role} may not follow ${query.topics.join(', ')}`);
      const tenants = new Set(readTenants(p, query.tenant));

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Reverse proxies (nginx) would otherwise hold events back in their buffer.
        'x-accel-buffering': 'no',
      });

      let pending: string[] = [];
      let waitingForDrain = false;
      let overflowed = false;
      let closed = false;
      const frame = (event: string, data: unknown) =>
        `id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      const write = (chunk: string) => {
        if (closed) return;
        if (waitingForDrain) {
          if (pending.length >= bufferLimit) {
            pending = [];
            overflowed = true;
          } else pending.push(chunk);
          return;
        }
        if (!res.write(chunk)) waitingForDrain = true;
      };
      res.on('drain', () => {
        waitingForDrain = false;
        const queued = pending;
        pending = [];
        if (overflowed) {
          overflowed = false;
          queued.unshift(frame('resync', { reason: 'updates were dropped for a slow connection' }));
        }
        for (const chunk of queued) write(chunk);
      });

      const client: Client = {
        tenants,
        topics,
        send: (event, data) => write(frame(event, data)),
        close: (reason) => {
          if (closed) return;
          write(frame('end', { reason }));
          closed = true;
          clearInterval(beat);
          clients.delete(client);
          res.end();
        },
      };
      const beat = setInterval(() => {
        void stillSignedIn(req)
          .catch(() => undefined)
          .then((now) => {
            if (!now) client.close('session ended');
            else write(`: heartbeat ${Date.now()}\n\n`);
          });
      }, heartbeatMs);
      beat.unref();
      req.raw.on('close', () => {
        closed = true;
        clearInterval(beat);
        clients.delete(client);
      });

      clients.add(client);
      // The browser reconnects after this many ms when the connection drops.
      res.write(`retry: 3000\n\n`);
      client.send('ready', { topics: [...topics], tenants: [...tenants], heartbeatMs });
    },
  });
}
