import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indicatorId } from '../../intel/indicator.js';
import type { LiveIndicator } from '../../intel/ports.js';
import { openDatabase, type Db } from './db.js';
import { SqliteIntelStore } from './intel.js';

describe('SqliteIntelStore', () => {
  let db: Db;
  let store: SqliteIntelStore;
  beforeEach(() => {
    db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-intel-')), 'vigil.db'));
    store = new SqliteIntelStore(db);
  });
  afterEach(() => db.close());

  it('applies its migrations once and records them', () => {
    const v = db.prepare('SELECT version FROM schema_migrations WHERE version BETWEEN 500 AND 599').all();
    expect(v).toEqual([{ version: 500 }]);
  });

  it('merges one IOC reported by two sources: provenance per source, highest confidence and severity, widened times', async () => {
    const base = { tenant: 'default', type: 'ipv4' as const, value: '203.0.113.7' };
    const a = await store.upsertIndicators(
      [
        {
          ...base,
          source: 'feed-a',
          confidence: 40,
          severity: 'low',
          lastSeen: '2026-11-02T00:00:00.000Z',
          tags: ['c2'],
        },
      ],
      new Date('2026-11-02T00:00:00Z'),
    );
    expect(a).toMatchObject({ inserted: 1, updated: 0 });
    expect(a.newIds).toEqual([indicatorId('default', 'ipv4', '203.0.113.7')]);
    const b = await store.upsertIndicators([
      {
        ...base,
        source: 'feed-b',
        confidence: 80,
        severity: 'high',
        firstSeen: '2026-10-01T00:00:00.000Z',
        lastSeen: '2026-11-05T00:00:00.000Z',
        tags: ['botnet'],
        attack: ['T1071'],
      },
      { ...base, source: 'feed-a', confidence: 30, lastSeen: '2026-11-06T00:00:00.000Z', externalId: 'x-1' },
    ]);
    expect(b).toMatchObject({ inserted: 0, updated: 2, newIds: [] });
    const ind = await store.getIndicator(['default'], a.ids[0]!);
    expect(ind).toMatchObject({
      confidence: 80,
      severity: 'high',
      firstSeen: '2026-10-01T00:00:00.000Z',
      lastSeen: '2026-11-06T00:00:00.000Z',
      sources: ['feed-a', 'feed-b'],
      tags: ['c2', 'botnet'],
      attack: ['T1071'],
    });
    expect(ind!.provenance.map((p) => [p.source, p.externalId ?? null, p.confidence])).toEqual([
      ['feed-b', null, 80],
      ['feed-a', 'x-1', 30],
    ]);
  });

  it('keeps tenants apart and shows global indicators to every tenant', async () => {
    await store.upsertIndicators([
      { tenant: 'acme', type: 'domain', value: 'evil.example', source: 's' },
      { tenant: '*', type: 'domain', value: 'global.example', source: 's' },
    ]);
    const d = await store.searchIndicators(['default'], { limit: 10 });
    expect(d.indicators.map((i) => i.value)).toEqual(['global.example']);
    const a = await store.searchIndicators(['acme'], { limit: 10, type: 'domain' });
    expect(a.total).toBe(2);
    expect(
      await store.getIndicator(['default'], indicatorId('acme', 'domain', 'evil.example')),
    ).toBeUndefined();
  });

  it('expires: an expired indicator leaves the live set and default searches', async () => {
    const now = new Date();
    const { ids } = await store.upsertIndicators([
      { tenant: 'default', type: 'md5', value: 'a'.repeat(32), source: 's' },
      {
        tenant: 'default',
        type: 'md5',
        value: 'b'.repeat(32),
        source: 's',
        validUntil: new Date(now.getTime() - 1000).toISOString(),
      },
    ]);
    const live = async () => {
      const rows: LiveIndicator[] = [];
      await store.forEachLive(new Date(), (r) => rows.push(r));
      return rows.map((r) => r.value);
    };
    expect(await live()).toEqual(['a'.repeat(32)]);
    await store.expireIndicator(['default'], ids[0]!, new Date());
    expect(await live()).toEqual([]);
    expect((await store.searchIndicators(['default'], { limit: 10 })).total).toBe(0);
    expect((await store.searchIndicators(['default'], { limit: 10, includeExpired: true })).total).toBe(2);
    expect(await store.expireIndicator(['acme'], ids[1]!, new Date())).toBeUndefined();
  });

  it('stores feeds with health and context objects (newer versions win)', async () => {
    await store.createFeed({
      id: 'f1',
      tenant: 'default',
      name: 'abuse',
      kind: 'csv',
      url: 'https://x.example/list.csv',
      scheduleMinutes: 60,
      enabled: true,
      auth: { type: 'bearer', secret: 's3cret' },
      options: { column: 1 },
      health: {
        lastPullAt: null,
        lastSuccessAt: null,
        lastCount: 0,
        lastError: null,
        consecutiveFailures: 0,
      },
      etag: null,
      lastModified: null,
      cursor: null,
      createdBy: 'admin',
      createdAt: new Date().toISOString(),
    });
    await store.updateFeed('f1', {
      health: {
        lastPullAt: 'T',
        lastSuccessAt: null,
        lastCount: 0,
        lastError: 'HTTP 500',
        consecutiveFailures: 1,
      },
      etag: '"e1"',
    });
    expect(await store.getFeed('f1')).toMatchObject({
      etag: '"e1"',
      health: { lastError: 'HTTP 500' },
      auth: { secret: 's3cret' },
    });
    const obj = (modified: string, name: string) => ({
      id: 'malware--1',
      tenant: 'default',
      type: 'malware',
      name,
      feedId: 'f1',
      modified,
      doc: {},
    });
    await store.putObjects([obj('2026-01-02T00:00:00Z', 'new')]);
    await store.putObjects([obj('2026-01-01T00:00:00Z', 'old')]);
    expect((await store.listObjects(['default'], { limit: 5 })).map((o) => o.name)).toEqual(['new']);
  });
});
