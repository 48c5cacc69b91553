import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { startTestApp, tokenFor } from '../../test-support/app.js';
import { HecAckRegistry } from './hec-ack.js';

const CH = '0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba';

describe('HEC acknowledgement registry', () => {
  it('hands out ackIds per channel from 0, reports each true once, refuses bad and missing channels', () => {
    const r = new HecAckRegistry({ maxChannels: 2, maxPendingPerChannel: 2, channelIdleMinutes: 10 });
    expect(r.check('a', undefined)).toMatchObject({ status: 400, code: 10 });
    expect(r.check('a', 'not-a-guid')).toMatchObject({ status: 400, code: 11 });
    expect(r.check('a', CH)).toBeUndefined();
    expect([r.complete('a', CH), r.complete('a', CH)]).toEqual([0, 1]);
    // Two unreported acks on the channel: a third request waits (busy) until the sender asks.
    expect(r.check('a', CH)).toMatchObject({ status: 503, code: 9 });
    expect(r.query('a', CH, [0, 1, 7])).toEqual({ '0': true, '1': true, '7': false });
    expect(r.query('a', CH, [0])).toEqual({ '0': false });
    expect(r.check('a', CH)).toBeUndefined();
    expect(r.complete('a', CH.toUpperCase())).toBe(2);
    // The same channel GUID under another sender is another channel: its acks are not visible.
    expect(r.query('b', CH, [2])).toEqual({ '2': false });
    expect(r.complete('b', CH)).toBe(0);
    expect(r.query('a', CH, [2])).toEqual({ '2': true });
  });

  it('forgets idle channels and bounds how many are open', () => {
    let now = 0;
    const r = new HecAckRegistry(
      { maxChannels: 1, maxPendingPerChannel: 10, channelIdleMinutes: 1 },
      () => now,
    );
    r.complete('a', CH);
    const other = '11111111-2222-4333-8444-555555555555';
    now = 30_000;
    expect(r.check('a', other)).toMatchObject({ status: 503, code: 9 });
    now = 200_000;
    expect(r.check('a', other)).toBeUndefined();
    expect(r.size).toBe(0);
  });
});

describe('HEC with indexer acknowledgement over HTTP', () => {
  let app: VigilApp;
  let base: string;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp({}, (c) => {
      c.ingest.hecAck.enabled = true;
    });
    base = `http://127.0.0.1:${app.ports.http}`;
    token = await tokenFor(app, 'ingest');
  });
  afterAll(async () => app?.close());

  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Splunk ${token}`, ...headers },
      body,
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  const event = (i: number) =>
    JSON.stringify({ event: `ack test ${i}`, host: 'hec-ack-host', time: 1795900000 + i });

  it('needs a channel, answers an ackId per request and reports it durable once', async () => {
    expect(await post('/services/collector/event', event(0))).toEqual({
      status: 400,
      json: { text: 'Data channel is missing', code: 10 },
    });
    expect((await post('/services/collector/event?channel=nope', event(0))).json).toMatchObject({ code: 11 });
    const a = await post('/services/collector/event', event(1) + event(2), {
      'x-splunk-request-channel': CH,
    });
    const b = await post(`/services/collector/raw?channel=${CH}`, 'raw line one\nraw line two\n');
    expect(a).toEqual({ status: 200, json: { text: 'Success', code: 0, ackId: 0 } });
    expect(b.json).toMatchObject({ code: 0, ackId: 1 });
    // Acknowledged means stored: the events are there when the ack says so.
    expect(await app.storage.events.count(['default'])).toBeGreaterThanOrEqual(4);
    const status = await post(`/services/collector/ack?channel=${CH}`, JSON.stringify({ acks: [0, 1, 2] }));
    expect(status).toEqual({ status: 200, json: { acks: { '0': true, '1': true, '2': false } } });
    expect((await post(`/services/collector/ack?channel=${CH}`, JSON.stringify({ acks: [0] }))).json).toEqual(
      {
        acks: { '0': false },
      },
    );
    expect((await post(`/services/collector/ack?channel=${CH}`, '{"acks":"x"}')).json).toMatchObject({
      code: 6,
    });
    expect((await post('/services/collector/ack', '{"acks":[0]}')).json).toMatchObject({ code: 10 });
  });
});

describe('HEC acknowledgement when disabled', () => {
  let app: VigilApp;
  afterAll(async () => app?.close());
  it('answers /ack with code 14 and sends no ackId', async () => {
    app = await startTestApp();
    const token = await tokenFor(app, 'ingest');
    const base = `http://127.0.0.1:${app.ports.http}`;
    const ack = await fetch(`${base}/services/collector/ack?channel=${CH}`, {
      method: 'POST',
      headers: { authorization: `Splunk ${token}` },
      body: '{"acks":[0]}',
    });
    expect(ack.status).toBe(400);
    expect(await ack.json()).toEqual({ text: 'ACK is disabled', code: 14 });
    const ev = await fetch(`${base}/services/collector/event`, {
      method: 'POST',
      headers: { authorization: `Splunk ${token}` },
      body: JSON.stringify({ event: 'no ack' }),
    });
    expect(await ev.json()).toEqual({ text: 'Success', code: 0 });
  });
});

describe('HEC acknowledgement for chosen tokens only', () => {
  let app: VigilApp;
  afterAll(async () => app?.close());
  it("asks a channel of the listed tokens only and keeps each token's acks to itself", async () => {
    app = await startTestApp({}, (c) => {
      c.ingest.hecAck.enabled = true;
      c.ingest.hecAck.tokens = ['acking', 'acking-2'];
    });
    const make = async (name: string) =>
      (await app.auth.createToken({ name: 'test', ip: null }, { name, role: 'ingest', tenant: 'default' }))
        .token;
    const [acking, acking2, plain] = [await make('acking'), await make('acking-2'), await make('plain')];
    const base = `http://127.0.0.1:${app.ports.http}`;
    const post = async (token: string, path: string, body: string) => {
      const r = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Splunk ${token}` },
        body,
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    const ev = JSON.stringify({ event: 'per-token ack' });
    expect(await post(plain, '/services/collector/event', ev)).toEqual({
      status: 200,
      json: { text: 'Success', code: 0 },
    });
    expect((await post(plain, `/services/collector/ack?channel=${CH}`, '{"acks":[0]}')).json).toEqual({
      text: 'ACK is disabled',
      code: 14,
    });
    expect((await post(acking, '/services/collector/event', ev)).json).toMatchObject({ code: 10 });
    expect((await post(acking, `/services/collector/event?channel=${CH}`, ev)).json).toEqual({
      text: 'Success',
      code: 0,
      ackId: 0,
    });
    // Another acking token on the same channel GUID neither sees nor consumes the first one's ack.
    expect((await post(acking2, `/services/collector/ack?channel=${CH}`, '{"acks":[0]}')).json).toEqual({
      acks: { '0': false },
    });
    expect((await post(acking, `/services/collector/ack?channel=${CH}`, '{"acks":[0]}')).json).toEqual({
      acks: { '0': true },
    });
  });
});
