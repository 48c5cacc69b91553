/**
 * Playbook API: definitions (YAML in and out, every version kept), runs and their steps, approvals
 * (in the console or through a signed one-time link), dry-run replays, secrets (names only ever go
 * out), connector settings, webhook triggers and metrics.
 */
import type { FastifyInstance } from 'fastify';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { AlertStore } from '../../alerts/ports.js';
import type { CaseStore } from '../../cases/ports.js';
import { verifyWebhook } from '../../notify/signature.js';
import {
  APPROVAL_LINKS,
  approvalLinkSchema,
  mintApprovalLinks,
  verifyApprovalToken,
  type ApprovalLink,
} from '../../playbooks/approval-link.js';
import { linkPage } from '../../playbooks/approval-page.js';
import { connectorSettingsSchema, type Connector } from '../../playbooks/connectors.js';
import { parsePlaybook } from '../../playbooks/definition.js';
import { diffLines } from '../../playbooks/diff.js';
import { summarizeRuns } from '../../playbooks/metrics.js';
import { PlaybookError, roleSatisfies, type PlaybookEngine } from '../../playbooks/engine.js';
import type { Value } from '../../playbooks/expr/ast.js';
import type { PlaybookRun, PlaybookStore } from '../../playbooks/ports.js';
import type { SecretVault } from '../../playbooks/secrets.js';
import { webhookSecretOf } from '../../playbooks/triggers.js';
import type { AuditLog } from '../../store/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { readTenants, targetTenant } from '../tenancy.js';

export interface PlaybookRouteDeps {
  engine: PlaybookEngine;
  store: PlaybookStore;
  vault: SecretVault;
  connectors: Map<string, Connector>;
  audit: AuditLog;
  alerts: AlertStore;
  cases: CaseStore;
  linkKey: Buffer;
  installExamples: (tenant: string, by: string, force: boolean) => Promise<string[]>;
  minutesSaved: Record<string, number>;
}

const TAGS = ['playbooks'];
const idParam = z.object({ id: z.string().min(1).max(100) });
const tenantQuery = z.object({ tenant: z.string().max(63).optional() });
const WEBHOOK_MAX_BYTES = 1024 * 1024;

function translate(e: unknown): never {
  if (e instanceof PlaybookError) throw new ApiError(e.code, e.message);
  throw e;
}

/** `steps.0.action` → 400 with every error and its line. */
function parseOr400(yaml: string) {
  const p = parsePlaybook(yaml);
  if (!p.ok)
    throw new ApiError(
      'bad_request',
      `line ${p.errors[0]!.line}: ${p.errors[0]!.path ? `${p.errors[0]!.path}: ` : ''}${p.errors[0]!.message}`,
      p.errors,
    );
  return p.playbook;
}

