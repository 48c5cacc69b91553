import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../../api/context.js';
import { documentRoute } from '../../api/route.js';
import { rawBodyScope } from '../../api/routes/events.js';
import { targetTenant } from '../../api/tenancy.js';
import { IngestOverloaded, type IngestItem } from '../../pipeline/ingest.js';
import { rawForDeadLetter } from '../raw-text.js';
import { requestBytes } from './body.js';
import { GUID, HecAckRegistry } from './hec-ack.js';
import { applyHecMeta, hecItem, type HecFailure, type HecMeta } from './hec-event.js';
import { splitJsonValues } from './json-splitter.js';

const TAGS = ['splunk-hec'];

function queryMeta(req: FastifyRequest): HecMeta & { tenant?: string } {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k]) : undefined);
  const header = req.headers['x-splunk-request-channel'];
  return {
    host: s('host'), source: s('source'), sourcetype: s('sourcetype'), index: s('index'), tenant: s('tenant'),
    channel: (typeof header === 'string' && header !== '' ? header : undefined) ?? s('channel'),
  };
}

/**
 * Stores the items and answers as HEC does. Valid events of a request are stored even when
 * others are invalid (they go to the dead-letter store); the answer is then 400 code 6 (or
 * 12/13) with `invalid-event-number`, the 0-based position of the first bad event. Unlike
 * Splunk, events after it are stored too; senders do not retry a 400, so nothing is duplicated.
 */
async function store(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, tenant: string, items: IngestItem[], failures: Map<number, HecFailure>, ack?: { acks: HecAckRegistry; owner: string }, channel?: string): Promise<unknown> {
  if (ack) {
    const refused = ack.acks.check(ack.owner, channel);
    if (refused) {
      void reply.code(refused.status);
      if (refused.status === 503) void reply.header('retry-after', '1');
      return { text: refused.text, code: refused.code };
    }
  }
  if (items.length === 0) {
    void reply.code(400);
    return { text: 'No data', code: 5 };
  }
  let result;
  try {
    result = await ctx.ingest.ingest(tenant, 'splunk-hec', items, req.ip);
  } catch (e) {
    if (!(e instanceof IngestOverloaded)) throw e;
    void reply.code(503).header('retry-after', String(e.retryAfterSeconds));
    return { text: 'Server is busy', code: 9 };
  }
  const first = result.rejected[0];
  // Answered only now that the events are durable: the ackId is true from the start.
  if (first === undefined) return ack ? { text: 'Success', code: 0, ackId: ack.acks.complete(ack.owner, channel!) } : { text: 'Success', code: 0 };
  const f = failures.get(first.index) ?? { code: 6, text: 'Invalid data format' };
  void reply.code(400);
  return { text: f.text, code: f.code, 'invalid-event-number': first.index };
}

