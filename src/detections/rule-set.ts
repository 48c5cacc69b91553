import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../detect/sigma/loader.js';
import type { LoadResult } from '../detect/sigma/types.js';

/** Vigil's own rule pack, shipped in the package (`rules/` at the package root). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

/** The built-in pack plus the configured directories; a missing directory is reported, not fatal. */
export function loadConfiguredRules(paths: string[]): { loaded: LoadResult; missing: string[] } {
  const all = [BUILTIN_RULES_DIR, ...paths];
  const present = all.filter((p) => existsSync(p));
  return { loaded: loadRules(present), missing: all.filter((p) => !existsSync(p)) };
}
