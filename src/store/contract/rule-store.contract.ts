/**
 * Contract of the rule management stores (exceptions, uploads, settings, correlation snapshots):
 * every adapter's test file runs it with its own `open`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleStore } from '../../detections/ports.js';
import type { RuleException, RuleExceptionStore } from '../ports.js';

export interface RuleStoresHandle {
  exceptions(now?: () => number): RuleExceptionStore;
  rules(): RuleStore;
  /** Closes and reopens the same database; stores made afterwards read the reopened one. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export function describeRuleStoresContract(name: string, open: () => Promise<RuleStoresHandle>): void {
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

  describe(`rule exception store contract: ${name}`, () => {
    let h: RuleStoresHandle;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => h.close());

    it('keeps exceptions across a reopen, scoped by tenant, and hides expired ones unless asked', async () => {
      let now = Date.parse('2026-11-28T10:00:00Z');
      const a = h.exceptions(() => now);
      await a.add(exception({}));
      await a.add(exception({ id: 'e2', expiresAt: '2026-11-28T11:00:00.000Z', ruleId: '*' }));
      await a.add(exception({ id: 'e1', tenant: 'other' }));
      await h.reopen();
      const b = h.exceptions(() => now);
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
      const s = h.exceptions();
      await s.add(exception({}));
      await expect(s.add(exception({}))).rejects.toThrow(/UNIQUE|duplicate key/);
      await expect(s.add(exception({ id: 'x', expiresAt: 'soon' }))).rejects.toThrow(/not a time/);
    });
  });

  describe(`rule store contract: ${name}`, () => {
    let h: RuleStoresHandle;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => h.close());

    it('stores uploads, finds them by any rule id, replaces them atomically and survives a reopen', async () => {
      const s = h.rules();
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
      await h.reopen();
      const t = h.rules();
      expect((await t.listUploads()).map((x) => [x.id, x.tenant, x.ruleIds])).toEqual([
        ['b', null, ['b', 'd']],
        ['c', 'acme', ['c']],
      ]);
      expect(await t.findUpload('a')).toBeUndefined();
      expect(await t.removeUpload('b')).toBe(true);
      expect(await t.removeUpload('b')).toBe(false);
    });

    it('upserts settings, returning the one replaced', async () => {
      const s = h.rules();
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
      const s = h.rules();
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
}