/** Splunk HTTP Event Collector: /services/collector[/event[/1.0]], /raw and /health. */
export function hecRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const bodyLimit = ctx.config.http.bodyLimitBytes;
  const ackConfig = ctx.config.ingest.hecAck;
  const registry = ackConfig.enabled ? new HecAckRegistry(ackConfig) : undefined;
  const ackTokens = new Set(ackConfig.tokens);
  /**
   * The acknowledgement scope of a request: undefined when its token does not use acks. Channels
   * are kept per token, so one sender can neither read nor consume another's acks.
   */
  const ackScope = (req: FastifyRequest): { acks: HecAckRegistry; owner: string } | undefined => {
    const p = req.principal!;
    if (!registry) return undefined;
    if (ackTokens.size > 0 && !(p.kind === 'token' && (ackTokens.has(p.id) || ackTokens.has(p.name.replace(/^token:/, ''))))) return undefined;
    return { acks: registry, owner: `${p.kind}:${p.id}` };
  };
  rawBodyScope(app, bodyLimit, (scope) => {
    // HEC senders read `text`/`code`; the auth hook's refusals are re-worded in HEC's terms.
    scope.addHook('onSend', async (req, reply, payload) => {
      if (reply.statusCode !== 401 && reply.statusCode !== 403) return payload;
      void reply.type('application/json');
      return JSON.stringify(req.headers.authorization ? { text: 'Invalid token', code: 4 } : { text: 'Token is required', code: 2 });
    });

    const event = async (req: FastifyRequest, reply: FastifyReply) => {
      const meta = queryMeta(req);
      const tenant = targetTenant(req.principal!, meta.tenant);
      const body = await requestBytes(req, bodyLimit);
      const items: IngestItem[] = [];
      const failures = new Map<number, HecFailure>();
      for (const seg of splitJsonValues(body)) {
        const n = items.length;
        if (seg.kind !== 'value') {
          const { raw, encoding } = rawForDeadLetter(seg.bytes);
          failures.set(n, { code: 6, text: 'Invalid data format' });
          items.push({ ok: false, reason: `event ${n}: ${seg.kind === 'truncated' ? 'unterminated JSON object' : 'not a JSON object'}`, raw, encoding });
          continue;
        }
        const text = seg.bytes.toString('utf8');
        let obj: unknown;
        try {
          obj = JSON.parse(text);
        } catch (e) {
          failures.set(n, { code: 6, text: 'Invalid data format' });
          items.push({ ok: false, reason: `event ${n}: invalid JSON: ${(e as Error).message}`, raw: text });
          continue;
        }
        const r = hecItem(obj, text, meta);
        if (r.failure) {
          failures.set(n, r.failure);
          if (!r.item.ok) r.item.reason = `event ${n}: ${r.item.reason}`;
        }
        items.push(r.item);
      }
      return store(ctx, req, reply, tenant, items, failures, ackScope(req), meta.channel);
    };
    for (const url of ['/services/collector', '/services/collector/event', '/services/collector/event/1.0']) {
      documentRoute(app, { method: 'POST', url, access: 'events:ingest', summary: 'Splunk HEC: concatenated JSON event objects', tags: TAGS, rawBody: 'application/json' });
      scope.route({ method: 'POST', url, config: { access: 'events:ingest' }, handler: event });
    }

    const raw = async (req: FastifyRequest, reply: FastifyReply) => {
      const meta = queryMeta(req);
      const tenant = targetTenant(req.principal!, meta.tenant);
      const body = await requestBytes(req, bodyLimit);
      const items: IngestItem[] = [];
      let pos = 0;
      while (pos < body.length) {
        let end = body.indexOf(0x0a, pos);
        if (end === -1) end = body.length;
        let stop = end;
        if (stop > pos && body[stop - 1] === 0x0d) stop--;
        const line = body.toString('utf8', pos, stop);
        pos = end + 1;
        if (line.trim() === '') continue;
        const doc: Record<string, unknown> = { message: line, event: { original: line } };
        applyHecMeta(doc, meta);
        items.push({ ok: true, doc, raw: line });
      }
      return store(ctx, req, reply, tenant, items, new Map(), ackScope(req), meta.channel);
    };
    for (const url of ['/services/collector/raw', '/services/collector/raw/1.0']) {
      documentRoute(app, { method: 'POST', url, access: 'events:ingest', summary: 'Splunk HEC raw: one event per line', tags: TAGS, rawBody: 'text/plain' });
      scope.route({ method: 'POST', url, config: { access: 'events:ingest' }, handler: raw });
    }

    // Indicator acknowledgement status: {"acks":[0,1]} → {"acks":{"0":true,"1":false}}.
    const ack = async (req: FastifyRequest, reply: FastifyReply) => {
      const scope = ackScope(req);
      if (!scope) {
        void reply.code(400);
        return { text: 'ACK is disabled', code: 14 };
      }
      const { channel } = queryMeta(req);
      const refused = channel ? (GUID.test(channel) ? undefined : { code: 11, text: 'Invalid data channel' }) : { code: 10, text: 'Data channel is missing' };
      if (refused) {
        void reply.code(400);
        return refused;
      }
      let ids: number[] | undefined;
      try {
        const body = JSON.parse((await requestBytes(req, bodyLimit)).toString('utf8')) as { acks?: unknown };
        if (Array.isArray(body.acks) && body.acks.length <= 100_000 && body.acks.every((x) => Number.isInteger(x) && (x as number) >= 0))
          ids = body.acks as number[];
      } catch {
        // answered below
      }
      if (!ids) {
        void reply.code(400);
        return { text: 'Invalid data format', code: 6 };
      }
      return { acks: scope.acks.query(scope.owner, channel!, ids) };
    };
    for (const url of ['/services/collector/ack', '/services/collector/ack/1.0']) {
      documentRoute(app, { method: 'POST', url, access: 'events:ingest', summary: 'Splunk HEC indexer acknowledgement: which ackIds of a channel are durable', tags: TAGS, rawBody: 'application/json' });
      scope.route({ method: 'POST', url, config: { access: 'events:ingest' }, handler: ack });
    }

    for (const url of ['/services/collector/health', '/services/collector/health/1.0']) {
      documentRoute(app, { method: 'GET', url, access: 'public', summary: 'Splunk HEC health', tags: TAGS });
      scope.route({ method: 'GET', url, config: { access: 'public' }, handler: async () => ({ text: 'HEC is healthy', code: 17 }) });
    }
  });
}
