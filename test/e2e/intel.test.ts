/**
 * Threat intelligence end to end on a real Vigil (SQLite in a temp dir, real sockets): a CSV feed
 * pulled from a real HTTP server, a STIX bundle imported, events posted over HTTP, indicator
 * detections stored and listed, a retro-hunt over history, tenants kept apart.
 * Needs `startIntel` in app.ts's capability list.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { startTestApp, tokenFor } from '../../src/test-support/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked field by field
type Json = any;

async function until<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('threat intel: feeds → indicators → live matches and retro-hunts, over real HTTP', () => {
  let app: VigilApp;
  let base: string;
  let feedServer: Server;
  let feedUrl: string;
  const tok: Record<string, string> = {};

  const call = async (
    token: string,
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  };
  const detectionsOf = async (token: string, ruleId: string) =>
    (await call(token, 'GET', `/api/v1/detections?rule=${encodeURIComponent(ruleId)}`)).json as {
      total: number;
      detections: Array<{
        kind: string;
        eventIds: string[];
        details: Record<string, unknown>;
        level: string;
      }>;
    };

  beforeAll(async () => {
    feedServer = createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer feed-token') return void res.writeHead(401).end();
      if (req.url === '/advisories.rss') {
        if (req.headers['if-none-match'] === '"rss-1"') return void res.writeHead(304).end();
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"rss-1"' });
        return void res.end(
          `<?xml version="1.0"?><rss version="2.0"><channel><title>CERT</title><item><title>Exploited CVE-2026-4242</title>` +
            `<link>https://cert.example/a/1</link><guid>a1</guid><pubDate>Wed, 25 Nov 2026 08:00:00 GMT</pubDate>` +
            `<description>C2 server at 198.51.100.200 and beacon[.]evil-rss[.]example</description></item></channel></rss>`,
        );
      }
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end('# c2 list\nfirst_seen,dst_ip,port\n2026-11-27,192.0.2.66,443\n2026-11-27,192.0.2.67,8443\n');
    });
    await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', r));
    feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/c2.csv`;
    app = await startTestApp();
    base = `http://127.0.0.1:${app.ports.http}`;
    await app.auth.createTenant({ name: 'test', ip: null }, 'acme', 'Acme');
    tok.manager = await tokenFor(app, 'manager');
    tok.analyst = await tokenFor(app, 'analyst');
    tok.acme = await tokenFor(app, 'analyst', 'acme');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => feedServer?.close(r));
  });

  it('pulls an RSS advisory feed: reports with their CVEs, and the indicators written in them, linked', async () => {
    const feed = await call(tok.manager!, 'POST', '/api/v1/intel/feeds', {
      name: 'cert-advisories',
      kind: 'rss',
      url: feedUrl.replace('/c2.csv', '/advisories.rss'),
      auth: { type: 'bearer', secret: 'feed-token' },
      options: { confidence: 40 },
    });
    expect(feed.status).toBe(200);
    const pulled = await call(tok.manager!, 'POST', `/api/v1/intel/feeds/${feed.json.id as string}/pull`);
    expect(pulled.json).toMatchObject({ status: 'ok', indicators: 2 });
    const reports = (await call(tok.analyst!, 'GET', '/api/v1/intel/objects?type=report')).json
      .objects as Json[];
    const report = reports.find((o) => o.name === 'Exploited CVE-2026-4242')!;
    expect(report.doc).toMatchObject({
      x_vigil_cves: ['CVE-2026-4242'],
      published: '2026-11-25T08:00:00.000Z',
    });
    const ind = (
      await call(tok.analyst!, 'GET', '/api/v1/intel/indicators?type=domain&value=beacon.evil-rss.example')
    ).json;
    expect(ind.total).toBe(1);
    expect(ind.indicators[0].tags).toEqual(
      expect.arrayContaining(['report:Exploited CVE-2026-4242', 'cve:CVE-2026-4242']),
    );
    // Unchanged feed: the conditional request answers 304 and nothing is re-imported.
    const again = await call(tok.manager!, 'POST', `/api/v1/intel/feeds/${feed.json.id as string}/pull`);
    expect(again.json.status).toBe('not-modified');
  });

  it('pulls a CSV feed with auth, matches posted events and stores indicator detections', async () => {
    const feed = await call(tok.manager!, 'POST', '/api/v1/intel/feeds', {
      name: 'c2-list',
      kind: 'csv',
      url: feedUrl,
      auth: { type: 'bearer', secret: 'feed-token' },
      options: { column: 'dst_ip', severity: 'high', confidence: 80 },
    });
    expect(feed.status).toBe(200);
    const pulled = await call(tok.manager!, 'POST', `/api/v1/intel/feeds/${feed.json.id as string}/pull`);
    expect(pulled.json).toMatchObject({ status: 'ok', inserted: 2, health: { lastCount: 2 } });
    const found = await call(tok.analyst!, 'GET', '/api/v1/intel/indicators?type=ipv4&value=192.0.2.66');
    expect(found.json.total).toBe(1);
    const id = found.json.indicators[0].id as string;
    const posted = await call(tok.manager!, 'POST', '/api/v1/events', [
      {
        '@timestamp': new Date().toISOString(),
        event: { id: 'e2e-intel-1' },
        source: { ip: '10.1.1.1' },
        destination: { ip: '192.0.2.66', port: 443 },
      },
    ]);
    expect(posted.json).toMatchObject({ accepted: 1 });
    const d = await until(async () => {
      const r = await detectionsOf(tok.analyst!, `intel:${id}`);
      return r.total > 0 ? r : undefined;
    });
    expect(d.detections[0]).toMatchObject({
      kind: 'indicator',
      level: 'high',
      eventIds: ['e2e-intel-1'],
      details: {
        matched: { field: 'destination.ip', value: '192.0.2.66' },
        indicator: { sources: ['c2-list'] },
      },
    });
    // Another tenant sees neither the indicator nor the detection.
    expect((await call(tok.acme!, 'GET', '/api/v1/intel/indicators')).json.total).toBe(0);
    expect((await detectionsOf(tok.acme!, `intel:${id}`)).total).toBe(0);
  });

  it('imports a STIX bundle and retro-hunts events stored before it', async () => {
    const posted = await call(tok.manager!, 'POST', '/api/v1/events', [
      {
        '@timestamp': new Date(Date.now() - 3_600_000).toISOString(),
        event: { id: 'e2e-intel-old' },
        dns: { question: { name: 'stage2.example' } },
      },
    ]);
    expect(posted.json).toMatchObject({ accepted: 1 });
    const bundle = {
      type: 'bundle',
      id: 'bundle--e2e',
      objects: [
        {
          type: 'indicator',
          spec_version: '2.1',
          id: 'indicator--e2e',
          pattern: "[domain-name:value = 'stage2.example']",
          pattern_type: 'stix',
          valid_from: '2026-01-01T00:00:00Z',
        },
      ],
    };
    const r = await call(tok.manager!, 'POST', '/api/v1/intel/import?format=stix&source=e2e-bundle', bundle);
    expect(r.json).toMatchObject({ indicators: 1, inserted: 1 });
    expect(r.json.hunts).toHaveLength(1);
    const hunt = await until(async () => {
      const h = await call(tok.analyst!, 'GET', `/api/v1/intel/hunts/${r.json.hunts[0] as string}`);
      return h.json.status === 'done' ? h.json : undefined;
    });
    expect(hunt).toMatchObject({ hits: 1 });
    const ind = await call(tok.analyst!, 'GET', '/api/v1/intel/indicators?type=stix');
    const d = await until(async () => {
      const x = await detectionsOf(tok.analyst!, `intel:${ind.json.indicators[0].id as string}`);
      return x.total > 0 ? x : undefined;
    });
    expect(d.detections[0]!.eventIds).toEqual(['e2e-intel-old']);
  });

  /** Posts events in one batch and waits until the control event's detection is stored. */
  const postAndWaitFor = async (events: unknown[], controlRule: string) => {
    const posted = await call(tok.manager!, 'POST', '/api/v1/events', events);
    expect(posted.json).toMatchObject({ accepted: events.length });
    return until(async () => {
      const r = await detectionsOf(tok.analyst!, controlRule);
      return r.total > 0 ? r : undefined;
    });
  };
  const addIndicators = async (indicators: unknown[], token = tok.manager!) => {
    const r = await call(token, 'POST', '/api/v1/intel/indicators', { indicators });
    expect(r.status).toBe(200);
    return r.json as { inserted: number; warned: number };
  };
  const idOf = async (type: string, value: string, token = tok.analyst!): Promise<string> =>
    (
      await call(
        token,
        'GET',
        `/api/v1/intel/indicators?type=${type}&value=${encodeURIComponent(value)}&includeExpired=true`,
      )
    ).json.indicators[0].id as string;

  it('false-positive marks lower confidence and, at the third, stop the indicator matching', async () => {
    await addIndicators([
      { type: 'domain', value: 'fp.example', confidence: 90, severity: 'high' },
      { type: 'domain', value: 'tp.example', confidence: 90, severity: 'high' },
    ]);
    const fp = await idOf('domain', 'fp.example');
    const tp = await idOf('domain', 'tp.example');
    const noNote = await call(tok.analyst!, 'POST', `/api/v1/intel/indicators/${fp}/sightings`, {
      kind: 'false-positive',
    });
    expect(noNote.status).toBe(400);
    const marks = [];
    for (let i = 0; i < 3; i++)
      marks.push(
        await call(tok.analyst!, 'POST', `/api/v1/intel/indicators/${fp}/sightings`, {
          kind: 'false-positive',
          note: 'our own CDN',
        }),
      );
    expect(marks.map((m) => m.json.confidence)).toEqual([70, 50, 30]);
    expect(marks[1]!.json.validUntil).toBeNull();
    expect(marks[2]!.json).toMatchObject({ falsePositives: 3 });
    expect(Date.parse(marks[2]!.json.validUntil as string)).toBeLessThanOrEqual(Date.now());
    await postAndWaitFor(
      [
        {
          '@timestamp': new Date().toISOString(),
          event: { id: 'e2e-fp-1' },
          dns: { question: { name: 'fp.example' } },
        },
        {
          '@timestamp': new Date().toISOString(),
          event: { id: 'e2e-tp-1' },
          dns: { question: { name: 'tp.example' } },
        },
      ],
      `intel:${tp}`,
    );
    expect((await detectionsOf(tok.analyst!, `intel:${fp}`)).total).toBe(0);
    const sightings = await until(async () => {
      const r = await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${tp}/sightings`);
      return r.json.sightings.length > 0 ? r.json.sightings : undefined;
    });
    expect(sightings[0]).toMatchObject({ kind: 'match', source: 'live', count: 1, eventId: 'e2e-tp-1' });
    const fpList = (await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${fp}/sightings`)).json
      .sightings;
    expect(fpList.map((x: Json) => [x.kind, x.note, x.source])).toEqual(
      Array(3).fill(['false-positive', 'our own CDN', 'analyst:token:t-analyst']),
    );
  });

  it('closing an indicator alert as a false positive is a false-positive sighting; a true positive confirms', async () => {
    await addIndicators([
      { type: 'domain', value: 'verdict-fp.example', confidence: 90, severity: 'high' },
      { type: 'domain', value: 'verdict-tp.example', confidence: 90, severity: 'high' },
    ]);
    const fp = await idOf('domain', 'verdict-fp.example');
    const tp = await idOf('domain', 'verdict-tp.example');
    const now = new Date().toISOString();
    await postAndWaitFor(
      [
        { '@timestamp': now, event: { id: 'e2e-vfp-1' }, dns: { question: { name: 'verdict-fp.example' } } },
        { '@timestamp': now, event: { id: 'e2e-vtp-1' }, dns: { question: { name: 'verdict-tp.example' } } },
      ],
      `intel:${tp}`,
    );
    const alertOf = (id: string) =>
      until(async () => {
        const r = await call(tok.analyst!, 'GET', `/api/v1/alerts?rule=${encodeURIComponent(`intel:${id}`)}`);
        return (r.json.alerts as Json[])[0] as { id: string } | undefined;
      });
    const fpAlert = await alertOf(fp);
    const tpAlert = await alertOf(tp);
    const closed = await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${fpAlert.id}`, {
      status: 'closed',
      verdict: 'false_positive',
    });
    expect(closed.status).toBe(200);
    await call(tok.analyst!, 'PATCH', `/api/v1/alerts/${tpAlert.id}`, {
      status: 'closed',
      verdict: 'true_positive',
    });
    const lowered = await until(async () => {
      const r = await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${fp}`);
      return r.json.falsePositives === 1 ? r.json : undefined;
    });
    expect(lowered.confidence).toBe(70);
    const fpSightings = (await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${fp}/sightings`)).json
      .sightings as Json[];
    expect(fpSightings.find((x) => x.kind === 'false-positive')).toMatchObject({
      source: 'analyst:token:t-analyst',
      note: expect.stringContaining(fpAlert.id),
    });
    const confirmed = await until(async () => {
      const r = await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${tp}/sightings`);
      return (r.json.sightings as Json[]).find((x) => x.kind === 'true-positive');
    });
    expect(confirmed).toMatchObject({ source: 'analyst:token:t-analyst' });
    expect((await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${tp}`)).json.confidence).toBe(90);
  });

  it('flags (not drops) indicators on an allowlist, and suppresses hits on listed values with the reason', async () => {
    const bad = await call(tok.manager!, 'POST', '/api/v1/intel/warninglists?kind=allowlist', {
      name: 'ours',
      description: 'x',
      version: 1,
      type: 'cidr',
      list: ['not-a-net'],
    });
    expect(bad.status).toBe(400);
    const global = await call(tok.manager!, 'POST', '/api/v1/intel/warninglists?kind=warninglist', {
      name: 'g',
      description: 'x',
      version: 1,
      type: 'string',
      list: ['x'],
    });
    expect(global.status).toBe(403);
    for (const list of [
      {
        name: 'partner CDN',
        description: 'hosts we trust',
        version: 1,
        type: 'hostname',
        list: ['cdn.partner.example'],
      },
      {
        name: 'our resolvers',
        description: 'internal DNS',
        version: 1,
        type: 'cidr',
        list: ['203.0.113.53/32'],
      },
    ]) {
      const r = await call(tok.manager!, 'POST', '/api/v1/intel/warninglists?kind=allowlist', list);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ kind: 'allowlist', tenant: 'default', entryCount: 1 });
    }
    const added = await addIndicators([
      { type: 'domain', value: 'img.cdn.partner.example', severity: 'high' },
      { type: 'cidr', value: '203.0.113.0/24', severity: 'high' },
      { type: 'domain', value: 'control.example', severity: 'high' },
    ]);
    expect(added).toMatchObject({ inserted: 3, warned: 1 });
    const flagged = await call(
      tok.analyst!,
      'GET',
      '/api/v1/intel/indicators?type=domain&value=img.cdn.partner.example',
    );
    expect(flagged.json.indicators[0].warning).toEqual({
      list: 'partner CDN',
      kind: 'allowlist',
      reason: 'img.cdn.partner.example is under cdn.partner.example',
    });
    const cidr = await idOf('cidr', '203.0.113.0/24');
    const now = new Date().toISOString();
    await postAndWaitFor(
      [
        {
          '@timestamp': now,
          event: { id: 'e2e-wl-1' },
          dns: { question: { name: 'img.cdn.partner.example' } },
        },
        { '@timestamp': now, event: { id: 'e2e-wl-2' }, destination: { ip: '203.0.113.53' } },
        { '@timestamp': now, event: { id: 'e2e-wl-3' }, destination: { ip: '203.0.113.54' } },
        { '@timestamp': now, event: { id: 'e2e-wl-4' }, dns: { question: { name: 'control.example' } } },
      ],
      `intel:${await idOf('domain', 'control.example')}`,
    );
    const d = await until(async () => {
      const r = await detectionsOf(tok.analyst!, `intel:${cidr}`);
      return r.total > 0 ? r : undefined;
    });
    expect(d.detections.map((x) => x.eventIds)).toEqual([['e2e-wl-3']]);
    expect((await detectionsOf(tok.analyst!, `intel:${flagged.json.indicators[0].id as string}`)).total).toBe(
      0,
    );
    const s = await until(async () => {
      const r = await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${cidr}/sightings`);
      return r.json.sightings.length >= 2 ? r.json.sightings : undefined;
    });
    expect(s.find((x: Json) => x.kind === 'suppressed')).toMatchObject({
      eventId: 'e2e-wl-2',
      note: 'allowlist our resolvers: 203.0.113.53 is in 203.0.113.53/32',
    });
    // Other tenants are not affected by this tenant's allowlist.
    expect((await call(tok.acme!, 'GET', '/api/v1/intel/warninglists')).json.lists).toEqual([]);
  });

  it('flags stored indicators when a list arrives and frees them when it goes', async () => {
    await addIndicators([{ type: 'domain', value: 'late.example', severity: 'high' }]);
    const id = await idOf('domain', 'late.example');
    const put = await call(tok.manager!, 'POST', '/api/v1/intel/warninglists?kind=allowlist', {
      name: 'late',
      description: 'x',
      version: 1,
      type: 'string',
      list: ['late.example'],
      matching_attributes: ['domain'],
    });
    expect(put.status).toBe(200);
    expect((await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${id}`)).json.warning).toMatchObject({
      list: 'late',
      kind: 'allowlist',
    });
    const del = await call(tok.manager!, 'DELETE', `/api/v1/intel/warninglists/${put.json.id as string}`);
    expect(del.status).toBe(200);
    expect((await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${id}`)).json.warning).toBeNull();
    await postAndWaitFor(
      [
        {
          '@timestamp': new Date().toISOString(),
          event: { id: 'e2e-late-1' },
          dns: { question: { name: 'late.example' } },
        },
      ],
      `intel:${id}`,
    );
  });

  it('serves indicators over TAXII 2.1, which another tenant pulls with our own TAXII client; TLP:RED never leaves', async () => {
    await addIndicators([
      { type: 'domain', value: 'shared-green.example', tlp: 'green' },
      { type: 'domain', value: 'secret-red.example', tlp: 'red' },
    ]);
    const taxii = async (
      token: string | undefined,
      url: string,
      accept = 'application/taxii+json;version=2.1',
    ) => {
      const res = await fetch(`${base}${url}`, {
        headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        headers: res.headers,
        json: (await res.json()) as Json,
      };
    };
    const disc = await taxii(tok.analyst, '/taxii2/');
    expect(disc.status).toBe(200);
    expect(disc.type).toBe('application/taxii+json;version=2.1');
    expect(disc.json.api_roots).toEqual([`${base}/taxii2/default/`]);
    expect((await taxii(tok.analyst, '/taxii2/', 'application/json')).status).toBe(406);
    const anon = await taxii(undefined, '/taxii2/');
    expect(anon.status).toBe(401);
    expect(anon.json).toMatchObject({ http_status: '401' });
    expect((await taxii(tok.acme, '/taxii2/default/')).status).toBe(404);
    const cols = (await taxii(tok.analyst, '/taxii2/default/collections/')).json.collections;
    expect(cols.map((c: Json) => [c.title, c.can_write])).toEqual([
      ['Vigil indicators (default)', true],
      ['Vigil sightings (default)', false],
    ]);
    expect(cols[0]).toMatchObject({
      can_read: true,
      can_write: true,
      media_types: ['application/stix+json;version=2.1'],
    });
    const objs = `/taxii2/default/collections/${cols[0].id as string}/objects/`;
    const all = await taxii(tok.analyst, objs);
    const patterns = all.json.objects.map((o: Json) => o.pattern as string);
    expect(patterns).toContain("[domain-name:value = 'shared-green.example']");
    expect(patterns.join()).not.toContain('secret-red.example');
    expect(all.headers.get('x-taxii-date-added-last')).toBeTruthy();
    // paging: one at a time through `next`, the same objects in the same order
    const paged: string[] = [];
    let next: string | undefined;
    do {
      const p = await taxii(tok.analyst, `${objs}?limit=1${next ? `&next=${next}` : ''}`);
      paged.push(...p.json.objects.map((o: Json) => o.id as string));
      next = p.json.more ? (p.json.next as string) : undefined;
    } while (next);
    expect(paged).toEqual(all.json.objects.map((o: Json) => o.id));
    const one = all.json.objects.find(
      (o: Json) => o.pattern === "[domain-name:value = 'shared-green.example']",
    );
    const byId = await taxii(tok.analyst, `${objs}?match[id]=${one.id as string}`);
    expect(byId.json.objects.map((o: Json) => o.id)).toEqual([one.id]);
    expect((await taxii(tok.analyst, `${objs}?match[type]=malware`)).json).toEqual({ more: false });
    const after = await taxii(
      tok.analyst,
      `${objs}?added_after=${encodeURIComponent(one.modified as string)}`,
    );
    expect((after.json.objects ?? []).map((o: Json) => o.id)).not.toContain(one.id);
    const manifest = await taxii(
      tok.analyst,
      `/taxii2/default/collections/${cols[0].id as string}/manifest/`,
    );
    expect(manifest.json.objects.find((m: Json) => m.id === one.id)).toMatchObject({ version: one.modified });
    expect((await taxii(tok.analyst, `${objs}${one.id as string}/versions/`)).json.versions).toEqual([
      one.modified,
    ]);
    // A change consumers see makes a new version; the old one stays reachable.
    await addIndicators([
      { type: 'domain', value: 'shared-green.example', tlp: 'green', description: 'now with context' },
    ]);
    const versions = (await taxii(tok.analyst, `${objs}${one.id as string}/versions/`)).json
      .versions as string[];
    expect(versions).toHaveLength(2);
    expect(versions[0]).toBe(one.modified);
    expect(versions[1]! > versions[0]!).toBe(true);
    const latest = (await taxii(tok.analyst, `${objs}${one.id as string}/`)).json.objects;
    expect(latest.map((o: Json) => [o.modified, o.description])).toEqual([[versions[1], 'now with context']]);
    const first = await taxii(tok.analyst, `${objs}${one.id as string}/?match[version]=first`);
    expect(first.json.objects.map((o: Json) => [o.modified, o.description])).toEqual([
      [one.modified, undefined],
    ]);
    const both = await taxii(tok.analyst, `${objs}?match[id]=${one.id as string}&match[version]=all`);
    expect(both.json.objects.map((o: Json) => o.modified)).toEqual(versions);
    const exact = await taxii(
      tok.analyst,
      `${objs}?match[id]=${one.id as string}&match[version]=${encodeURIComponent(versions[0]!)}`,
    );
    expect(exact.json.objects.map((o: Json) => o.modified)).toEqual([versions[0]]);
    // the default (latest) listing moved the object to the end of the collection: added later
    const relisted = (await taxii(tok.analyst, objs)).json.objects as Json[];
    expect(relisted.filter((o) => o.id === one.id).map((o) => o.modified)).toEqual([versions[1]]);
    expect(relisted[relisted.length - 1]!.id).toBe(one.id);
    // Deleting a past version takes it out of the history only; the indicator stays.
    const del = await fetch(
      `${base}${objs}${one.id as string}/?match[version]=${encodeURIComponent(versions[0]!)}`,
      {
        method: 'DELETE',
        headers: { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${tok.analyst!}` },
      },
    );
    expect(del.status).toBe(200);
    expect((await taxii(tok.analyst, `${objs}${one.id as string}/versions/`)).json.versions).toEqual([
      versions[1],
    ]);
    expect((await taxii(tok.analyst, `${objs}${one.id as string}/`)).json.objects).toHaveLength(1);
    expect((await taxii(tok.analyst, `${objs}indicator--00000000-0000-5000-8000-000000000000/`)).status).toBe(
      404,
    );
    // sightings: their own read-only collection, pointing at the indicators' STIX ids
    const sObjs = `/taxii2/default/collections/${cols[1].id as string}/objects/`;
    const sightings = (await taxii(tok.analyst, sObjs)).json.objects as Json[];
    const tpStix = all.json.objects.find((o: Json) => o.pattern === "[domain-name:value = 'tp.example']");
    expect(sightings.find((x) => x.sighting_of_ref === tpStix.id)).toMatchObject({
      type: 'sighting',
      x_vigil_kind: 'match',
      count: 1,
    });
    expect(sightings.every((x) => x.x_vigil_kind !== 'suppressed')).toBe(true);
    expect((await taxii(tok.analyst, `${sObjs}?match[type]=indicator`)).json).toEqual({ more: false });
    // write: an investigator may read but not add; an analyst adds an envelope
    const inv = await tokenFor(app, 'investigator');
    const post = (token: string, body: unknown) =>
      fetch(`${base}${objs}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/taxii+json;version=2.1',
          'content-type': 'application/taxii+json;version=2.1',
        },
        body: JSON.stringify(body),
      });
    const envelope = {
      objects: [
        {
          type: 'indicator',
          spec_version: '2.1',
          id: 'indicator--0b5e7d0c-1111-4c6f-8f6e-3c8f0f3f0a01',
          created: '2026-11-01T00:00:00.000Z',
          modified: '2026-11-01T00:00:00.000Z',
          pattern: "[domain-name:value = 'taxii-added.example']",
          pattern_type: 'stix',
          valid_from: '2026-11-01T00:00:00Z',
        },
      ],
    };
    expect((await post(inv, envelope)).status).toBe(403);
    const added = await post(tok.analyst!, envelope);
    expect(added.status).toBe(202);
    const status = (await added.json()) as Json;
    expect(status).toMatchObject({ status: 'complete', total_count: 1, success_count: 1, failure_count: 0 });
    expect((await taxii(tok.analyst, `/taxii2/default/status/${status.id as string}/`)).json.id).toBe(
      status.id,
    );

    // Another tenant pulls the collection with Vigil's TAXII client, authenticated with a token of ours.
    const feed = await call(tok.acme!, 'POST', '/api/v1/intel/feeds', {
      name: 'default-over-taxii',
      kind: 'taxii',
      url: `${base}/taxii2/`,
      auth: { type: 'bearer', secret: tok.analyst },
      options: { limit: 2, collection: cols[0].id },
    });
    expect(feed.status).toBe(200);
    const pulled = await call(tok.acme!, 'POST', `/api/v1/intel/feeds/${feed.json.id as string}/pull`);
    expect(pulled.json).toMatchObject({ status: 'ok' });
    expect(pulled.json.indicators).toBe(all.json.objects.length + 1);
    const got = await call(tok.acme!, 'GET', '/api/v1/intel/indicators?limit=1000');
    const values = got.json.indicators.map((i: Json) => i.value as string).join('\n');
    expect(values).toContain('shared-green.example');
    expect(values).toContain('taxii-added.example');
    expect(values).not.toContain('secret-red.example');
  });

  it('deletes an object over TAXII 2.1: the indicator is gone and stops matching; a reader may not delete', async () => {
    await addIndicators([{ type: 'domain', value: 'taxii-delete.example', tlp: 'green', confidence: 90 }]);
    const id = await idOf('domain', 'taxii-delete.example');
    const req = async (token: string, method: string, url: string) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${token}` },
      });
      const text = await res.text();
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        json: text ? (JSON.parse(text) as Json) : undefined,
      };
    };
    const cols = (await req(tok.analyst!, 'GET', '/taxii2/default/collections/')).json.collections as Json[];
    const objs = `/taxii2/default/collections/${cols[0].id as string}/objects/`;
    const listed = (await req(tok.analyst!, 'GET', `${objs}?match[type]=indicator&limit=1000`)).json
      .objects as Json[];
    const obj = listed.find((o) => o.pattern === "[domain-name:value = 'taxii-delete.example']")!;
    expect(obj).toBeDefined();
    const auditor = await tokenFor(app, 'auditor');
    expect((await req(auditor, 'DELETE', `${objs}${obj.id as string}/`)).status).toBe(403);
    expect(
      (
        await req(
          tok.analyst!,
          'DELETE',
          `/taxii2/default/collections/${cols[1].id as string}/objects/${obj.id as string}/`,
        )
      ).status,
    ).toBe(403);
    const del = await req(tok.analyst!, 'DELETE', `${objs}${obj.id as string}/`);
    expect(del.status).toBe(200);
    expect(del.type).toBe('application/taxii+json;version=2.1');
    const gone = await req(tok.analyst!, 'GET', `${objs}${obj.id as string}/`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ http_status: '404' });
    expect((await req(tok.analyst!, 'DELETE', `${objs}${obj.id as string}/`)).status).toBe(404);
    expect((await call(tok.analyst!, 'GET', `/api/v1/intel/indicators/${id}`)).status).toBe(404);
    // It no longer matches: an event with the value raises nothing for it.
    await addIndicators([{ type: 'domain', value: 'taxii-control.example', confidence: 90 }]);
    const control = await idOf('domain', 'taxii-control.example');
    await postAndWaitFor(
      [
        {
          '@timestamp': new Date().toISOString(),
          event: { id: 'e2e-taxii-del-1' },
          dns: { question: { name: 'taxii-delete.example' } },
        },
        {
          '@timestamp': new Date().toISOString(),
          event: { id: 'e2e-taxii-del-2' },
          dns: { question: { name: 'taxii-control.example' } },
        },
      ],
      `intel:${control}`,
    );
    expect((await detectionsOf(tok.analyst!, `intel:${id}`)).total).toBe(0);
    const trail = await app.storage.audit.list({ limit: 1000, action: 'intel.indicator.delete' });
    expect(trail.map((r) => r.target)).toContain(id);
  });

  it('exports as CSV, STIX and a MISP feed that a MISP feed of another tenant pulls; TLP:RED never leaves', async () => {
    const csv = await fetch(`${base}/api/v1/intel/export?format=csv`, {
      headers: { authorization: `Bearer ${tok.analyst!}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    expect(text).toContain('shared-green.example');
    expect(text).not.toContain('secret-red.example');
    const stix = await call(tok.analyst!, 'GET', '/api/v1/intel/export?format=stix');
    expect(stix.json.type).toBe('bundle');
    expect(JSON.stringify(stix.json)).not.toContain('secret-red.example');
    const feed = await call(tok.acme!, 'POST', '/api/v1/intel/feeds', {
      name: 'default-as-misp',
      kind: 'misp',
      url: `${base}/api/v1/intel/misp-feed/`,
      auth: { type: 'bearer', secret: tok.analyst },
    });
    const pulled = await call(tok.acme!, 'POST', `/api/v1/intel/feeds/${feed.json.id as string}/pull`);
    expect(pulled.json).toMatchObject({ status: 'ok' });
    expect(pulled.json.indicators).toBeGreaterThan(3);
    const got = await call(tok.acme!, 'GET', '/api/v1/intel/indicators?type=domain&value=tp.example');
    expect(got.json.indicators[0]).toMatchObject({ sources: ['default-as-misp'] });
    expect(
      (await call(tok.acme!, 'GET', '/api/v1/intel/indicators?type=domain&value=secret-red.example')).json
        .total,
    ).toBe(0);
  });
});
