import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCaseStoreContract } from '../../cases/contract/case-store.contract.js';
import type { AlertFold } from '../../alerts/ports.js';
import { NOTIFICATION_KINDS } from '../../notify/ports.js';
import { describeAlertStoreContract } from '../contract/alert-store.contract.js';
import { describeRuleStoresContract } from '../contract/rule-store.contract.js';
import { describeStorageContract } from '../contract/storage.contract.js';
import { PG_URL, serviceAvailable } from '../../test-support/services.js';
import { openPool } from './db.js';
import { openPostgresStorage } from './index.js';
import { PostgresRuleExceptionStore } from './rule-exceptions.js';
import { PostgresRuleStore } from './rules.js';

const target = new URL(PG_URL);
const available = await serviceAvailable('PostgreSQL', target.hostname, Number(target.port || 5432));

/** Each test gets its own database, so contract tests start empty and runs never meet. */
const dbName = `vigil_test_${process.pid}_${Date.now().toString(36)}`;
let counter = 0;
async function freshDatabase(): Promise<string> {
  const name = `${dbName}_${counter++}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

describe.runIf(available)('PostgreSQL storage', () => {
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (let i = 0; i < counter; i++) await c.query(`DROP DATABASE IF EXISTS ${dbName}_${i} WITH (FORCE)`);
    await c.end();
  }, 300_000);

  let lastUrl = '';
  describeStorageContract(
    'postgres',
    async () => {
      lastUrl = await freshDatabase();
      return openPostgresStorage(lastUrl);
    },
    async (s) => {
      await s.close();
      return openPostgresStorage(lastUrl);
    },
  );

  describeAlertStoreContract('postgres', async () => {
    const url = await freshDatabase();
    let s = await openPostgresStorage(url);
    return {
      alerts: s.alerts,
      reopen: async () => {
        await s.close();
        s = await openPostgresStorage(url);
        return s.alerts;
      },
      close: () => s.close(),
    };
  });

  describeCaseStoreContract('postgres', async () => {
    const url = await freshDatabase();
    let s = await openPostgresStorage(url);
    return {
      cases: s.cases,
      reopen: async () => {
        await s.close();
        s = await openPostgresStorage(url);
        return s.cases;
      },
      close: () => s.close(),
    };
  });

  describeRuleStoresContract('postgres', async () => {
    const url = await freshDatabase();
    let pool = await openPool(url);
    return {
      exceptions: (now) => new PostgresRuleExceptionStore(pool, now),
      rules: () => new PostgresRuleStore(pool),
      reopen: async () => {
        await pool.end();
        pool = await openPool(url);
      },
      close: () => pool.end(),
    };
  });

  describe('cluster races', () => {
    const fold = (detectionId: string, i: number): AlertFold => ({
      tenant: 'default',
      detectionId,
      kind: 'sigma',
      ruleId: 'ssh-brute',
      title: 'SSH brute force',
      severity: 'medium',
      tags: [],
      attack: { techniques: [], tactics: [] },
      entity: { type: 'ip', value: '203.0.113.7' },
      ts: new Date(Date.parse('2026-11-28T09:00:00Z') + i * 1000).toISOString(),
      firstEventAt: '2026-11-28T09:00:00.000Z',
      eventIds: [`ev-${detectionId}`],
      observables: [{ type: 'ip', value: '203.0.113.7' }],
      detection: { id: detectionId },
    });

    it('two nodes folding the same rule and entity at once open one alert and count each detection once', async () => {
      const url = await freshDatabase();
      // Two storages, two pools: as two detection workers on two machines.
      const [a, b] = await Promise.all([openPostgresStorage(url), openPostgresStorage(url)]);
      try {
        const ids = Array.from({ length: 40 }, (_, i) => `d${i}`);
        // Both nodes get every detection (a redelivery storm), in opposite orders and batches of two.
        const work = (s: typeof a, list: string[]) =>
          Promise.all(
            Array.from({ length: list.length / 2 }, (_, k) =>
              s.alerts.fold([fold(list[2 * k]!, 2 * k), fold(list[2 * k + 1]!, 2 * k + 1)], 3600_000),
            ),
          );
        const results = await Promise.all([work(a, ids), work(b, [...ids].reverse())]);
        const outcomes = results.flat().flatMap((r) => r.outcomes);
        expect(outcomes.filter((o) => o.result === 'created')).toHaveLength(1);
        expect(outcomes.filter((o) => o.result === 'duplicate')).toHaveLength(40);
        expect(new Set(outcomes.map((o) => o.alertId)).size).toBe(1);
        const { alerts } = await a.alerts.list({ tenants: ['default'], limit: 10 });
        expect(alerts).toHaveLength(1);
        expect(alerts[0]!.count).toBe(40);
        expect(await b.alerts.eventIdsOf('default', alerts[0]!.id, 100)).toHaveLength(40);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('two worker pumps claiming due notifications at once never share one', async () => {
      const url = await freshDatabase();
      const [a, b] = await Promise.all([openPostgresStorage(url), openPostgresStorage(url)]);
      try {
        const now = new Date('2026-11-28T09:00:00Z');
        for (let i = 0; i < 30; i++) {
          await a.notifications.enqueue(
            {
              id: `n${i}`,
              kind: NOTIFICATION_KINDS[0],
              tenant: 't',
              severity: 'high',
              title: `alert ${i}`,
              subject: { type: 'alert', id: `a${i}` },
              assignee: null,
              at: now.toISOString(),
              details: {},
            },
            ['ops'],
            now,
          );
        }
        const [x, y] = await Promise.all([a.notifications.due(now, 20), b.notifications.due(now, 20)]);
        const ids = [...x, ...y].map((d) => d.id);
        expect(ids).toHaveLength(30);
        expect(new Set(ids).size).toBe(30);
        // Claimed: not due again until the lease ends, unless released.
        expect(await a.notifications.due(now, 50)).toEqual([]);
        expect(await a.notifications.due(new Date(now.getTime() + 6 * 60_000), 50)).toHaveLength(30);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('two nodes creating cases in one tenant at once get distinct numbers', async () => {
      const url = await freshDatabase();
      const [a, b] = await Promise.all([openPostgresStorage(url), openPostgresStorage(url)]);
      try {
        const none = { tasks: [], links: [], observables: [], activity: [] };
        const make = (s: typeof a, i: number) =>
          s.cases.create(
            {
              id: `case-${i}`,
              tenant: 't',
              title: `case ${i}`,
              description: '',
              severity: 'low',
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
              createdAt: '2026-11-28T09:00:00.000Z',
            },
            none,
          );
        const made = await Promise.all(Array.from({ length: 20 }, (_, i) => make(i % 2 ? a : b, i)));
        expect(new Set(made.map((c) => c.number)).size).toBe(20);
        expect(Math.max(...made.map((c) => c.number))).toBe(20);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('playbooks and secrets', () => {
    it('keeps playbooks, versions, runs and steps; advances counters and uses tokens once across nodes', async () => {
      const url = await freshDatabase();
      const [a, b] = await Promise.all([openPostgresStorage(url), openPostgresStorage(url)]);
      try {
        await a.playbooks.savePlaybook('t', 'pb', 1, 'name: one', 'alice');
        await a.playbooks.savePlaybook('t', 'pb', 2, 'name: two', 'bob');
        expect(await b.playbooks.getPlaybook('t', 'pb')).toMatchObject({
          yaml: 'name: two',
          version: 2,
          updatedBy: 'bob',
        });
        expect((await b.playbooks.listVersions('t', 'pb')).map((v) => v.version)).toEqual([2, 1]);
        expect((await b.playbooks.getVersion('t', 'pb', 1))?.yaml).toBe('name: one');
        expect(await b.playbooks.getPlaybook('other', 'pb')).toBeUndefined();
        const run = {
          id: 'run-1',
          tenant: 't',
          playbookId: 'pb',
          playbookVersion: 2,
          trigger: { type: 'manual', by: 'alice' },
          inputs: { n: 1 },
          dryRun: false,
          status: 'running' as const,
          error: null,
          outputs: null,
          startedAt: '2026-11-28T09:00:00.000Z',
          endedAt: null,
        };
        await a.playbooks.createRun(run);
        expect((await b.playbooks.unfinishedRuns()).map((r) => r.id)).toEqual(['run-1']);
        const step = (path: string, status: 'running' | 'succeeded') => ({
          runId: 'run-1',
          path,
          stepId: path,
          status,
          attempts: 1,
          input: null,
          output: null,
          error: null,
          startedAt: '2026-11-28T09:00:00.000Z',
          endedAt: null,
        });
        await a.playbooks.putStep(step('first', 'running'));
        await a.playbooks.putStep(step('second', 'running'));
        await a.playbooks.putStep(step('first', 'succeeded'));
        expect((await b.playbooks.steps('run-1')).map((x) => [x.path, x.status])).toEqual([
          ['first', 'succeeded'],
          ['second', 'running'],
        ]);
        await a.playbooks.updateRun('run-1', { status: 'succeeded', outputs: { ok: true } });
        expect(await b.playbooks.getRun(['t'], 'run-1')).toMatchObject({
          status: 'succeeded',
          outputs: { ok: true },
        });
        expect(await b.playbooks.getRun(['other'], 'run-1')).toBeUndefined();
        await a.playbooks.completeIdempotent('t', 'k', 'run-1', { v: 1 });
        await b.playbooks.completeIdempotent('t', 'k', 'run-2', { v: 2 });
        expect(await a.playbooks.idempotent('t', 'k')).toEqual({ output: { v: 1 } });
        // Round-robin positions handed out by two nodes at once: each exactly once.
        const positions = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).playbooks.advance('t', 'rr')),
        );
        expect([...positions].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        const uses = await Promise.all([a.playbooks.useToken('tok', 'x'), b.playbooks.useToken('tok', 'y')]);
        expect(uses.filter(Boolean)).toHaveLength(1);

        const sealed = {
          iv: Buffer.from('iv-bytes'),
          tag: Buffer.from('tag'),
          ciphertext: Buffer.from([0, 1, 2, 255]),
        };
        await a.secrets.put('t', 'api-key', sealed, 'alice');
        expect(await b.secrets.get('t', 'api-key')).toEqual(sealed);
        expect((await b.secrets.names('t')).map((n) => n.name)).toEqual(['api-key']);
        expect(await b.secrets.get('other', 'api-key')).toBeUndefined();
        expect(await b.secrets.remove('t', 'api-key')).toBe(true);
        expect(await a.secrets.remove('t', 'api-key')).toBe(false);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
});
