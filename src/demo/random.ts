import { randomInt } from 'node:crypto';

/**
 * The demo's source of variety. Seeded runs repeat exactly (tests); unseeded runs differ each time,
 * so a replayed scenario does not look like the previous one. Not for anything secret.
 */
export class Rng {
  private state: number;

  constructor(seed: number = randomInt(0, 2 ** 31)) {
    this.state = seed >>> 0;
  }

  /** mulberry32: small, fast and good enough to vary names, ports and sizes. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new Error('pick from an empty list');
    return list[this.int(0, list.length - 1)]!;
  }

  /** `n` distinct items, in random order. */
  sample<T>(list: readonly T[], n: number): T[] {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, Math.min(n, copy.length));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  private chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }

  hex(n: number): string {
    return this.chars('0123456789abcdef', n);
  }

  upperAlnum(n: number): string {
    return this.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', n);
  }

  /** A GUID as Sysmon and Windows print them: braces, lower-case hex. */
  guid(): string {
    return `{${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}}`;
  }

  /** An ephemeral source port in the range Linux and Windows pick from. */
  ephemeralPort(): number {
    return this.int(49152, 65535);
  }
}
