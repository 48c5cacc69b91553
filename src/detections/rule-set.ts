import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../detect/sigma/loader.js';
import type { LoadResult } from '../detect/sigma/types.js';
import type { UploadedRules } from './ports.js';

/** Vigil's own rule pack, shipped in the package (`rules/` at the package root). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

/** Where `vigil rules update` installs a SigmaHQ release, under the data directory. */
export const sigmahqDir = (dataDir: string): string => path.join(dataDir, 'rules', 'sigmahq');

export type RuleSource = 'builtin' | 'config' | 'sigmahq' | 'upload';

export interface RuleOrigin {
  source: RuleSource;
  /** for uploaded rules: the upload and the tenant it is limited to (null: all) */
  upload?: string;
  tenant?: string | null;
}

export interface BuiltRuleSet {
  loaded: LoadResult;
  missing: string[];
  /** rule/correlation/filter id → where it came from */
  origin: Map<string, RuleOrigin>;
}

export interface RuleSources {
  paths: string[];
  /** a SigmaHQ install; skipped silently when absent (it is optional) */
  sigmahq?: string;
  uploads?: readonly UploadedRules[];
}

/** Prefix of the `file` of rejections and rules that came from an upload. */
export const UPLOAD_FILE_PREFIX = 'upload:';

/**
 * Loads the built-in pack, the configured directories, the SigmaHQ install and the uploaded rules
 * as ONE set, so that ids are unique across all of them and a correlation may reference a rule of
 * any source. The loader reads files, so uploads are written to a scratch directory for the load;
 * the database stays their only durable home.
 */
export function buildRuleSet(src: RuleSources): BuiltRuleSet {
  const configured = [BUILTIN_RULES_DIR, ...src.paths];
  const present = configured.filter((p) => existsSync(p));
  const missing = configured.filter((p) => !existsSync(p));
  if (src.sigmahq && existsSync(src.sigmahq)) present.push(src.sigmahq);
  const uploads = src.uploads ?? [];
  const scratch = uploads.length > 0 ? mkdtempSync(path.join(tmpdir(), 'vigil-uploads-')) : undefined;
  const byFile = new Map<string, UploadedRules>();
  try {
    if (scratch) {
      uploads.forEach((u, i) => {
        const f = path.join(scratch, `u${String(i).padStart(6, '0')}.yml`);
        writeFileSync(f, u.yaml);
        byFile.set(f, u);
      });
      present.push(scratch);
    }
    const loaded =
      present.length > 0
        ? loadRules(present)
        : { rules: [], filters: [], correlations: [], rejected: [], documents: 0 };
    const origin = new Map<string, RuleOrigin>();
    const within = (file: string, dir: string) => file === dir || file.startsWith(dir + path.sep);
    const originOf = (file: string): RuleOrigin => {
      const u = byFile.get(file);
      if (u) return { source: 'upload', upload: u.id, tenant: u.tenant };
      if (within(file, BUILTIN_RULES_DIR)) return { source: 'builtin' };
      if (src.sigmahq && within(file, src.sigmahq)) return { source: 'sigmahq' };
      return { source: 'config' };
    };
    const rename = (file: string): string => {
      const u = byFile.get(file);
      return u ? `${UPLOAD_FILE_PREFIX}${u.id}` : file;
    };
    for (const x of [...loaded.rules, ...loaded.correlations, ...loaded.filters]) {
      origin.set(x.id, originOf(x.file));
      x.file = rename(x.file);
    }
    for (const r of loaded.rejected) {
      r.file = rename(r.file);
      // "duplicate id ... (already loaded from <file>:<line>)" names the scratch file too.
      for (const [f, u] of byFile)
        if (r.reason.includes(f)) r.reason = r.reason.split(f).join(`${UPLOAD_FILE_PREFIX}${u.id}`);
    }
    return { loaded, missing, origin };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The built-in pack plus the configured directories; a missing directory is reported, not fatal. */
export function loadConfiguredRules(paths: string[]): { loaded: LoadResult; missing: string[] } {
  const { loaded, missing } = buildRuleSet({ paths });
  return { loaded, missing };
}
