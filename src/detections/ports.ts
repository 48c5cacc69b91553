/**
 * Storage port of rule management: rules uploaded through the API, enable/disable settings and the
 * correlation state snapshots that let a restart resume open windows. (Rule exceptions have their
 * own port, `RuleExceptionStore` in store/ports.ts, because alerts write them too.)
 */

/** One upload: a YAML text (one or several documents) and the ids of the rules it defines. */
export interface UploadedRules {
  /** the first rule id of the text; uploads are found by any of their rule ids */
  id: string;
  /** null: runs for every tenant; else only for this tenant */
  tenant: string | null;
  yaml: string;
  ruleIds: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Enable/disable of one rule, globally (`tenant: '*'`) or for one tenant (which wins). */
export interface RuleSetting {
  ruleId: string;
  tenant: string;
  enabled: boolean;
  updatedBy: string;
  updatedAt: string;
}

export const GLOBAL = '*';

export interface RuleStore {
  listUploads(): Promise<UploadedRules[]>;
  /** The upload defining this rule id, if any. */
  findUpload(ruleId: string): Promise<UploadedRules | undefined>;
  /** Stores `upload`, replacing the uploads listed in `replaces` (same rule ids), in one transaction. */
  putUpload(upload: UploadedRules, replaces: string[]): Promise<void>;
  removeUpload(id: string): Promise<boolean>;

  listSettings(): Promise<RuleSetting[]>;
  /** Upserts; returns the setting it replaced. */
  putSetting(s: RuleSetting): Promise<RuleSetting | undefined>;

  loadCorrelationState(): Promise<Array<{ tenant: string; snapshot: string }>>;
  saveCorrelationState(items: Array<{ tenant: string; snapshot: string }>): Promise<void>;
}
