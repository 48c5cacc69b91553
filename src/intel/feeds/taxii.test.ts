/**
 * The TAXII client against a small real HTTP server that serves the TAXII 2.1 data of the OASIS
 * reference server (cti-taxii-server default_data.json) with basic auth, paging and filters.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feed } from '../ports.js';
import { pullTaxii, TAXII_MEDIA_TYPE } from './taxii.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DATA = path.resolve(ROOT, '..', 'shared', 'data', 'ti', 'cti-taxii-server', 'default_data.json');

type Obj = Record<string, unknown>;
interface Collection extends Obj {
  id: string;
  can_read: boolean;
  objects: Obj[];
  manifest: Array<{ id: string; date_added: string; version: string }>;
}

describe('TAXII 2.1 client', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  const data = JSON.parse(readFileSync(DATA, 'utf8')) as Record<string, Obj>;
  const collections = (data.trustgroup1!.collections as Collection[]).map((c) => c);

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': TAXII_MEDIA_TYPE, ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Basic ${Buffer.from('user:pass').toString('base64')}`)
        return send(401, { title: 'unauthorized' });
      if (!String(req.headers.accept).includes('application/taxii+json'))
        return send(406, { title: 'not acceptable' });
      const url = new URL(req.url!, base);
      if (url.pathname === '/taxii2/')
        return send(200, {
          ...data['/discovery'],
          default: `${base}/trustgroup1/`,
          api_roots: [`${base}/trustgroup1/`],
        });
      if (url.pathname === '/trustgroup1/collections/')
        return send(200, { collections: collections.map(({ objects: _o, manifest: _m, ...c }) => c) });
      const m = /^\/trustgroup1\/collections\/([^/]+)\/objects\/$/.exec(url.pathname);
      const col = m && collections.find((c) => c.id === m[1]);
      if (!col) return send(404, { title: 'not found' });
      if (!col.can_read) return send(403, { title: 'forbidden' });
      const after = url.searchParams.get('added_after');
      const types = url.searchParams.get('match[type]')?.split(',');
      const added = new Map(col.manifest.map((x) => [`${x.id}@${x.version}`, x.date_added]));
      const rows = col.objects
        .map((o) => ({
          o,
          at: added.get(`${String(o.id)}@${String(o.modified ?? o.created)}`) ?? '1970-01-01T00:00:00Z',
        }))
        .filter((r) => !after || Date.parse(r.at) > Date.parse(after))
        .filter((r) => !types || types.includes(String(r.o.type)))
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      const start = Number(url.searchParams.get('next') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const page = rows.slice(start, start + limit);
      const more = start + limit < rows.length;
      if (page.length === 0) return send(200, {});
      return send(
        200,
        { more, ...(more ? { next: String(start + limit) } : {}), objects: page.map((r) => r.o) },
        { 'X-TAXII-Date-Added-First': page[0]!.at, 'X-TAXII-Date-Added-Last': page[page.length - 1]!.at },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const feed = (over: Partial<Feed> = {}, options: Feed['options'] = {}): Feed => ({
    id: 'f',
    tenant: 'default',
    name: 'taxii',
    kind: 'taxii',
    url: `${base}/taxii2/`,
    scheduleMinutes: 60,
    enabled: true,
    auth: { type: 'basic', username: 'user', secret: 'pass' },
    options: {
      collection: 'High Value Indicator Collection',
      limit: 2,
      match: { type: 'indicator,malware,relationship' },
      ...options,
    },
    health: { lastPullAt: null, lastSuccessAt: null, lastCount: 0, lastError: null, consecutiveFailures: 0 },
    etag: null,
    lastModified: null,
    cursor: null,
    createdBy: 't',
    createdAt: '2026-11-28T00:00:00Z',
    ...over,
  });
  const ctx = { tenant: 'default', source: 'taxii' };
  const fo = { fileRoots: [], attempts: 1 };

  it('walks discovery → API root → collection → paged objects with match filters, then pulls incrementally', async () => {
    requests.length = 0;
    const first = await pullTaxii(feed(), ctx, fo);
    const col = collections.find((c) => c.title === 'High Value Indicator Collection')!;
    const indicators = col.objects.filter((o) => o.type === 'indicator').length;
    expect(first.result.indicators).toHaveLength(indicators);
    expect(first.result.objects.map((o) => o.type).sort()).toEqual(
      col.objects
        .filter((o) => o.type === 'malware' || o.type === 'relationship')
        .map((o) => String(o.type))
        .sort(),
    );
    expect(first.result.objects.some((o) => o.type === 'marking-definition')).toBe(false); // filtered by match[type]
    expect(first.pages).toBeGreaterThan(1);
    expect(requests[0]).toBe('/taxii2/');
    expect(requests[1]).toBe('/trustgroup1/collections/');
    expect(requests[2]).toContain('match%5Btype%5D=indicator%2Cmalware%2Crelationship');
    expect(requests[3]).toContain('next=2');
    expect(first.cursor).toBe(
      col.manifest
        .map((m) => m.date_added)
        .sort()
        .at(-1),
    );
    requests.length = 0;
    const second = await pullTaxii(feed({ cursor: first.cursor }), ctx, fo);
    expect(requests[2]).toContain(`added_after=${encodeURIComponent(first.cursor!)}`);
    expect(second.result.indicators).toEqual([]);
    expect(second.cursor).toBe(first.cursor);
  });

  it('says why when credentials, collection or readability are wrong', async () => {
    await expect(
      pullTaxii(feed({ auth: { type: 'basic', username: 'user', secret: 'nope' } }), ctx, fo),
    ).rejects.toThrow('HTTP 401');
    await expect(pullTaxii(feed({}, { collection: 'nope' }), ctx, fo)).rejects.toThrow(
      /no collection nope; readable: /,
    );
    await expect(pullTaxii(feed({}, { collection: 'Secret Indicators' }), ctx, fo)).rejects.toThrow(
      'not readable',
    );
    await expect(pullTaxii(feed({}, { collection: undefined }), ctx, fo)).rejects.toThrow(
      'options.collection must name one of',
    );
  });
});
