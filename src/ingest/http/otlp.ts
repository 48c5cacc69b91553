import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../../api/context.js';
import { ApiError } from '../../api/errors.js';
import { documentRoute } from '../../api/route.js';
import { rawBodyScope } from '../../api/routes/events.js';
import { targetTenant } from '../../api/tenancy.js';
import type { IngestItem } from '../../pipeline/ingest.js';
import { decodeLogsJson, decodeLogsProtobuf, encodeExportLogsResponse, otlpLogToDoc, type OtlpLogEntry } from '../../parse/otlp/index.js';
import { requestBytes } from './body.js';

function entriesToItems(entries: OtlpLogEntry[]): IngestItem[] {
  return entries.map((e): IngestItem =>
    e.record.ok ? { ok: true, doc: otlpLogToDoc(e, e.record.value) } : { ok: false, reason: e.record.reason, raw: e.raw, encoding: e.encoding },
  );
}

function mediaType(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * OTLP/HTTP logs (https://opentelemetry.io/docs/specs/otlp/#otlphttp): protobuf or JSON request,
 * answered in the same encoding. Records that cannot be read go to the dead-letter store and are
 * reported as a partial success; overload answers 429 with Retry-After, which OTLP exporters retry.
 */
export function otlpRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const bodyLimit = ctx.config.http.bodyLimitBytes;
  rawBodyScope(app, bodyLimit, (scope) => {
    documentRoute(app, { method: 'POST', url: '/v1/logs', access: 'events:ingest', summary: 'OTLP/HTTP logs (application/x-protobuf or application/json)', tags: ['otlp'], rawBody: 'application/x-protobuf' });
    scope.route({
      method: 'POST', url: '/v1/logs', config: { access: 'events:ingest' },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const type = mediaType(req);
        const proto = type === 'application/x-protobuf' || type === 'application/protobuf';
        if (!proto && type !== 'application/json') throw new ApiError('unsupported_media_type', 'OTLP/HTTP takes application/x-protobuf or application/json');
        const tenant = targetTenant(req.principal!, typeof (req.query as Record<string, unknown>).tenant === 'string' ? ((req.query as Record<string, string>).tenant) : undefined);
        const body = await requestBytes(req, bodyLimit);
        let entries: OtlpLogEntry[];
        if (proto) entries = decodeLogsProtobuf(body);
        else {
          let parsed: unknown;
          try {
            parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
          } catch (e) {
            await ctx.ingest.ingest(tenant, 'otlp', [{ ok: false, reason: `invalid JSON: ${(e as Error).message}`, raw: body.toString('utf8') }]);
            throw new ApiError('bad_request', `body: invalid JSON: ${(e as Error).message}`);
          }
          const decoded = decodeLogsJson(parsed);
          if (!decoded.ok) {
            await ctx.ingest.ingest(tenant, 'otlp', [{ ok: false, reason: decoded.reason, raw: body.toString('utf8') }]);
            throw new ApiError('bad_request', `body: ${decoded.reason}`);
          }
          entries = decoded.value;
        }
        const items = entriesToItems(entries);
        // IngestOverloaded propagates: the server's error handler answers 429 with Retry-After.
        const result = items.length > 0 ? await ctx.ingest.ingest(tenant, 'otlp', items, req.ip) : { accepted: 0, rejected: [] };
        const rejected = result.rejected.length;
        const message = rejected > 0 ? `${rejected} log record(s) rejected; first: ${result.rejected[0]!.reason}`.slice(0, 1000) : '';
        if (proto) {
          return reply.type('application/x-protobuf').send(Buffer.from(encodeExportLogsResponse(rejected, message)));
        }
        return rejected > 0 ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage: message } } : {};
      },
    });
  });
}
