import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../../api/context.js';
import { targetTenant } from '../../api/tenancy.js';
import type { ElasticResource, ElasticResourceKind } from '../../store/ports.js';
import { isObj, type Obj } from '../pipelines/document.js';
import { compilePipeline, executePipelines } from '../pipelines/pipeline.js';
import type { PipelineRegistry, TenantPipelines } from '../pipelines/registry.js';
import { requestBytes } from './body.js';
import type { AddRoute } from './elastic.js';
import { tenantQuery } from './elastic.js';
import type { BulkTransform } from './elastic-bulk.js';

/** Resource names as Elasticsearch allows them (lowercase in practice, but Beats send mixed case for pipelines). */
const NAME = /^[A-Za-z0-9._@+-][A-Za-z0-9._@+*,-]{0,254}$/;

export function esError(reply: FastifyReply, status: number, type: string, reason: string): unknown {
  void reply.code(status);
  const cause = { type, reason };
  return { error: { root_cause: [cause], ...cause }, status };
}

interface KindSpec {
  kind: ElasticResourceKind;
  base: string;
  label: string;
  /** The GET answer for the found resources. */
  render: (found: ElasticResource[]) => unknown;
  /** Missing resources: Elasticsearch answers `{}` for some kinds and an error for others. */
  missing: 'empty' | 'error';
}

const SPECS: KindSpec[] = [
  {
    kind: 'pipeline',
    base: '/_ingest/pipeline',
    label: 'ingest pipeline',
    missing: 'empty',
    render: (f) => Object.fromEntries(f.map((r) => [r.name, r.body])),
  },
  {
    kind: 'index_template',
    base: '/_index_template',
    label: 'index template',
    missing: 'error',
    render: (f) => ({ index_templates: f.map((r) => ({ name: r.name, index_template: r.body })) }),
  },
  {
    kind: 'component_template',
    base: '/_component_template',
    label: 'component template',
    missing: 'error',
    render: (f) => ({ component_templates: f.map((r) => ({ name: r.name, component_template: r.body })) }),
  },
  {
    kind: 'template',
    base: '/_template',
    label: 'legacy index template',
    missing: 'empty',
    render: (f) => Object.fromEntries(f.map((r) => [r.name, r.body])),
  },
  {
    kind: 'ilm_policy',
    base: '/_ilm/policy',
    label: 'ILM policy',
    missing: 'error',
    render: (f) =>
      Object.fromEntries(
        f.map((r) => [
          r.name,
          { version: 1, modified_date: r.updatedAt, policy: isObj(r.body.policy) ? r.body.policy : r.body },
        ]),
      ),
  },
];

