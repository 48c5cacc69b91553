import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleException } from '../store/ports.js';
import { documentIds } from './manager.js';
import { RulePolicy } from './policy.js';

const ex = (over: Partial<RuleException>): RuleException => ({
  id: 'e',
  tenant: 'acme',
  ruleId: 'r1',
  match: [{ field: 'host.name', value: 'Web1' }],
  reason: 'x',
  createdBy: 'ann',
  createdAt: '2026-11-28T10:00:00Z',
  expiresAt: null,
  ...over,
});
const setting = (ruleId: string, tenant: string, enabled: boolean) => ({
  ruleId,
  tenant,
  enabled,
  updatedBy: 'a',
  updatedAt: 't',
});

describe('RulePolicy', () => {
  it('a tenant setting wins over the global one; rules are on by default; tenant uploads run only there', () => {
    const p = new RulePolicy([
      setting('r1', '*', false),
      setting('r1', 'acme', true),
      setting('r2', 'acme', false),
    ]);
    expect(p.enabledFor('r1', 'acme')).toBe(true);
    expect(p.enabledFor('r1', 'other')).toBe(false);
    expect(p.enabledFor('r2', 'acme')).toBe(false);
    expect(p.enabledFor('r2', 'other')).toBe(true);
    expect(p.enabledFor('r3', 'acme')).toBe(true);
    expect(p.enabledFor('r3', 'other', { source: 'upload', upload: 'u', tenant: 'acme' })).toBe(false);
    expect(p.enabledFor('r3', 'acme', { source: 'upload', upload: 'u', tenant: 'acme' })).toBe(true);
    // r1 is still wanted by acme, so the engine must keep evaluating it.
    expect(p.offEverywhere('r1')).toBe(false);
    expect(new RulePolicy([setting('r1', '*', false)]).offEverywhere('r1')).toBe(true);
  });

  it('matches exceptions by event field or matched Sigma field, case-insensitively, per tenant, until expiry', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    const p = new RulePolicy(
      [],
      [
        ex({}),
        ex({
          id: 'all',
          ruleId: '*',
          match: [
            { field: 'user.name', value: 'svc' },
            { field: 'source.ip', value: '10.0.0.1' },
          ],
        }),
        ex({ id: 'old', ruleId: 'r9', expiresAt: '2026-11-28T11:00:00Z' }),
        ex({ id: 'sigma', ruleId: 'r5', match: [{ field: 'Image', value: 'C:\\Tools\\ok.exe' }] }),
      ],
    );
    expect(p.exceptionFor('acme', 'r1', { host: { name: 'WEB1' } }, [], now)?.id).toBe('e');
    expect(p.exceptionFor('acme', 'r1', { 'host.name': 'web1' }, [], now)?.id).toBe('e');
    expect(p.exceptionFor('other', 'r1', { host: { name: 'web1' } }, [], now)).toBeUndefined();
    expect(p.exceptionFor('acme', 'r1', { host: { name: 'web2' } }, [], now)).toBeUndefined();
    // every match field must hold
    expect(p.exceptionFor('acme', 'r7', { user: { name: 'svc' } }, [], now)).toBeUndefined();
    expect(
      p.exceptionFor('acme', 'r7', { user: { name: 'SVC' }, source: { ip: '10.0.0.1' } }, [], now)?.id,
    ).toBe('all');
    expect(p.exceptionFor('acme', 'r9', { host: { name: 'web1' } }, [], now)).toBeUndefined();
    expect(
      p.exceptionFor('acme', 'r9', { host: { name: 'web1' } }, [], Date.parse('2026-11-28T10:30:00Z'))?.id,
    ).toBe('old');
    expect(p.exceptionFor('acme', 'r5', {}, [{ Image: 'c:\\tools\\OK.exe' }], now)?.id).toBe('sigma');
    expect(p.exceptionFor('acme', 'r1', { host: { name: ['a', 'web1'] } }, [], now)?.id).toBe('e');
  });

  it('keeps settings when exceptions change and the other way round', () => {
    const p = new RulePolicy([setting('r1', '*', false)], [ex({})]).withExceptions([]);
    expect(p.enabledFor('r1', 'acme')).toBe(false);
    expect(p.hasExceptions('acme')).toBe(false);
    const q = new RulePolicy([], [ex({})]).withSettings([]);
    expect(q.hasExceptions('acme')).toBe(true);
  });
});

describe('documentIds (upload splitting)', () => {
  it('lists ids in order, skips collection headers, and names problems with their line', () => {
    expect(documentIds('title: a\nid: x\n---\naction: global\n---\ntitle: b\nid: y\n')).toEqual({
      ok: true,
      ids: ['x', 'y'],
    });
    const dup = documentIds('id: x\n---\nid: x\n');
    expect(dup).toEqual({ ok: false, problems: [{ line: 3, reason: 'id x appears twice in the upload' }] });
    const bad = documentIds('title: a\nid: [unclosed\n');
    expect(bad.ok).toBe(false);
    expect(documentIds('')).toEqual({
      ok: false,
      problems: [{ reason: 'no rule document with an id in the upload' }],
    });
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = documentIds(s);
        return r.ok ? r.ids.length > 0 : r.problems.length > 0;
      }),
      { numRuns: 300 },
    );
  });
});
