import type { Value } from '../../playbooks/expr/ast.js';
import type { PlaybookRun, PlaybookStore, RunStatus, StepRecord } from '../../playbooks/ports.js';
import type { SealedSecret, SecretRepo } from '../../playbooks/secrets.js';
import { inTransaction, type Pool } from './db.js';
import { changes, inList, lockKeys, one, rows } from './sql.js';

// Documents are kept as JSON text, not JSONB: playbook values round-trip exactly as the engine wrote them.
const parseDocs = <T>(r: Array<{ doc: string }>): T[] => r.map((x) => JSON.parse(x.doc) as T);

/** Playbooks, their versions, runs and steps, shared by the worker nodes of a cluster. */
export class PostgresPlaybookStore implements PlaybookStore {
  constructor(private readonly pool: Pool) {}

  async savePlaybook(tenant: string, id: string, version: number, yaml: string, by: string): Promise<void> {
    const at = new Date().toISOString();
    await inTransaction(this.pool, async (c) => {
      await changes(
        c,
        'INSERT INTO playbooks (tenant, id, version, yaml, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO UPDATE SET version = excluded.version, yaml = excluded.yaml, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
        [tenant, id, version, yaml, by, at],
      );
      await changes(
        c,
        'INSERT INTO playbook_versions (tenant, id, version, yaml, saved_by, saved_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id, version) DO UPDATE SET yaml = excluded.yaml, saved_by = excluded.saved_by, saved_at = excluded.saved_at',
        [tenant, id, version, yaml, by, at],
      );
    });
  }

  async getPlaybook(
    tenant: string,
    id: string,
  ): Promise<{ yaml: string; version: number; updatedBy: string; updatedAt: string } | undefined> {
    const r = await one<{ yaml: string; version: number; updated_by: string; updated_at: string }>(
      this.pool,
      'SELECT yaml, version, updated_by, updated_at FROM playbooks WHERE tenant = ? AND id = ?',
      [tenant, id],
    );
    return r
      ? { yaml: r.yaml, version: r.version, updatedBy: r.updated_by, updatedAt: r.updated_at }
      : undefined;
  }

  async listPlaybooks(
    tenant: string,
  ): Promise<Array<{ id: string; version: number; yaml: string; updatedAt: string }>> {
    const r = await rows<{ id: string; version: number; yaml: string; updated_at: string }>(
      this.pool,
      'SELECT id, version, yaml, updated_at FROM playbooks WHERE tenant = ? ORDER BY id COLLATE "C"',
      [tenant],
    );
    return r.map((x) => ({ id: x.id, version: x.version, yaml: x.yaml, updatedAt: x.updated_at }));
  }

  async deletePlaybook(tenant: string, id: string): Promise<boolean> {
    return (
      (await changes(this.pool, 'DELETE FROM playbooks WHERE tenant = ? AND id = ?', [tenant, id])) === 1
    );
  }

  async createRun(run: PlaybookRun): Promise<void> {
    await changes(
      this.pool,
      'INSERT INTO playbook_runs (id, tenant, playbook_id, status, started_at, doc) VALUES (?, ?, ?, ?, ?, ?)',
      [run.id, run.tenant, run.playbookId, run.status, run.startedAt, JSON.stringify(run)],
    );
  }

  async getRun(tenants: string[], id: string): Promise<PlaybookRun | undefined> {
    if (tenants.length === 0) return undefined;
    const r = await one<{ doc: string }>(
      this.pool,
      `SELECT doc FROM playbook_runs WHERE id = ? AND tenant IN (${inList(tenants.length)})`,
      [id, ...tenants],
    );
    return r ? (JSON.parse(r.doc) as PlaybookRun) : undefined;
  }

  async runById(id: string): Promise<PlaybookRun | undefined> {
    const r = await one<{ doc: string }>(this.pool, 'SELECT doc FROM playbook_runs WHERE id = ?', [id]);
    return r ? (JSON.parse(r.doc) as PlaybookRun) : undefined;
  }

