import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { makeEvent } from '../store/contract/storage.contract.js';
import type { DetectionRecord, Storage } from '../store/ports.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import { freshPostgresStorage } from '../test-support/postgres.js';
import { PG_URL, serviceAvailable } from '../test-support/services.js';
import { savedSearchInput } from './saved-searches.js';
import { ScheduledSearchRunner, SCHEDULED_SEARCH_KIND, unschedulable } from './scheduled-runner.js';
import { scheduleInput } from './schedules.js';

const HOUR = 3_600_000;
/** Runs happen at this instant: the window [T-1h, T) has closed. */
const T = Date.parse('2026-03-10T12:00:00.000Z');
const at = (msBefore: number) => new Date(T - msBefore).toISOString();
const log = pino({ level: 'silent' });

function describeRunner(name: string, open: () => Promise<Storage>) {
  describe(`scheduled searches on ${name}`, () => {
    let storage: Storage;
    let bus: MemoryBus;
    const published: DetectionRecord[][] = [];
    const runner = () =>
      new ScheduledSearchRunner(
        {
          schedules: storage.searchSchedules,
          savedSearches: storage.savedSearches,
          search: storage.search,
          bus,
          log,
        },
        { graceMs: 0, leaseMs: 60_000 },
      );

    beforeAll(async () => {
      storage = await open();
      bus = new MemoryBus(16);
      await bus.consume<DetectionRecord[]>('detections.>', 'test', async (m) => {
        published.push(m.data);
      });
      const fail = (host: string, user: string, ms: number) =>
        makeEvent('acme', at(ms), {
          host: { name: host },
          user: { name: user },
          event: undefined,
          message: 'login failed',
        });
      const events = [
        // Inside the last hour: web-1 fails 5 times, db-1 once; mallory is new there.
        ...[1, 2, 3, 4, 5].map((i) => fail('web-1', 'alice', i * 60_000)),
        fail('db-1', 'mallory', 10 * 60_000),
        // Yesterday: alice and bob were already seen.
        fail('web-1', 'alice', 26 * HOUR),
        fail('web-1', 'bob', 30 * HOUR),
        // Another tenant never counts.
        ...[1, 2, 3, 4, 5, 6].map((i) =>
          makeEvent('other', at(i * 60_000), { host: { name: 'web-1' }, message: 'login failed' }),
        ),
      ].map((e) => ({
        ...e,
        event: {
          id: `${e.organization.id}-${e['@timestamp']}-${String(e.host && (e.host as { name: string }).name)}`,
          ingested: at(0),
          kind: 'event' as const,
        },
      }));
      await storage.events.append(events);
    });
    afterAll(async () => {
      await bus.close();
      await storage.close();
    });

    async function schedule(query: string, s: unknown) {
      const saved = await storage.savedSearches.create(
        'acme',
        'alice',
        savedSearchInput.parse({ name: `s ${query}`, query }),
      );
      await storage.searchSchedules.put('acme', saved.id, 'alice', scheduleInput.parse(s), true);
      return saved;
    }

    it('raises one detection per group over the threshold, with sample events, once per window', async () => {
      const saved = await schedule('message:"login failed"', {
        kind: 'threshold',
        everyMinutes: 60,
        windowMinutes: 60,
        op: '>=',
        value: 3,
        by: 'host.name',
        level: 'high',
      });
      const r = runner();
      const raised = (await r.tick(T)).filter((d) => d.ruleId === `search:${saved.id}`);
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({
        kind: SCHEDULED_SEARCH_KIND,
        tenant: 'acme',
        level: 'high',
        details: { group: { 'host.name': 'web-1' }, count: 5, windowEnd: at(0), windowStart: at(HOUR) },
      });
      expect(raised[0]!.eventIds).toHaveLength(5);
      expect(published.flat().map((d) => d.id)).toContain(raised[0]!.id);
      // The same window does not run twice, even from another worker.
      expect((await runner().tick(T + 5 * 60_000)).filter((d) => d.ruleId === `search:${saved.id}`)).toEqual(
        [],
      );
      const state = await storage.searchSchedules.get('acme', saved.id);
      expect(state).toMatchObject({ lastWindowEnd: at(0), lastStatus: 'ok', lastHits: 1 });
    });

    it('raises a new-terms detection only for values never seen in the history', async () => {
      const saved = await schedule('message:"login failed"', {
        kind: 'new_terms',
        everyMinutes: 60,
        windowMinutes: 60,
        field: 'user.name',
        historyDays: 7,
      });
      const raised = (await runner().tick(T)).filter((d) => d.ruleId === `search:${saved.id}`);
      expect(raised.map((d) => d.details['term'])).toEqual(['mallory']);
      expect(raised[0]!.details['group']).toEqual({ 'user.name': 'mallory' });
    });

    it('raises no-data when the window is empty, and not when it holds events', async () => {
      const quiet = await schedule('host.name:printer-9', {
        kind: 'no_data',
        everyMinutes: 60,
        windowMinutes: 60,
      });
      const busy = await schedule('host.name:db-1', { kind: 'no_data', everyMinutes: 60, windowMinutes: 60 });
      const raised = await runner().tick(T);
      expect(raised.filter((d) => d.ruleId === `search:${quiet.id}`)).toHaveLength(1);
      expect(raised.filter((d) => d.ruleId === `search:${busy.id}`)).toHaveLength(0);
    });

    it('gives the same detection ids when a window runs again after a lost lease', async () => {
      const saved = await schedule('message:"login failed"', {
        kind: 'threshold',
        everyMinutes: 60,
        windowMinutes: 60,
        op: '>',
        value: 0,
      });
      const s = (await storage.searchSchedules.get('acme', saved.id))!;
      // A worker that claimed the run and died: its lease blocks others until it expires.
      expect(
        await storage.searchSchedules.claim(
          'acme',
          saved.id,
          'dead-worker',
          new Date(T),
          new Date(T + 60_000),
        ),
      ).toBe(true);
      expect((await runner().tick(T)).filter((d) => d.ruleId === `search:${saved.id}`)).toEqual([]);
      const first = await runner().evaluate(s, saved, T);
      const again = (await runner().tick(T + 120_000)).filter((d) => d.ruleId === `search:${saved.id}`);
      expect(again.map((d) => d.id)).toEqual(first.map((d) => d.id));
      expect(again[0]!.details['count']).toBe(6);
    });

    it('removes the schedule of a saved search that was deleted', async () => {
      const saved = await schedule('x', { kind: 'no_data', everyMinutes: 60, windowMinutes: 60 });
      await storage.savedSearches.delete('acme', saved.id);
      await runner().tick(T);
      expect(await storage.searchSchedules.get('acme', saved.id)).toBeUndefined();
    });
  });
}

describeRunner('SQLite', async () => openSqliteStorage(mkdtempSync(path.join(tmpdir(), 'vigil-sched-'))));

const pgTarget = new URL(PG_URL);
const pgUp = await serviceAvailable('PostgreSQL', pgTarget.hostname, Number(pgTarget.port || 5432));
describe.runIf(pgUp)('PostgreSQL', () => {
  describeRunner('PostgreSQL', () => freshPostgresStorage('sched'));
});

describe('what can be scheduled', () => {
  it('refuses queries with pipes, naming why', () => {
    expect(unschedulable('host.name:web-1')).toBeUndefined();
    expect(unschedulable('host.name:web-1 | stats count() by user.name')).toMatch(/remove the pipes/);
  });
});
