import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeIntelStoreContract } from '../../intel/intel-store.contract.js';
import { openDatabase } from './db.js';
import { SqliteIntelStore } from './intel.js';

const fresh = () => openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-intel-')), 'vigil.db'));

describe('SqliteIntelStore', () => {
  it('applies its migrations once and records them', () => {
    const db = fresh();
    const v = db.prepare('SELECT version FROM schema_migrations WHERE version BETWEEN 500 AND 599').all();
    expect(v).toEqual([{ version: 500 }, { version: 501 }, { version: 502 }, { version: 503 }]);
    db.close();
  });
});

describeIntelStoreContract('sqlite', () => {
  const db = fresh();
  return Promise.resolve({
    store: new SqliteIntelStore(db),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  });
});
