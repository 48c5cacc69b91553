import type { Migration } from './migrations.js';

/** Schema of the cases capability: versions 200-299, appended only. */
export const CASE_MIGRATIONS: readonly Migration[] = [];
