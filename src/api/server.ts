import cookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { IngestOverloaded } from '../pipeline/ingest.js';
import { installAuthorization } from './authorize.js';
import type { ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { eventRoutes } from './routes/events.js';
import { identityRoutes } from './routes/identity.js';
import { systemRoutes } from './routes/system.js';
import { shipperRoutes } from '../ingest/http/index.js';
import { uiRoutes } from './routes/ui.js';
import { coverageRoutes } from './routes/coverage.js';
import { playbookValidateRoutes } from './routes/playbook-validate.js';
import { streamRoutes } from './routes/stream.js';

/** fastify's own error codes mapped to ours, so clients see one error shape. */
function fromFastifyError(err: {
  code?: string;
  statusCode?: number;
  message: string;
}): ApiError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', 'request body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('bad_request', err.message);
  }
  if (err.statusCode === 400 || (err as { name?: string }).name === 'SyntaxError')
    return new ApiError('bad_request', `body: ${err.message}`);
  if (err.statusCode === 413) return new ApiError('payload_too_large', err.message);
  return undefined;
}

export async function buildServer(ctx: ApiContext, logger?: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({
    // Per-request logs at info would flood at ingest rates; requests are counted in /metrics instead.
    ...(logger ? { loggerInstance: logger.child({}, { level: 'warn' }) } : { logger: false }),
    bodyLimit: ctx.config.http.bodyLimitBytes,
    trustProxy: ctx.config.http.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  await app.register(cookie);
  installAuthorization(app, ctx.auth);

  // Once shutdown starts, answers to requests still in flight close their connection: a kept-alive
  // socket would otherwise hold the process open for the whole keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.keepAliveTimeout = 1;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) void reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (req, reply) => {
    const routeUrl = req.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequests.inc({ route: routeUrl, method: req.method, status: String(reply.statusCode) });
    ctx.metrics.httpLatency.observe(reply.elapsedTime / 1000, { route: routeUrl });
  });

  app.setErrorHandler(async (err, req, reply) => {
    let apiErr: ApiError;
    if (err instanceof ApiError) apiErr = err;
    else if (err instanceof IngestOverloaded)
      apiErr = new ApiError('too_many_requests', err.message, undefined, err.retryAfterSeconds);
    else {
      const mapped = fromFastifyError(err as { code?: string; statusCode?: number; message: string });
      if (mapped) apiErr = mapped;
      else {
        req.log.error({ err, url: req.url }, 'request failed');
        apiErr = /SQLITE_FULL|ENOSPC/.test(
          String((err as Error).message) + String((err as { code?: string }).code),
        )
          ? new ApiError(
              'unavailable',
              'storage is full; nothing from this request was stored',
              undefined,
              30,
            )
          : new ApiError('internal', 'internal error');
      }
    }
    if (apiErr.retryAfterSeconds !== undefined)
      void reply.header('retry-after', String(apiErr.retryAfterSeconds));
    return reply.code(apiErr.status).send(apiErr.toJSON());
  });

  app.setNotFoundHandler(async (req, reply) =>
    reply
      .code(404)
      .send(new ApiError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`).toJSON()),
  );

  systemRoutes(app, ctx);
  authRoutes(app, ctx);
  identityRoutes(app, ctx);
  auditRoutes(app, ctx);
  eventRoutes(app, ctx);
  shipperRoutes(app, ctx);
  // Console support: live updates (SSE), ATT&CK coverage, playbook validation while editing.
  streamRoutes(app, ctx);
  coverageRoutes(app);
  playbookValidateRoutes(app);
  // The console at / for browsers (Accept: text/html); ES shippers keep the product JSON there.
  uiRoutes(app);
  return app;
}
