import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../../api/context.js';
import { documentRoute } from '../../api/route.js';
import { rawBodyScope } from '../../api/routes/events.js';
import { targetTenant } from '../../api/tenancy.js';
import { IngestOverloaded } from '../../pipeline/ingest.js';
import { requestBytes } from './body.js';
import { parseBulk } from './elastic-bulk.js';
import { indexSettingsRoutes } from './elastic-index-settings.js';
import { bulkPipelineTransform, elasticResourceRoutes } from './elastic-resources.js';
import { PipelineRegistry } from '../pipelines/registry.js';

export interface ElasticCompatOptions {
  /**
   * The Elasticsearch version Vigil claims. Beats refuse an Elasticsearch older than themselves
   * ("Elasticsearch is too old", unless allow_older_versions) and the 9.x clients speak
   * compatible-with=9, so the default is a recent 9.x: Beats/Agent/Logstash 8.x and 9.x up to
   * this version connect. Raise it when newer shippers appear.
   */
  version?: string;
}

export const DEFAULT_ES_VERSION = '9.4.0';

const TAGS = ['elasticsearch-compat'];

function clusterInfo(version: string, clusterUuid: string): unknown {
  return {
    name: 'vigil',
    cluster_name: 'vigil',
    cluster_uuid: clusterUuid,
    version: {
      number: version,
      build_flavor: 'default',
      build_type: 'vigil',
      build_hash: '0000000000000000000000000000000000000000',
      build_date: '2026-01-01T00:00:00.000Z',
      build_snapshot: false,
      lucene_version: '10.3.0',
      minimum_wire_compatibility_version: '8.19.0',
      minimum_index_compatibility_version: '8.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

function license(clusterUuid: string): unknown {
  // Beats and Logstash read `status` and `type`; a non-OSS active license lets them enable ILM/data streams.
  return {
    license: {
      status: 'active',
      uid: clusterUuid,
      type: 'basic',
      issue_date: '2026-01-01T00:00:00.000Z',
      issue_date_in_millis: 1767225600000,
      max_nodes: 1000,
      max_resource_units: null,
      issued_to: 'vigil',
      issuer: 'elasticsearch',
      start_date_in_millis: -1,
    },
  };
}

function xpack(clusterUuid: string): unknown {
  const on = { available: true, enabled: true };
  return {
    build: { hash: '0000000', date: '2026-01-01T00:00:00.000Z' },
    license: { uid: clusterUuid, type: 'basic', mode: 'basic', status: 'active' },
    features: {
      ilm: on,
      data_streams: on,
      security: { available: true, enabled: true },
      monitoring: { available: true, enabled: false },
    },
    tagline: 'You know, for X',
  };
}

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export type AddRoute = (
  methods: Array<'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE'>,
  url: string,
  summary: string,
  handler: Handler,
  rawBody?: string,
) => void;

export function tenantQuery(req: FastifyRequest): string | undefined {
  const t = (req.query as Record<string, unknown> | undefined)?.tenant;
  return typeof t === 'string' && t !== '' ? t : undefined;
}

/**
 * Elasticsearch's HTTP API, as much as shippers need: product info, `_bulk`, and no-op answers to
 * the set-up calls Beats, Elastic Agent and Logstash make before sending (license, templates, ILM
 * policies, ingest pipelines — stored, and pipelines executed — data streams, aliases).
 */
export function elasticRoutes(app: FastifyInstance, ctx: ApiContext, opts: ElasticCompatOptions = {}): void {
  const version = opts.version ?? DEFAULT_ES_VERSION;
  // Stable per installation (Beats monitoring keys on it), without storing anything new.
  const clusterUuid = createHash('sha256')
    .update(`vigil:${path.resolve(ctx.config.dataDir)}`)
    .digest('base64url')
    .slice(0, 22);
  const bodyLimit = ctx.config.http.bodyLimitBytes;
  const registry = new PipelineRegistry(ctx.storage.elastic);

  rawBodyScope(app, bodyLimit, (scope) => {
    // The official clients refuse responses without this header ("not Elasticsearch"); onSend also
    // covers the 401/403 answers of the auth hook.
    scope.addHook('onSend', async (_req, reply, payload) => {
      void reply.header('x-elastic-product', 'Elasticsearch');
      return payload;
    });

    const add: AddRoute = (methods, url, summary, handler, rawBody) => {
      for (const method of methods)
        documentRoute(app, {
          method,
          url,
          access: 'events:ingest',
          summary,
          tags: TAGS,
          ...(rawBody ? { rawBody } : {}),
        });
      scope.route({ method: methods, url, config: { access: 'events:ingest' }, handler });
    };

    // GET also answers HEAD (fastify exposes HEAD routes for GET), which is how clients ping.
    add(['GET'], '/', 'Elasticsearch product info (for shippers)', async () =>
      clusterInfo(version, clusterUuid),
    );

    const bulk: Handler = async (req, reply) => {
      const started = Date.now();
      const tenant = targetTenant(req.principal!, tenantQuery(req));
      const body = await requestBytes(req, bodyLimit);
      const defaultIndex = (req.params as { index?: string }).index ?? '';
      const q = req.query as Record<string, unknown>;
      const pipelines = await registry.forTenant(tenant);
      const parsed = parseBulk(
        body,
        defaultIndex,
        bulkPipelineTransform(
          pipelines,
          typeof q.pipeline === 'string' && q.pipeline !== '' ? q.pipeline : undefined,
        ),
      );
      let result;
      try {
        result =
          parsed.items.length > 0
            ? await ctx.ingest.ingest(tenant, 'elasticsearch', parsed.items, req.ip)
            : { accepted: 0, rejected: [] };
      } catch (e) {
        if (!(e instanceof IngestOverloaded)) throw e;
        // What Elasticsearch answers when its write queue is full; every shipper retries it.
        void reply.code(429).header('retry-after', String(e.retryAfterSeconds));
        const cause = { type: 'es_rejected_execution_exception', reason: e.message };
        return { error: { root_cause: [cause], ...cause }, status: 429 };
      }
      const rejected = new Map(result.rejected.map((r) => [r.index, r.reason]));
      let errors = false;
      let seq = 0;
      const items = parsed.ops.map((op) => {
        let error = op.error;
        const item = op.item === undefined ? undefined : parsed.items[op.item];
        if (!error && op.item !== undefined && rejected.has(op.item)) {
          error = { status: 400, type: 'document_parsing_exception', reason: rejected.get(op.item)! };
        }
        if (op.dropped) {
          // What Elasticsearch answers for a document an ingest pipeline dropped.
          return {
            [op.action]: {
              _index: op.index,
              _id: op.id ?? null,
              _version: -3,
              result: 'noop',
              _shards: { total: 0, successful: 0, failed: 0 },
              status: 200,
            },
          };
        }
        if (error) {
          errors = true;
          return {
            [op.action]: {
              _index: op.index,
              _id: op.id ?? null,
              status: error.status,
              error: { type: error.type, reason: error.reason },
            },
          };
        }
        // The pipeline stamped the document in place, so its event id is the one stored.
        const doc = item?.ok ? (item.doc as { event?: { id?: string } }) : undefined;
        return {
          [op.action]: {
            _index: op.index,
            _id: op.id ?? doc?.event?.id ?? null,
            _version: 1,
            result: 'created',
            status: 201,
            _shards: { total: 1, successful: 1, failed: 0 },
            _seq_no: seq++,
            _primary_term: 1,
          },
        };
      });
      return { took: Date.now() - started, errors, items };
    };
    for (const url of ['/_bulk', '/:index/_bulk']) {
      add(
        ['POST', 'PUT'],
        url,
        'Elasticsearch bulk API (index/create actions); answers per item',
        bulk,
        'application/x-ndjson',
      );
    }

    add(['GET'], '/_license', 'Elasticsearch license (shipper start-up check)', async () =>
      license(clusterUuid),
    );
    add(['GET'], '/_xpack', 'Elasticsearch X-Pack info (shipper start-up check)', async () =>
      xpack(clusterUuid),
    );
    add(['GET'], '/_cluster/health', 'Elasticsearch cluster health (shipper health checks)', async () => ({
      cluster_name: 'vigil',
      status: 'green',
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      active_primary_shards: 0,
      active_shards: 0,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: 0,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: 100,
    }));

    // Pipelines, templates and ILM policies are stored per tenant and answered truthfully (404 until
    // PUT), so shippers install them; pipelines run on _bulk documents. Data streams and aliases
    // always "exist": Vigil's own schema and retention apply regardless.
    elasticResourceRoutes(ctx, add, registry, bodyLimit);
    const named = (req: FastifyRequest) => (req.params as { name: string }).name;
    const resources: Array<[string, (name: string) => unknown]> = [
      [
        '/_data_stream/:name',
        (name) => ({
          data_streams: [
            {
              name,
              timestamp_field: { name: '@timestamp' },
              indices: [],
              generation: 1,
              status: 'GREEN',
              template: name,
              hidden: false,
              system: false,
            },
          ],
        }),
      ],
      ['/_alias/:name', (name) => ({ [name]: { aliases: { [name]: { is_write_index: true } } } })],
    ];
    const ack = async () => ({ acknowledged: true });
    for (const [url, describe] of resources) {
      add(['GET'], url, 'Elasticsearch set-up resource (always present)', async (req) =>
        describe(named(req)),
      );
      add(['PUT', 'POST'], url, 'Elasticsearch set-up resource (acknowledged, not applied)', ack);
      add(['DELETE'], url, 'Elasticsearch set-up resource (acknowledged, not applied)', ack);
    }
    // Logstash checks its ILM rollover alias with HEAD /<alias> and creates the first index with PUT /<index>.
    add(['HEAD'], '/:index', 'Elasticsearch index/alias exists check (always true)', async (_req, reply) =>
      reply.code(200).send(),
    );
    indexSettingsRoutes(ctx, add, registry, bodyLimit);
    add(['GET'], '/_cat/*', 'Elasticsearch _cat APIs (minimal)', async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const json = q.format === 'json';
      const what = (req.params as { '*': string })['*'];
      if (what.startsWith('health')) {
        const row = {
          epoch: String(Math.floor(Date.now() / 1000)),
          cluster: 'vigil',
          status: 'green',
          'node.total': '1',
          'node.data': '1',
        };
        return json ? [row] : reply.type('text/plain').send(`${row.epoch} vigil green 1 1\n`);
      }
      return json ? [] : reply.type('text/plain').send('');
    });
  });
}
