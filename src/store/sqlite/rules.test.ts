import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RuleException } from '../ports.js';
import { openDatabase, type Db } from './db.js';
import { SqliteRuleExceptionStore } from './rule-exceptions.js';
import { SqliteRuleStore } from './rules.js';

const dbs: Db[] = [];
function open(file: string): Db {
  const db = openDatabase(file);
  dbs.push(db);
  return db;
}
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
});

const exception = (over: Partial<RuleException>): RuleException => ({
  id: 'e1',
  tenant: 'acme',
  ruleId: 'r1',
  match: [{ field: 'host.name', value: 'web1' }],
  reason: 'noisy',
  createdBy: 'ann',
  createdAt: '2026-11-28T10:00:00.000Z',
  expiresAt: null,
  ...over,
});

describe('SqliteRuleExceptionStore', () => {
  it('keeps exceptions across a reopen, scoped by tenant, and hides expired ones unless asked', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-rx-')), 'v.db');
    let now = Date.parse('2026-11-28T10:00:00Z');
    const a = new SqliteRuleExceptionStore(open(file), () => now);
    await a.add(exception({}));
    await a.add(exception({ id: 'e2', expiresAt: '2026-11-28T11:00:00.000Z', ruleId: '*' }));
    await a.add(exception({ id: 'e1', tenant: 'other' }));
    dbs[0]!.close();

    const b = new SqliteRuleExceptionStore(open(file), () => now);
    expect((await b.list(['acme'])).map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(await b.list(['acme'], { ruleId: 'r1' })).toEqual([exception({})]);
    expect((await b.list(['other'])).map((e) => e.tenant)).toEqual(['other']);
    expect(await b.list([])).toEqual([]);
    now = Date.parse('2026-11-28T11:00:00Z');
    expect((await b.list(['acme'])).map((e) => e.id)).toEqual(['e1']);
    expect((await b.list(['acme'], { includeExpired: true })).map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(await b.remove('other', 'e2')).toBe(false);
    expect(await b.remove('acme', 'e2')).toBe(true);
    expect((await b.list(['acme'], { includeExpired: true })).map((e) => e.id)).toEqual(['e1']);
  });

  it('refuses a second exception with the same id in a tenant and an unparsable expiry', async () => {
    const s = new SqliteRuleExceptionStore(open(':memory:'));
    await s.add(exception({}));
    await expect(s.add(exception({}))).rejects.toThrow(/UNIQUE/);
    await expect(s.add(exception({ id: 'x', expiresAt: 'soon' }))).rejects.toThrow(/not a time/);
  });
});

describe('SqliteRuleStore', () => {
  it('stores uploads, finds them by any rule id, replaces them atomically and survives a reopen', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-rs-')), 'v.db');
    const s = new SqliteRuleStore(open(file));
    const u = {
      id: 'a',
      tenant: null,
      yaml: 'title: A',
      ruleIds: ['a', 'b'],
      createdBy: 'ann',
      createdAt: 't0',
      updatedAt: 't0',
    };
    await s.putUpload(u, []);
    await s.putUpload({ ...u, id: 'c', tenant: 'acme', ruleIds: ['c'] }, []);
    expect((await s.findUpload('b'))?.id).toBe('a');
    // A new upload defining b and d replaces upload a.
    await s.putUpload({ ...u, id: 'b', ruleIds: ['b', 'd'], yaml: 'title: B' }, ['a']);
    dbs[0]!.close();
    const t = new SqliteRuleStore(open(file));
    expect((await t.listUploads()).map((x) => [x.id, x.tenant, x.ruleIds])).toEqual([
      ['b', null, ['b', 'd']],
      ['c', 'acme', ['c']],
    ]);
    expect(await t.findUpload('a')).toBeUndefined();
    expect(await t.removeUpload('b')).toBe(true);
    expect(await t.removeUpload('b')).toBe(false);
  });

  it('upserts settings, returning the one replaced', async () => {
    const s = new SqliteRuleStore(open(':memory:'));
    expect(
      await s.putSetting({ ruleId: 'r', tenant: '*', enabled: false, updatedBy: 'a', updatedAt: 't1' }),
    ).toBeUndefined();
    const before = await s.putSetting({
      ruleId: 'r',
      tenant: '*',
      enabled: true,
      updatedBy: 'b',
      updatedAt: 't2',
    });
    expect(before).toMatchObject({ enabled: false, updatedBy: 'a' });
    await s.putSetting({ ruleId: 'r', tenant: 'acme', enabled: false, updatedBy: 'b', updatedAt: 't3' });
    expect(await s.listSettings()).toEqual([
      { ruleId: 'r', tenant: '*', enabled: true, updatedBy: 'b', updatedAt: 't2' },
      { ruleId: 'r', tenant: 'acme', enabled: false, updatedBy: 'b', updatedAt: 't3' },
    ]);
  });

  it('saves correlation snapshots per tenant, overwriting the previous one', async () => {
    const s = new SqliteRuleStore(open(':memory:'));
    await s.saveCorrelationState([
      { tenant: 'a', snapshot: '1' },
      { tenant: 'b', snapshot: '2' },
    ]);
    await s.saveCorrelationState([{ tenant: 'a', snapshot: '3' }]);
    expect(await s.loadCorrelationState()).toEqual([
      { tenant: 'a', snapshot: '3' },
      { tenant: 'b', snapshot: '2' },
    ]);
  });
});
