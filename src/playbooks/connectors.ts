/**
 * Connectors: named HTTP request templates for containment targets (a firewall, an EDR, an identity
 * provider), loaded from `templates/connectors/*.yml`. A playbook names the connector and the
 * operation and gives parameters; where the target lives (base URL) and which secret authenticates
 * are set per tenant (`PUT /api/v1/playbooks/connectors/:id`), so the same playbook works anywhere.
 * Every operation that changes something names its undo, and its output records the exact undo call.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Value } from './expr/ast.js';
import { renderDeep } from './expr/template.js';
import { describeRequest, httpRequestSchema, sendHttp } from './actions/http.js';
import type { Action, ActionContext } from './runner.js';
import type { SecretVault } from './secrets.js';

export const BUILTIN_CONNECTORS_DIR = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'templates',
  'connectors',
);

const name = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/);
const operationSchema = z
  .object({
    description: z.string().max(1000).optional(),
    /** Parameters the caller must give. */
    params: z.array(name).default([]),
    request: z
      .object({
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
        path: z.string().startsWith('/').max(2000),
        headers: z.record(z.string(), z.string()).default({}),
        body: z.unknown().optional(),
        expect: z.array(z.number().int().min(100).max(599)).default([200, 201, 202, 204]),
      })
      .strict(),
    /** Named values taken from the response (`response.status`, `response.body`). */
    output: z.record(z.string(), z.string()).default({}),
    undo: z
      .object({ operation: name, params: z.record(z.string(), z.string()).default({}) })
      .strict()
      .optional(),
  })
  .strict();

export const connectorSchema = z
  .object({
    id: name,
    name: z.string().min(1).max(200),
    description: z.string().max(5000).optional(),
    kind: z.enum(['containment', 'enrichment', 'ticketing']).default('containment'),
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('bearer') }).strict(),
        z.object({ type: z.literal('basic'), username: z.string() }).strict(),
        z.object({ type: z.literal('header'), header: z.string().min(1) }).strict(),
        z.object({ type: z.literal('none') }).strict(),
      ])
      .default({ type: 'none' }),
    operations: z.record(name, operationSchema),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const [op, spec] of Object.entries(c.operations))
      if (spec.undo && !c.operations[spec.undo.operation])
        ctx.addIssue({
          code: 'custom',
          path: ['operations', op, 'undo'],
          message: `no operation ${spec.undo.operation}`,
        });
  });
export type Connector = z.infer<typeof connectorSchema>;

export function loadConnectors(dir: string): {
  connectors: Map<string, Connector>;
  rejected: Array<{ file: string; reason: string }>;
} {
  const connectors = new Map<string, Connector>();
  const rejected: Array<{ file: string; reason: string }> = [];
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return { connectors, rejected };
  }
  for (const f of files.sort()) {
    try {
      const r = connectorSchema.safeParse(parseYaml(readFileSync(path.join(dir, f), 'utf8')));
      if (r.success) connectors.set(r.data.id, r.data);
      else
        rejected.push({
          file: f,
          reason: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        });
    } catch (e) {
      rejected.push({ file: f, reason: (e as Error).message });
    }
  }
  return { connectors, rejected };
}

/** Where a connector points for one tenant. */
export const connectorSettingsSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }),
    /** Name of the secret that authenticates (see /api/v1/playbooks/secrets). */
    secret: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ConnectorSettings = z.infer<typeof connectorSettingsSchema>;

const inputSchema = z
  .object({
    connector: name,
    operation: name,
    params: z.record(z.string(), z.unknown()).default({}),
    /** Overrides of the tenant's settings for this step. */
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    secret: z.string().min(1).max(200).optional(),
  })
  .strict();

export function connectorAction(deps: {
  connectors: Map<string, Connector>;
  settings: (tenant: string, id: string) => Promise<ConnectorSettings | undefined>;
  vault: SecretVault;
}): Action {
  return {
    name: 'connector',
    safeToRetry: false,
    async run(raw, ctx: ActionContext): Promise<Value> {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success)
        throw new Error(
          `connector: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      const input = parsed.data;
      const c = deps.connectors.get(input.connector);
      if (!c) throw new Error(`connector: no connector ${input.connector}`);
      const op = c.operations[input.operation];
      if (!op) throw new Error(`connector: ${c.id} has no operation ${input.operation}`);
      for (const p of op.params)
        if (input.params[p] === undefined || input.params[p] === null || input.params[p] === '')
          throw new Error(`connector: ${c.id}.${input.operation} needs the parameter ${p}`);
      const settings = await deps.settings(ctx.tenant, c.id);
      // A dry run still shows the request of a connector not configured yet, marked as such.
      const unset = ctx.dryRun ? 'not-configured' : undefined;
      const baseUrl = input.base_url ?? settings?.baseUrl ?? (unset && `https://${unset}.invalid`);
      if (!baseUrl) throw new Error(`connector: ${c.id} has no base URL for this tenant`);
      const secret = input.secret ?? settings?.secret ?? unset;
      if (c.auth.type !== 'none' && !secret) throw new Error(`connector: ${c.id} needs a secret name`);
      const scope: Record<string, Value> = { params: input.params as Record<string, Value> };
      const rendered = renderDeep(
        {
          path: op.request.path,
          headers: op.request.headers,
          ...(op.request.body === undefined ? {} : { body: op.request.body as Value }),
        },
        scope,
      ) as { path: string; headers: Record<string, string>; body?: Value };
      const request = httpRequestSchema.parse({
        method: op.request.method,
        url: baseUrl.replace(/\/+$/, '') + String(rendered.path),
        headers: rendered.headers,
        body: rendered.body,
        expect: op.request.expect,
        auth:
          c.auth.type === 'none'
            ? undefined
            : c.auth.type === 'header'
              ? { type: 'header', header: c.auth.header, secret }
              : c.auth.type === 'basic'
                ? { type: 'basic', username: c.auth.username, secret }
                : { type: 'bearer', secret },
      });
      const undoOf = (output: Record<string, Value>): Value =>
        op.undo
          ? {
              connector: c.id,
              operation: op.undo.operation,
              params: renderDeep(op.undo.params, { ...scope, output }),
            }
          : null;
      if (ctx.dryRun) {
        return {
          dryRun: true,
          connector: c.id,
          operation: input.operation,
          request: describeRequest(request),
          undo: undoOf({}),
        };
      }
      const response = (await sendHttp(request, ctx, deps.vault)) as { status: number; body: Value };
      const output = renderDeep(op.output, { ...scope, response }) as Record<string, Value>;
      return {
        connector: c.id,
        operation: input.operation,
        status: response.status,
        output,
        undo: undoOf(output),
      };
    },
  };
}
