/**
 * The intel store contract: what every IntelStore adapter (SQLite, PostgreSQL) must do, run by each
 * adapter's test file with its own `open`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indicatorId } from './indicator.js';
import type { IntelStore, LiveIndicator, Sighting, Warninglist } from './ports.js';

export interface IntelStoreHandle {
  store: IntelStore;
  close(): Promise<void>;
}

export function describeIntelStoreContract(name: string, open: () => Promise<IntelStoreHandle>): void {
  describe(`intel store contract: ${name}`, () => {
    let h: IntelStoreHandle;
    let store: IntelStore;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(() => h.close());

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
        {
          ...base,
          source: 'feed-a',
          confidence: 30,
          lastSeen: '2026-11-06T00:00:00.000Z',
          externalId: 'x-1',
        },
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
      const any = await store.searchIndicators(['acme'], {
        limit: 10,
        values: ['nothing.example', 'global.example', 'evil.example'],
      });
      expect(any.indicators.map((i) => i.value).sort()).toEqual(['evil.example', 'global.example']);
      expect((await store.searchIndicators(['acme'], { limit: 10, values: [] })).total).toBe(0);
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
      // Deleting: only the owning tenant, and the change mark moves so other nodes rebuild.
      const mark = await store.changeMark();
      expect(await store.deleteIndicator('acme', ids[1]!)).toBe(false);
      expect(await store.deleteIndicator('default', ids[1]!)).toBe(true);
      expect(await store.deleteIndicator('default', ids[1]!)).toBe(false);
      expect(await store.getIndicator(['default'], ids[1]!)).toBeUndefined();
      expect(await store.changeMark()).not.toBe(mark);
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

    it('false-positive sightings lower confidence for good (a re-report does not undo them) and expire at the limit', async () => {
      const { ids } = await store.upsertIndicators([
        { tenant: 'default', type: 'domain', value: 'cdn.example', source: 'feed-a', confidence: 90 },
      ]);
      const id = ids[0]!;
      const policy = { falsePositivePenalty: 25, expireAfterFalsePositives: 3 };
      const sighting = (n: number, kind: Sighting['kind'], at: string): Sighting => ({
        id: `s${n}`,
        tenant: 'default',
        indicatorId: id,
        kind,
        count: kind === 'match' ? 4 : 1,
        source: kind === 'match' ? 'live' : 'analyst:ann',
        note: kind === 'false-positive' ? 'CDN shared by everyone' : null,
        eventId: null,
        at,
      });
      const m = await store.addSighting(sighting(1, 'match', '2026-11-20T00:00:00.000Z'), policy);
      expect(m).toMatchObject({ sightings: 4, falsePositives: 0, confidence: 90 });
      const fp1 = await store.addSighting(sighting(2, 'false-positive', '2026-11-21T00:00:00.000Z'), policy);
      expect(fp1).toMatchObject({ falsePositives: 1, confidence: 65, validUntil: null });
      // The same sighting again (a redelivered verdict) changes nothing.
      const again = await store.addSighting(
        sighting(2, 'false-positive', '2026-11-21T00:00:00.000Z'),
        policy,
      );
      expect(again).toMatchObject({ falsePositives: 1, confidence: 65 });
      await store.upsertIndicators([
        { tenant: 'default', type: 'domain', value: 'cdn.example', source: 'feed-b', confidence: 95 },
      ]);
      expect(await store.getIndicator(['default'], id)).toMatchObject({
        confidence: 70,
        sources: ['feed-a', 'feed-b'],
      });
      await store.addSighting(sighting(3, 'false-positive', '2026-11-22T00:00:00.000Z'), policy);
      const fp3 = await store.addSighting(sighting(4, 'false-positive', '2026-11-23T00:00:00.000Z'), policy);
      expect(fp3).toMatchObject({
        falsePositives: 3,
        confidence: 20,
        validUntil: '2026-11-23T00:00:00.000Z',
      });
      const live: string[] = [];
      await store.forEachLive(new Date('2026-11-24T00:00:00Z'), (r) => live.push(r.id));
      expect(live).not.toContain(id);
      const list = await store.listSightings(['default'], id, 10);
      expect(list.map((x) => [x.id, x.kind])).toEqual([
        ['s4', 'false-positive'],
        ['s3', 'false-positive'],
        ['s2', 'false-positive'],
        ['s1', 'match'],
      ]);
      expect(list[0]!.note).toBe('CDN shared by everyone');
      expect(await store.listSightings(['acme'], id, 10)).toEqual([]);
      const shared = await store.pageSightings(['default'], { tlps: ['amber'], limit: 3 });
      expect(shared.map((x) => x.id)).toEqual(['s1', 's2', 's3']);
      const rest = await store.pageSightings(['default'], {
        tlps: ['amber'],
        limit: 3,
        after: { at: shared[2]!.at, id: shared[2]!.id },
      });
      expect(rest.map((x) => x.id)).toEqual(['s4']);
      expect(await store.pageSightings(['default'], { tlps: ['green'], limit: 10 })).toEqual([]);
      expect(await store.pageSightings(['acme'], { tlps: ['amber'], limit: 10 })).toEqual([]);
      expect(
        await store.addSighting(
          { ...sighting(5, 'match', '2026-11-23T00:00:00.000Z'), indicatorId: 'nope' },
          policy,
        ),
      ).toBeUndefined();
    });

    it('keeps warned indicators (shown, flagged) out of the live set; a later report without a warning clears it', async () => {
      const warning = { list: 'rfc1918', kind: 'warninglist' as const, reason: '10.1.2.3 is in 10.0.0.0/8' };
      const { ids } = await store.upsertIndicators([
        { tenant: 'default', type: 'ipv4', value: '10.1.2.3', source: 's', warning },
        { tenant: 'default', type: 'ipv4', value: '198.51.100.1', source: 's' },
      ]);
      const live = async () => {
        const rows: string[] = [];
        await store.forEachLive(new Date(), (r) => rows.push(r.value));
        return rows;
      };
      expect(await live()).toEqual(['198.51.100.1']);
      expect(await store.getIndicator(['default'], ids[0]!)).toMatchObject({ warning });
      await store.upsertIndicators([{ tenant: 'default', type: 'ipv4', value: '10.1.2.3', source: 's2' }]);
      expect((await store.getIndicator(['default'], ids[0]!))!.warning).toEqual(warning);
      await store.upsertIndicators([
        { tenant: 'default', type: 'ipv4', value: '10.1.2.3', source: 's2', warning: null },
      ]);
      expect((await live()).sort()).toEqual(['10.1.2.3', '198.51.100.1']);
    });

    it('sets warnings on stored indicators and clears those of one list, per tenant for a tenant list', async () => {
      const at = new Date('2026-11-10T00:00:00Z');
      const { ids } = await store.upsertIndicators([
        { tenant: 'acme', type: 'domain', value: 'x.example', source: 's' },
        { tenant: 'other', type: 'domain', value: 'x.example', source: 's' },
        { tenant: 'acme', type: 'domain', value: 'y.example', source: 's' },
      ]);
      const ours = { list: 'ours', kind: 'allowlist' as const, reason: 'x.example is listed' };
      expect(
        await store.setWarnings(
          [
            { id: ids[0]!, warning: ours },
            { id: ids[1]!, warning: ours },
            { id: ids[2]!, warning: { ...ours, list: 'other list' } },
          ],
          at,
        ),
      ).toBe(3);
      expect(await store.getIndicator(['acme'], ids[0]!)).toMatchObject({
        warning: ours,
        updatedAt: at.toISOString(),
      });
      expect(await store.clearWarnings({ name: 'ours', kind: 'allowlist', tenant: 'acme' }, at)).toEqual([
        ids[0],
      ]);
      expect((await store.getIndicator(['acme'], ids[0]!))!.warning).toBeNull();
      expect((await store.getIndicator(['other'], ids[1]!))!.warning).toEqual(ours);
      expect((await store.getIndicator(['acme'], ids[2]!))!.warning).toMatchObject({ list: 'other list' });
      expect(
        (await store.clearWarnings({ name: 'ours', kind: 'allowlist', tenant: '*' }, at)).sort(),
      ).toEqual([ids[1]]);
      expect(await store.clearWarnings({ name: 'ours', kind: 'warninglist', tenant: '*' }, at)).toEqual([]);
    });

    it('pages indicators oldest change first with a tie-breaking cursor, by TLP, type and id', async () => {
      const at = (d: number) => new Date(Date.UTC(2026, 10, d));
      await store.upsertIndicators(
        [
          { tenant: 'default', type: 'domain', value: 'a.example', source: 's', tlp: 'green' },
          { tenant: 'default', type: 'domain', value: 'b.example', source: 's', tlp: 'red' },
          { tenant: '*', type: 'md5', value: 'c'.repeat(32), source: 's', tlp: 'clear' },
        ],
        at(1),
      );
      await store.upsertIndicators(
        [{ tenant: 'default', type: 'ipv4', value: '192.0.2.9', source: 's', tlp: 'amber' }],
        at(2),
      );
      await store.upsertIndicators(
        [{ tenant: 'acme', type: 'ipv4', value: '192.0.2.10', source: 's' }],
        at(2),
      );
      const tlps = ['clear', 'green', 'amber'] as const;
      const p1 = await store.pageIndicators(['default'], { tlps: [...tlps], limit: 2 });
      // both changed at the same instant: the id breaks the tie, the red one is not served
      const sameInstant = [
        { id: indicatorId('default', 'domain', 'a.example'), value: 'a.example' },
        { id: indicatorId('*', 'md5', 'c'.repeat(32)), value: 'c'.repeat(32) },
      ].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(p1.map((i) => i.value)).toEqual(sameInstant.map((x) => x.value));
      const last = p1[1]!;
      const p2 = await store.pageIndicators(['default'], {
        tlps: [...tlps],
        limit: 2,
        after: { updatedAt: last.updatedAt, id: last.id },
      });
      expect(p2.map((i) => i.value)).toEqual(['192.0.2.9']);
      expect(
        (await store.pageIndicators(['default'], { tlps: [...tlps], limit: 10, types: ['md5'] })).map(
          (i) => i.type,
        ),
      ).toEqual(['md5']);
      expect(
        (
          await store.pageIndicators(['default'], {
            tlps: [...tlps],
            limit: 10,
            until: at(1).toISOString(),
          })
        ).length,
      ).toBe(2);
      const id = indicatorId('default', 'domain', 'b.example');
      expect(await store.pageIndicators(['default'], { tlps: [...tlps], limit: 10, ids: [id] })).toEqual([]);
      expect((await store.pageIndicators(['default'], { tlps: ['red'], limit: 10, ids: [id] })).length).toBe(
        1,
      );
    });

    it('keeps a version per change consumers see, not per write, and pages versions for TAXII', async () => {
      const at = (d: number) => new Date(Date.UTC(2026, 10, d));
      const ind = {
        tenant: 'default',
        type: 'domain' as const,
        value: 'v.example',
        source: 's',
        tlp: 'green' as const,
      };
      const id = indicatorId('default', 'domain', 'v.example');
      await store.upsertIndicators([{ ...ind, confidence: 40 }], at(1));
      // a re-report that only moves last-seen is no new version
      await store.upsertIndicators([{ ...ind, confidence: 40 }], at(2));
      await store.upsertIndicators([{ ...ind, confidence: 80 }], at(3));
      await store.upsertIndicators(
        [{ tenant: 'default', type: 'domain', value: 'red.example', source: 's', tlp: 'red' }],
        at(3),
      );
      const tlps = ['clear', 'green', 'amber'];
      const page = (select: Parameters<IntelStore['pageIndicatorVersions']>[1]['select'], more = {}) =>
        store.pageIndicatorVersions(['default'], { tlps, limit: 100, select, ...more });
      const all = await page({ all: true });
      expect(all.map((v) => [v.indicatorId, v.modified, v.stix.confidence])).toEqual([
        [id, at(1).toISOString(), 40],
        [id, at(3).toISOString(), 80],
      ]);
      expect(all.every((v) => v.stix.modified === v.modified && v.stixId === v.stix.id)).toBe(true);
      expect((await page({ last: true })).map((v) => v.modified)).toEqual([at(3).toISOString()]);
      expect((await page({ first: true })).map((v) => v.modified)).toEqual([at(1).toISOString()]);
      expect((await page({ at: [at(1).toISOString()] })).map((v) => v.stix.confidence)).toEqual([40]);
      expect(await page({ at: ['not a time'] })).toEqual([]);
      expect(
        await page({ all: true }, { stixIds: ['indicator--00000000-0000-5000-8000-000000000000'] }),
      ).toEqual([]);
      expect((await page({ all: true }, { stixIds: [all[0]!.stixId] })).length).toBe(2);
      // the cursor is (time added, indicator id)
      expect(
        (await page({ all: true }, { after: { modified: at(1).toISOString(), id } })).map((v) => v.modified),
      ).toEqual([at(3).toISOString()]);
      // expiring changes what a consumer sees: a version with valid_until
      await store.expireIndicator(['default'], id, at(4));
      const last = await page({ last: true });
      expect(last.map((v) => [v.modified, v.stix.valid_until])).toEqual([
        [at(4).toISOString(), at(4).toISOString()],
      ]);
      // a flagged indicator is not shared, nor any version of it
      await store.setWarnings([{ id, warning: { list: 'l', kind: 'warninglist', reason: 'test' } }], at(5));
      expect(await page({ all: true })).toEqual([]);
      await store.setWarnings([{ id, warning: null }], at(6));
      expect((await page({ all: true })).length).toBe(3);
      // history is bounded: the oldest versions go first
      for (let d = 0; d < 30; d++)
        await store.upsertIndicators(
          [{ ...ind, description: `d${d}` }],
          new Date(at(7).getTime() + d * 1000),
        );
      const kept = await page({ all: true });
      expect(kept.map((v) => v.stix.description)).toEqual(Array.from({ length: 20 }, (_, k) => `d${k + 10}`));
      // past versions can be deleted, the latest (the live record) cannot; nor another tenant's
      const [oldest, second] = kept;
      const newest = kept[kept.length - 1]!;
      expect(await store.deleteIndicatorVersions('acme', id, [oldest!.modified])).toBe(0);
      expect(await store.deleteIndicatorVersions('default', id, [oldest!.modified, newest.modified])).toBe(1);
      expect((await page({ first: true })).map((v) => v.modified)).toEqual([second!.modified]);
      expect((await page({ last: true })).map((v) => v.modified)).toEqual([newest.modified]);
      expect(await store.deleteIndicator('default', id)).toBe(true);
      expect(await page({ all: true })).toEqual([]);
    });

    it('stores warninglists and allowlists per tenant, replaces by id, deletes', async () => {
      const wl = (over: Partial<Warninglist>): Warninglist => ({
        id: 'wl-1',
        tenant: '*',
        kind: 'warninglist',
        name: 'List of RFC 1918 CIDR blocks',
        description: 'private ranges',
        type: 'cidr',
        version: 1,
        entries: ['10.0.0.0/8'],
        matchingAttributes: ['ip-src', 'ip-dst'],
        enabled: true,
        updatedBy: 'admin',
        updatedAt: '2026-11-01T00:00:00.000Z',
        ...over,
      });
      await store.putWarninglist(wl({}));
      await store.putWarninglist(
        wl({
          id: 'al-1',
          tenant: 'acme',
          kind: 'allowlist',
          name: 'acme',
          type: 'hostname',
          entries: ['acme.example'],
        }),
      );
      await store.putWarninglist(wl({ version: 2, entries: ['10.0.0.0/8', '192.168.0.0/16'] }));
      expect(await store.getWarninglist('wl-1')).toMatchObject({
        version: 2,
        entries: ['10.0.0.0/8', '192.168.0.0/16'],
      });
      expect((await store.listWarninglists(['default'])).map((w) => w.id)).toEqual(['wl-1']);
      expect((await store.listWarninglists(['acme'])).map((w) => w.id)).toEqual(['al-1', 'wl-1']);
      expect((await store.listWarninglists()).length).toBe(2);
      expect(await store.deleteWarninglist('wl-1')).toBe(true);
      expect(await store.deleteWarninglist('wl-1')).toBe(false);
      expect(await store.getWarninglist('wl-1')).toBeUndefined();
    });

    it('lists feeds per tenant (global ones for all), deletes them, and keeps hunts per tenant newest first', async () => {
      const feed = (id: string, tenant: string, name: string) => ({
        id,
        tenant,
        name,
        kind: 'csv' as const,
        url: 'https://x.example/l.csv',
        scheduleMinutes: 0,
        enabled: false,
        auth: { type: 'none' as const },
        options: {},
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
        createdAt: '2026-11-01T00:00:00.000Z',
      });
      await store.createFeed(feed('f1', 'acme', 'b'));
      await store.createFeed(feed('f2', '*', 'a'));
      await store.createFeed(feed('f3', 'other', 'c'));
      expect((await store.listFeeds(['acme'])).map((f) => f.id)).toEqual(['f2', 'f1']);
      expect((await store.listFeeds()).length).toBe(3);
      await store.updateFeed('f1', { enabled: true, scheduleMinutes: 5, cursor: '42' });
      expect(await store.getFeed('f1')).toMatchObject({ enabled: true, scheduleMinutes: 5, cursor: '42' });
      expect(await store.deleteFeed('f1')).toBe(true);
      expect(await store.getFeed('f1')).toBeUndefined();
      const hunt = (id: string, tenant: string, startedAt: string) => ({
        id,
        tenant,
        status: 'done' as const,
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-11-02T00:00:00.000Z',
        scanned: 10,
        hits: 1,
        error: null,
        startedAt,
        finishedAt: startedAt,
        requestedBy: 'ann',
      });
      await store.putHunt(hunt('h1', 'acme', '2026-11-02T00:00:00.000Z'));
      await store.putHunt(hunt('h2', 'acme', '2026-11-03T00:00:00.000Z'));
      await store.putHunt({ ...hunt('h1', 'acme', '2026-11-02T00:00:00.000Z'), hits: 7 });
      expect((await store.listHunts(['acme'], 10)).map((x) => [x.id, x.hits])).toEqual([
        ['h2', 1],
        ['h1', 7],
      ]);
      expect(await store.getHunt(['other'], 'h1')).toBeUndefined();
      expect(await store.listHunts([], 10)).toEqual([]);
      expect(await store.countIndicators()).toBe(0);
    });

    it('changes its change mark on indicator writes, expiry and list changes, and only then', async () => {
      const m0 = await store.changeMark();
      expect(await store.changeMark()).toBe(m0);
      const { ids } = await store.upsertIndicators(
        [{ tenant: 'default', type: 'domain', value: 'mark.example', source: 's' }],
        new Date('2026-11-01T00:00:00Z'),
      );
      const m1 = await store.changeMark();
      expect(m1).not.toBe(m0);
      await store.expireIndicator(['default'], ids[0]!, new Date('2026-11-02T00:00:00Z'));
      const m2 = await store.changeMark();
      expect(m2).not.toBe(m1);
      const list: Warninglist = {
        id: 'wl-m',
        tenant: '*',
        kind: 'warninglist',
        name: 'm',
        description: '',
        type: 'string',
        version: 1,
        entries: ['x'],
        matchingAttributes: [],
        enabled: true,
        updatedBy: 'a',
        updatedAt: '2026-11-01T00:00:00.000Z',
      };
      await store.putWarninglist(list);
      const m3 = await store.changeMark();
      expect(m3).not.toBe(m2);
      await store.deleteWarninglist('wl-m');
      expect(await store.changeMark()).not.toBe(m3);
    });
  });
}
