/**
 * Search end to end: events posted over HTTP to a real Vigil (SQLite in a temp dir, real sockets),
 * then searched with the query language: filters, CIDR, ranges, stats, timechart, validation, field
 * names, and tenant isolation (a reader of tenant B sees none of A's events, whatever the query).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../src/app.js';
import { bearer, startTestApp, tokenFor } from '../../src/test-support/app.js';

/** Replies are untyped JSON; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

describe('search over HTTP', () => {
  let app: VigilApp;
  let base: string;
  let readA: string;
  let readB: string;

  const post = async (url: string, tok: string, body: unknown) => {
    const r = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { ...bearer(tok), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Body };
  };
  const get = async (url: string, tok: string) => {
    const r = await fetch(`${base}${url}`, { headers: bearer(tok) });
    return { status: r.status, body: (await r.json()) as Body };
  };
  const search = (tok: string, q: string, extra: Record<string, unknown> = {}) =>
    post('/api/v1/search', tok, { q, limit: 1000, ...extra });

  beforeAll(async () => {
    app = await startTestApp();
    base = `http://127.0.0.1:${app.ports.http}`;
    const admin = await tokenFor(app, 'admin');
    for (const t of ['ta', 'tb'])
      expect((await post('/api/v1/tenants', admin, { id: t, name: t })).status).toBe(201);
    const ingestA = await tokenFor(app, 'ingest', 'ta');
    const ingestB = await tokenFor(app, 'ingest', 'tb');
    readA = await tokenFor(app, 'analyst', 'ta');
    readB = await tokenFor(app, 'analyst', 'tb');
    const events = Array.from({ length: 300 }, (_, i) => ({
      '@timestamp': new Date(T0 + i * 60_000).toISOString(),
      event: { category: ['authentication'], outcome: i % 4 === 0 ? 'failure' : 'success', severity: i % 10 },
      host: { name: `host-${i % 3}` },
      user: { name: i % 2 ? 'alice' : 'bob' },
      source: { ip: i % 2 ? `10.20.${i % 250}.7` : `172.16.0.${i % 250}` },
      message: `sshd login ${i}`,
    }));
    events.push({
      '@timestamp': new Date(T0).toISOString(),
      'host.name': 'flat-host',
      message: 'flat keys',
    } as never);
    const sent = await fetch(`${base}/api/v1/events`, {
      method: 'POST',
      headers: { ...bearer(ingestA), 'content-type': 'application/x-ndjson' },
      body: events.map((e) => JSON.stringify(e)).join('\n'),
    });
    expect(((await sent.json()) as { accepted: number }).accepted).toBe(301);
    const other = await post('/api/v1/events', ingestB, [
      {
        '@timestamp': new Date(T0).toISOString(),
        host: { name: 'host-0' },
        message: 'sshd tenant-b only',
        source: { ip: '10.20.0.7' },
      },
    ]);
    expect(other.body).toMatchObject({ accepted: 1 });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('keeps the contract shape of GET /api/v1/events/search, with the full language', async () => {
    const r = await get(
      `/api/v1/events/search?q=${encodeURIComponent('source.ip:10.0.0.0/8 AND event.severity>=5')}&limit=2`,
      readA,
    );
    expect(r.status).toBe(200);
    // Odd i have a 10.20.x.x source; of those, severities 5, 7 and 9.
    expect(r.body.total).toBe(90);
    expect(r.body.events).toHaveLength(2);
    expect(r.body.events[0]).toMatchObject({ organization: { id: 'ta' } });
    const bad = await get(`/api/v1/events/search?q=${encodeURIComponent('host.name:(')}`, readA);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'bad_request', details: { column: 11 } });
  });

  it('filters with ranges, CIDR, wildcards, NOT and time bounds', async () => {
    // alice has the odd i, whose severity in [2, 4] is only 3.
    expect((await search(readA, 'event.severity:[2 TO 4] user.name:ALICE')).body.total).toBe(30);
    expect((await search(readA, 'source.ip:172.16.0.0/12 -host.name:host-0')).body.total).toBe(100);
    expect((await search(readA, 'host.name:host-* OR host.name:flat*')).body.total).toBe(301);
    const window = await search(readA, 'sshd', {
      from: new Date(T0 + 60 * 60_000).toISOString(),
      to: new Date(T0 + 120 * 60_000).toISOString(),
    });
    expect(window.body).toMatchObject({ kind: 'events', total: 60 });
    expect(typeof window.body.took_ms).toBe('number');
    expect((await search(readA, 'host.name:flat-host')).body.total).toBe(1);
  });

  it('aggregates with stats, timechart, top', async () => {
    const s = await search(
      readA,
      'event.outcome:failure | stats count() as n, dc(user.name) as users, avg(event.severity) by host.name | sort -n',
    );
    expect(s.body).toMatchObject({
      kind: 'table',
      columns: ['host.name', 'n', 'users', 'avg(event.severity)'],
    });
    expect(s.body.rows.map((r: unknown[]) => r[1])).toEqual([25, 25, 25]);
    const t = await search(readA, 'host.name:host-1 | timechart span=1h count()');
    expect(t.body.columns).toEqual(['_time', 'count']);
    expect(t.body.rows).toEqual([
      ['2026-03-01T00:00:00.000Z', 20],
      ['2026-03-01T01:00:00.000Z', 20],
      ['2026-03-01T02:00:00.000Z', 20],
      ['2026-03-01T03:00:00.000Z', 20],
      ['2026-03-01T04:00:00.000Z', 20],
    ]);
    const top = await search(readA, '| top user.name 1');
    expect(top.body.rows).toEqual([['alice', 150, expect.closeTo(50, 5)]]);
  });

  it('keeps tenants apart whatever the query', async () => {
    for (const q of [
      '*',
      'sshd',
      'host.name:*',
      'source.ip:0.0.0.0/0',
      'organization.id:ta',
      '| stats count() by organization.id',
    ]) {
      const r = await search(readB, q);
      expect(r.status).toBe(200);
      if (r.body.kind === 'events') {
        expect(r.body.events.every((e: { organization: { id: string } }) => e.organization.id === 'tb')).toBe(
          true,
        );
        expect(r.body.total).toBeLessThanOrEqual(1);
      } else expect(r.body.rows).toEqual([['tb', 1]]);
    }
    expect((await search(readB, 'host.name:host-0')).body.total).toBe(1);
    expect((await search(readB, 'sshd', { tenant: 'ta' })).status).toBe(403);
    expect((await get('/api/v1/search/fields', readB)).body.fields).not.toContain('user.name');
  });

  it('validates queries for the UI and lists field names', async () => {
    expect((await post('/api/v1/search/validate', readA, { q: 'a:1 b | head 3' })).body).toEqual({
      ok: true,
      normalized: 'a:1 AND "b" | head 3',
    });
    expect((await post('/api/v1/search/validate', readA, { q: 'a:[1 TO' })).body).toMatchObject({
      ok: false,
      error: { column: 8, expected: 'a range bound' },
    });
    const f = await get('/api/v1/search/fields', readA);
    expect(f.body.fields).toEqual(
      expect.arrayContaining(['host.name', 'source.ip', 'event.severity', 'user.name']),
    );
  });

  it('converts a Sigma rule to a query, or says why not', async () => {
    const ok = await post('/api/v1/search/from-sigma', readA, {
      yaml: 'title: t\nlogsource: {product: linux}\ndetection:\n  sel: {CommandLine|contains: sshd}\n  condition: sel\n',
    });
    expect(ok.body).toMatchObject({ ok: true, query: 'process.command_line:*sshd*' });
    const no = await post('/api/v1/search/from-sigma', readA, {
      yaml: 'title: t\nlogsource: {product: linux}\ndetection:\n  sel: {CommandLine|re: x.y}\n  condition: sel\n',
    });
    expect(no.body).toMatchObject({ ok: false, reason: expect.stringContaining("'re'") });
  });

  it('pivots to the events around one event on the same host, in the caller tenant only', async () => {
    const first = await search(readA, 'host.name:host-1 | sort +@timestamp | head 1');
    const anchor = first.body.events[0];
    const id = anchor.event.id as string;
    const r = await get(
      `/api/v1/search/around?event_id=${encodeURIComponent(id)}&by=host&window_s=300`,
      readA,
    );
    expect(r.status).toBe(200);
    expect(r.body.query).toBe('host.name:"host-1"');
    // host-1 is every third minute: within ± 5 minutes of its first event, that one and the next.
    expect(r.body.events.every((e: Body) => e.host.name === 'host-1')).toBe(true);
    expect(r.body.total).toBe(2);
    expect((await get(`/api/v1/search/around?event_id=${encodeURIComponent(id)}`, readB)).status).toBe(404);
  });

  it('saves searches per user, shares them in the tenant, and audits every change', async () => {
    const other = await tokenFor(app, 'analyst', 'ta');
    const created = await post('/api/v1/saved-searches', readA, {
      name: 'failures',
      query: 'event.outcome:failure',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await post('/api/v1/saved-searches', readA, { name: 'bad', query: 'a:[1 TO' })).status).toBe(400);
    // Private: another user of the same tenant neither lists nor reads it; tenant B never does.
    expect((await get('/api/v1/saved-searches', other)).body.searches.map((s: Body) => s.id)).not.toContain(
      id,
    );
    expect((await get(`/api/v1/saved-searches/${id}`, readB)).status).toBe(404);
    const put = (tok: string, body: unknown) =>
      fetch(`${base}/api/v1/saved-searches/${id}`, {
        method: 'PUT',
        headers: { ...bearer(tok), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await put(readA, { name: 'failures', query: 'event.outcome:failure', shared: true })).status,
    ).toBe(200);
    expect((await get(`/api/v1/saved-searches/${id}`, other)).body.query).toBe('event.outcome:failure');
    // Shared is readable, not writable, by a non-owner analyst.
    expect((await put(other, { name: 'mine now', query: 'x' })).status).toBe(403);
    const del = await fetch(`${base}/api/v1/saved-searches/${id}`, {
      method: 'DELETE',
      headers: bearer(readA),
    });
    expect(del.status).toBe(200);
    const trail = await app.storage.audit.list({
      tenants: ['ta'],
      limit: 100,
      action: 'search.saved.update',
    });
    expect(trail.some((r) => r.target === id)).toBe(true);
  });

  it("audits every search for the auditor and keeps each user's history, newest first", async () => {
    const who = await tokenFor(app, 'analyst', 'ta');
    await search(who, 'user.name:alice');
    await search(who, 'host.name:host-1 | stats count()');
    expect((await search(who, 'a:[1 TO')).status).toBe(400);
    const h = await get('/api/v1/search/history?limit=10', who);
    expect(h.body.searches.map((x: Body) => x.query)).toEqual([
      'a:[1 TO',
      'host.name:host-1 | stats count()',
      'user.name:alice',
    ]);
    expect(h.body.searches[0].error).toMatch(/expected/);
    expect(h.body.searches[2].total).toBe(150);
    // Another user's history is their own.
    expect(
      (await get('/api/v1/search/history', readB)).body.searches.map((x: Body) => x.query),
    ).not.toContain('user.name:alice');
    const trail = await app.storage.audit.list({ tenants: ['ta'], limit: 1000, action: 'search.run' });
    const mine = trail.filter((r) => r.target === 'user.name:alice');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.at(-1)!.after).toMatchObject({ query: 'user.name:alice', total: 150, tenants: ['ta'] });
  });

  it('streams results as NDJSON page by page and as CSV with formulas defused', async () => {
    // 2,500 events, a thousand of them at the very same instant: paging must neither lose nor repeat one.
    const ingest = await tokenFor(app, 'ingest', 'ta');
    const at = (i: number) =>
      new Date(Date.parse('2026-04-01T00:00:00.000Z') + (i < 1000 ? 0 : i * 1000)).toISOString();
    const docs = Array.from({ length: 2500 }, (_, i) => ({
      '@timestamp': at(i),
      event: { id: `exp-${i}`, dataset: 'export.test' },
      host: { name: `exp-${i % 7}` },
      message: i === 3 ? '=HYPERLINK("http://evil.example","click")' : `line, "quoted" ${i}`,
    }));
    const sent = await post('/api/v1/events', ingest, docs);
    expect(sent.body.accepted).toBe(2500);
    const nd = await fetch(
      `${base}/api/v1/search/export?q=${encodeURIComponent('event.dataset:export.test')}&format=ndjson`,
      {
        headers: bearer(readA),
      },
    );
    expect(nd.status).toBe(200);
    expect(nd.headers.get('content-disposition')).toMatch(/attachment; filename="vigil-search-.*\.ndjson"/);
    const lines = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Body);
    expect(lines).toHaveLength(2500);
    expect(new Set(lines.map((l) => l.event.id)).size).toBe(2500);

    const csv = await fetch(
      `${base}/api/v1/search/export?q=${encodeURIComponent('event.dataset:export.test | fields event.id, message')}&format=csv&limit=2500`,
      { headers: bearer(readA) },
    );
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows[0]).toBe('event.id,message');
    expect(rows).toHaveLength(2501);
    expect(rows).toContain('exp-3,"\'=HYPERLINK(""http://evil.example"",""click"")"');
    expect(rows).toContain('exp-10,"line, ""quoted"" 10"');
    // Tenant B exports nothing of tenant A; the export is audited.
    const other = await fetch(
      `${base}/api/v1/search/export?q=${encodeURIComponent('event.dataset:export.test')}`,
      {
        headers: bearer(readB),
      },
    );
    expect((await other.text()).trim()).toBe('');
    const trail = await app.storage.audit.list({ limit: 1000, action: 'search.export' });
    expect(trail.length).toBeGreaterThanOrEqual(3);
    // A transforming query exports its table.
    const table = await fetch(
      `${base}/api/v1/search/export?q=${encodeURIComponent('event.dataset:export.test | stats count() by host.name')}&format=csv`,
      { headers: bearer(readA) },
    );
    const t = (await table.text()).trimEnd().split('\r\n');
    expect(t[0]).toBe('host.name,count');
    expect(t).toHaveLength(8);
  });
});
