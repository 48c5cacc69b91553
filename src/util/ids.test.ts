import { describe, expect, it } from 'vitest';
import { newEventId } from './ids.js';

describe('newEventId', () => {
  it('has the UUIDv7 layout and encodes the time in its first 48 bits', () => {
    const t = Date.UTC(2026, 10, 28, 12, 0, 0, 123);
    const id = newEventId(t);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(t);
  });

  it('does not repeat across many draws (pool refills included)', () => {
    const n = 20_000;
    const ids = new Set(Array.from({ length: n }, () => newEventId(0)));
    expect(ids.size).toBe(n);
  });

  it('sorts by time', () => {
    expect(newEventId(1000) < newEventId(2000)).toBe(true);
  });
});
