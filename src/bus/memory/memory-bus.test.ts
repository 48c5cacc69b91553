import { describe, expect, it } from 'vitest';
import { describeBusContract } from '../contract/bus.contract.js';
import { subjectMatches } from '../ports.js';
import { MemoryBus } from './memory-bus.js';

describeBusContract('memory', async () => new MemoryBus());

describe('MemoryBus backpressure', () => {
  it('makes publish wait while a group queue is full', async () => {
    const bus = new MemoryBus(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await bus.consume<number>('s', 'g', async () => gate);
    await bus.publish('s', 1); // in flight
    await bus.publish('s', 2);
    await bus.publish('s', 3); // queue now full (2)
    let done = false;
    const p = bus.publish('s', 4).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    release();
    await p;
    expect(done).toBe(true);
    await bus.close();
  });
});

describe('subjectMatches', () => {
  it('follows NATS wildcard rules', () => {
    expect(subjectMatches('a.*', 'a.b')).toBe(true);
    expect(subjectMatches('a.*', 'a.b.c')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.b', 'a.b')).toBe(true);
    expect(subjectMatches('a.b', 'a.c')).toBe(false);
  });
});
