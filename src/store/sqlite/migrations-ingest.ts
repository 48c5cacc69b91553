import type { Migration } from './migrations.js';

/**
 * Schema of ingestion: versions 800-899, appended only. `es_resources` keeps what Elasticsearch
 * shippers install at start-up (ingest pipelines, index templates, ILM policies) per tenant, so
 * that GET answers the truth and pipelines run on `_bulk` documents.
 */
export const INGEST_MIGRATIONS: readonly Migration[] = [
  {
    version: 800,
    name: 'elasticsearch resources',
    sql: `
      CREATE TABLE es_resources (
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, kind, name)
      );
    `,
  },
];
