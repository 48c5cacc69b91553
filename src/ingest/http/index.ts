import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../api/context.js';
import { elasticRoutes, type ElasticCompatOptions } from './elastic.js';
import { hecRoutes } from './hec.js';
import { otlpRoutes } from './otlp.js';

export interface ShipperOptions {
  elasticsearch?: ElasticCompatOptions;
}

/** Ingest endpoints that speak shippers' own protocols (Elasticsearch bulk, Splunk HEC, OTLP). */
export function shipperRoutes(app: FastifyInstance, ctx: ApiContext, opts: ShipperOptions = {}): void {
  elasticRoutes(app, ctx, opts.elasticsearch);
  hecRoutes(app, ctx);
  otlpRoutes(app, ctx);
}

export { DEFAULT_ES_VERSION, type ElasticCompatOptions } from './elastic.js';
