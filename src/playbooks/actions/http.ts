/**
 * Generic HTTP connector: how Vigil reaches firewalls, EDRs and identity providers. The request is
 * a template already rendered by the runner; credentials are named secrets resolved here at send
 * time, so they never appear in the recorded step input, in a dry run, or in logs.
 */
import { z } from 'zod';
import type { Value } from '../expr/ast.js';
import type { Action, ActionContext } from '../runner.js';
import type { SecretVault } from '../secrets.js';

export const httpRequestSchema = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('bearer'), secret: z.string().min(1) }).strict(),
        z.object({ type: z.literal('basic'), username: z.string(), secret: z.string().min(1) }).strict(),
        z
          .object({ type: z.literal('header'), header: z.string().min(1), secret: z.string().min(1) })
          .strict(),
      ])
      .optional(),
    /** Statuses that count as success; anything else fails the step (and may be retried). */
    expect: z.array(z.number().int().min(100).max(599)).default([200, 201, 202, 204]),
  })
  .strict();
export type HttpRequest = z.infer<typeof httpRequestSchema>;

const MAX_BODY = 64 * 1024;

export function describeRequest(r: HttpRequest): Value {
  return {
    method: r.method,
    url: r.url,
    headers: r.headers,
    body: (r.body ?? null) as Value,
    auth: r.auth ? { type: r.auth.type, secret: `<secret ${r.auth.secret}>` } : null,
  };
}

export async function sendHttp(
  r: HttpRequest,
  ctx: ActionContext,
  vault: SecretVault | undefined,
): Promise<Value> {
  if (ctx.dryRun) return { dryRun: true, request: describeRequest(r) };
  const headers: Record<string, string> = { ...r.headers };
  if (r.auth) {
    if (!vault) throw new Error('secrets are not available');
    const secret = await vault.reveal(ctx.tenant, r.auth.secret);
    if (r.auth.type === 'bearer') headers.authorization = `Bearer ${secret}`;
    else if (r.auth.type === 'basic')
      headers.authorization = `Basic ${Buffer.from(`${r.auth.username}:${secret}`).toString('base64')}`;
    else headers[r.auth.header.toLowerCase()] = secret;
  }
  let body: string | undefined;
  if (r.body !== undefined && r.method !== 'GET') {
    body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    if (typeof r.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  }
  headers['x-vigil-run'] = ctx.runId;
  const res = await fetch(r.url, { method: r.method, headers, body, signal: ctx.signal, redirect: 'error' });
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.subarray(0, MAX_BODY).toString('utf8');
  let parsed: Value = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text) as Value;
    } catch {
      parsed = text;
    }
  }
  if (!r.expect.includes(res.status))
    throw new Error(`${r.method} ${new URL(r.url).host}: HTTP ${res.status}`);
  return { status: res.status, body: parsed };
}

/** `action: http` — a request written inline in the playbook. */
export function httpAction(vault: SecretVault | undefined): Action {
  return {
    name: 'http',
    safeToRetry: false,
    async run(input, ctx) {
      const parsed = httpRequestSchema.safeParse(input);
      if (!parsed.success)
        throw new Error(
          `http: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      return sendHttp(parsed.data, ctx, vault);
    },
  };
}
