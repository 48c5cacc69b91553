import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stampEvent } from './stamp.js';

const now = new Date('2026-03-01T12:00:00Z');

describe('stampEvent', () => {
  it('forces the tenant from the credential, not the document', () => {
    const r = stampEvent({ organization: { id: 'other', name: 'x' }, message: 'm' }, 'mine', now);
    expect(r.ok && r.value.organization).toEqual({ id: 'mine', name: 'x' });
  });

  it('reads ISO, epoch seconds and epoch milliseconds', () => {
    const t = (doc: object) => {
      const r = stampEvent(doc, 't', now);
      return r.ok ? r.value['@timestamp'] : r.reason;
    };
    expect(t({ '@timestamp': '2026-01-01T00:00:00+02:00' })).toBe('2025-12-31T22:00:00.000Z');
    expect(t({ ts: 1767225600.5 })).toBe('2026-01-01T00:00:00.500Z');
    expect(t({ timestamp: 1767225600000 })).toBe('2026-01-01T00:00:00.000Z');
    expect(t({})).toBe(now.toISOString());
    expect(t({ '@timestamp': 'yesterday-ish' })).toMatch(/@timestamp: not a valid time/);
  });

  it('keeps a well-formed sender id (idempotent retries) and replaces a bad one', () => {
    const a = stampEvent({ event: { id: 'abc-1' } }, 't', now);
    expect(a.ok && a.value.event.id).toBe('abc-1');
    const b = stampEvent({ event: { id: 'has space' } }, 't', now);
    expect(b.ok && b.value.event.id).not.toBe('has space');
  });

  it('refuses non-objects with a reason', () => {
    expect(stampEvent([1], 't', now)).toEqual({ ok: false, reason: 'expected a JSON object' });
    expect(stampEvent('x', 't', now).ok).toBe(false);
    expect(stampEvent({ event: 'x' }, 't', now).ok).toBe(false);
  });

  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = stampEvent(v, 't', now);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});
