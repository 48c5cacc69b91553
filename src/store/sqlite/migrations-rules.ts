import type { Migration } from './migrations.js';

/** Schema of the rules capability: versions 300-399, appended only. */
export const RULE_MIGRATIONS: readonly Migration[] = [];
