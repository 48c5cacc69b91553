import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../../api/context.js';
import { targetTenant } from '../../api/tenancy.js';
import { isObj, type Obj } from '../pipelines/document.js';
import type { PipelineRegistry } from '../pipelines/registry.js';
import { bodyObject, esError } from './elastic-resources.js';
import type { AddRoute } from './elastic.js';
import { tenantQuery } from './elastic.js';

/**
 * Per-index settings (`PUT /{index}/_settings`, settings in `PUT /{index}`): Vigil keeps them so
 * an index's `default_pipeline` and `final_pipeline` apply to its bulk documents, over what its
 * templates say. Other settings (shards, refresh, mappings) are kept and shown back, not applied.
 */

const INDEX_NAME = /^[A-Za-z0-9._@+*-][A-Za-z0-9._@+*-]{0,254}$/;

/**
 * Settings in any of the shapes Elasticsearch accepts (`{index:{a:1}}`, `{"index.a":1}`, `{a:1}`,
 * wrapped in `settings`) as flat `index.*` keys. `null` values are kept: they reset a setting.
 */
export function flattenSettings(body: Obj): Record<string, unknown> {
  const root = Object.keys(body).length === 1 && isObj(body.settings) ? body.settings : body;
  const out: Record<string, unknown> = {};
  const walk = (o: Obj, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix === '' ? k : `${prefix}.${k}`;
      if (isObj(v)) walk(v, key);
      else
        out[key.startsWith('index.') ? key : `index.${key}`] =
          Array.isArray(v) || v === null || typeof v === 'string' ? v : JSON.stringify(v);
    }
  };
  walk(root, '');
  return out;
}

/** Flat `a.b.c` keys as the nested objects Elasticsearch shows by default. */
function nest(flat: Record<string, unknown>): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      if (!isObj(cur[p])) cur[p] = {};
      cur = cur[p] as Obj;
    }
    cur[parts[parts.length - 1]!] = value;
  }
  return out;
}

export function indexSettingsRoutes(
  ctx: ApiContext,
  add: AddRoute,
  registry: PipelineRegistry,
  bodyLimit: number,
): void {
  const store = ctx.storage.elastic;
  const tenantOf = (req: FastifyRequest) => targetTenant(req.principal!, tenantQuery(req));

  const readBody = (req: FastifyRequest, required: boolean) => bodyObject(req, bodyLimit, required);

  /** Merges `update` into each named index's stored settings; a null value removes that key. */
  const update = async (tenant: string, names: string[], update: Record<string, unknown>) => {
    for (const name of names) {
      const current = await store.get(tenant, 'index_settings', name);
      const merged: Record<string, unknown> = {
        ...(isObj(current?.body.settings) ? current.body.settings : {}),
      };
      for (const [k, v] of Object.entries(update)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      await store.put(tenant, 'index_settings', name, { settings: merged });
    }
    registry.invalidate(tenant);
  };

  const names = (raw: string): string[] | undefined => {
    const list = raw.split(',').filter((n) => n !== '');
    return list.length > 0 && list.every((n) => INDEX_NAME.test(n) && !n.startsWith('_')) ? list : undefined;
  };

  add(
    ['PUT'],
    '/:index/_settings',
    'Elasticsearch: update index settings (default_pipeline and final_pipeline apply to bulk documents)',
    async (req, reply) => {
      const tenant = tenantOf(req);
      const list = names((req.params as { index: string }).index);
      if (!list) {
        return esError(reply, 400, 'invalid_index_name_exception', 'invalid index name');
      }
      const body = await readBody(req, true);
      if (typeof body === 'string') {
        return esError(reply, 400, 'parse_exception', body);
      }
      const flat = flattenSettings(body);
      if (Object.keys(flat).length === 0) {
        return esError(
          reply,
          400,
          'action_request_validation_exception',
          'Validation Failed: 1: no settings to update;',
        );
      }
      await update(tenant, list, flat);
      return { acknowledged: true };
    },
    'application/json',
  );

  add(
    ['GET'],
    '/:index/_settings',
    'Elasticsearch: index settings (stored and from templates)',
    async (req, reply) => {
      const tenant = tenantOf(req);
      const list = names((req.params as { index: string }).index);
      if (!list) {
        return esError(reply, 400, 'invalid_index_name_exception', 'invalid index name');
      }
      const pipelines = await registry.forTenant(tenant);
      const out: Obj = {};
      const stored = await store.list(tenant, 'index_settings');
      for (const name of list) {
        const own = stored.find((r) => r.name === name);
        const flat: Record<string, unknown> = {
          'index.provided_name': name,
          ...(isObj(own?.body.settings) ? own.body.settings : {}),
        };
        // What applies to the index, including pipelines its templates name.
        const applied = pipelines.forIndex(name);
        if (applied.defaultPipeline) flat['index.default_pipeline'] = applied.defaultPipeline;
        if (applied.finalPipeline) flat['index.final_pipeline'] = applied.finalPipeline;
        out[name] = { settings: (req.query as Obj).flat_settings === 'true' ? flat : nest(flat) };
      }
      return out;
    },
  );

  add(
    ['PUT'],
    '/:index',
    'Elasticsearch create index (its settings are kept; mappings are not applied)',
    async (req, reply) => {
      const tenant = tenantOf(req);
      const index = (req.params as { index: string }).index;
      const list = names(index);
      if (!list || list.length !== 1 || index.includes('*')) {
        return esError(reply, 400, 'invalid_index_name_exception', `Invalid index name [${index}]`);
      }
      const body = await readBody(req, false);
      if (typeof body === 'string') {
        return esError(reply, 400, 'parse_exception', body);
      }
      if (isObj(body.settings)) {
        const flat = flattenSettings(body.settings);
        if (Object.keys(flat).length > 0) await update(tenant, list, flat);
      }
      return { acknowledged: true, shards_acknowledged: true, index };
    },
    'application/json',
  );
}
