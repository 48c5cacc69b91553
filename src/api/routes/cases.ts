import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { SEVERITIES } from '../../alerts/ports.js';
import type { Principal } from '../../auth/principal.js';
import type { AuditLog, AuditRecord } from '../../store/ports.js';
import { CaseError, type Caller, type CaseService } from '../../cases/case-service.js';
import { EvidenceEmpty, EvidenceTooLarge } from '../../cases/evidence-vault.js';
import { caseToOcsf } from '../../cases/ocsf.js';
import {
  CASE_RESOLUTIONS,
  CASE_SORTS,
  CASE_STATUSES,
  OBSERVABLE_TYPES,
  PAP_LEVELS,
  SLA_STATES,
  TASK_STATUSES,
  TLP_LEVELS,
} from '../../cases/ports.js';
import { caseReportHtml, caseReportMarkdown } from '../../cases/report.js';
import { customFieldsSchema, customValueSchema, templateSchema } from '../../cases/templates.js';
import { VERSION } from '../../version.js';
import {
  CASE_EXPORT_FORMATS,
  caseIndicators,
  caseMispEvent,
  caseStixBundle,
} from '../../intel/case-export.js';
import { ApiError } from '../errors.js';
import { openApiRegistry, route } from '../route.js';
import { readTenants, targetTenant } from '../tenancy.js';

const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time')
  .transform((s) => new Date(s).toISOString());
const id = z.string().min(1).max(128);
const idParams = z.object({ id });
const principalName = z.string().min(1).max(128);
const tags = z.array(z.string().min(1).max(100)).max(100);
const attack = z
  .object({
    techniques: z
      .array(z.string().regex(/^[Tt]\d{4}(\.\d{3})?$/, 'an ATT&CK technique id such as T1059 or T1059.001'))
      .max(200),
    tactics: z.array(z.string().min(1).max(100)).max(50),
  })
  .strict();
const tenantQuery = z.object({ tenant: z.string().max(63).optional() });
/** `a,b,c` or repeated parameters, each checked against the allowed values. */
const csvOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((x) => x.split(','))
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)));

const caseFields = {
  title: z.string().trim().min(1).max(500),
  description: z.string().max(100_000),
  severity: z.enum(SEVERITIES),
  tlp: z.enum(TLP_LEVELS),
  pap: z.enum(PAP_LEVELS),
  tags,
  assignee: principalName.nullable(),
  dueAt: isoTime.nullable(),
  attack,
};

function caller(p: Principal | undefined, req: FastifyRequest): Caller {
  return { name: p!.name, role: p!.role, tenants: p!.tenants, ip: req.ip };
}

async function mapped<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof CaseError) throw new ApiError(e.code, e.message, e.details);
    if (e instanceof EvidenceTooLarge) throw new ApiError('payload_too_large', e.message);
    if (e instanceof EvidenceEmpty) throw new ApiError('bad_request', `body: ${e.message}`);
    throw e;
  }
}

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987): no header injection, no path. */
export function contentDisposition(name: string): string {
  const base = name.split(/[\\/]/).pop() || 'evidence';
  const ascii = base.replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 200) || 'evidence';
  const utf8 = encodeURIComponent(base).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** How many audit records one case's history answers with (the newest). */
const CASE_AUDIT_LIMIT = 1000;

/**
 * The audit records of one case and of its parts (tasks, comments, evidence: `<case>/<part>`). The
 * trail has no index by target, so this pages through the case tenant's records; fine for the
 * case page, and the bound keeps one answer small.
 */
export async function caseAuditHistory(
  audit: AuditLog,
  tenant: string,
  caseId: string,
): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  const prefix = `${caseId}/`;
  for (let after = 0; ;) {
    const page = await audit.list({ tenants: [tenant], limit: 1000, afterSeq: after });
    for (const r of page) {
      if (!r.action.startsWith('case.') || r.target === null) continue;
      if (r.target === caseId || r.target.startsWith(prefix)) out.push(r);
    }
    if (out.length > CASE_AUDIT_LIMIT) out.splice(0, out.length - CASE_AUDIT_LIMIT);
    if (page.length < 1000) break;
    after = page[page.length - 1]!.seq;
  }
  return out;
}

