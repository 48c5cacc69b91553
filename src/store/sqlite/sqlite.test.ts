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

// The same contract with events and detections inserted by the writer thread's own connection.
let threadDir = '';
describeStorageContract(
  'sqlite with writer thread',
  async () => {
    threadDir = mkdtempSync(path.join(tmpdir(), 'vigil-sqlite-thread-'));
    return openSqliteStorage(threadDir, { writerThread: true });
  },
  async (s) => {
    await s.close();
    return openSqliteStorage(threadDir, { writerThread: true });
  },
);
