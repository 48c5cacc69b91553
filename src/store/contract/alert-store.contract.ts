/**
 * The alert store contract: what every AlertStore adapter (SQLite, PostgreSQL) must do, run by each
 * adapter's test file with its own `open`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertFold, AlertStore } from '../../alerts/ports.js';
import { MAX_OBSERVABLES } from '../sqlite/alerts.js';

export interface AlertStoreHandle {
  alerts: AlertStore;
  /** Closes and reopens the same database, to prove what was stored survives. */
  reopen(): Promise<AlertStore>;
  close(): Promise<void>;
}

const HOUR = 3600_000;
const outcomes = async (a: AlertStore, items: AlertFold[], windowMs: number) =>
  (await a.fold(items, windowMs)).outcomes;

function fold(over: Partial<AlertFold> & { detectionId: string }): AlertFold {
  return {
    tenant: 'default',
    kind: 'sigma',
    ruleId: 'rule-1',
    title: 'SSH Failed Password',
    severity: 'low',
    tags: ['attack.credential_access'],
    attack: { techniques: ['t1110.001'], tactics: ['credential_access'] },
    entity: { type: 'host', value: 'bastion' },
    ts: '2026-11-28T09:00:00.000Z',
    firstEventAt: '2026-11-28T09:00:00.000Z',
    eventIds: [`ev-${over.detectionId}`],
    observables: [{ type: 'host', value: 'bastion' }],
    detection: { id: over.detectionId },
    ...over,
  };
}