export function caseRoutes(app: FastifyInstance, svc: CaseService, audit?: AuditLog): void {
  const T = ['cases'];

  if (audit) {
    route(app, {
      method: 'GET',
      url: '/api/v1/cases/:id/audit',
      access: 'audit:read',
      summary: 'Audit history of one case and its tasks, observables, comments and evidence (newest 1000)',
      tags: T,
      params: idParams,
      handler: async ({ req, principal, params }) => {
        const c = await mapped(svc.access(caller(principal, req), params.id));
        return { records: await caseAuditHistory(audit, c.tenant, c.id) };
      },
    });
  }

  route(app, {
    method: 'GET',
    url: '/api/v1/cases',
    access: 'cases:read',
    summary: 'Cases, most recently changed first, filterable',
    tags: T,
    query: z.object({
      status: csvOf(CASE_STATUSES).optional(),
      severity: csvOf(SEVERITIES).optional(),
      assignee: principalName.optional(),
      tag: z.string().min(1).max(100).optional(),
      sla: z.enum(SLA_STATES).optional(),
      q: z.string().max(500).optional(),
      includeMerged: z.enum(['true', 'false']).optional(),
      sort: z.enum(CASE_SORTS).default('-updated'),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      tenant: z.string().max(63).optional(),
    }),
    handler: async ({ req, principal, query }) =>
      mapped(
        svc.list(caller(principal, req), readTenants(principal!, query.tenant), {
          status: query.status,
          severity: query.severity,
          assignee: query.assignee,
          tag: query.tag,
          sla: query.sla,
          text: query.q,
          includeMerged: query.includeMerged === 'true',
          sort: query.sort,
          limit: query.limit,
          offset: query.offset,
        }),
      ),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/cases',
    access: 'cases:write',
    tags: T,
    summary:
      'Open a case, optionally from alerts (linked, their fields and observables taken) and a template (its tasks created)',
    query: tenantQuery,
    body: z
      .object({
        ...caseFields,
        title: caseFields.title.optional(),
        description: caseFields.description.optional(),
        severity: caseFields.severity.optional(),
        tlp: caseFields.tlp.optional(),
        pap: caseFields.pap.optional(),
        tags: tags.optional(),
        assignee: caseFields.assignee.optional(),
        dueAt: caseFields.dueAt.optional(),
        attack: attack.optional(),
        customFields: customFieldsSchema.optional(),
        members: z.array(principalName).max(100).optional(),
        template: z.string().max(63).optional(),
        alertIds: z.array(id).max(1000).optional(),
      })
      .strict(),
    handler: async ({ req, reply, principal, query, body }) => {
      const c = await mapped(
        svc.create(caller(principal, req), targetTenant(principal!, query.tenant), body),
      );
      void reply.code(201);
      return c;
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/templates',
    access: 'cases:read',
    summary: "Case templates: shipped ones and the tenant's own",
    tags: T,
    query: tenantQuery,
    handler: async ({ principal, query }) => ({
      templates: await svc.templates(targetTenant(principal!, query.tenant)),
    }),
  });

  route(app, {
    method: 'PUT',
    url: '/api/v1/cases/templates/:templateId',
    access: 'templates:manage',
    summary: 'Add or replace a tenant case template',
    tags: T,
    params: z.object({ templateId: z.string().max(63) }),
    query: tenantQuery,
    body: templateSchema.omit({ id: true }),
    handler: async ({ req, principal, params, query, body }) => {
      const parsed = templateSchema.safeParse({ ...body, id: params.templateId });
      if (!parsed.success)
        throw new ApiError('bad_request', `params.templateId: ${parsed.error.issues[0]!.message}`);
      return mapped(
        svc.saveTemplate(caller(principal, req), targetTenant(principal!, query.tenant), parsed.data),
      );
    },
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/cases/templates/:templateId',
    access: 'templates:manage',
    summary: 'Remove a tenant case template',
    tags: T,
    params: z.object({ templateId: z.string().max(63) }),
    query: tenantQuery,
    handler: async ({ req, principal, params, query }) => {
      await mapped(
        svc.removeTemplate(caller(principal, req), targetTenant(principal!, query.tenant), params.templateId),
      );
      return { removed: true };
    },
  });

  const slaPolicy = z
    .object({
      ...Object.fromEntries(
        SEVERITIES.map((s) => [
          s,
          z
            .number()
            .positive()
            .max(24 * 365),
        ]),
      ),
      atRiskFraction: z.number().min(0).max(1),
    })
    .strict() as unknown as z.ZodType<
    Record<(typeof SEVERITIES)[number], number> & { atRiskFraction: number }
  >;

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/sla-policy',
    access: 'cases:read',
    summary: 'Hours to resolve a case by severity, and when it counts as at risk',
    tags: T,
    query: tenantQuery,
    handler: async ({ principal, query }) => svc.sla(targetTenant(principal!, query.tenant)),
  });

  route(app, {
    method: 'PUT',
    url: '/api/v1/cases/sla-policy',
    access: 'templates:manage',
    summary: "Set the tenant's case SLA (hours by severity)",
    tags: T,
    query: tenantQuery,
    body: slaPolicy,
    handler: async ({ req, principal, query, body }) =>
      svc.setSla(caller(principal, req), targetTenant(principal!, query.tenant), body),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id',
    access: 'cases:read',
    summary: 'One case with its SLA state and counts',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) => mapped(svc.get(caller(principal, req), params.id)),
  });

  route(app, {
    method: 'PATCH',
    url: '/api/v1/cases/:id',
    access: 'cases:write',
    tags: T,
    summary: 'Change a case: fields, status (resolved/closed need a resolution), assignee, due date, ATT&CK',
    params: idParams,
    body: z
      .object({
        ...caseFields,
        status: z.enum(CASE_STATUSES),
        resolution: z.enum(CASE_RESOLUTIONS).nullable(),
        customFields: z.record(
          z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/),
          customValueSchema.nullable(),
        ),
      })
      .partial()
      .strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(svc.update(caller(principal, req), params.id, body)),
  });

  route(app, {
    method: 'PUT',
    url: '/api/v1/cases/:id/members',
    access: 'cases:write',
    tags: T,
    summary:
      'Restrict a case to named users (empty list: the whole tenant); managers and admins always see it',
    params: idParams,
    body: z.object({ members: z.array(principalName).max(100) }).strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(svc.setMembers(caller(principal, req), params.id, body.members)),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/alerts',
    access: 'cases:read',
    summary: 'Alerts linked to a case',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) => mapped(svc.alerts(caller(principal, req), params.id)),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/cases/:id/alerts',
    access: 'cases:write',
    summary: 'Add alerts to a case',
    tags: T,
    params: idParams,
    body: z.object({ alertIds: z.array(id).min(1).max(1000) }).strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(svc.addAlerts(caller(principal, req), params.id, body.alertIds)),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/cases/:id/split',
    access: 'cases:write',
    summary: 'Take alerts out of a case, into a new case or into none',
    tags: T,
    params: idParams,
    body: z
      .object({
        alertIds: z.array(id).min(1).max(1000),
        to: z.enum(['new', 'none']).default('none'),
        title: caseFields.title.optional(),
      })
      .strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(svc.split(caller(principal, req), params.id, body.alertIds, body.to, body.title)),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/cases/:id/merge',
    access: 'cases:write',
    tags: T,
    summary:
      'Merge this case into another: alerts, tasks, observables, comments, evidence and pins move; this case is closed as merged',
    params: idParams,
    body: z.object({ into: id }).strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(svc.merge(caller(principal, req), params.id, body.into)),
  });

  // ---- tasks
  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/tasks',
    access: 'cases:read',
    summary: 'Tasks of a case',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) => ({
      tasks: await mapped(svc.tasks(caller(principal, req), params.id)),
    }),
  });

  const taskFields = {
    title: z.string().trim().min(1).max(300),
    description: z.string().max(20_000),
    group: z.string().min(1).max(100).nullable(),
    assignee: principalName.nullable(),
    dueAt: isoTime.nullable(),
  };
  route(app, {
    method: 'POST',
    url: '/api/v1/cases/:id/tasks',
    access: 'tasks:write',
    summary: 'Add a task to a case',
    tags: T,
    params: idParams,
    body: z
      .object({
        ...taskFields,
        description: taskFields.description.optional(),
        group: taskFields.group.optional(),
        assignee: taskFields.assignee.optional(),
        dueAt: taskFields.dueAt.optional(),
      })
      .strict(),
    handler: async ({ req, reply, principal, params, body }) => {
      const t = await mapped(svc.addTask(caller(principal, req), params.id, body));
      void reply.code(201);
      return t;
    },
  });

  route(app, {
    method: 'PATCH',
    url: '/api/v1/cases/:id/tasks/:taskId',
    access: 'tasks:write',
    summary: 'Work a task: status, assignee, due date, text',
    tags: T,
    params: z.object({ id, taskId: id }),
    body: z
      .object({ ...taskFields, status: z.enum(TASK_STATUSES) })
      .partial()
      .strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(svc.updateTask(caller(principal, req), params.id, params.taskId, body)),
  });

  // ---- observables
  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/observables',
    access: 'cases:read',
    summary: 'Observables of a case with how often each was seen elsewhere',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) => ({
      observables: await mapped(svc.observables(caller(principal, req), params.id)),
    }),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/iocs/export',
    access: 'cases:read',
    summary:
      "The case's IOC observables as a STIX 2.1 bundle (indicators + incident report) or a MISP event; all=true includes every observable; a TLP:RED case is never exported",
    tags: T,
    params: idParams,
    query: z.object({
      format: z.enum(CASE_EXPORT_FORMATS).default('stix'),
      all: z.enum(['true', 'false']).default('false'),
    }),
    handler: async ({ req, reply, principal, params, query }) => {
      const who = caller(principal, req);
      const c = await mapped(svc.get(who, params.id));
      if (c.tlp === 'red')
        throw new ApiError('forbidden', `case ${c.id} is TLP:RED: its indicators are never shared`);
      const iocs = caseIndicators(c, await mapped(svc.observables(who, params.id)), query.all === 'true');
      await svc.noteIocExport(who, c, query.format, iocs.indicators.length);
      void reply
        .header(
          'content-disposition',
          `attachment; filename="case-${c.number}-iocs.${query.format === 'stix' ? 'stix' : 'misp'}.json"`,
        )
        .header('x-vigil-skipped', String(iocs.skipped.length));
      return query.format === 'stix' ? caseStixBundle(c, iocs) : caseMispEvent(c, iocs);
    },
  });

  const observableInput = z
    .object({
      type: z.enum(OBSERVABLE_TYPES),
      value: z.string().min(1).max(2048),
      ioc: z.boolean().optional(),
      description: z.string().max(10_000).optional(),
      tags: tags.optional(),
    })
    .strict();
  route(app, {
    method: 'POST',
    url: '/api/v1/cases/:id/observables',
    access: 'cases:write',
    summary: 'Add observables by hand (one, or many as `items`)',
    tags: T,
    params: idParams,
    body: z.union([observableInput, z.object({ items: z.array(observableInput).min(1).max(1000) }).strict()]),
    handler: async ({ req, reply, principal, params, body }) => {
      const items = 'items' in body ? body.items : [body];
      const saved = await mapped(svc.addObservables(caller(principal, req), params.id, items));
      void reply.code(201);
      return { observables: saved };
    },
  });

  route(app, {
    method: 'PATCH',
    url: '/api/v1/cases/:id/observables/:observableId',
    access: 'cases:write',
    summary: 'Flag an observable as IOC, describe or tag it',
    tags: T,
    params: z.object({ id, observableId: id }),
    body: z
      .object({ ioc: z.boolean(), description: z.string().max(10_000), tags })
      .partial()
      .strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(svc.updateObservable(caller(principal, req), params.id, params.observableId, body)),
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/cases/:id/observables/:observableId',
    access: 'cases:write',
    summary: 'Remove an observable from a case',
    tags: T,
    params: z.object({ id, observableId: id }),
    handler: async ({ req, principal, params }) => {
      await mapped(svc.removeObservable(caller(principal, req), params.id, params.observableId));
      return { removed: true };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/observables/:observableId/sightings',
    access: 'cases:read',
    summary: 'Other cases (and their alerts) with the same observable',
    tags: T,
    params: z.object({ id, observableId: id }),
    handler: async ({ req, principal, params }) =>
      mapped(svc.sightings(caller(principal, req), params.id, params.observableId)),
  });

  // ---- comments
  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/comments',
    access: 'cases:read',
    summary: 'Comments of a case (Markdown as written)',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) => ({
      comments: await mapped(svc.comments(caller(principal, req), params.id)),
    }),
  });

  route(app, {
    method: 'POST',
    url: '/api/v1/cases/:id/comments',
    access: 'cases:write',
    summary: 'Comment on a case (Markdown)',
    tags: T,
    params: idParams,
    body: z.object({ body: z.string().trim().min(1).max(100_000) }).strict(),
    handler: async ({ req, reply, principal, params, body }) => {
      const c = await mapped(svc.addComment(caller(principal, req), params.id, body.body));
      void reply.code(201);
      return c;
    },
  });

  route(app, {
    method: 'PATCH',
    url: '/api/v1/cases/:id/comments/:commentId',
    access: 'cases:write',
    summary: "Edit one's own comment",
    tags: T,
    params: z.object({ id, commentId: id }),
    body: z.object({ body: z.string().trim().min(1).max(100_000) }).strict(),
    handler: async ({ req, principal, params, body }) =>
      mapped(svc.editComment(caller(principal, req), params.id, params.commentId, body.body)),
  });

  // ---- pinned events and timeline
  route(app, {
    method: 'POST',
    url: '/api/v1/cases/:id/pins',
    access: 'cases:write',
    summary: 'Pin a stored event (from search) to the case timeline',
    tags: T,
    params: idParams,
    body: z
      .object({ eventId: z.string().min(1).max(128), note: z.string().max(10_000).default('') })
      .strict(),
    handler: async ({ req, reply, principal, params, body }) => {
      const p = await mapped(svc.pin(caller(principal, req), params.id, body.eventId, body.note));
      void reply.code(201);
      return p;
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/pins',
    access: 'cases:read',
    summary: 'Events pinned to a case',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) => ({
      pins: await mapped(svc.pins(caller(principal, req), params.id)),
    }),
  });

  route(app, {
    method: 'DELETE',
    url: '/api/v1/cases/:id/pins/:pinId',
    access: 'cases:write',
    summary: 'Unpin an event',
    tags: T,
    params: z.object({ id, pinId: id }),
    handler: async ({ req, principal, params }) => {
      await mapped(svc.unpin(caller(principal, req), params.id, params.pinId));
      return { removed: true };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/timeline',
    access: 'cases:read',
    summary: 'Alerts, actions, comments and pinned events in time order',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) => ({
      timeline: await mapped(svc.timeline(caller(principal, req), params.id)),
    }),
  });

  // ---- evidence
  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/evidence',
    access: 'evidence:read',
    summary: 'Evidence items of a case',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) => ({
      evidence: await mapped(svc.evidence(caller(principal, req), params.id)),
    }),
  });

  // Evidence bodies are files, not JSON: in this scope any content type reaches the handler as the
  // raw request stream, which the vault hashes and writes to disk without holding it in memory.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    route(
      scope,
      {
        method: 'POST',
        url: '/api/v1/cases/:id/evidence',
        access: 'evidence:write',
        tags: T,
        summary:
          'Upload an evidence file (raw bytes as the body; name in the query); stored by SHA-256 and durable before the answer',
        params: idParams,
        query: z.object({
          name: z
            .string()
            .min(1)
            .max(255)
            .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'no control characters'),
          description: z.string().max(10_000).default(''),
        }),
        handler: async ({ req, reply, principal, params, query }) => {
          const who = caller(principal, req);
          const declared = Number(req.headers['content-length'] ?? NaN);
          await mapped(svc.access(who, params.id));
          if (Number.isFinite(declared) && declared > svc.evidenceMaxBytes) {
            throw new ApiError(
              'payload_too_large',
              `evidence is larger than the limit of ${svc.evidenceMaxBytes} bytes`,
            );
          }
          const body = req.body as Readable | undefined;
          if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function')
            throw new ApiError('bad_request', 'body: expected the file bytes');
          const ct = String(req.headers['content-type'] ?? '')
            .split(';')[0]!
            .trim()
            .toLowerCase();
          const contentType = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(ct)
            ? ct
            : 'application/octet-stream';
          const name = query.name.split(/[\\/]/).pop()!.trim() || 'evidence';
          const e = await mapped(
            svc.uploadEvidence(who, params.id, body, { name, contentType, description: query.description }),
          );
          void reply.code(201);
          return e;
        },
      },
      app,
    );
    // The body is the file itself, not JSON: say so in the OpenAPI document.
    const doc = openApiRegistry.get(app);
    const entry = doc?.findLast((e) => e.url === '/api/v1/cases/:id/evidence' && e.method === 'POST');
    if (entry) entry.rawBody = 'application/octet-stream';
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/evidence/:evidenceId/content',
    access: 'evidence:read',
    tags: T,
    summary:
      'Download an evidence file; its hash is checked first and the download is logged in its chain of custody',
    params: z.object({ id, evidenceId: id }),
    handler: async ({ req, reply, principal, params }) => {
      const { evidence, stream } = await mapped(
        svc.downloadEvidence(caller(principal, req), params.id, params.evidenceId),
      );
      // Always a download, never rendered: evidence is hostile content by nature.
      void reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', contentDisposition(evidence.name))
        .header('content-length', String(evidence.size))
        .header('x-content-type-options', 'nosniff')
        .header('x-evidence-sha256', evidence.sha256)
        .header('cache-control', 'no-store');
      return reply.send(stream);
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/evidence/:evidenceId/custody',
    access: 'evidence:read',
    summary: 'Chain of custody of an evidence item',
    tags: T,
    params: z.object({ id, evidenceId: id }),
    handler: async ({ req, principal, params }) =>
      mapped(svc.custody(caller(principal, req), params.id, params.evidenceId)),
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/evidence/:evidenceId/verify',
    access: 'evidence:read',
    summary: 'Re-hash an evidence file against its recorded SHA-256',
    tags: T,
    params: z.object({ id, evidenceId: id }),
    handler: async ({ req, principal, params }) =>
      mapped(svc.verifyEvidence(caller(principal, req), params.id, params.evidenceId)),
  });

  // ---- reports
  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/report',
    access: 'reports:read',
    summary: 'Case report as Markdown (default) or printable HTML',
    tags: T,
    params: idParams,
    query: z.object({ format: z.enum(['markdown', 'html']).default('markdown') }),
    handler: async ({ req, reply, principal, params, query }) => {
      const r = await mapped(svc.report(caller(principal, req), params.id));
      const file = `case-${r.case.number}`;
      if (query.format === 'html') {
        void reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', `inline; filename="${file}.html"`);
        return reply.send(caseReportHtml(r));
      }
      void reply
        .header('content-type', 'text/markdown; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file}.md"`);
      return reply.send(caseReportMarkdown(r));
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/v1/cases/:id/ocsf',
    access: 'reports:read',
    summary: 'The case as an OCSF Incident Finding (class 2005)',
    tags: T,
    params: idParams,
    handler: async ({ req, principal, params }) =>
      caseToOcsf(await mapped(svc.report(caller(principal, req), params.id)), VERSION),
  });
}
