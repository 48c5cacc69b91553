import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OBSERVABLE_TYPES } from './ports.js';
import { fromAlertObservable, observableKey, parseObservable } from './observables.js';

describe('observables', () => {
  it('checks values against their type', () => {
    expect(parseObservable('ip', '10.0.0.1')).toEqual({ ok: true, value: { type: 'ip', value: '10.0.0.1' } });
    expect(parseObservable('ip', '2001:db8::1').ok).toBe(true);
    expect(parseObservable('ip', '10.0.0.256').ok).toBe(false);
    expect(parseObservable('sha256', 'A'.repeat(64))).toEqual({
      ok: true,
      value: { type: 'sha256', value: 'a'.repeat(64) },
    });
    expect(parseObservable('md5', 'xyz').ok).toBe(false);
    expect(parseObservable('domain', 'evil.example').ok).toBe(true);
    expect(parseObservable('domain', 'not a domain').ok).toBe(false);
    expect(parseObservable('url', 'https://evil.example/x').ok).toBe(true);
    expect(parseObservable('email', 'a@b.c').ok).toBe(true);
    expect(parseObservable('registry', 'HKLM\\Software\\Run').ok).toBe(true);
    expect(parseObservable('nope', 'x').ok).toBe(false);
    expect(parseObservable('user', ' ').ok).toBe(false);
  });

  it('maps alert observable types, telling hashes apart by length', () => {
    expect(fromAlertObservable({ type: 'hash', value: 'a'.repeat(40) })).toEqual({
      type: 'sha1',
      value: 'a'.repeat(40),
    });
    expect(fromAlertObservable({ type: 'hostname', value: 'WS1' })).toEqual({ type: 'host', value: 'WS1' });
    expect(fromAlertObservable({ type: 'ip', value: 'garbage' })).toEqual({
      type: 'other',
      value: 'garbage',
    });
    expect(fromAlertObservable({ type: 'weird', value: 'x' })).toEqual({ type: 'other', value: 'x' });
    expect(fromAlertObservable({ type: 'ip', value: '' })).toBeUndefined();
  });

  it('never throws, and keys are stable and case-folded where the type is case-insensitive (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OBSERVABLE_TYPES, 'hash', 'bogus'),
        fc.string({ maxLength: 300 }),
        (type, value) => {
          const r = parseObservable(type, value);
          if (r.ok) {
            expect(r.value.value.length).toBeGreaterThan(0);
            const k = observableKey(r.value.type, r.value.value);
            expect(observableKey(r.value.type, k)).toBe(k);
            if (['domain', 'md5', 'sha1', 'sha256', 'host', 'email'].includes(r.value.type)) {
              expect(observableKey(r.value.type, r.value.value.toUpperCase())).toBe(k);
            }
          } else expect(typeof r.reason).toBe('string');
          const a = fromAlertObservable({ type, value });
          if (a) expect((OBSERVABLE_TYPES as readonly string[]).includes(a.type)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
