import type { Migration } from './migrations.js';

/** Schema of the alerts capability: versions 100-199, appended only. */
export const ALERT_MIGRATIONS: readonly Migration[] = [];