export function describeAlertStoreContract(name: string, open: () => Promise<AlertStoreHandle>): void {
  describe(`alert store contract: ${name}`, () => {
    let h: AlertStoreHandle;
    let storage: { alerts: AlertStore };
    beforeEach(async () => {
      h = await open();
      storage = { alerts: h.alerts };
    });
    afterEach(async () => h.close());

    it('folds the same rule and entity within the window into one alert and counts each detection once', async () => {
      const a = storage.alerts;
      const first = await outcomes(a, [fold({ detectionId: 'd1' })], HOUR);
      expect(first[0]!.result).toBe('created');
      const more = await outcomes(
        a,
        [
          fold({
            detectionId: 'd2',
            ts: '2026-11-28T09:30:00.000Z',
            observables: [{ type: 'ip', value: '203.0.113.7' }],
          }),
          fold({ detectionId: 'd1' }), // redelivered
          fold({ detectionId: 'd3', ts: '2026-11-28T10:20:00.000Z', severity: 'high' }),
        ],
        HOUR,
      );
      expect(more.map((o) => o.result)).toEqual(['merged', 'duplicate', 'merged']);
      expect(new Set([...first, ...more].map((o) => o.alertId)).size).toBe(1);
      const [alert] = await a.get('default', [first[0]!.alertId]);
      expect(alert).toMatchObject({
        count: 3,
        severity: 'high',
        status: 'new',
        firstSeen: '2026-11-28T09:00:00.000Z',
        lastSeen: '2026-11-28T10:20:00.000Z',
        entity: { type: 'host', value: 'bastion' },
      });
      expect(alert!.observables).toEqual([
        { type: 'host', value: 'bastion' },
        { type: 'ip', value: '203.0.113.7' },
      ]);
      expect(await a.eventIdsOf('default', alert!.id, 10)).toEqual(['ev-d1', 'ev-d2', 'ev-d3']);
      expect(await a.detectionsOf('default', alert!.id, 10)).toHaveLength(3);
    });

    it('opens a new alert after the window, for another entity, and after the alert was closed', async () => {
      const a = storage.alerts;
      const [o1] = await outcomes(a, [fold({ detectionId: 'd1' })], HOUR);
      const [late] = await outcomes(a, [fold({ detectionId: 'd2', ts: '2026-11-28T10:00:00.001Z' })], HOUR);
      expect(late!.result).toBe('created');
      const [other] = await outcomes(
        a,
        [fold({ detectionId: 'd3', entity: { type: 'host', value: 'web' } })],
        HOUR,
      );
      expect(other!.result).toBe('created');
      const now = new Date().toISOString();
      await a.update(
        'default',
        late!.alertId,
        () => ({ status: 'closed', verdict: 'benign', closedAt: now }),
        now,
      );
      const [afterClose] = await outcomes(
        a,
        [fold({ detectionId: 'd4', ts: '2026-11-28T10:10:00.000Z' })],
        HOUR,
      );
      expect(afterClose!.result).toBe('created');
      expect(new Set([o1!.alertId, late!.alertId, other!.alertId, afterClose!.alertId]).size).toBe(4);
      expect(await a.count(['default'])).toBe(4);
    });

    it('survives reopening the file (durable) and keeps idempotency across restarts', async () => {
      const [o] = await outcomes(storage.alerts, [fold({ detectionId: 'd1' })], HOUR);
      storage = { alerts: await h.reopen() };
      const again = await outcomes(storage.alerts, [fold({ detectionId: 'd1' })], HOUR);
      expect(again[0]).toEqual({ detectionId: 'd1', alertId: o!.alertId, result: 'duplicate' });
      expect((await storage.alerts.get('default', [o!.alertId]))[0]!.count).toBe(1);
    });

    it('keeps tenants apart in every read', async () => {
      const a = storage.alerts;
      const [x] = await outcomes(a, [fold({ detectionId: 'd1', tenant: 'a' })], HOUR);
      await outcomes(a, [fold({ detectionId: 'd1', tenant: 'b' })], HOUR); // same detection id in another tenant is another detection
      expect(await a.count(['a'])).toBe(1);
      expect(await a.count(['b'])).toBe(1);
      expect(await a.get('b', [x!.alertId])).toEqual([]);
      expect(await a.find(['b'], x!.alertId)).toBeUndefined();
      expect((await a.list({ tenants: ['b'], limit: 10 })).alerts.every((al) => al.tenant === 'b')).toBe(
        true,
      );
      expect(
        await a.update('b', x!.alertId, () => ({ assignee: 'eve' }), new Date().toISOString()),
      ).toBeUndefined();
      expect(await a.eventIdsOf('b', x!.alertId, 10)).toEqual([]);
      expect(await a.setCase('b', [x!.alertId], 'case-1')).toBe(0);
    });

    it('links alerts to cases and lists them by case', async () => {
      const a = storage.alerts;
      const out = await outcomes(
        a,
        [fold({ detectionId: 'd1' }), fold({ detectionId: 'd2', entity: { type: 'host', value: 'web' } })],
        HOUR,
      );
      const ids = out.map((o) => o.alertId);
      expect(await a.setCase('default', ids, 'case-1')).toBe(2);
      expect(await a.setCase('default', ids, 'case-1')).toBe(0);
      expect((await a.byCase('default', 'case-1')).map((x) => x.id)).toEqual(ids);
      expect(await a.setCase('default', [ids[0]!], null)).toBe(1);
      expect((await a.byCase('default', 'case-1')).map((x) => x.id)).toEqual([ids[1]]);
    });

    it('filters, searches and sorts the list', async () => {
      const a = storage.alerts;
      const out = await outcomes(
        a,
        [
          fold({ detectionId: 'd1', severity: 'low' }),
          fold({
            detectionId: 'd2',
            ruleId: 'rule-2',
            title: 'Sudo To A Root Shell',
            severity: 'high',
            entity: { type: 'user', value: 'mallory' },
            observables: [{ type: 'ip', value: '198.51.100.9' }],
          }),
          fold({
            detectionId: 'd3',
            ruleId: 'rule-3',
            severity: 'medium',
            entity: { type: 'host', value: 'db' },
            ts: '2026-11-28T11:00:00.000Z',
          }),
        ],
        HOUR,
      );
      const now = new Date().toISOString();
      await a.update('default', out[1]!.alertId, () => ({ assignee: 'alice', tags: ['vip'] }), now);
      const ids = async (q: Partial<Parameters<typeof a.list>[0]>) =>
        (await a.list({ tenants: ['default'], limit: 10, ...q })).alerts.map((x) => x.id);
      expect(await ids({ severity: ['high'] })).toEqual([out[1]!.alertId]);
      expect(await ids({ ruleId: 'rule-3' })).toEqual([out[2]!.alertId]);
      expect(await ids({ assignee: 'alice' })).toEqual([out[1]!.alertId]);
      expect(await ids({ tag: 'vip' })).toEqual([out[1]!.alertId]);
      expect(await ids({ text: 'sudo' })).toEqual([out[1]!.alertId]);
      expect(await ids({ text: '198.51.100' })).toEqual([out[1]!.alertId]);
      expect(await ids({ text: '100%' })).toEqual([]);
      expect(await ids({ since: new Date('2026-11-28T10:00:00Z') })).toEqual([out[2]!.alertId]);
      expect(await ids({ until: new Date('2026-11-28T10:00:00Z'), sort: '-severity' })).toEqual([
        out[1]!.alertId,
        out[0]!.alertId,
      ]);
      expect(await ids({ status: ['closed'] })).toEqual([]);
      expect((await a.list({ tenants: ['default'], limit: 1, offset: 1, sort: 'severity' })).total).toBe(3);
      // Severity set by hand is stored, filtered and sorted on like the derived one.
      const r = await a.update('default', out[2]!.alertId, () => ({ severity: 'critical' }), now);
      expect([r!.before.severity, r!.after.severity]).toEqual(['medium', 'critical']);
      expect((await a.get('default', [out[2]!.alertId]))[0]!.severity).toBe('critical');
      expect(await ids({ severity: ['critical'] })).toEqual([out[2]!.alertId]);
      expect((await ids({ sort: '-severity' }))[0]).toBe(out[2]!.alertId);
    });

    it('groups the filtered alerts by rule or entity, worst then newest first, and filters by entity', async () => {
      const a = storage.alerts;
      await a.fold(
        [
          fold({ detectionId: 'g1', entity: { type: 'host', value: 'web' }, ts: '2026-11-28T09:00:00.000Z' }),
          fold({ detectionId: 'g2', entity: { type: 'host', value: 'db' }, ts: '2026-11-28T09:05:00.000Z' }),
          fold({
            detectionId: 'g3',
            ruleId: 'rule-2',
            title: 'Port scan from 203.0.113.9',
            severity: 'high',
            entity: { type: 'host', value: 'web' },
            ts: '2026-11-28T08:00:00.000Z',
          }),
          fold({
            detectionId: 'g4',
            ruleId: 'rule-3',
            title: 'Odd',
            entity: null,
            ts: '2026-11-28T10:00:00.000Z',
          }),
          fold({ detectionId: 'g5', tenant: 'acme', entity: { type: 'host', value: 'web' } }),
        ],
        HOUR,
      );
      const byRule = await a.groups({ tenants: ['default'], by: 'rule', limit: 10 });
      expect(byRule.total).toBe(3);
      expect(byRule.groups.map((g) => [g.key, g.count, g.worst])).toEqual([
        ['rule-2', 1, 'high'],
        ['rule-3', 1, 'low'],
        ['rule-1', 2, 'low'],
      ]);
      expect(byRule.groups[0]).toMatchObject({
        label: 'Port scan from 203.0.113.9',
        latest: '2026-11-28T08:00:00.000Z',
      });
      const byEntity = await a.groups({ tenants: ['default'], by: 'entity', limit: 10 });
      expect(byEntity.groups.map((g) => [g.key, g.count])).toEqual([
        ['host:web', 2],
        ['', 1],
        ['host:db', 1],
      ]);
      expect(byEntity.groups[1]).toMatchObject({ entity: null, label: 'no entity' });
      // Filters apply before grouping; pages of groups.
      expect(
        (await a.groups({ tenants: ['default'], by: 'entity', severity: ['high'], limit: 10 })).groups,
      ).toEqual([expect.objectContaining({ key: 'host:web', count: 1, worst: 'high' })]);
      const second = await a.groups({ tenants: ['default'], by: 'rule', limit: 1, offset: 1 });
      expect(second).toMatchObject({ total: 3, groups: [expect.objectContaining({ key: 'rule-3' })] });
      // A group's alerts, listed by the same key.
      const web = await a.list({ tenants: ['default'], entity: { type: 'host', value: 'web' }, limit: 10 });
      expect(web.alerts.map((x) => x.ruleId).sort()).toEqual(['rule-1', 'rule-2']);
      expect(
        (await a.list({ tenants: ['default'], entity: null, limit: 10 })).alerts.map((x) => x.ruleId),
      ).toEqual(['rule-3']);
    });

    it('finds similar alerts by rule, entity and shared observables', async () => {
      const a = storage.alerts;
      const out = await outcomes(
        a,
        [
          fold({ detectionId: 'd1', observables: [{ type: 'ip', value: '203.0.113.7' }] }),
          fold({
            detectionId: 'd2',
            entity: { type: 'host', value: 'web' },
            observables: [{ type: 'ip', value: '203.0.113.7' }],
          }),
          fold({ detectionId: 'd3', ruleId: 'rule-2', observables: [] }),
          fold({
            detectionId: 'd4',
            ruleId: 'rule-9',
            entity: { type: 'host', value: 'other' },
            observables: [],
          }),
        ],
        HOUR,
      );
      const s = await a.similar('default', out[0]!.alertId, 10);
      expect(s.sameRule.map((x) => x.id)).toEqual([out[1]!.alertId]);
      expect(s.sameEntity.map((x) => x.id)).toEqual([out[2]!.alertId]);
      expect(s.sharedObservables).toEqual([
        {
          alert: expect.objectContaining({ id: out[1]!.alertId }),
          shared: [{ type: 'ip', value: '203.0.113.7' }],
        },
      ]);
    });

    it('adds risk once per detection and reports only the crossing', async () => {
      const a = storage.alerts;
      const c = (id: string, score: number, ts: string) => ({
        tenant: 'default',
        entity: { type: 'host', value: 'bastion' },
        detectionId: id,
        score,
        ts,
      });
      const addRisk = async (items: Array<ReturnType<typeof c>>) =>
        (await a.fold([], HOUR, { items, windowMs: 24 * HOUR, threshold: 100 })).crossings;
      expect(await addRisk([c('r1', 60, '2026-11-28T09:00:00Z')])).toEqual([]);
      expect(await addRisk([c('r1', 60, '2026-11-28T09:00:00Z')])).toEqual([]); // redelivery adds nothing
      const crossed = await addRisk([
        c('r2', 50, '2026-11-28T10:00:00Z'),
        c('r3', 50, '2026-11-28T10:05:00Z'),
      ]);
      expect(crossed).toEqual([expect.objectContaining({ detectionId: 'r2', score: 110 })]);
      // Outside the window the old risk no longer counts.
      expect(await addRisk([c('r4', 60, '2026-11-30T09:00:00Z')])).toEqual([]);
    });

    it('applies read-modify-write updates atomically and refuses what the change refuses', async () => {
      const a = storage.alerts;
      const [o] = await outcomes(a, [fold({ detectionId: 'd1' })], HOUR);
      await expect(
        a.update(
          'default',
          o!.alertId,
          () => {
            throw new Error('refused');
          },
          new Date().toISOString(),
        ),
      ).rejects.toThrow('refused');
      const r = await a.update(
        'default',
        o!.alertId,
        () => ({ status: 'acknowledged', acknowledgedAt: '2026-11-28T12:00:00.000Z' }),
        '2026-11-28T12:00:00.000Z',
      );
      expect(r!.before.status).toBe('new');
      expect(r!.after).toMatchObject({ status: 'acknowledged', acknowledgedAt: '2026-11-28T12:00:00.000Z' });
      expect((await a.find(['default'], o!.alertId))!.status).toBe('acknowledged');
    });

    it('bounds the observables one alert keeps', async () => {
      const many = Array.from({ length: MAX_OBSERVABLES + 50 }, (_, i) => ({
        type: 'ip',
        value: `10.0.${i >> 8}.${i & 255}`,
      }));
      const [o] = await outcomes(storage.alerts, [fold({ detectionId: 'd1', observables: many })], HOUR);
      expect((await storage.alerts.find(['default'], o!.alertId))!.observables).toHaveLength(MAX_OBSERVABLES);
    });

    it('stores comments per alert and tenant', async () => {
      const [o] = await outcomes(storage.alerts, [fold({ detectionId: 'd1' })], HOUR);
      await storage.alerts.addComment({
        alertId: o!.alertId,
        tenant: 'default',
        author: 'alice',
        body: 'looking',
        createdAt: '2026-11-28T12:00:00.000Z',
      });
      expect(await storage.alerts.comments('default', o!.alertId)).toEqual([
        expect.objectContaining({ author: 'alice', body: 'looking' }),
      ]);
      expect(await storage.alerts.comments('other', o!.alertId)).toEqual([]);
    });
    it('folds concurrent detections of one rule and entity into one alert, counting each once', async () => {
      const a = storage.alerts;
      const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
      // Every detection twice, all at once: as if two workers got the same redelivered batch.
      const all = await Promise.all(
        [...ids, ...ids].map((id, i) =>
          outcomes(
            a,
            [
              fold({
                detectionId: id,
                ts: new Date(Date.parse('2026-11-28T09:00:00Z') + i * 1000).toISOString(),
              }),
            ],
            HOUR,
          ),
        ),
      );
      const flat = all.flat();
      expect(new Set(flat.map((o) => o.alertId)).size).toBe(1);
      expect(flat.filter((o) => o.result === 'created')).toHaveLength(1);
      expect(flat.filter((o) => o.result === 'duplicate')).toHaveLength(20);
      expect((await a.get('default', [flat[0]!.alertId]))[0]!.count).toBe(20);
      expect(await a.count(['default'])).toBe(1);
    });
  });
}
