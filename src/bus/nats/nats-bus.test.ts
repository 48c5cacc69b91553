import { afterAll, describe, expect, it } from 'vitest';
import { NATS_URL, serviceAvailable } from '../../test-support/services.js';
import { describeBusContract } from '../contract/bus.contract.js';
import { NatsBus } from './nats-bus.js';

const available = await serviceAvailable(
  'NATS JetStream',
  '127.0.0.1',
  Number(new URL(NATS_URL).port || 4222),
);
const opened: NatsBus[] = [];
// Each test run gets its own streams so runs never see each other's messages.
const prefix = `VIGILTEST_${process.pid}_${Date.now().toString(36)}`;

async function open(): Promise<NatsBus> {
  const bus = await NatsBus.open({ url: NATS_URL, streamPrefix: prefix, maxAgeHours: 1 });
  opened.push(bus);
  return bus;
}

describe.runIf(available)('NATS JetStream bus', () => {
  afterAll(async () => {
    const cleaner = await NatsBus.open({ url: NATS_URL, streamPrefix: prefix });
    // Streams are per root; the contract used random roots, so remove every stream with our prefix.
    await cleaner.deleteStreamsWithPrefix();
    await cleaner.close();
  });

  describeBusContract('nats', open);

  it('keeps a group position across a restart: what was published while it was away is delivered', async () => {
    const root = `r${Math.random().toString(36).slice(2, 8)}`;
    const first = await open();
    const got: number[] = [];
    const sub = await first.consume<number>(`${root}.x`, 'durable', async (m) => void got.push(m.data));
    await first.publish(`${root}.x`, 1);
    while (got.length < 1) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    await first.publish(`${root}.x`, 2);
    await first.publish(`${root}.x`, 3);
    await first.close();

    const second = await open();
    await second.consume<number>(`${root}.x`, 'durable', async (m) => void got.push(m.data));
    const end = Date.now() + 5000;
    while (got.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([1, 2, 3]);
    await second.close();
  });

  it('refuses a subject whose first token is a wildcard', async () => {
    const bus = await open();
    await expect(bus.publish('*.x', 1)).rejects.toThrow(/first token/);
    await bus.close();
  });
});