export function playbookRoutes(http: FastifyInstance, d: PlaybookRouteDeps): void {
  const { store, engine } = d;

  const summary = (row: { id: string; version: number; yaml: string; updatedAt: string }) => {
    const p = parsePlaybook(row.yaml);
    return {
      id: row.id,
      version: row.version,
      updatedAt: row.updatedAt,
      valid: p.ok,
      name: p.ok ? p.playbook.name : null,
      enabled: p.ok ? p.playbook.enabled : false,
      triggers: p.ok ? p.playbook.triggers.map((t) => Object.keys(t)[0]!) : [],
    };
  };

  const save = async (tenant: string, yaml: string, by: string, ip: string, expectId?: string) => {
    const pb = parseOr400(yaml);
    if (expectId && pb.id !== expectId)
      throw new ApiError('bad_request', `id: the YAML says ${pb.id}, the URL ${expectId}`);
    const prev = await store.getPlaybook(tenant, pb.id);
    const version = (prev?.version ?? 0) + 1;
    await store.savePlaybook(tenant, pb.id, version, yaml, by);
    await d.audit.append({
      actor: by,
      tenant,
      action: prev ? 'playbook.update' : 'playbook.create',
      target: pb.id,
      ip,
      before: prev ? { version: prev.version } : null,
      after: { version, enabled: pb.enabled },
    });
    return { id: pb.id, version, enabled: pb.enabled };
  };

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks',
    access: 'playbooks:read',
    summary: 'Playbooks of the tenant',
    tags: TAGS,
    query: tenantQuery,
    handler: async ({ principal, query }) => {
      const tenant = readTenants(principal!, query.tenant)[0];
      if (!tenant) return { playbooks: [] };
      return { playbooks: (await store.listPlaybooks(tenant)).map(summary) };
    },
  });

  route(http, {
    method: 'POST',
    url: '/api/v1/playbooks',
    access: 'playbooks:manage',
    summary: 'Create or replace a playbook from YAML; invalid YAML is 400 with line numbers',
    tags: TAGS,
    query: tenantQuery,
    body: z.object({ yaml: z.string().min(1).max(1_000_000) }).strict(),
    handler: async ({ principal, query, body, req, reply }) => {
      const r = await save(targetTenant(principal!, query.tenant), body.yaml, principal!.name, req.ip);
      void reply.code(201);
      return r;
    },
  });

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/export',
    access: 'playbooks:read',
    summary: 'Every playbook of the tenant as one multi-document YAML',
    tags: TAGS,
    query: tenantQuery,
    handler: async ({ principal, query, reply }) => {
      const tenant = targetTenant(principal!, query.tenant);
      const rows = await store.listPlaybooks(tenant);
      void reply.type('application/yaml; charset=utf-8');
      return rows.map((r) => r.yaml.replace(/\n*$/, '\n')).join('---\n');
    },
  });

  route(http, {
    method: 'POST',
    url: '/api/v1/playbooks/import',
    access: 'playbooks:manage',
    summary: 'Import playbooks from a multi-document YAML; all are validated before any is saved',
    tags: TAGS,
    query: tenantQuery,
    body: z.object({ yaml: z.string().min(1).max(5_000_000) }).strict(),
    handler: async ({ principal, query, body, req }) => {
      const tenant = targetTenant(principal!, query.tenant);
      const docs = parseAllDocuments(body.yaml);
      const texts = (Array.isArray(docs) ? docs : [docs]).map((doc) => doc.toString());
      const errors = texts.flatMap((t, i) => {
        const p = parsePlaybook(t);
        return p.ok ? [] : p.errors.map((e) => ({ document: i + 1, ...e }));
      });
      if (errors.length > 0)
        throw new ApiError(
          'bad_request',
          `document ${errors[0]!.document}, line ${errors[0]!.line}: ${errors[0]!.message}`,
          errors,
        );
      const saved = [];
      for (const t of texts) saved.push(await save(tenant, t, principal!.name, req.ip));
      return { imported: saved };
    },
  });

  route(http, {
    method: 'POST',
    url: '/api/v1/playbooks/examples',
    access: 'playbooks:manage',
    summary: 'Install the shipped example playbooks (disabled) that the tenant does not have',
    tags: TAGS,
    query: tenantQuery,
    handler: async ({ principal, query }) => ({
      installed: await d.installExamples(targetTenant(principal!, query.tenant), principal!.name, true),
    }),
  });

  // ---- runs ------------------------------------------------------------------------------------

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/runs',
    access: 'playbooks:read',
    summary: 'Playbook runs, newest first',
    tags: TAGS,
    query: z.object({
      tenant: z.string().max(63).optional(),
      playbook: z.string().max(100).optional(),
      status: z.enum(['running', 'waiting', 'succeeded', 'failed', 'cancelled']).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    handler: async ({ principal, query }) => ({
      runs: await store.listRuns(readTenants(principal!, query.tenant), {
        limit: query.limit,
        playbookId: query.playbook,
        status: query.status,
      }),
    }),
  });

  const runOr404 = async (tenants: string[], id: string): Promise<PlaybookRun> => {
    const run = await store.getRun(tenants, id);
    if (!run) throw new ApiError('not_found', `no run ${id}`);
    return run;
  };

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/runs/:id',
    access: 'playbooks:read',
    summary: 'One run with every step: input, output, duration, status, approvals, errors',
    tags: TAGS,
    params: idParam,
    handler: async ({ principal, params }) => {
      const run = await runOr404(principal!.tenants, params.id);
      const steps = (await store.steps(run.id)).map((s) => ({
        ...s,
        durationMs: s.endedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : null,
      }));
      return { run, steps };
    },
  });

  route(http, {
    method: 'POST',
    url: '/api/v1/playbooks/runs/:id/decision',
    access: 'tasks:write',
    summary: "Approve or reject a step waiting for approval (the step's role is checked too)",
    tags: TAGS,
    params: idParam,
    body: z
      .object({
        path: z.string().min(1).max(1000),
        approved: z.boolean(),
        reason: z.string().max(2000).optional(),
      })
      .strict(),
    handler: async ({ principal, params, body, req }) => {
      const p = principal!;
      const run = await engine
        .decide(p.tenants, params.id, body.path, {
          approved: body.approved,
          by: p.name,
          role: p.role,
          reason: body.reason,
        })
        .catch(translate);
      await d.audit.append({
        actor: p.name,
        tenant: run.tenant,
        action: body.approved ? 'playbook.approve' : 'playbook.reject',
        target: `${run.id}/${body.path}`,
        ip: req.ip,
        before: null,
        after: { approved: body.approved, reason: body.reason ?? null },
      });
      return { run };
    },
  });

  route(http, {
    method: 'POST',
    url: '/api/v1/playbooks/runs/:id/approval-links',
    access: 'tasks:write',
    summary: 'Signed one-time links to approve or reject a waiting step (to send by email or chat)',
    tags: TAGS,
    params: idParam,
    body: z
      .object({
        path: z.string().min(1).max(1000),
        ttlMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(60),
      })
      .strict(),
    handler: async ({ principal, params, body }) => {
      const p = principal!;
      const run = await runOr404(p.tenants, params.id);
      const step = (await store.steps(run.id)).find((s) => s.path === body.path);
      if (!step || step.status !== 'waiting')
        throw new ApiError('conflict', `step ${body.path} is not waiting for a decision`);
      const needed = String((step.input as { role?: string } | null)?.role ?? 'admin');
      if (!roleSatisfies(p.role, needed))
        throw new ApiError('forbidden', `this approval needs the ${needed} role`);
      const exp = Math.floor(Date.now() / 1000) + body.ttlMinutes * 60;
      const links = await mintApprovalLinks(store, d.linkKey, {
        run: run.id,
        path: body.path,
        tenant: run.tenant,
        role: p.role,
        by: p.name,
        exp,
      });
      // Paths: the caller is in the console and knows the origin.
      return links;
    },
  });

  const readLink = async (token: string): Promise<{ nonce: string; link: ApprovalLink }> => {
    const nonce = verifyApprovalToken(d.linkKey, token);
    const stored = nonce
      ? approvalLinkSchema.safeParse(await store.getState(APPROVAL_LINKS, nonce))
      : undefined;
    if (!nonce || !stored?.success) throw new ApiError('unauthorized', 'approval link: not valid');
    if (stored.data.exp * 1000 <= Date.now()) throw new ApiError('unauthorized', 'approval link: expired');
    return { nonce, link: stored.data };
  };

  const useLink = async (token: string, ip: string) => {
    const { nonce, link: l } = await readLink(token);
    if (!(await store.useToken(`link:${nonce}`, ip)))
      throw new ApiError('conflict', 'approval link: already used');
    const run = await engine
      .decide([l.tenant], l.run, l.path, {
        approved: l.approve,
        by: `${l.by} (signed link)`,
        role: l.role,
        reason: 'decided through a signed link',
      })
      .catch(translate);
    await d.audit.append({
      actor: `${l.by} (signed link)`,
      tenant: l.tenant,
      action: l.approve ? 'playbook.approve' : 'playbook.reject',
      target: `${l.run}/${l.path}`,
      ip,
      before: null,
      after: { approved: l.approve, link: nonce },
    });
    return { decided: l.approve ? 'approved' : 'rejected', run: run.id, status: run.status };
  };

  // The link is consumed by POST: a GET only describes it, so chat and mail previews that fetch
  // links cannot approve anything by accident.
  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/approvals/:token',
    access: 'public',
    summary: 'What a signed approval link would decide (POST the same URL to decide)',
    tags: TAGS,
    params: z.object({ token: z.string().min(1).max(200) }),
    handler: async ({ params, req, reply }) => {
      if (wantsHtml(req.headers.accept)) {
        void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
        try {
          const { link } = await readLink(params.token);
          const run = await store.runById(link.run);
          return linkPage({
            title: `${link.approve ? 'Approve' : 'Reject'} step ${link.path}`,
            lines: [
              `Playbook: ${run?.playbookId ?? '?'}`,
              `Run: ${link.run}`,
              `Step: ${link.path}`,
              `This link expires at ${new Date(link.exp * 1000).toISOString()} and works once.`,
            ],
            button: link.approve ? 'Approve' : 'Reject',
          });
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          void reply.code(e.status);
          return linkPage({ title: 'This approval link cannot be used', lines: [e.message] });
        }
      }
      const { link } = await readLink(params.token);
      return {
        run: link.run,
        step: link.path,
        decision: link.approve ? 'approve' : 'reject',
        expiresAt: new Date(link.exp * 1000).toISOString(),
        use: 'POST this URL to decide',
      };
    },
  });

  // Public routes with bodies we read raw (a browser form posts url-encoded; webhooks are signed bytes).
  void http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_MAX_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    route(
      scope,
      {
        method: 'POST',
        url: '/api/v1/playbooks/approvals/:token',
        access: 'public',
        summary: 'Decide through a signed one-time approval link',
        tags: TAGS,
        params: z.object({ token: z.string().min(1).max(200) }),
        handler: async ({ params, req, reply }) => {
          // A person who pressed the button of the link page gets a page back, not JSON.
          if (!wantsHtml(req.headers.accept)) return useLink(params.token, req.ip);
          void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
          try {
            const r = await useLink(params.token, req.ip);
            return linkPage({
              title: `Step ${r.decided}`,
              lines: [`Run ${r.run} is now ${r.status}.`, 'Its record shows this decision.'],
            });
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            void reply.code(e.status);
            return linkPage({ title: 'This approval link cannot be used', lines: [e.message] });
          }
        },
      },
      http,
    );
    route(
      scope,
      {
        method: 'POST',
        url: '/api/v1/playbooks/:id/webhook',
        access: 'public',
        summary:
          'Start a playbook from a webhook signed with its secret (x-vigil-timestamp, x-vigil-signature: sha256=HMAC(secret, "<ts>.<body>"))',
        tags: TAGS,
        params: idParam,
        query: z.object({ tenant: z.string().min(1).max(63).default('default') }),
        handler: async ({ params, query, req, reply }) => {
          const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
          const ts = Number(req.headers['x-vigil-timestamp']);
          const sig = String(req.headers['x-vigil-signature'] ?? '');
          // One answer for every failure, so the route does not reveal which playbooks exist.
          const refuse = () => new ApiError('unauthorized', 'webhook: bad or missing signature');
          if (!Number.isFinite(ts) || !sig) throw refuse();
          const pb = await engine.playbook(query.tenant, params.id);
          const secretName = pb?.enabled ? webhookSecretOf(pb) : undefined;
          if (!pb || !secretName) throw refuse();
          const secret = await d.vault.reveal(query.tenant, secretName).catch(() => undefined);
          if (!secret || !verifyWebhook(secret, ts, raw, sig, Math.floor(Date.now() / 1000))) throw refuse();
          // A captured request replayed within the tolerance window is refused too.
          if (!(await store.useToken(`webhook:${sig}`, req.ip)))
            throw new ApiError('conflict', 'webhook: this signed request was already received');
          let payload: Value = raw;
          try {
            payload = JSON.parse(raw) as Value;
          } catch {
            // Not JSON: the playbook sees the text.
          }
          const inputs =
            payload && typeof payload === 'object' && !Array.isArray(payload) && payload.inputs
              ? (payload.inputs as Record<string, Value>)
              : {};
          const run = await engine
            .start(query.tenant, pb.id, { type: 'webhook', data: { webhook: payload } }, inputs, {
              wait: false,
            })
            .catch(translate);
          void reply.code(202);
          return { run: run.id };
        },
      },
      http,
    );
  });

  route(http, {
    method: 'POST',
    url: '/api/v1/playbooks/runs/:id/replay',
    access: 'playbooks:run',
    summary: 'Run a finished run again in dry-run mode: same trigger and inputs, no side effects',
    tags: TAGS,
    params: idParam,
    handler: async ({ principal, params }) => {
      const old = await runOr404(principal!.tenants, params.id);
      const run = await engine
        .start(
          old.tenant,
          old.playbookId,
          { type: 'replay', by: principal!.name, data: { ...asObject(old.trigger.data), replayOf: old.id } },
          old.inputs,
          { dryRun: true },
        )
        .catch(translate);
      return { run, steps: await store.steps(run.id) };
    },
  });

  // ---- secrets and connectors ----------------------------------------------------------------

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/secrets',
    access: 'playbooks:manage',
    summary: 'Names of the stored secrets (values are never returned)',
    tags: TAGS,
    query: tenantQuery,
    handler: async ({ principal, query }) => ({
      secrets: await d.vault.names(targetTenant(principal!, query.tenant)),
    }),
  });

  route(http, {
    method: 'PUT',
    url: '/api/v1/playbooks/secrets/:name',
    access: 'playbooks:manage',
    summary: 'Store a secret, encrypted at rest; it is never shown again',
    tags: TAGS,
    params: z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/) }),
    query: tenantQuery,
    body: z.object({ value: z.string().min(1).max(10_000) }).strict(),
    handler: async ({ principal, params, query, body, req }) => {
      const tenant = targetTenant(principal!, query.tenant);
      await d.vault.set(tenant, params.name, body.value, principal!.name);
      await d.audit.append({
        actor: principal!.name,
        tenant,
        action: 'secret.set',
        target: params.name,
        ip: req.ip,
        before: null,
        after: { name: params.name },
      });
      return { name: params.name };
    },
  });

  route(http, {
    method: 'DELETE',
    url: '/api/v1/playbooks/secrets/:name',
    access: 'playbooks:manage',
    summary: 'Delete a secret',
    tags: TAGS,
    params: z.object({ name: z.string().min(1).max(100) }),
    query: tenantQuery,
    handler: async ({ principal, params, query, req }) => {
      const tenant = targetTenant(principal!, query.tenant);
      if (!(await d.vault.remove(tenant, params.name)))
        throw new ApiError('not_found', `no secret ${params.name}`);
      await d.audit.append({
        actor: principal!.name,
        tenant,
        action: 'secret.delete',
        target: params.name,
        ip: req.ip,
        before: { name: params.name },
        after: null,
      });
      return { deleted: params.name };
    },
  });

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/connectors',
    access: 'playbooks:read',
    summary: 'Connector templates, their operations and undo, and where they point for the tenant',
    tags: TAGS,
    query: tenantQuery,
    handler: async ({ principal, query }) => {
      const tenant = targetTenant(principal!, query.tenant);
      return {
        connectors: await Promise.all(
          [...d.connectors.values()].map(async (c) => ({
            id: c.id,
            name: c.name,
            kind: c.kind,
            description: c.description ?? null,
            operations: Object.entries(c.operations).map(([name, op]) => ({
              name,
              params: op.params,
              undo: op.undo?.operation ?? null,
            })),
            settings: (await store.getState(tenant, `connector:${c.id}`)) ?? null,
          })),
        ),
      };
    },
  });

  route(http, {
    method: 'PUT',
    url: '/api/v1/playbooks/connectors/:id',
    access: 'playbooks:manage',
    summary: "Point a connector at the tenant's system: base URL and the name of its secret",
    tags: TAGS,
    params: idParam,
    query: tenantQuery,
    body: connectorSettingsSchema,
    handler: async ({ principal, params, query, body, req }) => {
      if (!d.connectors.has(params.id)) throw new ApiError('not_found', `no connector ${params.id}`);
      const tenant = targetTenant(principal!, query.tenant);
      await store.setState(tenant, `connector:${params.id}`, body);
      await d.audit.append({
        actor: principal!.name,
        tenant,
        action: 'connector.configure',
        target: params.id,
        ip: req.ip,
        before: null,
        after: body,
      });
      return { id: params.id, ...body };
    },
  });

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/metrics',
    access: 'playbooks:read',
    summary:
      'Runs by status, failures, mean duration, estimated time saved (per action) and mean time to contain, over the latest `limit` runs',
    tags: TAGS,
    query: z.object({
      tenant: z.string().max(63).optional(),
      limit: z.coerce.number().int().min(1).max(5000).default(1000),
    }),
    handler: async ({ principal, query }) => {
      const runs = await store.listRuns(readTenants(principal!, query.tenant), { limit: query.limit });
      return {
        ...(await summarizeRuns(runs, (id) => store.steps(id), d.minutesSaved)),
        minutesSavedPerAction: d.minutesSaved,
      };
    },
  });

  // ---- one playbook ----------------------------------------------------------------------------

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/:id',
    access: 'playbooks:read',
    summary: 'A playbook: its YAML, version and parsed definition',
    tags: TAGS,
    params: idParam,
    query: tenantQuery,
    handler: async ({ principal, params, query }) => {
      const tenant = targetTenant(principal!, query.tenant);
      const row = await store.getPlaybook(tenant, params.id);
      if (!row) throw new ApiError('not_found', `no playbook ${params.id}`);
      const p = parsePlaybook(row.yaml);
      return { id: params.id, ...row, playbook: p.ok ? p.playbook : null, errors: p.ok ? [] : p.errors };
    },
  });

  route(http, {
    method: 'PUT',
    url: '/api/v1/playbooks/:id',
    access: 'playbooks:manage',
    summary: 'Save a new version of a playbook from YAML',
    tags: TAGS,
    params: idParam,
    query: tenantQuery,
    body: z.object({ yaml: z.string().min(1).max(1_000_000) }).strict(),
    handler: async ({ principal, params, query, body, req }) =>
      save(targetTenant(principal!, query.tenant), body.yaml, principal!.name, req.ip, params.id),
  });

  route(http, {
    method: 'DELETE',
    url: '/api/v1/playbooks/:id',
    access: 'playbooks:manage',
    summary: 'Delete a playbook (its versions and runs are kept)',
    tags: TAGS,
    params: idParam,
    query: tenantQuery,
    handler: async ({ principal, params, query, req }) => {
      const tenant = targetTenant(principal!, query.tenant);
      if (!(await store.deletePlaybook(tenant, params.id)))
        throw new ApiError('not_found', `no playbook ${params.id}`);
      await d.audit.append({
        actor: principal!.name,
        tenant,
        action: 'playbook.delete',
        target: params.id,
        ip: req.ip,
        before: { id: params.id },
        after: null,
      });
      return { deleted: params.id };
    },
  });

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/:id/versions',
    access: 'playbooks:read',
    summary: 'Saved versions of a playbook, newest first',
    tags: TAGS,
    params: idParam,
    query: tenantQuery,
    handler: async ({ principal, params, query }) => ({
      versions: await store.listVersions(targetTenant(principal!, query.tenant), params.id),
    }),
  });

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/:id/diff',
    access: 'playbooks:read',
    summary: 'Unified diff between two saved versions of a playbook (default: the previous and the latest)',
    tags: TAGS,
    params: idParam,
    query: z.object({
      tenant: z.string().max(63).optional(),
      from: z.coerce.number().int().min(1).optional(),
      to: z.coerce.number().int().min(1).optional(),
    }),
    handler: async ({ principal, params, query }) => {
      const tenant = targetTenant(principal!, query.tenant);
      const latest = await store.getPlaybook(tenant, params.id);
      if (!latest) throw new ApiError('not_found', `no playbook ${params.id}`);
      const to = query.to ?? latest.version;
      const from = query.from ?? Math.max(1, to - 1);
      const [a, b] = await Promise.all([from, to].map((v) => store.getVersion(tenant, params.id, v)));
      if (!a) throw new ApiError('not_found', `query.from: no version ${from} of playbook ${params.id}`);
      if (!b) throw new ApiError('not_found', `query.to: no version ${to} of playbook ${params.id}`);
      const d = diffLines(a.yaml, b.yaml, [`${params.id} v${from}`, `${params.id} v${to}`]);
      if (!d) throw new ApiError('payload_too_large', 'these versions are too large to diff here');
      return { id: params.id, from, to, ...d };
    },
  });

  route(http, {
    method: 'GET',
    url: '/api/v1/playbooks/:id/versions/:version',
    access: 'playbooks:read',
    summary: 'One saved version of a playbook',
    tags: TAGS,
    params: z.object({ id: z.string().min(1).max(100), version: z.coerce.number().int().min(1) }),
    query: tenantQuery,
    handler: async ({ principal, params, query }) => {
      const v = await store.getVersion(targetTenant(principal!, query.tenant), params.id, params.version);
      if (!v) throw new ApiError('not_found', `no version ${params.version} of playbook ${params.id}`);
      return { id: params.id, ...v };
    },
  });

  route(http, {
    method: 'POST',
    url: '/api/v1/playbooks/:id/run',
    access: 'playbooks:run',
    summary: 'Run a playbook by hand on an alert, a case or an observable (optionally as a dry run)',
    tags: TAGS,
    params: idParam,
    query: tenantQuery,
    body: z
      .object({
        alertId: z.string().min(1).max(200).optional(),
        caseId: z.string().min(1).max(200).optional(),
        observable: z
          .object({ type: z.string().min(1).max(50), value: z.string().min(1).max(2000) })
          .strict()
          .optional(),
        inputs: z.record(z.string(), z.unknown()).default({}),
        dryRun: z.boolean().default(false),
        /** Wait for the run to end (or to wait for approval) before answering. */
        wait: z.boolean().default(true),
      })
      .strict(),
    handler: async ({ principal, params, query, body }) => {
      const p = principal!;
      const tenant = targetTenant(p, query.tenant);
      const data: Record<string, Value> = {};
      if (body.alertId) {
        const a = await d.alerts.find([tenant], body.alertId);
        if (!a) throw new ApiError('not_found', `no alert ${body.alertId}`);
        data.alert = JSON.parse(JSON.stringify(a)) as Value;
      }
      if (body.caseId) {
        const c = await d.cases.get(tenant, body.caseId);
        if (!c) throw new ApiError('not_found', `no case ${body.caseId}`);
        data.case = JSON.parse(JSON.stringify(c)) as Value;
      }
      if (body.observable) data.observable = body.observable;
      const run = await engine
        .start(
          tenant,
          params.id,
          { type: 'manual', by: p.name, data },
          body.inputs as Record<string, Value>,
          {
            dryRun: body.dryRun,
            wait: body.wait,
          },
        )
        .catch(translate);
      return { run };
    },
  });
}

/** A browser following a link asks for HTML first; API clients and chat unfurlers do not. */
const wantsHtml = (accept: string | undefined): boolean => /^\s*text\/html/i.test(accept ?? '');

function asObject(v: unknown): Record<string, Value> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Value>) : {};
}