function globToRegExp(p: string): RegExp {
  return new RegExp(
    `^${p
      .split('*')
      .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** The request's JSON object, or why it is not one; an empty body is `{}` unless required. */
export async function bodyObject(
  req: FastifyRequest,
  bodyLimit: number,
  required = true,
): Promise<Obj | string> {
  const buf = await requestBytes(req, bodyLimit);
  if (buf.length === 0) return required ? 'request body is required' : {};
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    return isObj(v) ? v : 'request body must be a JSON object';
  } catch (e) {
    return `request body is not valid JSON: ${(e as Error).message}`;
  }
}

const simulateBody = z.object({
  pipeline: z.record(z.string(), z.unknown()).optional(),
  docs: z
    .array(
      z
        .object({
          _index: z.string().optional(),
          _id: z.string().optional(),
          _source: z.record(z.string(), z.unknown()),
        })
        .loose(),
    )
    .min(1),
});

/**
 * Stored Elasticsearch resources: ingest pipelines (validated by compiling them, then run on bulk
 * documents), index/component/legacy templates (their default_pipeline/final_pipeline settings
 * apply) and ILM policies (kept so GET tells shippers they exist; Vigil's retention applies).
 */
export function elasticResourceRoutes(
  ctx: ApiContext,
  add: AddRoute,
  registry: PipelineRegistry,
  bodyLimit: number,
): void {
  const store = ctx.storage.elastic;
  const tenantOf = (req: FastifyRequest) => targetTenant(req.principal!, tenantQuery(req));

  for (const spec of SPECS) {
    const get = async (req: FastifyRequest, reply: FastifyReply) => {
      const tenant = tenantOf(req);
      const name = (req.params as { name?: string }).name;
      const all = await store.list(tenant, spec.kind);
      if (name === undefined || name === '*' || name === '_all') return spec.render(all);
      const wanted = name.split(',').map(globToRegExp);
      const found = all.filter((r) => wanted.some((re) => re.test(r.name)));
      if (found.length > 0 || name.includes('*')) return spec.render(found);
      if (spec.missing === 'empty') {
        void reply.code(404);
        return {};
      }
      return esError(reply, 404, 'resource_not_found_exception', `${spec.label} [${name}] not found`);
    };
    add(['GET'], spec.base, `Elasticsearch: list stored ${spec.label}s`, get);
    add(['GET'], `${spec.base}/:name`, `Elasticsearch: get a stored ${spec.label} (404 when absent)`, get);
    add(
      ['PUT', 'POST'],
      `${spec.base}/:name`,
      `Elasticsearch: store a ${spec.label} for the token's tenant`,
      async (req, reply) => {
        const tenant = tenantOf(req);
        const name = (req.params as { name: string }).name;
        if (!NAME.test(name) || name.includes('*') || name.includes(','))
          return esError(reply, 400, 'invalid_index_name_exception', `invalid ${spec.label} name [${name}]`);
        const body = await bodyObject(req, bodyLimit);
        if (typeof body === 'string') return esError(reply, 400, 'parse_exception', body);
        if (spec.kind === 'pipeline') {
          try {
            const compiled = compilePipeline(name, body);
            // Elasticsearch reports accepted-but-degraded requests in Warning headers (RFC 7234 form).
            const warnings = compiled.warnings
              .slice(0, 20)
              .map((w) => `299 Elasticsearch-vigil "${w.replace(/["\\]/g, "'")}"`);
            if (warnings.length > 0) void reply.header('warning', warnings);
            if (warnings.length > 0)
              req.log.warn(
                { pipeline: name, tenant, warnings: compiled.warnings },
                'ingest pipeline stored with parts Vigil does not run',
              );
          } catch (e) {
            return esError(reply, 400, 'parse_exception', (e as Error).message);
          }
        }
        await store.put(tenant, spec.kind, name, body);
        registry.invalidate(tenant);
        return { acknowledged: true };
      },
      'application/json',
    );
    add(
      ['DELETE'],
      `${spec.base}/:name`,
      `Elasticsearch: delete a stored ${spec.label}`,
      async (req, reply) => {
        const tenant = tenantOf(req);
        const name = (req.params as { name: string }).name;
        let removed = 0;
        if (name.includes('*')) {
          const re = globToRegExp(name);
          for (const r of await store.list(tenant, spec.kind))
            if (re.test(r.name) && (await store.delete(tenant, spec.kind, r.name))) removed++;
        } else if (await store.delete(tenant, spec.kind, name)) removed++;
        registry.invalidate(tenant);
        if (removed === 0 && !name.includes('*'))
          return esError(reply, 404, 'resource_not_found_exception', `${spec.label} [${name}] not found`);
        return { acknowledged: true };
      },
    );
  }

  const simulate = async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = tenantOf(req);
    const name = (req.params as { name?: string }).name;
    const raw = await bodyObject(req, bodyLimit);
    if (typeof raw === 'string') return esError(reply, 400, 'parse_exception', raw);
    const parsed = simulateBody.safeParse(raw);
    if (!parsed.success)
      return esError(
        reply,
        400,
        'parse_exception',
        `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
      );
    const pipelines = await registry.forTenant(tenant);
    let id = name;
    let lookup = (x: string) => pipelines.lookup(x);
    if (parsed.data.pipeline) {
      let inline;
      try {
        inline = compilePipeline('_simulate_pipeline', parsed.data.pipeline);
      } catch (e) {
        return esError(reply, 400, 'parse_exception', (e as Error).message);
      }
      id = '_simulate_pipeline';
      lookup = (x) => (x === '_simulate_pipeline' ? inline : pipelines.lookup(x));
    } else if (id === undefined)
      return esError(reply, 400, 'parse_exception', 'a pipeline definition or a pipeline id is required');
    else if (pipelines.lookup(id) === undefined)
      return esError(reply, 404, 'resource_not_found_exception', `pipeline [${id}] is missing`);
    const docs = parsed.data.docs.map((d) => {
      const meta: Obj = { _index: d._index ?? '_index', _id: d._id ?? '_id' };
      const now = new Date();
      const r = executePipelines({ first: id }, structuredClone(d._source), meta, lookup, now);
      if (r.error)
        return {
          error: {
            root_cause: [{ type: r.error.type, reason: r.error.reason }],
            type: r.error.type,
            reason: r.error.reason,
          },
        };
      if (!r.source) return null;
      return { doc: { ...r.meta, _source: r.source, _ingest: { timestamp: now.toISOString() } } };
    });
    return { docs };
  };
  add(
    ['GET', 'POST'],
    '/_ingest/pipeline/_simulate',
    'Elasticsearch: run an inline pipeline on sample documents',
    simulate,
    'application/json',
  );
  add(
    ['GET', 'POST'],
    '/_ingest/pipeline/:name/_simulate',
    'Elasticsearch: run a stored pipeline on sample documents',
    simulate,
    'application/json',
  );
}

/**
 * The per-document step of `_bulk`: the action's `pipeline`, else `?pipeline=`, else the index's
 * default_pipeline, then its final_pipeline (`_none` turns the default off).
 */
export function bulkPipelineTransform(
  pipelines: TenantPipelines,
  requestPipeline: string | undefined,
): BulkTransform {
  return (doc, meta) => {
    const forIndex = pipelines.forIndex(meta.index);
    let first = meta.pipeline ?? requestPipeline ?? forIndex.defaultPipeline;
    if (first === '_none') first = undefined;
    const final = forIndex.finalPipeline === '_none' ? undefined : forIndex.finalPipeline;
    if (first === undefined && final === undefined) return { ok: true, doc, index: meta.index };
    const m: Obj = { _index: meta.index };
    if (meta.id !== undefined) m._id = meta.id;
    const r = executePipelines(
      { first, final },
      doc,
      m,
      (id) => pipelines.lookup(id),
      undefined,
      (index) => pipelines.forIndex(index),
    );
    if (r.error) return { ok: false, error: r.error };
    if (!r.source) return { dropped: true };
    return {
      ok: true,
      doc: r.source,
      index: typeof r.meta._index === 'string' && r.meta._index !== '' ? r.meta._index : meta.index,
    };
  };
}
