import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The analyst console: the built web app (`dist/web`, from `web/` by scripts/build-web.mjs).
 *
 * `GET /` already answers Elasticsearch's product info to shippers, so the console's HTML routes
 * carry a route constraint that only matches requests whose Accept header asks for HTML (browsers).
 * ES clients, curl and scripts keep getting JSON from the same URL. The app routes by URL hash, so
 * any other path a browser asks HTML for falls back to the app shell too.
 */

const HTML = 'vigilHtml';

/** Strict: no inline script or style elements, no framing, nothing loaded from elsewhere. */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

/**
 * `dist/web`: beside the compiled server (`dist/api/routes/ui.js` → `dist/web`), or, when the
 * server runs from source (tests, tsx), the repository's `dist/web`.
 */
export function defaultUiRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '..', '..', 'web'),
    path.resolve(here, '..', '..', '..', 'dist', 'web'),
  ];
  return candidates.find((c) => existsSync(path.join(c, 'index.html'))) ?? candidates[0]!;
}

export function acceptsHtml(accept: string | string[] | undefined): boolean {
  const a = Array.isArray(accept) ? accept.join(',') : accept;
  return typeof a === 'string' && a.toLowerCase().includes('text/html');
}

function addHtmlConstraint(app: FastifyInstance): void {
  if (app.hasConstraintStrategy(HTML)) return;
  app.addConstraintStrategy({
    name: HTML,
    storage() {
      const handlers = new Map<string, unknown>();
      return {
        get: (k: string) => (handlers.get(k) ?? null) as never,
        set: (k: string, v: unknown) => void handlers.set(k, v),
      };
    },
    // Not derived for non-HTML requests, so they fall through to the unconstrained routes.
    deriveConstraint: (req: { headers: Record<string, string | string[] | undefined> }) =>
      acceptsHtml(req.headers.accept) ? 'html' : undefined,
    mustMatchWhenDerived: false,
  });
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vigil</title></head>
<body><h1>Vigil console not built</h1><p>The API is running. Build the console with <code>npm run build</code> and restart.</p></body></html>`;

export interface UiOptions {
  /** Folder holding index.html and assets/ (default: dist/web). */
  root?: string;
}

/** Registers the console's routes: `/assets/*` for everyone, the app shell for HTML requests. */
export function uiRoutes(app: FastifyInstance, opts: UiOptions = {}): void {
  const root = opts.root ?? defaultUiRoot();
  addHtmlConstraint(app);
  void app.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false });
    scope.addHook('onSend', async (_req, reply, payload) => {
      void reply.headers(UI_SECURITY_HEADERS);
      return payload;
    });

    const shell = async (req: FastifyRequest, reply: FastifyReply) => {
      // A mistyped API URL opened in a browser should still say "no such route", not show the app.
      if (req.url.startsWith('/api/')) return reply.callNotFound();
      // The shell names hashed assets, so it must be revalidated; the assets themselves never change.
      void reply.header('cache-control', 'no-cache');
      if (!existsSync(path.join(root, 'index.html')))
        return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
      return reply.sendFile('index.html', root, { cacheControl: false });
    };
    for (const url of ['/', '/*']) {
      scope.route({
        method: 'GET',
        url,
        constraints: { [HTML]: 'html' },
        config: { access: 'public' },
        handler: shell,
      });
    }
    // Public: the bundle holds code only; every piece of data comes from the authorized API.
    scope.route({
      method: 'GET',
      url: '/assets/*',
      config: { access: 'public' },
      handler: async (req, reply) => {
        const rel = (req.params as { '*': string })['*'];
        // Plain relative names only: no climbing out of the asset folder, whatever the encoding.
        if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(rel)) return reply.callNotFound();
        return reply.sendFile(path.posix.join('assets', rel), root, {
          immutable: true,
          maxAge: '365d',
          dotfiles: 'deny',
        });
      },
    });
    scope.route({
      method: 'GET',
      url: '/favicon.svg',
      config: { access: 'public' },
      handler: async (_req, reply) => reply.sendFile('favicon.svg', root, { maxAge: '1d' }),
    });
  });
}
