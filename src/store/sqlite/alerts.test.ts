import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeAlertStoreContract } from '../contract/alert-store.contract.js';
import { openSqliteStorage } from './index.js';

// Real SQLite files on disk, so reopening proves durability.
describeAlertStoreContract('sqlite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-alerts-'));
  let s = openSqliteStorage(dir);
  return {
    alerts: s.alerts,
    reopen: async () => {
      await s.close();
      s = openSqliteStorage(dir);
      return s.alerts;
    },
    close: () => s.close(),
  };
});
