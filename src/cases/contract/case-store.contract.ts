import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseObservable, CaseStore, NewCase } from '../ports.js';

const T0 = '2026-11-01T10:00:00.000Z';

function newCase(tenant: string, over: Partial<NewCase> = {}): NewCase {
  return {
    id: randomUUID(),
    tenant,
    title: 'Suspicious login',
    description: '',
    severity: 'medium',
    status: 'open',
    resolution: null,
    tlp: 'amber',
    pap: 'amber',
    tags: [],
    customFields: {},
    assignee: null,
    dueAt: null,
    dueSource: null,
    attack: { techniques: [], tactics: [] },
    members: [],
    template: null,
    createdBy: 'alice',
    createdAt: T0,
    ...over,
  };
}

const none = { tasks: [], links: [], observables: [], activity: [] };

function obs(
  tenant: string,
  caseId: string,
  type: CaseObservable['type'],
  value: string,
  over: Partial<CaseObservable> = {},
): CaseObservable {
  return {
    id: randomUUID(),
    tenant,
    caseId,
    type,
    value,
    ioc: false,
    description: '',
    tags: [],
    manual: false,
    alertIds: [],
    createdBy: 'alice',
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export interface CaseStoreHarness {
  cases: CaseStore;
  /** Closes and reopens the same database, to prove what was stored survives. */
  reopen(): Promise<CaseStore>;
  close(): Promise<void>;
}

/**
 * The behaviour every CaseStore adapter must have (SQLite now, PostgreSQL for cluster mode): run it
 * from each adapter's test with a factory that opens a fresh, empty store.
 */
export function describeCaseStoreContract(name: string, open: () => Promise<CaseStoreHarness>): void {
  describe(`CaseStore contract: ${name}`, () => {
    let h: CaseStoreHarness;
    const s = { cases: undefined as unknown as CaseStore };
    beforeEach(async () => {
      h = await open();
      s.cases = h.cases;
    });
    afterEach(async () => h.close());

    it('numbers cases per tenant, scopes reads by tenant, and keeps them across reopen', async () => {
      const a1 = await s.cases.create(newCase('a'), none);
      const a2 = await s.cases.create(newCase('a'), none);
      const b1 = await s.cases.create(newCase('b'), none);
      expect([a1.number, a2.number, b1.number]).toEqual([1, 2, 1]);
      expect(await s.cases.find(['b'], a1.id)).toBeUndefined();
      expect(await s.cases.get('b', a1.id)).toBeUndefined();
      expect((await s.cases.find(['a', 'b'], a1.id))?.id).toBe(a1.id);
      expect(await s.cases.count(['a'])).toBe(2);
      s.cases = await h.reopen();
      expect(await s.cases.get('a', a2.id)).toMatchObject({ number: 2, title: 'Suspicious login' });
    });

    it('filters the list by status, severity, assignee, tag, text, SLA state and membership, with paging', async () => {
      const now = new Date('2026-11-02T00:00:00Z');
      const mk = (o: Partial<NewCase>) => s.cases.create(newCase('t', o), none);
      const breached = await mk({
        title: 'late one',
        severity: 'high',
        dueAt: '2026-11-01T12:00:00.000Z',
        assignee: 'bob',
      });
      // Created 10 days ago, due in 1 hour: far less than a quarter of the window left.
      const atRisk = await mk({
        title: 'nearly late',
        createdAt: '2026-10-23T01:00:00.000Z',
        dueAt: '2026-11-02T01:00:00.000Z',
        tags: ['phishing'],
      });
      const ok = await mk({
        title: 'plenty of time',
        createdAt: '2026-11-01T23:00:00.000Z',
        dueAt: '2026-11-09T00:00:00.000Z',
        tags: ['phishing', 'x'],
      });
      const secret = await mk({ title: 'secret one', members: ['carol'] });
      const list = (f: object) =>
        s.cases.list({ tenants: ['t'], now, atRiskFraction: 0.25, limit: 50, offset: 0, ...f });
      const ids = async (f: object) => (await list(f)).cases.map((c) => c.id).sort();

      expect(await ids({ sla: 'breached' })).toEqual([breached.id]);
      expect(await ids({ sla: 'at_risk' })).toEqual([atRisk.id]);
      expect(await ids({ sla: 'ok' })).toEqual([ok.id, secret.id].sort());
      expect(await ids({ severity: ['high'] })).toEqual([breached.id]);
      expect(await ids({ assignee: 'bob' })).toEqual([breached.id]);
      expect(await ids({ tag: 'phishing' })).toEqual([atRisk.id, ok.id].sort());
      expect(await ids({ text: 'late' })).toEqual([breached.id, atRisk.id].sort());
      expect(await ids({ text: '%' })).toEqual([]);
      expect(await ids({ viewer: 'dave' })).not.toContain(secret.id);
      expect(await ids({ viewer: 'carol' })).toContain(secret.id);
      expect(await ids({ tenants: ['other'] })).toEqual([]);

      await s.cases.update(
        't',
        breached.id,
        {
          status: 'closed',
          resolution: 'true_positive',
          closedAt: '2026-11-01T11:00:00.000Z',
          resolvedAt: '2026-11-01T11:00:00.000Z',
        },
        [],
      );
      expect(await ids({ sla: 'breached' })).toEqual([]);
      expect(await ids({ status: ['closed'] })).toEqual([breached.id]);

      expect((await list({ sort: 'due' })).cases.map((c) => c.id)).toEqual([
        breached.id,
        atRisk.id,
        ok.id,
        secret.id,
      ]);
      expect((await list({ sort: '-severity' })).cases[0]!.id).toBe(breached.id);
      expect((await list({ sort: 'number' })).cases.map((c) => c.number)).toEqual([1, 2, 3, 4]);
      const page = await list({ limit: 2, offset: 0 });
      const page2 = await list({ limit: 2, offset: 2 });
      expect(page.total).toBe(4);
      expect(new Set([...page.cases, ...page2.cases].map((c) => c.id)).size).toBe(4);
    });

    it('folds the same observable in a case into one row and finds sightings in other visible cases only', async () => {
      const c1 = await s.cases.create(newCase('t'), none);
      const c2 = await s.cases.create(newCase('t'), none);
      const c3 = await s.cases.create(newCase('t', { members: ['carol'] }), none);
      const other = await s.cases.create(newCase('u'), none);
      await s.cases.upsertObservables([
        obs('t', c1.id, 'domain', 'Evil.example.', { alertIds: ['a1'] }),
        obs('t', c1.id, 'domain', 'evil.example', { alertIds: ['a2'], ioc: true }),
        obs('t', c2.id, 'domain', 'EVIL.example'),
        obs('t', c3.id, 'domain', 'evil.example'),
        obs('u', other.id, 'domain', 'evil.example'),
      ]);
      const inC1 = await s.cases.observables('t', c1.id);
      expect(inC1).toHaveLength(1);
      expect(inC1[0]).toMatchObject({ ioc: true, alertIds: ['a1', 'a2'] });
      const seen = await s.cases.sightings('t', 'domain', 'evil.example', c1.id, 'dave');
      expect(seen.map((x) => x.caseId)).toEqual([c2.id]);
      const seenByManager = await s.cases.sightings('t', 'domain', 'evil.example', c1.id, undefined);
      expect(seenByManager.map((x) => x.caseId).sort()).toEqual([c2.id, c3.id].sort());

      await s.cases.detachAlertObservables('t', c1.id, ['a1']);
      expect((await s.cases.observables('t', c1.id))[0]!.alertIds).toEqual(['a2']);
      await s.cases.detachAlertObservables('t', c1.id, ['a2']);
      expect(await s.cases.observables('t', c1.id)).toEqual([]);
    });

    it('merges everything of one case into another in one transaction and logs the custody move', async () => {
      const source = await s.cases.create(newCase('t'), none);
      const target = await s.cases.create(newCase('t'), none);
      await s.cases.linkAlerts([
        { tenant: 't', caseId: source.id, alertId: 'al-1', addedBy: 'alice', addedAt: T0 },
      ]);
      await s.cases.addTasks([
        {
          id: randomUUID(),
          tenant: 't',
          caseId: source.id,
          title: 'x',
          description: '',
          group: null,
          order: 0,
          assignee: null,
          status: 'todo',
          dueAt: null,
          createdBy: 'a',
          createdAt: T0,
          updatedAt: T0,
          completedAt: null,
        },
      ]);
      await s.cases.addComment({
        id: randomUUID(),
        tenant: 't',
        caseId: source.id,
        author: 'a',
        body: 'hi',
        createdAt: T0,
        editedAt: null,
      });
      await s.cases.upsertObservables([
        obs('t', source.id, 'ip', '10.0.0.1', { alertIds: ['al-1'] }),
        obs('t', target.id, 'ip', '10.0.0.1', { manual: true }),
      ]);
      const evId = randomUUID();
      const sha = 'a'.repeat(64);
      await s.cases.addEvidence(
        {
          id: evId,
          tenant: 't',
          caseId: source.id,
          sha256: sha,
          size: 3,
          name: 'x.bin',
          contentType: 'application/octet-stream',
          description: '',
          addedBy: 'a',
          addedAt: T0,
          integrity: 'ok',
          lastVerifiedAt: T0,
        },
        {
          tenant: 't',
          evidenceId: evId,
          caseId: source.id,
          action: 'added',
          actor: 'a',
          ip: '127.0.0.1',
          at: T0,
          sha256: sha,
          detail: null,
        },
      );
      await s.cases.pin({
        id: randomUUID(),
        tenant: 't',
        caseId: source.id,
        eventId: 'e1',
        eventTime: T0,
        summary: '',
        note: '',
        pinnedBy: 'a',
        pinnedAt: T0,
      });
      await s.cases.pin({
        id: randomUUID(),
        tenant: 't',
        caseId: target.id,
        eventId: 'e1',
        eventTime: T0,
        summary: '',
        note: '',
        pinnedBy: 'a',
        pinnedAt: T0,
      });

      await s.cases.merge('t', source.id, target.id, 'bob', '2026-11-01T11:00:00.000Z');

      expect((await s.cases.links('t', target.id)).map((l) => l.alertId)).toEqual(['al-1']);
      expect(await s.cases.tasks('t', target.id)).toHaveLength(1);
      expect((await s.cases.tasks('t', target.id))[0]!.caseId).toBe(target.id);
      expect(await s.cases.comments('t', target.id)).toHaveLength(1);
      const o = await s.cases.observables('t', target.id);
      expect(o).toHaveLength(1);
      expect(o[0]).toMatchObject({ manual: true, alertIds: ['al-1'] });
      expect(await s.cases.evidence('t', target.id)).toHaveLength(1);
      expect(await s.cases.pins('t', target.id)).toHaveLength(1);
      expect(await s.cases.observables('t', source.id)).toEqual([]);
      expect((await s.cases.custody('t', evId)).map((c) => [c.action, c.caseId])).toEqual([
        ['added', source.id],
        ['moved', target.id],
      ]);
      expect(await s.cases.get('t', source.id)).toMatchObject({
        status: 'closed',
        resolution: 'merged',
        mergedInto: target.id,
      });
      expect(
        (
          await s.cases.list({ tenants: ['t'], now: new Date(), atRiskFraction: 0.25, limit: 10, offset: 0 })
        ).cases.map((c) => c.id),
      ).toEqual([target.id]);
    });

    it('refuses to link an alert to two cases of a tenant', async () => {
      const c1 = await s.cases.create(newCase('t'), none);
      const c2 = await s.cases.create(newCase('t'), none);
      await s.cases.linkAlerts([{ tenant: 't', caseId: c1.id, alertId: 'al', addedBy: 'a', addedAt: T0 }]);
      await expect(
        s.cases.linkAlerts([{ tenant: 't', caseId: c2.id, alertId: 'al', addedBy: 'a', addedAt: T0 }]),
      ).rejects.toThrow(/UNIQUE|duplicate key/);
      expect(await s.cases.caseOfAlerts('t', ['al', 'nope'])).toEqual(new Map([['al', c1.id]]));
    });

    it('stores SLA policies and tenant templates per tenant', async () => {
      await s.cases.setSlaPolicy('t', {
        critical: 1,
        high: 2,
        medium: 3,
        low: 4,
        informational: 5,
        atRiskFraction: 0.5,
      });
      expect((await s.cases.slaPolicy('t'))?.critical).toBe(1);
      expect(await s.cases.slaPolicy('u')).toBeUndefined();
      const tpl = {
        id: 'x',
        name: 'X',
        description: '',
        severity: null,
        tags: [],
        tlp: null,
        pap: null,
        customFields: {},
        tasks: [{ title: 'a', description: '', group: null, dueInHours: null }],
      };
      await s.cases.saveTemplate('t', tpl);
      expect(await s.cases.templates('t')).toEqual([tpl]);
      expect(await s.cases.templates('u')).toEqual([]);
      expect(await s.cases.removeTemplate('u', 'x')).toBe(false);
      expect(await s.cases.removeTemplate('t', 'x')).toBe(true);
    });
  });
}