  async updateRun(
    id: string,
    patch: Partial<Pick<PlaybookRun, 'status' | 'error' | 'outputs' | 'endedAt'>>,
  ): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      const r = await one<{ doc: string }>(c, 'SELECT doc FROM playbook_runs WHERE id = ? FOR UPDATE', [id]);
      if (!r) return;
      const run = { ...(JSON.parse(r.doc) as PlaybookRun), ...patch };
      await changes(c, 'UPDATE playbook_runs SET status = ?, doc = ? WHERE id = ?', [
        run.status,
        JSON.stringify(run),
        id,
      ]);
    });
  }

  async listRuns(
    tenants: string[],
    opts: { limit: number; playbookId?: string; status?: RunStatus },
  ): Promise<PlaybookRun[]> {
    if (tenants.length === 0) return [];
    const where = [`tenant IN (${inList(tenants.length)})`];
    const params: unknown[] = [...tenants];
    if (opts.playbookId) {
      where.push('playbook_id = ?');
      params.push(opts.playbookId);
    }
    if (opts.status) {
      where.push('status = ?');
      params.push(opts.status);
    }
    return parseDocs<PlaybookRun>(
      await rows<{ doc: string }>(
        this.pool,
        `SELECT doc FROM playbook_runs WHERE ${where.join(' AND ')} ORDER BY started_at COLLATE "C" DESC LIMIT ?`,
        [...params, opts.limit],
      ),
    );
  }

  async unfinishedRuns(): Promise<PlaybookRun[]> {
    return parseDocs<PlaybookRun>(
      await rows<{ doc: string }>(this.pool, "SELECT doc FROM playbook_runs WHERE status = 'running'"),
    );
  }

  async steps(runId: string): Promise<StepRecord[]> {
    return parseDocs<StepRecord>(
      await rows<{ doc: string }>(this.pool, 'SELECT doc FROM playbook_steps WHERE run_id = ? ORDER BY seq', [
        runId,
      ]),
    );
  }

  async putStep(rec: StepRecord): Promise<void> {
    await changes(
      this.pool,
      'INSERT INTO playbook_steps (run_id, path, status, deadline, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, path) DO UPDATE SET status = excluded.status, deadline = excluded.deadline, doc = excluded.doc',
      [rec.runId, rec.path, rec.status, rec.deadline ?? null, JSON.stringify(rec)],
    );
  }

  async idempotent(tenant: string, key: string): Promise<{ output: Value } | undefined> {
    const r = await one<{ output: string }>(
      this.pool,
      'SELECT output FROM playbook_idempotency WHERE tenant = ? AND key = ?',
      [tenant, key],
    );
    return r ? { output: JSON.parse(r.output) as Value } : undefined;
  }

  async completeIdempotent(tenant: string, key: string, runId: string, output: Value): Promise<void> {
    await changes(
      this.pool,
      'INSERT INTO playbook_idempotency (tenant, key, run_id, output, done_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [tenant, key, runId, JSON.stringify(output), new Date().toISOString()],
    );
  }

  async expiredApprovals(now: Date): Promise<StepRecord[]> {
    return parseDocs<StepRecord>(
      await rows<{ doc: string }>(
        this.pool,
        'SELECT doc FROM playbook_steps WHERE status = \'waiting\' AND deadline COLLATE "C" <= ?',
        [now.toISOString()],
      ),
    );
  }

  async listVersions(
    tenant: string,
    id: string,
  ): Promise<Array<{ version: number; savedBy: string; savedAt: string }>> {
    const r = await rows<{ version: number; saved_by: string; saved_at: string }>(
      this.pool,
      'SELECT version, saved_by, saved_at FROM playbook_versions WHERE tenant = ? AND id = ? ORDER BY version DESC',
      [tenant, id],
    );
    return r.map((x) => ({ version: x.version, savedBy: x.saved_by, savedAt: x.saved_at }));
  }

  async getVersion(
    tenant: string,
    id: string,
    version: number,
  ): Promise<{ yaml: string; version: number; savedBy: string; savedAt: string } | undefined> {
    const r = await one<{ yaml: string; version: number; saved_by: string; saved_at: string }>(
      this.pool,
      'SELECT yaml, version, saved_by, saved_at FROM playbook_versions WHERE tenant = ? AND id = ? AND version = ?',
      [tenant, id, version],
    );
    return r ? { yaml: r.yaml, version: r.version, savedBy: r.saved_by, savedAt: r.saved_at } : undefined;
  }

  async getState(tenant: string, key: string): Promise<Value | undefined> {
    const r = await one<{ value: string }>(
      this.pool,
      'SELECT value FROM playbook_state WHERE tenant = ? AND key = ?',
      [tenant, key],
    );
    return r ? (JSON.parse(r.value) as Value) : undefined;
  }

  async setState(tenant: string, key: string, value: Value): Promise<void> {
    await changes(
      this.pool,
      'INSERT INTO playbook_state (tenant, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      [tenant, key, JSON.stringify(value), new Date().toISOString()],
    );
  }

  async advance(tenant: string, key: string): Promise<number> {
    // Advisory lock, not a row lock: the first advance of a key has no row to lock yet.
    return inTransaction(this.pool, async (c) => {
      await lockKeys(c, [`playbook-state\n${tenant}\n${key}`]);
      const r = await one<{ value: string }>(
        c,
        'SELECT value FROM playbook_state WHERE tenant = ? AND key = ?',
        [tenant, key],
      );
      const cur = r ? Number(JSON.parse(r.value)) || 0 : 0;
      await changes(
        c,
        'INSERT INTO playbook_state (tenant, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [tenant, key, JSON.stringify(cur + 1), new Date().toISOString()],
      );
      return cur;
    });
  }

  async useToken(id: string, by: string): Promise<boolean> {
    return (
      (await changes(
        this.pool,
        'INSERT INTO playbook_used_tokens (id, used_by, used_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        [id, by, new Date().toISOString()],
      )) === 1
    );
  }
}

/** Sealed connector secrets; only ciphertext ever reaches the database. */
export class PostgresSecretRepo implements SecretRepo {
  constructor(private readonly pool: Pool) {}

  async put(tenant: string, name: string, s: SealedSecret, by: string): Promise<void> {
    await changes(
      this.pool,
      'INSERT INTO secrets (tenant, name, iv, tag, ciphertext, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, name) DO UPDATE SET iv = excluded.iv, tag = excluded.tag, ciphertext = excluded.ciphertext, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
      [tenant, name, s.iv, s.tag, s.ciphertext, by, new Date().toISOString()],
    );
  }

  async get(tenant: string, name: string): Promise<SealedSecret | undefined> {
    return one<SealedSecret>(
      this.pool,
      'SELECT iv, tag, ciphertext FROM secrets WHERE tenant = ? AND name = ?',
      [tenant, name],
    );
  }

  async names(tenant: string): Promise<Array<{ name: string; updatedBy: string; updatedAt: string }>> {
    const r = await rows<{ name: string; updated_by: string; updated_at: string }>(
      this.pool,
      'SELECT name, updated_by, updated_at FROM secrets WHERE tenant = ? ORDER BY name COLLATE "C"',
      [tenant],
    );
    return r.map((x) => ({ name: x.name, updatedBy: x.updated_by, updatedAt: x.updated_at }));
  }

  async remove(tenant: string, name: string): Promise<boolean> {
    return (
      (await changes(this.pool, 'DELETE FROM secrets WHERE tenant = ? AND name = ?', [tenant, name])) === 1
    );
  }
}
