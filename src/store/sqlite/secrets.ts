import type { SealedSecret, SecretRepo } from '../../playbooks/secrets.js';
import type { Db } from './db.js';

export class SqliteSecretRepo implements SecretRepo {
  constructor(private readonly db: Db) {}

  async put(tenant: string, name: string, s: SealedSecret, by: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO secrets (tenant, name, iv, tag, ciphertext, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, name) DO UPDATE SET iv = excluded.iv, tag = excluded.tag, ciphertext = excluded.ciphertext, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
      )
      .run(tenant, name, s.iv, s.tag, s.ciphertext, by, new Date().toISOString());
  }

  async get(tenant: string, name: string): Promise<SealedSecret | undefined> {
    return this.db
      .prepare('SELECT iv, tag, ciphertext FROM secrets WHERE tenant = ? AND name = ?')
      .get(tenant, name) as SealedSecret | undefined;
  }

  async names(tenant: string): Promise<Array<{ name: string; updatedBy: string; updatedAt: string }>> {
    const rows = this.db
      .prepare('SELECT name, updated_by, updated_at FROM secrets WHERE tenant = ? ORDER BY name')
      .all(tenant) as Array<{ name: string; updated_by: string; updated_at: string }>;
    return rows.map((r) => ({ name: r.name, updatedBy: r.updated_by, updatedAt: r.updated_at }));
  }

  async remove(tenant: string, name: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM secrets WHERE tenant = ? AND name = ?').run(tenant, name).changes === 1
    );
  }
}
