import type { ElasticResource, ElasticResourceKind, ElasticResourceStore } from '../ports.js';
import type { Pool } from './db.js';

interface Row {
  tenant: string;
  kind: string;
  name: string;
  body: Record<string, unknown>;
  updated_at: string;
}

const toResource = (r: Row): ElasticResource => ({
  tenant: r.tenant,
  kind: r.kind as ElasticResourceKind,
  name: r.name,
  body: r.body,
  updatedAt: r.updated_at,
});

export class PostgresElasticResourceStore implements ElasticResourceStore {
  constructor(private readonly pool: Pool) {}

  async get(tenant: string, kind: ElasticResourceKind, name: string): Promise<ElasticResource | undefined> {
    const r = await this.pool.query<Row>(
      'SELECT * FROM es_resources WHERE tenant = $1 AND kind = $2 AND name = $3',
      [tenant, kind, name],
    );
    return r.rows[0] ? toResource(r.rows[0]) : undefined;
  }

  async list(tenant: string, kind: ElasticResourceKind): Promise<ElasticResource[]> {
    const r = await this.pool.query<Row>(
      'SELECT * FROM es_resources WHERE tenant = $1 AND kind = $2 ORDER BY name',
      [tenant, kind],
    );
    return r.rows.map(toResource);
  }

  async put(
    tenant: string,
    kind: ElasticResourceKind,
    name: string,
    body: Record<string, unknown>,
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO es_resources (tenant, kind, name, body, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, kind, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      [tenant, kind, name, JSON.stringify(body), new Date().toISOString()],
    );
  }

  async delete(tenant: string, kind: ElasticResourceKind, name: string): Promise<boolean> {
    const r = await this.pool.query(
      'DELETE FROM es_resources WHERE tenant = $1 AND kind = $2 AND name = $3',
      [tenant, kind, name],
    );
    return (r.rowCount ?? 0) > 0;
  }
}
