import type { RuleSetting, RuleStore, UploadedRules } from '../../detections/ports.js';
import { inTransaction, type Pool } from './db.js';
import { changes, one, rows } from './sql.js';

interface UploadRow {
  id: string;
  tenant: string | null;
  yaml: string;
  rule_ids: string[];
  created_by: string;
  created_at: string;
  updated_at: string;
}
interface SettingRow {
  rule_id: string;
  tenant: string;
  enabled: boolean;
  updated_by: string;
  updated_at: string;
}

const toUpload = (r: UploadRow): UploadedRules => ({
  id: r.id,
  tenant: r.tenant,
  yaml: r.yaml,
  ruleIds: r.rule_ids,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toSetting = (r: SettingRow): RuleSetting => ({
  ruleId: r.rule_id,
  tenant: r.tenant,
  enabled: r.enabled,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

/** Uploaded rules, enable/disable settings and correlation snapshots, shared by every node. */
export class PostgresRuleStore implements RuleStore {
  constructor(private readonly pool: Pool) {}

  async listUploads(): Promise<UploadedRules[]> {
    return (
      await rows<UploadRow>(
        this.pool,
        'SELECT * FROM rule_uploads ORDER BY created_at COLLATE "C", id COLLATE "C"',
      )
    ).map(toUpload);
  }

  async findUpload(ruleId: string): Promise<UploadedRules | undefined> {
    const r = await one<UploadRow>(
      this.pool,
      'SELECT * FROM rule_uploads WHERE rule_ids @> jsonb_build_array(?::text) LIMIT 1',
      [ruleId],
    );
    return r ? toUpload(r) : undefined;
  }

  async putUpload(u: UploadedRules, replaces: string[]): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      if (replaces.length > 0)
        await changes(c, 'DELETE FROM rule_uploads WHERE id = ANY(?::text[])', [replaces]);
      await changes(
        c,
        `INSERT INTO rule_uploads (id, tenant, yaml, rule_ids, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, yaml = excluded.yaml, rule_ids = excluded.rule_ids, updated_at = excluded.updated_at`,
        [u.id, u.tenant, u.yaml, JSON.stringify(u.ruleIds), u.createdBy, u.createdAt, u.updatedAt],
      );
    });
  }

  async removeUpload(id: string): Promise<boolean> {
    return (await changes(this.pool, 'DELETE FROM rule_uploads WHERE id = ?', [id])) > 0;
  }

  async listSettings(): Promise<RuleSetting[]> {
    return (
      await rows<SettingRow>(
        this.pool,
        'SELECT * FROM rule_settings ORDER BY rule_id COLLATE "C", tenant COLLATE "C"',
      )
    ).map(toSetting);
  }

  async putSetting(s: RuleSetting): Promise<RuleSetting | undefined> {
    return inTransaction(this.pool, async (c) => {
      const old = await one<SettingRow>(
        c,
        'SELECT * FROM rule_settings WHERE rule_id = ? AND tenant = ? FOR UPDATE',
        [s.ruleId, s.tenant],
      );
      await changes(
        c,
        `INSERT INTO rule_settings (rule_id, tenant, enabled, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (rule_id, tenant) DO UPDATE SET enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [s.ruleId, s.tenant, s.enabled, s.updatedBy, s.updatedAt],
      );
      return old ? toSetting(old) : undefined;
    });
  }

  async loadCorrelationState(): Promise<Array<{ tenant: string; snapshot: string }>> {
    return rows<{ tenant: string; snapshot: string }>(
      this.pool,
      'SELECT tenant, snapshot FROM correlation_state ORDER BY tenant COLLATE "C"',
    );
  }

  async saveCorrelationState(items: Array<{ tenant: string; snapshot: string }>): Promise<void> {
    if (items.length === 0) return;
    const at = new Date().toISOString();
    await this.pool.query(
      `INSERT INTO correlation_state (tenant, snapshot, saved_at) SELECT t, s, $3 FROM unnest($1::text[], $2::text[]) AS x(t, s)
       ON CONFLICT (tenant) DO UPDATE SET snapshot = excluded.snapshot, saved_at = excluded.saved_at`,
      [items.map((i) => i.tenant), items.map((i) => i.snapshot), at],
    );
  }
}
