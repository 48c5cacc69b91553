import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { startTestApp, tokenFor } from '../../test-support/app.js';

interface SplunkLoggerCtor {
  new (config: { token: string; url: string; maxBatchCount?: number }): {
    send(context: { message: unknown; severity?: string; metadata?: Record<string, unknown> }, cb?: (err: Error | null, resp: { statusCode: number } | undefined, body: unknown) => void): void;
    flush(cb?: (err: Error | null, resp: { statusCode: number } | undefined, body: unknown) => void): void;
    error: (err: unknown) => void;
  };
}
const { Logger: SplunkLogger } = createRequire(import.meta.url)('splunk-logging') as { Logger: SplunkLoggerCtor };

describe('Splunk HEC ingest', () => {
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
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}, tok = token) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Splunk ${tok}`, ...headers }, body });

  it('stores what splunk-logging sends (JSON labelled x-www-form-urlencoded, to /services/collector/event/1.0)', async () => {
    const logger = new SplunkLogger({ token, url: base, maxBatchCount: 0 });
    logger.error = () => undefined;
    const t = 1767225600.25; // 2026-01-01T00:00:00.250Z
    logger.send({ message: 'splunk-logging first', severity: 'warn', metadata: { host: 'web-7', source: '/var/log/app.log', sourcetype: 'app:log', index: 'main', time: t } });
    logger.send({ message: { text: 'splunk-logging second', user: { name: 'alice' } }, metadata: { source: 'billing-service' } });
    const resp = await new Promise<{ status: number | undefined; body: unknown }>((resolve) => logger.flush((_e, r, b) => resolve({ status: r?.statusCode, body: b })));
    expect(resp.status).toBe(200);
    expect(resp.body).toEqual({ text: 'Success', code: 0 });
    const first = (await search(['splunk-logging first'])).events[0] as unknown as Record<string, Record<string, unknown>>;
    expect(first['@timestamp']).toBe('2026-01-01T00:00:00.250Z');
    expect(first.host!.name).toBe('web-7');
    expect((first.log!.file as { path: string }).path).toBe('/var/log/app.log');
    expect(first.event!.dataset).toBe('app:log');
    expect(first.labels!.index).toBe('main');
    // splunk-logging's default formatter wraps the text as {message, severity}.
    expect(first.message).toBe('splunk-logging first');
    const second = (await search(['splunk-logging second'])).events[0] as unknown as Record<string, Record<string, unknown>>;
    expect(second.message).toEqual({ text: 'splunk-logging second', user: { name: 'alice' } });
    expect(second.event!.provider).toBe('billing-service');
  });

  it('splits concatenated objects with and without whitespace, braces inside strings included', async () => {
    const body = '{"event":"hec-split a {not a brace}","fields":{"env":"prod"}}{"event":{"message":"hec-split b \\"}{\\"","n":1},"time":"1767225601"}\n\n  {"event":"hec-split c","host":"h3"}';
    const r = await post('/services/collector', body, { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ text: 'Success', code: 0 });
    const page = await search(['hec-split']);
    expect(page.total).toBe(3);
    const byMsg = new Map(page.events.map((e) => [e.message as string, e as unknown as Record<string, Record<string, unknown>>]));
    expect(byMsg.get('hec-split a {not a brace}')!.labels!.env).toBe('prod');
    expect(byMsg.get('hec-split b "}{"')!['@timestamp']).toBe('2026-01-01T00:00:01.000Z');
    expect(byMsg.get('hec-split c')!.host!.name).toBe('h3');
  });

  it('stores the valid events, dead-letters the bad one and reports its number with code 6', async () => {
    const body = '{"event":"hec-bad ok 0"} {"event": nope} {"event":"hec-bad ok 2"} {"time":1}';
    const r = await post('/services/collector/event', gzipSync(body), { 'content-encoding': 'gzip' });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ text: 'Invalid data format', code: 6, 'invalid-event-number': 1 });
    expect((await search(['hec-bad'])).total).toBe(2);
    const dead = await app.storage.deadLetters.list(['default'], { limit: 100, input: 'splunk-hec' });
    expect(dead.some((d) => d.raw === '{"event": nope}')).toBe(true);
    expect(dead.some((d) => d.raw === '{"time":1}' && /Event field is required/.test(d.reason))).toBe(true);
  });

  it('ignores the content type, even when there is none', async () => {
    const r = await fetch(`${base}/services/collector/event`, { method: 'POST', headers: { authorization: `Splunk ${token}` }, body: new TextEncoder().encode('{"event":"hec-no-ctype"}') });
    expect(r.status).toBe(200);
    const form = await post('/services/collector/event', '{"event":"hec-form-ctype"}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(200);
    expect((await search(['hec-no-ctype'])).total).toBe(1);
    expect((await search(['hec-form-ctype'])).total).toBe(1);
  });

  it('answers authentication failures in HEC terms', async () => {
    const missing = await fetch(`${base}/services/collector/event`, { method: 'POST', body: '{"event":"x"}' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ text: 'Token is required', code: 2 });
    const wrong = await post('/services/collector/event', '{"event":"x"}', {}, 'vgl_not-a-real-token');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ text: 'Invalid token', code: 4 });
  });

  it('answers No data for an empty body', async () => {
    const r = await post('/services/collector/event', '  \n');
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ text: 'No data', code: 5 });
  });

  it('takes raw lines with metadata from the query and the channel header', async () => {
    const r = await post('/services/collector/raw?host=fw1&sourcetype=syslog', 'hec-raw line one\r\nhec-raw line two\n', {
      'x-splunk-request-channel': '11111111-2222-3333-4444-555555555555', 'content-type': 'text/plain',
    });
    expect(r.status).toBe(200);
    const page = await search(['hec-raw']);
    expect(page.total).toBe(2);
    const e = page.events[0] as unknown as Record<string, Record<string, unknown>>;
    expect(e.host!.name).toBe('fw1');
    expect(e.event!.dataset).toBe('syslog');
    expect(e.labels!.splunk_channel).toBe('11111111-2222-3333-4444-555555555555');
  });

  it('stores into the tenant of the token and answers health without one', async () => {
    await app.auth.createTenant({ name: 'test', ip: null }, 'globex', 'Globex');
    const other = await tokenFor(app, 'ingest', 'globex');
    expect((await post('/services/collector/event', '{"event":"hec-tenant globex"}', {}, other)).status).toBe(200);
    expect((await search(['hec-tenant'], ['globex'])).total).toBe(1);
    expect((await search(['hec-tenant'], ['default'])).total).toBe(0);
    const health = await fetch(`${base}/services/collector/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ text: 'HEC is healthy', code: 17 });
  });

  it('answers 503 Server is busy with Retry-After when ingest is overloaded', async () => {
    const ingest = app.ingest as unknown as { pending: number };
    ingest.pending = 1e12;
    try {
      const r = await post('/services/collector/event', '{"event":"hec-busy"}');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(await r.json()).toEqual({ text: 'Server is busy', code: 9 });
    } finally {
      ingest.pending = 0;
    }
  });
});
