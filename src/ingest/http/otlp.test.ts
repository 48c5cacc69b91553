import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { WireWriter } from '../../parse/otlp/wire.js';
import { bearer, startTestApp, tokenFor } from '../../test-support/app.js';

type Doc = Record<string, Record<string, unknown>>;

describe('OTLP/HTTP logs ingest', () => {
  let app: VigilApp;
  let token: string;
  let base: string;
  beforeAll(async () => {
    app = await startTestApp({ VIGIL_LOG_LEVEL: 'silent' });
    token = await tokenFor(app, 'ingest');
    base = `http://127.0.0.1:${app.ports.http}`;
  });
  afterAll(async () => app.close());

  const search = (text: string[], tenants = ['default']) => app.storage.events.search({ tenants, text, limit: 100 });

  async function emitWith(exporter: JsonExporter | ProtoExporter, tag: string, batch: boolean): Promise<void> {
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'node-3', 'deployment.environment': 'prod' }),
      processors: [batch ? new BatchLogRecordProcessor({ exporter }) : new SimpleLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('vigil-test-scope', '1.2.3');
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: TraceFlags.SAMPLED });
    logger.emit({
      timestamp: new Date('2026-02-03T04:05:06.789Z'),
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: `${tag} login failed`,
      attributes: { 'user.name': 'bob', 'source.ip': '10.1.2.3', 'http.response.status_code': 401, 'event.outcome': 'failure' },
      context: ctx,
    });
    logger.emit({ body: { message: `${tag} map body`, 'k.v': 7, nested: { ok: true } }, severityNumber: SeverityNumber.INFO });
    await provider.forceFlush();
    await provider.shutdown();
  }

  function checkStored(tag: string, first: Doc) {
    expect(first['@timestamp']).toBe('2026-02-03T04:05:06.789Z');
    expect(first.message).toBe(`${tag} login failed`);
    expect(first.log!.level).toBe('WARN');
    expect(first.event!.severity).toBe(SeverityNumber.WARN);
    expect(first.user!.name).toBe('bob');
    expect(first.source!.ip).toBe('10.1.2.3');
    expect(first.service!.name).toBe('checkout');
    expect(first.host!.name).toBe('node-3');
    expect(first.trace!.id).toBe('5b8efff798038103d269b633813fc60c');
    expect(first.span!.id).toBe('eee19b7ec3c1b174');
    const otel = first.otel as { scope: { name: string; version: string }; attributes: Record<string, unknown>; resource: { attributes: Record<string, unknown> } };
    expect(otel.scope).toEqual({ name: 'vigil-test-scope', version: '1.2.3' });
    expect(otel.attributes['http.response.status_code']).toBe(401);
    // event.* attributes stay in otel.attributes only: event must remain the pipeline's object.
    expect(otel.attributes['event.outcome']).toBe('failure');
    expect(otel.resource.attributes['deployment.environment']).toBe('prod');
  }

  it('stores logs from the OTLP/JSON exporter with ECS fields', async () => {
    await emitWith(new JsonExporter({ url: `${base}/v1/logs`, headers: bearer(token) }), 'otlp-json', false);
    const first = (await search(['otlp-json', 'login'])).events[0] as unknown as Doc;
    checkStored('otlp-json', first);
    const map = (await search(['otlp-json', 'map'])).events[0] as unknown as Doc;
    expect(map.message).toBe('otlp-json map body');
    expect(map.otel!.body).toEqual({ message: 'otlp-json map body', 'k.v': 7, nested: { ok: true } });
  });

  it('stores logs from the OTLP/protobuf exporter (batch processor) with ECS fields', async () => {
    await emitWith(new ProtoExporter({ url: `${base}/v1/logs`, headers: bearer(token) }), 'otlp-proto', true);
    const first = (await search(['otlp-proto', 'login'])).events[0] as unknown as Doc;
    checkStored('otlp-proto', first);
    expect((await search(['otlp-proto'])).total).toBe(2);
  });

  it('stores into the tenant of the token', async () => {
    await app.auth.createTenant({ name: 'test', ip: null }, 'initech', 'Initech');
    const other = await tokenFor(app, 'ingest', 'initech');
    await emitWith(new ProtoExporter({ url: `${base}/v1/logs`, headers: bearer(other) }), 'otlp-tenant', false);
    expect((await search(['otlp-tenant'], ['initech'])).total).toBe(2);
    expect((await search(['otlp-tenant'], ['default'])).total).toBe(0);
  });

  it('answers a JSON partial success and dead-letters the bad record, keeping the good one', async () => {
    const body = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'host.name', value: { stringValue: 'h1' } }] },
        scopeLogs: [{ logRecords: [
          { timeUnixNano: '1767225600000000000', body: { stringValue: 'otlp-partial good' } },
          { timeUnixNano: 'yesterday', body: { stringValue: 'otlp-partial bad' } },
        ] }],
      }],
    };
    const r = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    const out = (await r.json()) as { partialSuccess: { rejectedLogRecords: number; errorMessage: string } };
    expect(out.partialSuccess.rejectedLogRecords).toBe(1);
    expect(out.partialSuccess.errorMessage).toMatch(/timeUnixNano/);
    const stored = (await search(['otlp-partial'])).events;
    expect(stored.map((e) => e.message)).toEqual(['otlp-partial good']);
    expect(stored[0]!['@timestamp']).toBe('2026-01-01T00:00:00.000Z');
    const dead = await app.storage.deadLetters.list(['default'], { limit: 100, input: 'otlp' });
    expect(dead.some((d) => d.raw.includes('otlp-partial bad'))).toBe(true);
  });

  it('answers protobuf with an encoded partial_success when a record is broken', async () => {
    const good = new WireWriter().tag(1, 1).fixed64(1767225600000000000n).message(5, new WireWriter().bytes(1, 'otlp-pb-partial good'));
    // A LogRecord whose body claims 50 bytes but has 2: broken inside, framed correctly outside.
    const badBytes = Uint8Array.from([0x2a, 50, 0x0a, 0x00]);
    const scope = new WireWriter().message(2, good).bytes(2, badBytes);
    const req = new WireWriter().message(1, new WireWriter().message(2, scope)).finish();
    const r = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/x-protobuf' }, body: req });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/x-protobuf/);
    const resp = new Uint8Array(await r.arrayBuffer());
    // field 1 (partial_success, length-delimited) → field 1 rejected_log_records = 1, field 2 error_message.
    expect(resp[0]).toBe(0x0a);
    expect(resp[2]).toBe(0x08);
    expect(resp[3]).toBe(1);
    expect(resp[4]).toBe(0x12);
    expect((await search(['otlp-pb-partial'])).total).toBe(1);
    const dead = await app.storage.deadLetters.list(['default'], { limit: 100, input: 'otlp' });
    expect(dead.some((d) => d.encoding === 'base64' && d.raw === Buffer.from(badBytes).toString('base64'))).toBe(true);
  });

  it('answers an empty protobuf response on success and 415 for other content types', async () => {
    const rec = new WireWriter().message(5, new WireWriter().bytes(1, 'otlp-empty-resp'));
    const req = new WireWriter().message(1, new WireWriter().message(2, new WireWriter().message(2, rec))).finish();
    const r = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/x-protobuf' }, body: req });
    expect(r.status).toBe(200);
    expect((await r.arrayBuffer()).byteLength).toBe(0);
    const bad = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'text/plain' }, body: 'x' });
    expect(bad.status).toBe(415);
  });

  it('answers 429 with Retry-After when ingest is overloaded', async () => {
    const ingest = app.ingest as unknown as { pending: number };
    ingest.pending = 1e12;
    try {
      const r = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]}]}' });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('1');
    } finally {
      ingest.pending = 0;
    }
  });
});
