import type { RuleSetting, RuleStore, UploadedRules } from '../../detections/ports.js';
import type { Db } from './db.js';

interface UploadRow {
  id: string;
  tenant: string | null;
  yaml: string;
  rule_ids: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}
interface SettingRow {
  rule_id: string;
  tenant: string;
  enabled: number;
  updated_by: string;
  updated_at: string;
}

const toUpload = (r: UploadRow): UploadedRules => ({
  id: r.id,
  tenant: r.tenant,
  yaml: r.yaml,
  ruleIds: JSON.parse(r.rule_ids) as string[],
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toSetting = (r: SettingRow): RuleSetting => ({
  ruleId: r.rule_id,
  tenant: r.tenant,
  enabled: r.enabled === 1,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

/** Uploaded rules, enable/disable settings and correlation snapshots in the embedded database. */
export class SqliteRuleStore implements RuleStore {
  constructor(private readonly db: Db) {}

  listUploads(): Promise<UploadedRules[]> {
    const rows = this.db.prepare('SELECT * FROM rule_uploads ORDER BY created_at, id').all() as UploadRow[];
    return Promise.resolve(rows.map(toUpload));
  }

  findUpload(ruleId: string): Promise<UploadedRules | undefined> {
    // Few uploads exist (hundreds at most); json_each keeps the lookup exact without a side table.
    const row = this.db
      .prepare(
        'SELECT u.* FROM rule_uploads u WHERE EXISTS (SELECT 1 FROM json_each(u.rule_ids) j WHERE j.value = ?)',
      )
      .get(ruleId) as UploadRow | undefined;
    return Promise.resolve(row ? toUpload(row) : undefined);
  }

  putUpload(u: UploadedRules, replaces: string[]): Promise<void> {
    this.db.transaction(() => {
      const del = this.db.prepare('DELETE FROM rule_uploads WHERE id = ?');
      for (const id of replaces) del.run(id);
      this.db
        .prepare(
          `INSERT INTO rule_uploads (id, tenant, yaml, rule_ids, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET tenant = excluded.tenant, yaml = excluded.yaml, rule_ids = excluded.rule_ids, updated_at = excluded.updated_at`,
        )
        .run(u.id, u.tenant, u.yaml, JSON.stringify(u.ruleIds), u.createdBy, u.createdAt, u.updatedAt);
    })();
    return Promise.resolve();
  }

  removeUpload(id: string): Promise<boolean> {
    return Promise.resolve(this.db.prepare('DELETE FROM rule_uploads WHERE id = ?').run(id).changes > 0);
  }

  listSettings(): Promise<RuleSetting[]> {
    const rows = this.db
      .prepare('SELECT * FROM rule_settings ORDER BY rule_id, tenant')
      .all() as SettingRow[];
    return Promise.resolve(rows.map(toSetting));
  }

  putSetting(s: RuleSetting): Promise<RuleSetting | undefined> {
    const before = this.db.transaction(() => {
      const old = this.db
        .prepare('SELECT * FROM rule_settings WHERE rule_id = ? AND tenant = ?')
        .get(s.ruleId, s.tenant) as SettingRow | undefined;
      this.db
        .prepare(
          `INSERT INTO rule_settings (rule_id, tenant, enabled, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(rule_id, tenant) DO UPDATE SET enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        )
        .run(s.ruleId, s.tenant, s.enabled ? 1 : 0, s.updatedBy, s.updatedAt);
      return old;
    })();
    return Promise.resolve(before ? toSetting(before) : undefined);
  }

  loadCorrelationState(): Promise<Array<{ tenant: string; snapshot: string }>> {
    return Promise.resolve(
      this.db.prepare('SELECT tenant, snapshot FROM correlation_state ORDER BY tenant').all() as Array<{
        tenant: string;
        snapshot: string;
      }>,
    );
  }

  saveCorrelationState(items: Array<{ tenant: string; snapshot: string }>): Promise<void> {
    const at = new Date().toISOString();
    this.db.transaction(() => {
      const put = this.db.prepare(
        `INSERT INTO correlation_state (tenant, snapshot, saved_at) VALUES (?, ?, ?)
         ON CONFLICT(tenant) DO UPDATE SET snapshot = excluded.snapshot, saved_at = excluded.saved_at`,
      );
      for (const i of items) put.run(i.tenant, i.snapshot, at);
    })();
    return Promise.resolve();
  }
}
