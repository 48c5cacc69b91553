/** The bus contract: the memory bus and the NATS JetStream bus must both pass it. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../ports.js';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function describeBusContract(name: string, open: () => Promise<Bus>, uniq: () => string = () => Math.random().toString(36).slice(2, 8)): void {
  describe(`bus contract: ${name}`, () => {
    let bus: Bus;
    let p: string;
    beforeEach(async () => {
      bus = await open();
      p = `t${uniq()}`;
    });
    afterEach(async () => {
      await bus.close();
    });

    it('delivers every message to every group (fan-out)', async () => {
      const a: number[] = [];
      const b: number[] = [];
      await bus.consume<number>(`${p}.events`, 'ga', async (m) => void a.push(m.data));
      await bus.consume<number>(`${p}.events`, 'gb', async (m) => void b.push(m.data));
      for (let i = 0; i < 10; i++) await bus.publish(`${p}.events`, i);
      await until(() => a.length === 10 && b.length === 10);
      expect(a).toEqual([...Array(10).keys()]);
      expect([...b].sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    });

    it('shares work within a group: each message to one member', async () => {
      const seen: Array<[string, number]> = [];
      await bus.consume<number>(`${p}.work`, 'g', async (m) => void seen.push(['x', m.data]));
      await bus.consume<number>(`${p}.work`, 'g', async (m) => void seen.push(['y', m.data]));
      for (let i = 0; i < 40; i++) await bus.publish(`${p}.work`, i);
      await until(() => seen.length >= 40);
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.map(([, n]) => n).sort((x, y) => x - y)).toEqual([...Array(40).keys()]);
    });

    it('redelivers a message whose handler failed', async () => {
      const attempts: number[] = [];
      await bus.consume<string>(`${p}.retry`, 'g', async (m) => {
        attempts.push(m.attempt);
        if (m.attempt < 3) throw new Error('transient');
      }, { maxDeliver: 5 });
      await bus.publish(`${p}.retry`, 'x');
      await until(() => attempts.length === 3);
      expect(attempts).toEqual([1, 2, 3]);
    });

    it('dead-letters after maxDeliver attempts with the last error', async () => {
      const dead: Array<[BusMessage<string>, unknown]> = [];
      await bus.consume<string>(`${p}.poison`, 'g', async () => {
        throw new Error('always');
      }, { maxDeliver: 2, onDeadLetter: (m, e) => void dead.push([m, e]) });
      await bus.publish(`${p}.poison`, 'bad');
      await until(() => dead.length === 1);
      expect(dead[0]![0].data).toBe('bad');
      expect(dead[0]![0].attempt).toBe(2);
      expect(String(dead[0]![1])).toContain('always');
    });

    it('matches wildcard subjects', async () => {
      const got: string[] = [];
      await bus.consume<string>(`${p}.raw.*`, 'g', async (m) => void got.push(m.subject));
      await bus.publish(`${p}.raw.syslog`, 'a');
      await bus.publish(`${p}.raw.http`, 'b');
      await bus.publish(`${p}.other.x`, 'c');
      await until(() => got.length === 2);
      await new Promise((r) => setTimeout(r, 50));
      expect(got.sort()).toEqual([`${p}.raw.http`, `${p}.raw.syslog`]);
    });

    it('carries structured batches intact', async () => {
      const got: unknown[] = [];
      await bus.consume<unknown>(`${p}.batch`, 'g', async (m) => void got.push(m.data));
      const batch = [{ a: 1, nested: { b: ['x', 'y'] } }, { a: 2 }];
      await bus.publish(`${p}.batch`, batch);
      await until(() => got.length === 1);
      expect(got[0]).toEqual(batch);
    });

    it('stops delivering to a stopped member', async () => {
      const got: number[] = [];
      const sub = await bus.consume<number>(`${p}.stop`, 'g', async (m) => void got.push(m.data));
      await bus.publish(`${p}.stop`, 1);
      await until(() => got.length === 1);
      await sub.stop();
      await bus.publish(`${p}.stop`, 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual([1]);
    });
  });
}
