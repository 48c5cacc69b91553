import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feed } from '../ports.js';
import { pullMispApi } from './misp-rest.js';

const KEY = 'misp-api-key-0123456789';

/** Attributes of a small MISP instance, as `/attributes/restSearch` returns them. */
const attribute = (n: number, over: Record<string, unknown> = {}) => ({
  id: String(n),
  event_id: n < 3 ? '11' : '12',
  uuid: `5f0c0c0c-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'ip-dst',
  category: 'Network activity',
  to_ids: true,
  value: `198.51.100.${n}`,
  timestamp: String(1_764_000_000 + n),
  comment: '',
  deleted: false,
  Event: {
    id: n < 3 ? '11' : '12',
    uuid: n < 3 ? 'a1a1a1a1-0000-4000-8000-000000000011' : 'a1a1a1a1-0000-4000-8000-000000000012',
    info: n < 3 ? 'Phishing wave' : 'C2 infrastructure',
    threat_level_id: '1',
  },
  Tag: [{ name: 'tlp:green' }],
  ...over,
});

const ATTRIBUTES = [
  attribute(1),
  attribute(2, { type: 'domain|ip', value: 'evil.example|203.0.113.2' }),
  attribute(3, { to_ids: false }),
  attribute(4, { type: 'sha256', value: 'A'.repeat(64) }),
  attribute(5, { type: 'url', value: 'https://evil.example/login?x=1' }),
  attribute(6, { type: 'text', value: 'just a note' }),
];

describe('MISP REST API client against a MISP-shaped HTTP server', () => {
  let server: Server;
  let base: string;
  const requests: Array<{ url: string; auth: string | undefined; body: Record<string, unknown> }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
        requests.push({ url: req.url ?? '', auth: req.headers.authorization, body });
        const reply = (status: number, doc: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(doc));
        };
        if (req.headers.authorization !== KEY)
          return reply(403, { name: 'Authentication failed.', message: 'Authentication failed.' });
        if (req.method !== 'POST') return reply(405, { message: 'POST only' });
        const limit = Number(body.limit);
        const page = Number(body.page);
        const since = Number(body.timestamp ?? 0);
        if (req.url === '/attributes/restSearch') {
          const all = ATTRIBUTES.filter((a) => Number(a.timestamp) >= since);
          return reply(200, { response: { Attribute: all.slice((page - 1) * limit, page * limit) } });
        }
        if (req.url === '/events/restSearch') {
          const ids = [...new Set(ATTRIBUTES.map((a) => a.Event.uuid))];
          const events = ids.map((uuid) => {
            const attrs = ATTRIBUTES.filter((a) => a.Event.uuid === uuid);
            return {
              Event: {
                ...attrs[0]!.Event,
                timestamp: attrs[attrs.length - 1]!.timestamp,
                Tag: [{ name: 'tlp:amber' }, { name: 'misp-galaxy:mitre-attack-pattern="Phishing - T1566"' }],
                Attribute: attrs.map((a) => ({ ...a, Event: undefined, Tag: undefined })),
              },
            };
          });
          return reply(200, { response: events.slice((page - 1) * limit, page * limit) });
        }
        reply(404, { message: 'not found' });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const feed = (over: Partial<Feed> = {}): Feed => ({
    id: 'feed-misp',
    tenant: 'default',
    name: 'misp',
    kind: 'misp-api',
    url: `${base}/`,
    scheduleMinutes: 0,
    enabled: true,
    auth: { type: 'header', header: 'authorization', secret: KEY },
    options: { limit: 2 },
    health: { lastPullAt: null, lastSuccessAt: null, lastCount: 0, lastError: null, consecutiveFailures: 0 },
    etag: null,
    lastModified: null,
    cursor: null,
    createdBy: 'admin',
    createdAt: '2026-11-28T00:00:00.000Z',
    ...over,
  });
  const ctx = { tenant: 'default', source: 'misp', feedId: 'feed-misp' };
  const fo = { fileRoots: [], attempts: 1 };

  it('pages attributes with the API key, keeps only to_ids ones, maps types and event context', async () => {
    requests.length = 0;
    const { result, cursor, pages } = await pullMispApi(feed(), ctx, fo);
    expect(pages).toBe(4);
    expect(requests.map((r) => [r.url, r.body.page, r.body.limit])).toEqual([
      ['/attributes/restSearch', 1, 2],
      ['/attributes/restSearch', 2, 2],
      ['/attributes/restSearch', 3, 2],
      ['/attributes/restSearch', 4, 2],
    ]);
    expect(requests.every((r) => r.auth === KEY)).toBe(true);
    expect(result.indicators.map((i) => [i.type, i.value])).toEqual([
      ['ipv4', '198.51.100.1'],
      ['domain', 'evil.example'],
      ['ipv4', '203.0.113.2'],
      ['sha256', 'a'.repeat(64)],
      ['url', 'evil.example/login?x=1'],
    ]);
    // attribute 3 lacks to_ids; attribute 6 is a type that is no indicator
    expect(result.skipped).toBe(2);
    expect(result.indicators[0]).toMatchObject({
      severity: 'high',
      tlp: 'green',
      name: 'Phishing wave',
      reference: 'misp-event:a1a1a1a1-0000-4000-8000-000000000011',
      externalId: ATTRIBUTES[0]!.uuid,
    });
    expect(result.objects.map((o) => [o.type, o.name])).toEqual([
      ['misp-event', 'Phishing wave'],
      ['misp-event', 'C2 infrastructure'],
    ]);
    expect(cursor).toBe(String(1_764_000_006));
  });

  it('asks only for what changed since the cursor on the next pull', async () => {
    requests.length = 0;
    const { result } = await pullMispApi(feed({ cursor: String(1_764_000_005) }), ctx, fo);
    expect(requests[0]!.body.timestamp).toBe('1764000005');
    expect(result.indicators.map((i) => i.value)).toEqual(['evil.example/login?x=1']);
  });

  it('reads whole events from /events/restSearch with their tags (TLP, ATT&CK)', async () => {
    const { result, cursor } = await pullMispApi(
      feed({ options: { mispScope: 'events', limit: 10 } }),
      ctx,
      fo,
    );
    expect(result.indicators).toHaveLength(5);
    expect(result.indicators.every((i) => i.tlp === 'amber' && i.attack?.includes('T1566'))).toBe(true);
    expect(cursor).toBe(String(1_764_000_006));
  });

  it('fails clearly with a wrong key or without one', async () => {
    await expect(pullMispApi(feed({ auth: { type: 'header', secret: 'wrong' } }), ctx, fo)).rejects.toThrow(
      /HTTP 403/,
    );
    await expect(pullMispApi(feed({ auth: { type: 'none' } }), ctx, fo)).rejects.toThrow(/API key/);
  });
});
