import { gzipSync } from 'node:zlib';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import { bearer, startTestApp, tokenFor } from '../../test-support/app.js';
import { DEFAULT_ES_VERSION } from './elastic.js';

describe('Elasticsearch-compatible ingest', () => {
  let app: VigilApp;
  let ingestToken: string;
  let client: Client;
  let base: string;
  beforeAll(async () => {
    app = await startTestApp({ VIGIL_LOG_LEVEL: 'silent' });
    ingestToken = await tokenFor(app, 'ingest');
    base = `http://127.0.0.1:${app.ports.http}`;
    client = new Client({ node: base, auth: { apiKey: ingestToken } });
  });
  afterAll(async () => {
    await client.close();
    await app.close();
  });

  const search = (text: string[], tenants = ['default']) =>
    app.storage.events.search({ tenants, text, limit: 1000 });

  it('answers info() like Elasticsearch, with the product header the client insists on', async () => {
    const info = await client.info();
    expect(info.version.number).toBe(DEFAULT_ES_VERSION);
    expect(info.version.build_flavor).toBe('default');
    expect(info.tagline).toBe('You Know, for Search');
    const res = await fetch(base, { method: 'HEAD', headers: bearer(ingestToken) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    expect(await client.ping()).toBe(true);
  });

  it('stores every document of helpers.bulk, data-stream index names split into data_stream.*', async () => {
    const docs = Array.from({ length: 2500 }, (_, i) => ({
      '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      message: `helper-bulk doc ${i}`,
      host: { name: 'web-1' },
    }));
    const stats = await client.helpers.bulk({
      datasource: docs,
      onDocument: () => ({ create: { _index: 'logs-nginx.access-prod' } }),
      flushBytes: 100_000,
    });
    expect(stats.successful).toBe(2500);
    expect(stats.failed).toBe(0);
    const page = await search(['helper-bulk']);
    expect(page.total).toBe(2500);
    const e = page.events[0] as unknown as Record<string, Record<string, unknown>>;
    expect(e.data_stream).toEqual({ type: 'logs', dataset: 'nginx.access', namespace: 'prod' });
    expect(e.host!.name).toBe('web-1');
  });

  it('uses _id as event.id so a retried bulk stores nothing twice, and a plain index becomes labels.index', async () => {
    const operations = [
      { index: { _index: 'winlogbeat-9.4.0', _id: 'retry-1' } },
      { message: 'idempotent one' },
      { index: { _index: 'winlogbeat-9.4.0', _id: 'retry-2' } },
      { message: 'idempotent two' },
    ];
    const first = await client.bulk({ operations });
    const again = await client.bulk({ operations });
    expect(first.errors).toBe(false);
    expect(again.errors).toBe(false);
    expect(first.items.map((i) => [i.index?._id, i.index?.status, i.index?.result])).toEqual([
      ['retry-1', 201, 'created'],
      ['retry-2', 201, 'created'],
    ]);
    const page = await search(['idempotent']);
    expect(page.total).toBe(2);
    expect(page.events.map((e) => e.event.id).sort()).toEqual(['retry-1', 'retry-2']);
    expect((page.events[0] as unknown as { labels: { index: string } }).labels.index).toBe(
      'winlogbeat-9.4.0',
    );
  });

  it('answers bad source lines and delete/update per item, stores the rest, dead-letters the bad line', async () => {
    const body = [
      '{"index":{"_index":"app"}}',
      '{"message":"bulk-mixed good"}',
      '{"index":{"_index":"app"}}',
      '{"message": broken json',
      '{"delete":{"_index":"app","_id":"x"}}',
      '{"update":{"_index":"app","_id":"y"}}',
      '{"doc":{"a":1}}',
      '{"create":{}}',
      '{"message":"bulk-mixed second"}',
      '',
    ].join('\n');
    const res = await fetch(`${base}/app/_bulk`, {
      method: 'POST',
      headers: { ...bearer(ingestToken), 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as {
      errors: boolean;
      items: Array<
        Record<string, { status: number; _index: string; error?: { type: string; reason: string } }>
      >;
    };
    expect(out.errors).toBe(true);
    expect(out.items).toHaveLength(5);
    expect(out.items[0]!.index!.status).toBe(201);
    expect(out.items[1]!.index!.status).toBe(400);
    expect(out.items[1]!.index!.error!.type).toBe('document_parsing_exception');
    expect(out.items[2]!.delete!.status).toBe(400);
    expect(out.items[3]!.update!.status).toBe(400);
    expect(out.items[4]!.create!.status).toBe(201);
    expect(out.items[4]!.create!._index).toBe('app');
    expect((await search(['bulk-mixed'])).total).toBe(2);
    const dead = await app.storage.deadLetters.list(['default'], { limit: 100, input: 'elasticsearch' });
    expect(
      dead.some((d) => d.raw === '{"message": broken json' && /line 4: invalid JSON/.test(d.reason)),
    ).toBe(true);
  });

  it('accepts gzip bodies and the compatible-with=9 NDJSON content type (what Beats and the 9.x client send)', async () => {
    const body = gzipSync(
      Buffer.from(
        '{"create":{"_index":"filebeat-9.4.0"}}\n{"message":"gzipped beat line","agent":{"type":"filebeat"}}\n',
      ),
    );
    const res = await fetch(`${base}/_bulk`, {
      method: 'POST',
      headers: {
        ...bearer(ingestToken),
        'content-type': 'application/vnd.elasticsearch+x-ndjson; compatible-with=9',
        'content-encoding': 'gzip',
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errors: boolean }).errors).toBe(false);
    expect((await search(['gzipped beat line'])).total).toBe(1);
  });

  it('stores into the tenant of the ingest token', async () => {
    await app.auth.createTenant({ name: 'test', ip: null }, 'acme', 'Acme');
    const acmeToken = await tokenFor(app, 'ingest', 'acme');
    const acme = new Client({ node: base, auth: { bearer: acmeToken } });
    const r = await acme.bulk({ operations: [{ index: { _index: 'x' } }, { message: 'tenant-acme-bulk' }] });
    await acme.close();
    expect(r.errors).toBe(false);
    expect((await search(['tenant-acme-bulk'], ['acme'])).total).toBe(1);
    expect((await search(['tenant-acme-bulk'], ['default'])).total).toBe(0);
  });

  it('answers the start-up calls of Beats and Logstash as no-ops', async () => {
    const h = { ...bearer(ingestToken), 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: string) => {
      const r = await fetch(`${base}${path}`, { method, headers: h, ...(body ? { body } : {}) });
      expect(r.headers.get('x-elastic-product'), path).toBe('Elasticsearch');
      return r;
    };
    const lic = (await (await call('GET', '/_license?human=false')).json()) as {
      license: { status: string; type: string };
    };
    expect(lic.license).toMatchObject({ status: 'active', type: 'basic' });
    expect(
      ((await (await call('GET', '/_xpack')).json()) as { features: { ilm: { enabled: boolean } } }).features
        .ilm.enabled,
    ).toBe(true);
    for (const p of [
      '/_index_template/filebeat-9.4.0',
      '/_template/logstash',
      '/_ilm/policy/filebeat',
      '/_ingest/pipeline/filebeat-9.4.0-system-auth',
    ]) {
      // Stored resources: absent until PUT (so shippers install them), then returned as stored.
      expect((await call('GET', p)).status, p).toBe(404);
      expect(
        ((await (await call('PUT', p, '{"x":1}')).json()) as { acknowledged: boolean }).acknowledged,
        p,
      ).toBe(true);
      expect((await call('GET', p)).status, p).toBe(200);
      expect((await call('HEAD', p)).status, p).toBe(200);
    }
    expect((await call('GET', '/_data_stream/filebeat-9.4.0')).status).toBe(200);
    expect((await call('HEAD', '/logstash')).status).toBe(200);
    expect((await call('GET', '/_cluster/health')).status).toBe(200);
    expect(await (await call('GET', '/_cat/health?format=json')).json()).toMatchObject([{ status: 'green' }]);
  });

  it('stores an ingest pipeline and runs it on bulk documents (grok, date, set, rename, on_failure, drop, script refused)', async () => {
    await client.ingest.putPipeline({
      id: 'vigil-test-auth',
      processors: [
        {
          grok: {
            field: 'message',
            patterns: [
              '%{SYSLOGTIMESTAMP:ts} %{SYSLOGHOST:host.name} %{SYSLOGPROG}: Failed password for %{USERNAME:user.name} from %{IP:source.ip} port %{POSINT:source.port:int}',
            ],
          },
        },
        {
          date: {
            field: 'ts',
            formats: ['MMM  d HH:mm:ss', 'MMM d HH:mm:ss', 'MMM dd HH:mm:ss'],
            timezone: 'UTC',
          },
        },
        { remove: { field: 'ts' } },
        { rename: { field: 'program', target_field: 'process.name' } },
        { set: { field: 'event.outcome', value: 'failure', if: 'ctx.user?.name != null' } },
        { drop: { if: "ctx.user?.name == 'ignored'" } },
      ],
      on_failure: [{ set: { field: 'error.message', value: '{{ _ingest.on_failure_message }}' } }],
    });
    const got = await client.ingest.getPipeline({ id: 'vigil-test-auth' });
    expect(got['vigil-test-auth']!.processors).toHaveLength(6);
    await client.ingest.putPipeline({
      id: 'vigil-test-script',
      processors: [{ script: { source: 'ctx.x = 1' } }],
    });
    const r = await client.bulk({
      pipeline: 'vigil-test-auth',
      operations: [
        { create: { _index: 'logs-system.auth-default' } },
        { message: 'Mar  3 10:11:12 web-9 sshd[42]: Failed password for alice from 10.1.2.3 port 5022' },
        { create: { _index: 'logs-system.auth-default' } },
        { message: 'Mar  3 10:11:13 web-9 sshd[42]: Failed password for ignored from 10.1.2.3 port 5022' },
        { create: { _index: 'logs-system.auth-default' } },
        { message: 'pipeline-unparsable line' },
        { create: { _index: 'logs-x-default', pipeline: 'vigil-test-script' } },
        { message: 'pipeline-script line' },
        { create: { _index: 'logs-x-default', pipeline: 'vigil-test-missing' } },
        { message: 'pipeline-missing line' },
      ],
    });
    expect(r.items.map((i) => [i.create?.status, i.create?.result ?? i.create?.error?.type])).toEqual([
      [201, 'created'],
      [200, 'noop'],
      [201, 'created'],
      [400, 'illegal_argument_exception'],
      [400, 'illegal_argument_exception'],
    ]);
    expect(r.items[3]!.create!.error!.reason).toMatch(/script processors are not supported/);
    expect(r.items[4]!.create!.error!.reason).toMatch(
      /pipeline with id \[vigil-test-missing\] does not exist/,
    );
    const alice = (await search(['alice'])).events[0] as unknown as Record<string, Record<string, unknown>>;
    expect(alice.user!.name).toBe('alice');
    expect(alice.source).toMatchObject({ ip: '10.1.2.3', port: 5022 });
    expect(alice.process!.name).toBe('sshd');
    expect(alice.event!.outcome).toBe('failure');
    expect(alice['@timestamp'] as unknown as string).toMatch(/-03-03T10:11:12\.000Z$/);
    expect((await search(['ignored'])).total).toBe(0);
    const bad = (await search(['pipeline-unparsable'])).events[0] as unknown as Record<
      string,
      Record<string, unknown>
    >;
    expect(String(bad.error!.message)).toMatch(/Provided Grok expressions do not match/);
    const dead = await app.storage.deadLetters.list(['default'], { limit: 100, input: 'elasticsearch' });
    expect(
      dead.some(
        (d) => /pipeline-script line/.test(d.raw) && /script processors are not supported/.test(d.reason),
      ),
    ).toBe(true);
  });

  it('runs the index template default_pipeline when the bulk names none', async () => {
    await client.ingest.putPipeline({
      id: 'vigil-default',
      processors: [
        { uppercase: { field: 'tag' } },
        { kv: { field: 'kvs', field_split: ' ', value_split: '=', target_field: 'kv' } },
      ],
    });
    await client.indices.putIndexTemplate({
      name: 'vigil-tpl',
      index_patterns: ['tpl-*'],
      priority: 5,
      template: { settings: { index: { default_pipeline: 'vigil-default' } } },
    });
    const r = await client.bulk({
      operations: [
        { index: { _index: 'tpl-a' } },
        { message: 'template-default line', tag: 'abc', kvs: 'a=1 b=2' },
      ],
    });
    expect(r.errors).toBe(false);
    const e = (await search(['template-default'])).events[0] as unknown as Record<string, unknown>;
    expect(e.tag).toBe('ABC');
    expect(e.kv).toEqual({ a: '1', b: '2' });
  });

  it("keeps per-index settings: their default_pipeline runs over the template's, and reroute follows the target", async () => {
    await client.ingest.putPipeline({
      id: 'own-default',
      processors: [{ set: { field: 'via', value: 'own' } }],
    });
    await client.ingest.putPipeline({
      id: 'router',
      processors: [
        { reroute: { destination: 'own-routed', if: "ctx.kind == 'fw'" } },
        { set: { field: 'via', value: 'router' } },
      ],
    });
    await client.ingest.putPipeline({
      id: 'routed-default',
      processors: [{ set: { field: 'landed', value: true } }],
    });
    // The template names one pipeline; the index's own setting wins.
    await client.indices.putIndexTemplate({
      name: 'own-tpl',
      index_patterns: ['own-*'],
      template: { settings: { index: { default_pipeline: 'vigil-default-missing' } } },
    });
    expect(
      (
        await client.indices.putSettings({
          index: 'own-a',
          settings: { index: { default_pipeline: 'own-default' } },
        })
      ).acknowledged,
    ).toBe(true);
    await client.indices.create({
      index: 'own-b',
      settings: { 'index.default_pipeline': 'router', number_of_shards: 1 },
    });
    await client.indices.putSettings({
      index: 'own-routed',
      settings: { default_pipeline: 'routed-default' },
    });
    const got = await client.indices.getSettings({ index: 'own-a' });
    expect(got['own-a']!.settings!.index!.default_pipeline).toBe('own-default');
    const flat = (await client.indices.getSettings({ index: 'own-b', flat_settings: true })) as Record<
      string,
      { settings: Record<string, unknown> }
    >;
    expect(flat['own-b']!.settings['index.number_of_shards']).toBe('1');

    const r = await client.bulk({
      operations: [
        { index: { _index: 'own-a' } },
        { message: 'own-settings a-line' },
        { index: { _index: 'own-b' } },
        { message: 'own-settings fw-line', kind: 'fw' },
        { index: { _index: 'own-b' } },
        { message: 'own-settings web-line', kind: 'web' },
      ],
    });
    expect(r.errors).toBe(false);
    const byMessage = new Map(
      (await search(['own-settings'])).events.map((e) => [
        String((e as unknown as { message: string }).message),
        e as unknown as Record<string, unknown>,
      ]),
    );
    expect(byMessage.get('own-settings a-line')!.via).toBe('own');
    expect(byMessage.get('own-settings fw-line')).toMatchObject({ landed: true });
    expect(byMessage.get('own-settings fw-line')!.via).toBeUndefined();
    expect(byMessage.get('own-settings web-line')!.via).toBe('router');

    // null resets the setting: the template's (missing) pipeline applies again and the item fails.
    // (the client's types have no null here; Elasticsearch accepts it to reset a setting)
    await client.indices.putSettings({
      index: 'own-a',
      settings: { index: { default_pipeline: null as unknown as string } },
    });
    const again = await client.bulk({
      operations: [{ index: { _index: 'own-a' } }, { message: 'own-settings reset' }],
    });
    expect(again.errors).toBe(true);
    expect(String(again.items[0]!.index!.error!.reason)).toMatch(/vigil-default-missing/);
    const refused = await fetch(`${base}/own-a/_settings`, {
      method: 'PUT',
      headers: { ...bearer(ingestToken), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(400);
  });

  it('keeps the auth hook: no token is 401, still marked as Elasticsearch', async () => {
    const r = await fetch(`${base}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"index":{}}\n{}\n',
    });
    expect(r.status).toBe(401);
    expect(r.headers.get('x-elastic-product')).toBe('Elasticsearch');
  });
});
