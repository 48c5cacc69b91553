import type { Value } from '../../playbooks/expr/ast.js';
import type { PlaybookRun, PlaybookStore, RunStatus, StepRecord } from '../../playbooks/ports.js';
import type { Db } from './db.js';

export class SqlitePlaybookStore implements PlaybookStore {
  constructor(private readonly db: Db) {}

  async savePlaybook(tenant: string, id: string, version: number, yaml: string, by: string): Promise<void> {
    const at = new Date().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO playbooks (tenant, id, version, yaml, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO UPDATE SET version = excluded.version, yaml = excluded.yaml, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
        )
        .run(tenant, id, version, yaml, by, at);
      this.db
        .prepare(
          'INSERT OR REPLACE INTO playbook_versions (tenant, id, version, yaml, saved_by, saved_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(tenant, id, version, yaml, by, at);
    })();
  }

  async getPlaybook(
    tenant: string,
    id: string,
  ): Promise<{ yaml: string; version: number; updatedBy: string; updatedAt: string } | undefined> {
    const r = this.db
      .prepare('SELECT yaml, version, updated_by, updated_at FROM playbooks WHERE tenant = ? AND id = ?')
      .get(tenant, id) as
      { yaml: string; version: number; updated_by: string; updated_at: string } | undefined;
    return r
      ? { yaml: r.yaml, version: r.version, updatedBy: r.updated_by, updatedAt: r.updated_at }
      : undefined;
  }

  async listPlaybooks(
    tenant: string,
  ): Promise<Array<{ id: string; version: number; yaml: string; updatedAt: string }>> {
    const rows = this.db
      .prepare('SELECT id, version, yaml, updated_at FROM playbooks WHERE tenant = ? ORDER BY id')
      .all(tenant) as Array<{ id: string; version: number; yaml: string; updated_at: string }>;
    return rows.map((r) => ({ id: r.id, version: r.version, yaml: r.yaml, updatedAt: r.updated_at }));
  }

  async deletePlaybook(tenant: string, id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM playbooks WHERE tenant = ? AND id = ?').run(tenant, id).changes === 1;
  }

  async createRun(run: PlaybookRun): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO playbook_runs (id, tenant, playbook_id, status, started_at, doc) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(run.id, run.tenant, run.playbookId, run.status, run.startedAt, JSON.stringify(run));
  }

  async getRun(tenants: string[], id: string): Promise<PlaybookRun | undefined> {
    if (tenants.length === 0) return undefined;
    const r = this.db
      .prepare(
        `SELECT doc FROM playbook_runs WHERE id = ? AND tenant IN (${tenants.map(() => '?').join(',')})`,
      )
      .get(id, ...tenants) as { doc: string } | undefined;
    return r ? (JSON.parse(r.doc) as PlaybookRun) : undefined;
  }

  async runById(id: string): Promise<PlaybookRun | undefined> {
    const r = this.db.prepare('SELECT doc FROM playbook_runs WHERE id = ?').get(id) as
      { doc: string } | undefined;
    return r ? (JSON.parse(r.doc) as PlaybookRun) : undefined;
  }

  async updateRun(
    id: string,
    patch: Partial<Pick<PlaybookRun, 'status' | 'error' | 'outputs' | 'endedAt'>>,
  ): Promise<void> {
    this.db.transaction(() => {
      const r = this.db.prepare('SELECT doc FROM playbook_runs WHERE id = ?').get(id) as
        { doc: string } | undefined;
      if (!r) return;
      const run = { ...(JSON.parse(r.doc) as PlaybookRun), ...patch };
      this.db
        .prepare('UPDATE playbook_runs SET status = ?, doc = ? WHERE id = ?')
        .run(run.status, JSON.stringify(run), id);
    })();
  }

  async listRuns(
    tenants: string[],
    opts: { limit: number; playbookId?: string; status?: RunStatus },
  ): Promise<PlaybookRun[]> {
    if (tenants.length === 0) return [];
    const where = [`tenant IN (${tenants.map(() => '?').join(',')})`];
    const params: unknown[] = [...tenants];
    if (opts.playbookId) {
      where.push('playbook_id = ?');
      params.push(opts.playbookId);
    }
    if (opts.status) {
      where.push('status = ?');
      params.push(opts.status);
    }
    const rows = this.db
      .prepare(`SELECT doc FROM playbook_runs WHERE ${where.join(' AND ')} ORDER BY started_at DESC LIMIT ?`)
      .all(...params, opts.limit) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as PlaybookRun);
  }

  async unfinishedRuns(): Promise<PlaybookRun[]> {
    const rows = this.db.prepare("SELECT doc FROM playbook_runs WHERE status = 'running'").all() as Array<{
      doc: string;
    }>;
    return rows.map((r) => JSON.parse(r.doc) as PlaybookRun);
  }

  async steps(runId: string): Promise<StepRecord[]> {
    const rows = this.db
      .prepare('SELECT doc FROM playbook_steps WHERE run_id = ? ORDER BY rowid')
      .all(runId) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as StepRecord);
  }

  async putStep(rec: StepRecord): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO playbook_steps (run_id, path, status, deadline, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, path) DO UPDATE SET status = excluded.status, deadline = excluded.deadline, doc = excluded.doc',
      )
      .run(rec.runId, rec.path, rec.status, rec.deadline ?? null, JSON.stringify(rec));
  }

  async idempotent(tenant: string, key: string): Promise<{ output: Value } | undefined> {
    const r = this.db
      .prepare('SELECT output FROM playbook_idempotency WHERE tenant = ? AND key = ?')
      .get(tenant, key) as { output: string } | undefined;
    return r ? { output: JSON.parse(r.output) as Value } : undefined;
  }

  async completeIdempotent(tenant: string, key: string, runId: string, output: Value): Promise<void> {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO playbook_idempotency (tenant, key, run_id, output, done_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(tenant, key, runId, JSON.stringify(output), new Date().toISOString());
  }

  async expiredApprovals(now: Date): Promise<StepRecord[]> {
    const rows = this.db
      .prepare("SELECT doc FROM playbook_steps WHERE status = 'waiting' AND deadline <= ?")
      .all(now.toISOString()) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as StepRecord);
  }

  async listVersions(
    tenant: string,
    id: string,
  ): Promise<Array<{ version: number; savedBy: string; savedAt: string }>> {
    const rows = this.db
      .prepare(
        'SELECT version, saved_by, saved_at FROM playbook_versions WHERE tenant = ? AND id = ? ORDER BY version DESC',
      )
      .all(tenant, id) as Array<{ version: number; saved_by: string; saved_at: string }>;
    return rows.map((r) => ({ version: r.version, savedBy: r.saved_by, savedAt: r.saved_at }));
  }

  async getVersion(
    tenant: string,
    id: string,
    version: number,
  ): Promise<{ yaml: string; version: number; savedBy: string; savedAt: string } | undefined> {
    const r = this.db
      .prepare(
        'SELECT yaml, version, saved_by, saved_at FROM playbook_versions WHERE tenant = ? AND id = ? AND version = ?',
      )
      .get(tenant, id, version) as
      { yaml: string; version: number; saved_by: string; saved_at: string } | undefined;
    return r ? { yaml: r.yaml, version: r.version, savedBy: r.saved_by, savedAt: r.saved_at } : undefined;
  }

  async getState(tenant: string, key: string): Promise<Value | undefined> {
    const r = this.db
      .prepare('SELECT value FROM playbook_state WHERE tenant = ? AND key = ?')
      .get(tenant, key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as Value) : undefined;
  }

  async setState(tenant: string, key: string, value: Value): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO playbook_state (tenant, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(tenant, key, JSON.stringify(value), new Date().toISOString());
  }

  async advance(tenant: string, key: string): Promise<number> {
    return this.db.transaction(() => {
      const r = this.db
        .prepare('SELECT value FROM playbook_state WHERE tenant = ? AND key = ?')
        .get(tenant, key) as { value: string } | undefined;
      const cur = r ? Number(JSON.parse(r.value)) || 0 : 0;
      this.db
        .prepare(
          'INSERT INTO playbook_state (tenant, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        )
        .run(tenant, key, JSON.stringify(cur + 1), new Date().toISOString());
      return cur;
    })();
  }

  async useToken(id: string, by: string): Promise<boolean> {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO playbook_used_tokens (id, used_by, used_at) VALUES (?, ?, ?)')
        .run(id, by, new Date().toISOString()).changes === 1
    );
  }
}
