import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../api/context.js';

/** Ingest endpoints that speak shippers' own protocols (Elasticsearch bulk, Splunk HEC, OTLP). */
export function shipperRoutes(_app: FastifyInstance, _ctx: ApiContext): void {}
