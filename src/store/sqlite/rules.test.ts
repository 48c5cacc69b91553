import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeRuleStoresContract } from '../contract/rule-store.contract.js';
import { openDatabase } from './db.js';
import { SqliteRuleExceptionStore } from './rule-exceptions.js';
import { SqliteRuleStore } from './rules.js';

// Real SQLite files on disk, so reopening proves durability.
describeRuleStoresContract('sqlite', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-rules-')), 'v.db');
  let db = openDatabase(file);
  return {
    exceptions: (now) => new SqliteRuleExceptionStore(db, now),
    rules: () => new SqliteRuleStore(db),
    reopen: async () => {
      db.close();
      db = openDatabase(file);
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
});
