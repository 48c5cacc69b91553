/**
 * The storage contract: one suite that every adapter (SQLite, PostgreSQL) must pass, so the two
 * modes cannot drift apart. Call `describeStorageContract` from an adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../auth/audit-chain.js';
import type { VigilEvent } from '../../schema/ecs.js';
import { newEventId } from '../../util/ids.js';
import type { Storage } from '../ports.js';

export function makeEvent(tenant: string, at: string, extra: Record<string, unknown> = {}): VigilEvent {
  return {
    '@timestamp': at,
    event: { id: newEventId(), ingested: new Date().toISOString(), kind: 'event' },
    organization: { id: tenant },
    ...extra,
  };
}

export function describeStorageContract(
  name: string,
  open: () => Promise<Storage>,
  reopen?: (s: Storage) => Promise<Storage>,
): void {
  describe(`storage contract: ${name}`, () => {
    let s: Storage;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    describe('events', () => {
      it('appends a batch and reads it back by id and by search', async () => {
        const a = makeEvent('t1', '2026-01-01T00:00:00.000Z', {
          host: { name: 'web-1' },
          message: 'Failed password for root',
        });
        const b = makeEvent('t1', '2026-01-01T00:01:00.000Z', { host: { name: 'db-1' } });
        expect(await s.events.append([a, b])).toEqual({ inserted: 2 });
        expect(await s.events.get(['t1'], a.event.id)).toEqual(a);
        const page = await s.events.search({ tenants: ['t1'], limit: 10 });
        expect(page.total).toBe(2);
        expect(page.events.map((e) => e.event.id)).toEqual([b.event.id, a.event.id]);
      });

      it('is idempotent: appending the same id twice stores it once', async () => {
        const a = makeEvent('t1', '2026-01-01T00:00:00.000Z');
        await s.events.append([a]);
        expect(await s.events.append([a])).toEqual({ inserted: 0 });
        expect(await s.events.count(['t1'])).toBe(1);
      });

      it('keeps ids unique per tenant, not across tenants', async () => {
        const a = makeEvent('t1', '2026-01-01T00:00:00.000Z', { message: 'one' });
        const b = {
          ...makeEvent('t2', '2026-01-01T00:00:00.000Z', { message: 'two' }),
          event: { ...a.event },
        };
        expect(await s.events.append([a])).toEqual({ inserted: 1 });
        expect(await s.events.append([b])).toEqual({ inserted: 1 });
        expect((await s.events.get(['t2'], a.event.id))?.message).toBe('two');
        expect((await s.events.get(['t1'], a.event.id))?.message).toBe('one');
      });

      it('joins concurrent appends without losing any', async () => {
        const batches = Array.from({ length: 20 }, (_, i) =>
          Array.from({ length: 50 }, (_, j) =>
            makeEvent('t1', new Date(Date.UTC(2026, 0, 1, 0, i, j)).toISOString()),
          ),
        );
        const results = await Promise.all(batches.map((b) => s.events.append(b)));
        expect(results.every((r) => r.inserted === 50)).toBe(true);
        expect(await s.events.count(['t1'])).toBe(1000);
      });

      it('scopes every read by tenant', async () => {
        const a = makeEvent('t1', '2026-01-01T00:00:00.000Z', { message: 'secret one' });
        const b = makeEvent('t2', '2026-01-01T00:00:00.000Z', { message: 'secret two' });
        await s.events.append([a, b]);
        expect(
          (await s.events.search({ tenants: ['t1'], limit: 10 })).events.map((e) => e.organization.id),
        ).toEqual(['t1']);
        expect(await s.events.get(['t1'], b.event.id)).toBeUndefined();
        expect((await s.events.search({ tenants: [], limit: 10 })).total).toBe(0);
        expect(await s.events.count(['t2'])).toBe(1);
        expect(await s.events.count([])).toBe(0);
      });

      it('filters by time range, field equality, existence, contains and free text', async () => {
        await s.events.append([
          makeEvent('t1', '2026-01-01T00:00:00.000Z', {
            host: { name: 'WEB-1' },
            tags: ['a', 'b'],
            message: 'sshd login ok',
          }),
          makeEvent('t1', '2026-01-02T00:00:00.000Z', {
            host: { name: 'db-1' },
            source: { ip: '10.0.0.1' },
            message: 'query 100%_done',
          }),
          makeEvent('t1', '2026-01-03T00:00:00.000Z', { host: { name: 'web-2' }, event_severity: 5 }),
        ]);
        const q = async (extra: object) =>
          (await s.events.search({ tenants: ['t1'], limit: 10, ...extra })).total;
        expect(await q({ from: new Date('2026-01-02T00:00:00Z') })).toBe(2);
        expect(await q({ to: new Date('2026-01-02T00:00:00Z') })).toBe(1);
        expect(await q({ filters: [{ field: 'host.name', op: 'eq', value: 'web-1' }] })).toBe(1);
        expect(await q({ filters: [{ field: 'tags', op: 'eq', value: 'b' }] })).toBe(1);
        expect(await q({ filters: [{ field: 'source.ip', op: 'exists' }] })).toBe(1);
        expect(await q({ filters: [{ field: 'host.name', op: 'contains', value: 'web' }] })).toBe(2);
        expect(await q({ text: ['SSHD'] })).toBe(1);
        expect(await q({ text: ['100%_'] })).toBe(1);
        expect(await q({ text: ['1%0'] })).toBe(0);
      });

      it('pages with limit and offset', async () => {
        await s.events.append(
          Array.from({ length: 5 }, (_, i) => makeEvent('t1', `2026-01-0${i + 1}T00:00:00.000Z`)),
        );
        const p = await s.events.search({ tenants: ['t1'], limit: 2, offset: 2 });
        expect(p.total).toBe(5);
        expect(p.events.map((e) => e['@timestamp'])).toEqual([
          '2026-01-03T00:00:00.000Z',
          '2026-01-02T00:00:00.000Z',
        ]);
      });

      it('deletes by age for one tenant or all', async () => {
        await s.events.append([
          makeEvent('t1', '2025-01-01T00:00:00.000Z'),
          makeEvent('t2', '2025-01-01T00:00:00.000Z'),
          makeEvent('t1', '2026-06-01T00:00:00.000Z'),
        ]);
        expect(await s.events.deleteOlderThan(new Date('2026-01-01T00:00:00Z'), 't1')).toBe(1);
        expect(await s.events.count()).toBe(2);
        expect(await s.events.deleteOlderThan(new Date('2026-01-01T00:00:00Z'))).toBe(1);
        expect(await s.events.count()).toBe(1);
      });

      if (reopen) {
        it('keeps acknowledged events across a reopen', async () => {
          const a = makeEvent('t1', '2026-01-01T00:00:00.000Z');
          await s.events.append([a]);
          s = await reopen(s);
          expect(await s.events.get(['t1'], a.event.id)).toEqual(a);
        });
      }
    });

    describe('detections', () => {
      const det = (tenant: string, id: string, level: string, ts: string) => ({
        id,
        tenant,
        ts,
        detectedAt: ts,
        kind: 'sigma',
        ruleId: `r-${level}`,
        title: 't',
        level,
        tags: ['attack.t1003'],
        attack: { techniques: ['T1003'], tactics: ['credential-access'] },
        eventIds: ['e1'],
        details: { matchedFields: [{ Image: 'x' }] },
      });

      it('stores detections once per id, filters by level, rule and time, scoped by tenant', async () => {
        const a = det('t1', 'd1', 'high', '2026-01-01T00:00:00.000Z');
        expect(
          await s.detections.add([
            a,
            det('t1', 'd2', 'low', '2026-01-02T00:00:00.000Z'),
            det('t2', 'd1', 'critical', '2026-01-01T00:00:00.000Z'),
          ]),
        ).toEqual({ inserted: 3 });
        expect(await s.detections.add([a])).toEqual({ inserted: 0 });
        const all = await s.detections.list(['t1'], { limit: 10 });
        expect(all.total).toBe(2);
        expect(all.detections.map((d) => d.id)).toEqual(['d2', 'd1']);
        expect(all.detections[1]).toEqual(a);
        expect(
          (await s.detections.list(['t1'], { limit: 10, minLevel: 'medium' })).detections.map((d) => d.level),
        ).toEqual(['high']);
        expect((await s.detections.list(['t1'], { limit: 10, ruleId: 'r-low' })).total).toBe(1);
        expect(
          (await s.detections.list(['t1'], { limit: 10, since: new Date('2026-01-01T12:00:00Z') })).total,
        ).toBe(1);
        expect(await s.detections.count(['t2'])).toBe(1);
        expect((await s.detections.list([], { limit: 10 })).total).toBe(0);
      });
    });

    describe('dead letters', () => {
      it('stores the reason and raw bytes, scoped by tenant', async () => {
        await s.deadLetters.add([
          { tenant: 't1', input: 'http', reason: 'line 2: unexpected token', raw: '{bad', encoding: 'utf8' },
          { tenant: 't2', input: 'syslog-udp', reason: 'empty', raw: 'AAE=', encoding: 'base64' },
        ]);
        const l = await s.deadLetters.list(['t1'], { limit: 10 });
        expect(l).toHaveLength(1);
        expect(l[0]).toMatchObject({ input: 'http', reason: 'line 2: unexpected token', raw: '{bad' });
        expect(await s.deadLetters.count()).toBe(2);
        expect(await s.deadLetters.count(['t2'])).toBe(1);
      });
    });

    describe('identity', () => {
      it('creates tenants and users, finds users case-insensitively, updates fields', async () => {
        await s.identity.createTenant({ id: 'acme', name: 'ACME' });
        expect((await s.identity.listTenants()).map((t) => t.id)).toContain('acme');
        const u = await s.identity.createUser({
          id: 'u1',
          username: 'Alice',
          role: 'analyst',
          tenants: ['acme'],
          passwordHash: 'h',
        });
        expect(u).toMatchObject({
          username: 'Alice',
          role: 'analyst',
          tenants: ['acme'],
          disabled: false,
          failedLogins: 0,
        });
        expect((await s.identity.getUserByName('alice'))?.id).toBe('u1');
        const up = await s.identity.updateUser('u1', {
          failedLogins: 3,
          lockedUntil: '2030-01-01T00:00:00.000Z',
          role: 'manager',
        });
        expect(up).toMatchObject({
          failedLogins: 3,
          lockedUntil: '2030-01-01T00:00:00.000Z',
          role: 'manager',
        });
        await expect(
          s.identity.createUser({
            id: 'u2',
            username: 'alice',
            role: 'analyst',
            tenants: [],
            passwordHash: 'h',
          }),
        ).rejects.toThrow();
      });

      it('stores sessions and drops them by user and by expiry', async () => {
        await s.identity.createUser({
          id: 'u1',
          username: 'a',
          role: 'analyst',
          tenants: [],
          passwordHash: 'h',
        });
        const base = { userId: 'u1', csrfToken: 'c', createdAt: '2026-01-01T00:00:00.000Z', ip: '127.0.0.1' };
        await s.identity.createSession({ ...base, idHash: 's1', expiresAt: '2026-01-01T01:00:00.000Z' });
        await s.identity.createSession({ ...base, idHash: 's2', expiresAt: '2030-01-01T00:00:00.000Z' });
        expect(await s.identity.purgeExpiredSessions(new Date('2026-06-01T00:00:00Z'))).toBe(1);
        expect(await s.identity.getSession('s1')).toBeUndefined();
        expect((await s.identity.getSession('s2'))?.csrfToken).toBe('c');
        await s.identity.deleteSessionsOfUser('u1');
        expect(await s.identity.getSession('s2')).toBeUndefined();
      });

      it('revokes a token once', async () => {
        await s.identity.createToken({
          id: 'tok1',
          name: 'shipper',
          secretHash: 'x',
          role: 'ingest',
          tenant: 'acme',
          createdBy: 'admin',
          createdAt: '2026-01-01T00:00:00.000Z',
          revokedAt: null,
          lastUsedAt: null,
        });
        expect(await s.identity.revokeToken('tok1', '2026-01-02T00:00:00.000Z')).toBe(true);
        expect(await s.identity.revokeToken('tok1', '2026-01-03T00:00:00.000Z')).toBe(false);
        expect((await s.identity.getToken('tok1'))?.revokedAt).toBe('2026-01-02T00:00:00.000Z');
      });
    });

    describe('audit', () => {
      it('chains records so that verification passes', async () => {
        await s.audit.append({
          actor: 'admin',
          tenant: null,
          action: 'user.create',
          target: 'u1',
          ip: '::1',
          before: null,
          after: { role: 'analyst' },
        });
        await s.audit.append({
          actor: 'admin',
          tenant: 't1',
          action: 'token.revoke',
          target: 'tok',
          ip: null,
          before: { a: 1 },
          after: null,
        });
        const recs = await s.audit.list({ limit: 10 });
        expect(recs.map((r) => r.seq)).toEqual([1, 2]);
        expect(recs[1]!.prevHash).toBe(recs[0]!.hash);
        expect(await verifyAuditChain(s.audit.all())).toEqual({ ok: true, records: 2 });
        expect((await s.audit.list({ limit: 10, tenants: ['t1'] })).map((r) => r.action)).toEqual([
          'token.revoke',
        ]);
      });

      it('never forks the chain under concurrent appends', async () => {
        await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            s.audit.append({
              actor: 'a',
              tenant: null,
              action: `x${i}`,
              target: null,
              ip: null,
              before: null,
              after: null,
            }),
          ),
        );
        expect(await verifyAuditChain(s.audit.all())).toEqual({ ok: true, records: 25 });
      });
    });
  });
}
