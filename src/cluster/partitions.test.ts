import { describe, expect, it } from 'vitest';
import { partitionOf as routedPartitionOf } from '../detections/live.js';
import { PartitionCoordinator, partitionOf, targetShare } from './partitions.js';

describe('partitionOf', () => {
  it('is stable, in range, and the same function live detection routes with', () => {
    for (let i = 0; i < 500; i++) {
      const key = `tenant-${i % 3}\ncorr\n{"source.ip":"10.0.${i >> 8}.${i & 255}"}`;
      const p = partitionOf(key, 16);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(16);
      expect(p).toBe(partitionOf(key, 16));
      expect(p).toBe(routedPartitionOf(key, 16));
    }
  });

  it('matches the FNV-1a 32 reference values', () => {
    // Published FNV-1a 32 test vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(partitionOf('', 2 ** 31)).toBe(0x811c9dc5 % 2 ** 31);
    expect(partitionOf('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    expect(partitionOf('foobar', 2 ** 31)).toBe(0xbf9cf968 % 2 ** 31);
  });

  it('spreads keys evenly enough over the partitions', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(`user-${i}@host-${i % 97}`, 16)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it('refuses a partition count below one', () => {
    expect(() => partitionOf('x', 0)).toThrow(/partitions must be/);
  });
});

describe('targetShare', () => {
  it('gives every member floor or ceil of P/N, summing to P', () => {
    for (const n of [1, 2, 3, 5, 7, 16, 20]) {
      const members = Array.from({ length: n }, (_, i) => `m${i}`);
      const plan = targetShare(members, 16);
      const shares = [...plan.values()];
      expect(shares.reduce((a, b) => a + b, 0)).toBe(16);
      for (const s of shares) expect([Math.floor(16 / n), Math.ceil(16 / n)]).toContain(s);
    }
  });

  it('gives the extra partitions to those holding most already, so a join moves the minimum', () => {
    // 16 over 3: 6/5/5; c holds 6, so c keeps the extra one rather than a, the smallest id.
    const plan = targetShare(
      ['a', 'b', 'c'],
      16,
      new Map([
        ['a', 5],
        ['b', 5],
        ['c', 6],
      ]),
    );
    expect(plan.get('c')).toBe(6);
    expect(plan.get('a')).toBe(5);
    // A fourth joins: 4 each, so exactly 16/4 = 4 partitions move (2 + 1 + 1) to the newcomer.
    const held = new Map([
      ['a', 5],
      ['b', 5],
      ['c', 6],
    ]);
    const next = targetShare(['a', 'b', 'c', 'd'], 16, held);
    const moved = [...held].reduce((n, [m, h]) => n + Math.max(0, h - next.get(m)!), 0);
    expect(moved).toBe(4);
  });

  it('is the same plan whatever order the members are listed in, and ignores duplicates', () => {
    const held = new Map([
      ['x', 3],
      ['y', 3],
    ]);
    const a = targetShare(['x', 'y', 'z'], 7, held);
    const b = targetShare(['z', 'y', 'x', 'y'], 7, held);
    expect([...a].sort()).toEqual([...b].sort());
    expect([...a.values()].reduce((s, v) => s + v, 0)).toBe(7);
  });

  it('plans nothing without members', () => {
    expect(targetShare([], 16).size).toBe(0);
  });
});

describe('PartitionCoordinator options', () => {
  it('rejects ids and bucket names that are not subject tokens, and too short leases', () => {
    expect(() => new PartitionCoordinator({ partitions: 4, memberId: 'a.b' })).toThrow(/memberId/);
    expect(() => new PartitionCoordinator({ partitions: 4, bucket: 'x y' })).toThrow(/bucket/);
    expect(() => new PartitionCoordinator({ partitions: 4, leaseMs: 10 })).toThrow(/leaseMs/);
    expect(() => new PartitionCoordinator({ partitions: 0 })).toThrow(/partitions/);
  });
});
