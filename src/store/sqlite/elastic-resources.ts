import type { ElasticResource, ElasticResourceKind, ElasticResourceStore } from '../ports.js';
import type { Db } from './db.js';

interface Row {
  tenant: string;
  kind: string;
  name: string;
  body: string;
  updated_at: string;
}

const toResource = (r: Row): ElasticResource => ({
  tenant: r.tenant,
  kind: r.kind as ElasticResourceKind,
  name: r.name,
  body: JSON.parse(r.body) as Record<string, unknown>,
  updatedAt: r.updated_at,
});

export class SqliteElasticResourceStore implements ElasticResourceStore {
  constructor(private readonly db: Db) {}

  async get(tenant: string, kind: ElasticResourceKind, name: string): Promise<ElasticResource | undefined> {
    const row = this.db
      .prepare('SELECT * FROM es_resources WHERE tenant = ? AND kind = ? AND name = ?')
      .get(tenant, kind, name) as Row | undefined;
    return row ? toResource(row) : undefined;
  }

  async list(tenant: string, kind: ElasticResourceKind): Promise<ElasticResource[]> {
    const rows = this.db
      .prepare('SELECT * FROM es_resources WHERE tenant = ? AND kind = ? ORDER BY name')
      .all(tenant, kind) as Row[];
    return rows.map(toResource);
  }

  async put(
    tenant: string,
    kind: ElasticResourceKind,
    name: string,
    body: Record<string, unknown>,
  ): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO es_resources (tenant, kind, name, body, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, kind, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      )
      .run(tenant, kind, name, JSON.stringify(body), new Date().toISOString());
  }

  async delete(tenant: string, kind: ElasticResourceKind, name: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM es_resources WHERE tenant = ? AND kind = ? AND name = ?')
        .run(tenant, kind, name).changes > 0
    );
  }
}
