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

  it('gives indicators stored before versions were kept a first version, once', async () => {
    const db = fresh();
    await new SqliteIntelStore(db).upsertIndicators([
      { tenant: 'default', type: 'domain', value: 'old.example', source: 's', tlp: 'green' },
      { tenant: 'default', type: 'domain', value: 'older.example', source: 's', tlp: 'green' },
    ]);
    // as a database from before migration 503 would be
    db.exec('DELETE FROM intel_indicator_versions');
    const store = new SqliteIntelStore(db);
    const q = { tlps: ['green'], limit: 10, select: { all: true } };
    const first = await store.pageIndicatorVersions(['default'], q);
    expect(first.map((v) => v.stix.pattern).sort()).toEqual([
      "[domain-name:value = 'old.example']",
      "[domain-name:value = 'older.example']",
    ]);
    expect(await store.pageIndicatorVersions(['default'], q)).toEqual(first);
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
