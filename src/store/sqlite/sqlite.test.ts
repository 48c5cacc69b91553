import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeStorageContract } from '../contract/storage.contract.js';
import { openSqliteStorage } from './index.js';

// Real SQLite files on disk, not :memory:, so durability across reopen is exercised.
let lastDir = '';
describeStorageContract(
  'sqlite',
  async () => {
    lastDir = mkdtempSync(path.join(tmpdir(), 'vigil-sqlite-'));
    return openSqliteStorage(lastDir);
  },
  async (s) => {
    await s.close();
    return openSqliteStorage(lastDir);
  },
);
