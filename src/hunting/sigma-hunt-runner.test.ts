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
import { CorrelationEngine } from '../detect/correlation/evaluator.js';
import { compileHuntRules, nextSlice, SigmaHuntRunner } from './sigma-hunt-runner.js';
import type { SigmaHunt } from './sigma-hunts.js';

const log = pino({ level: 'silent' });
const START = Date.parse('2026-02-01T00:00:00.000Z');
const DAY = 86_400_000;

const RULE = `
title: Whoami run
id: 0b6c4c7e-5b0a-4b8e-9d0a-000000000001
status: test
logsource: { category: process_creation, product: windows }
detection:
  selection: { Image|endswith: '\\whoami.exe' }
  condition: selection
level: high
---
title: Net user add
id: 0b6c4c7e-5b0a-4b8e-9d0a-000000000002
status: test
logsource: { category: process_creation, product: windows }
detection:
  selection: { CommandLine|contains|all: ['net', 'user', '/add'] }
  condition: selection
level: critical
`;

const WHOAMI_TWICE_ID = '0b6c4c7e-5b0a-4b8e-9d0a-000000000003';
const WHOAMI_TWICE = `title: Whoami twice in 30 hours
id: ${WHOAMI_TWICE_ID}
status: test
correlation:
  type: event_count
  rules: [0b6c4c7e-5b0a-4b8e-9d0a-000000000001]
  group-by: [Image]
  timespan: 30h
  condition:
    gte: 2
  generate: true
level: high
`;

function hunt(over: Partial<SigmaHunt> = {}): SigmaHunt {
  return {
    id: `h-${Math.random().toString(36).slice(2)}`,
    tenant: 'acme',
    status: 'queued',
    rules: compileHuntRules(RULE).rules,
    from: new Date(START).toISOString(),
    to: new Date(START + 3 * DAY).toISOString(),
    raiseAlerts: false,
    maxEvents: 1_000_000,
    total: 0,
    scanned: 0,
    hits: 0,
    cursor: null,
    error: null,
    requestedBy: 'alice',
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    cancelRequested: false,
    ...over,
  };
}

function describeHunts(name: string, open: () => Promise<Storage>) {
  describe(`Sigma retro-hunts on ${name}`, () => {
    let storage: Storage;
    let bus: MemoryBus;
    const published: DetectionRecord[] = [];
    const runner = (pageSize = 100) =>
      new SigmaHuntRunner(
        { hunts: storage.sigmaHunts, events: storage.events, bus, log, exceptions: storage.ruleExceptions },
        { pageSize, leaseMs: 60_000 },
      );

    beforeAll(async () => {
      storage = await open();
      bus = new MemoryBus(16);
      await bus.consume<DetectionRecord[]>('detections.>', 'test', async (m) => {
        published.push(...m.data);
      });
      const events = [];
      // 1,200 ordinary process starts over three days, with 3 whoami and 2 net user /add among them.
      for (let i = 0; i < 1200; i++) {
        const image = i % 400 === 7 ? 'C:\\Windows\\System32\\whoami.exe' : 'C:\\Windows\\explorer.exe';
        const cmd = i % 600 === 11 ? 'net user eve P@ss /add' : 'explorer.exe';
        events.push(
          makeEvent('acme', new Date(START + i * 216_000).toISOString(), {
            process: { executable: image, command_line: cmd },
            winlog: {
              channel: 'Microsoft-Windows-Sysmon/Operational',
              event_id: 1,
              event_data: { Image: image, CommandLine: cmd },
            },
            event: {
              id: `ev-${i}`,
              ingested: new Date().toISOString(),
              kind: 'event',
              category: ['process'],
              type: ['start'],
            },
            host: { os: { type: 'windows' } },
          }),
        );
      }
      // The other tenant's whoami is never found by acme's hunt.
      events.push(
        makeEvent('other', new Date(START + 1000).toISOString(), {
          winlog: {
            channel: 'Microsoft-Windows-Sysmon/Operational',
            event_id: 1,
            event_data: { Image: 'C:\\Windows\\System32\\whoami.exe' },
          },
          process: { executable: 'C:\\Windows\\System32\\whoami.exe' },
          event: {
            id: 'other-1',
            ingested: new Date().toISOString(),
            kind: 'event',
            category: ['process'],
            type: ['start'],
          },
        }),
      );
      await storage.events.append(events);
    });
    afterAll(async () => {
      await bus.close();
      await storage.close();
    });

    it('scans the whole range of its tenant, keeps the hits and raises alerts when asked', async () => {
      const h = hunt({ raiseAlerts: true });
      await storage.sigmaHunts.create(h, RULE);
      expect(await runner().runNext()).toBe(true);
      const done = (await storage.sigmaHunts.get('acme', h.id))!;
      expect(done).toMatchObject({ status: 'done', scanned: 1200, hits: 5, total: 1200 });
      const hits = await storage.sigmaHunts.hits('acme', h.id, { limit: 100, offset: 0 });
      expect(hits.total).toBe(5);
      expect(
        hits.hits
          .filter((x) => x.level === 'critical')
          .map((x) => x.eventId)
          .sort(),
      ).toEqual(['ev-11', 'ev-611']);
      expect(hits.hits.some((x) => x.eventId === 'other-1')).toBe(false);
      // Detections carry the hunt id and the live detection id (rule + event): no double alert.
      const mine = published.filter((d) => d.details['retroHunt'] === h.id);
      expect(mine).toHaveLength(5);
      expect(new Set(mine.map((d) => d.id)).size).toBe(5);
      expect(await storage.sigmaHunts.hits('other', h.id, { limit: 10, offset: 0 })).toEqual({
        total: 0,
        hits: [],
      });
    });

    it('stops at a cancel request and reports cancelled', async () => {
      const h = hunt();
      await storage.sigmaHunts.create(h, RULE);
      const r = runner(50);
      // Claimed, then cancelled before its first slice checkpoint.
      const claimed = storage.sigmaHunts.claimNext.bind(storage.sigmaHunts);
      storage.sigmaHunts.claimNext = async (...a) => {
        const j = await claimed(...a);
        if (j) await storage.sigmaHunts.requestCancel(j.tenant, j.id);
        return j;
      };
      try {
        await r.runNext();
      } finally {
        storage.sigmaHunts.claimNext = claimed;
      }
      const after = (await storage.sigmaHunts.get('acme', h.id))!;
      expect(after.status).toBe('cancelled');
      expect(after.scanned).toBeLessThan(1200);
    });

    it('cancels a queued hunt at once', async () => {
      const h = hunt();
      await storage.sigmaHunts.create(h, RULE);
      expect((await storage.sigmaHunts.requestCancel('acme', h.id))?.status).toBe('cancelled');
      expect(await runner().runNext()).toBe(false);
    });

    it("resumes a dead worker's job from its checkpoint once the lease ran out", async () => {
      const h = hunt();
      await storage.sigmaHunts.create(h, RULE);
      const now = Date.now();
      const j = (await storage.sigmaHunts.claimNext('dead', new Date(now), new Date(now + 60_000)))!;
      // The dead worker got through the first day before dying.
      await storage.sigmaHunts.progress(j.id, 'dead', {
        total: 1200,
        scanned: 400,
        hits: 2,
        cursor: new Date(START + DAY).toISOString(),
        leaseUntil: new Date(now - 1),
      });
      expect(await runner().runNext()).toBe(true);
      const done = (await storage.sigmaHunts.get('acme', h.id))!;
      expect(done).toMatchObject({ status: 'done', scanned: 1200 });
      // Hits after the checkpoint were found by the new worker: 3 in days 2-3 plus the 2 carried over.
      expect(done.hits).toBe(5);
      // The dead worker lost the job: its late checkpoint is refused.
      expect(
        await storage.sigmaHunts.progress(j.id, 'dead', {
          total: 1,
          scanned: 1,
          hits: 0,
          cursor: null,
          leaseUntil: new Date(),
        }),
      ).toBeUndefined();
    });

    it('runs the correlations in its rule text over the matches, in event time, and raises them', async () => {
      const text = `${RULE}---\n${WHOAMI_TWICE}`;
      const compiled = compileHuntRules(text);
      const h = hunt({ raiseAlerts: true, rules: compiled.rules });
      await storage.sigmaHunts.create(h, text);
      expect(await runner().runNext()).toBe(true);
      const done = (await storage.sigmaHunts.get('acme', h.id))!;
      // whoami at 25 min, 24.4 h and 48.4 h: the first two (24 h apart) fire once, then it starts over
      expect(done).toMatchObject({ status: 'done', hits: 6 });
      const hits = (await storage.sigmaHunts.hits('acme', h.id, { limit: 100, offset: 0 })).hits;
      const fired = hits.filter((x) => x.ruleId === WHOAMI_TWICE_ID);
      expect(fired).toHaveLength(1);
      expect(fired[0]!.eventId).toMatch(/^corr:/);
      const alerts = published.filter((d) => d.details['retroHunt'] === h.id && d.kind === 'correlation');
      expect(alerts.map((d) => [d.ruleId, d.details['value']])).toEqual([[WHOAMI_TWICE_ID, 2]]);
      // chosen alone, the correlation brings the rule it counts
      expect(
        compileHuntRules(text, [WHOAMI_TWICE_ID])
          .rules.map((r) => r.id)
          .sort(),
      ).toEqual([WHOAMI_TWICE_ID, '0b6c4c7e-5b0a-4b8e-9d0a-000000000001'].sort());
    });

    it("carries a resumed job's correlation windows on from its checkpoint", async () => {
      const text = `${RULE}---\n${WHOAMI_TWICE}`;
      const compiled = compileHuntRules(text);
      const h = hunt({ raiseAlerts: true, rules: compiled.rules });
      await storage.sigmaHunts.create(h, text);
      // The dead worker got through the first day, where the first whoami (ev-7) opened a window.
      const at = START + 7 * 216_000;
      const first = (
        await storage.events.search({ tenants: ['acme'], from: new Date(at), to: new Date(at + 1), limit: 1 })
      ).events[0]!;
      expect(first.event.id).toBe('ev-7');
      const engine = new CorrelationEngine(compiled.correlations, compiled.detection);
      engine.process([{ ruleId: '0b6c4c7e-5b0a-4b8e-9d0a-000000000001', event: first }]);
      const now = Date.now();
      const j = (await storage.sigmaHunts.claimNext('dead', new Date(now), new Date(now + 60_000)))!;
      await storage.sigmaHunts.progress(j.id, 'dead', {
        total: 1200,
        scanned: 400,
        hits: 1,
        cursor: new Date(START + DAY).toISOString(),
        leaseUntil: new Date(now - 1),
        correlationState: engine.snapshot(),
      });
      expect(await runner().runNext()).toBe(true);
      const fired = (await storage.sigmaHunts.hits('acme', h.id, { limit: 100, offset: 0 })).hits.filter(
        (x) => x.ruleId === WHOAMI_TWICE_ID,
      );
      // The window opened by ev-7 before the checkpoint closes with ev-407 after it.
      expect(fired.map((x) => x.eventId.slice(0, 29))).toEqual([`corr:${first['@timestamp']}`]);
    });

    it("leaves out of its alerts what the tenant's rule exceptions suppress, as live detection does", async () => {
      const exception = {
        id: 'ex-hunt-1',
        tenant: 'acme',
        ruleId: '0b6c4c7e-5b0a-4b8e-9d0a-000000000001',
        match: [{ field: 'event.id', value: 'ev-407' }],
        reason: 'admin check',
        createdBy: 'alice',
        createdAt: new Date().toISOString(),
        expiresAt: null,
      };
      await storage.ruleExceptions.add(exception);
      try {
        const text = `${RULE}---\n${WHOAMI_TWICE}`;
        const h = hunt({ raiseAlerts: true, rules: compileHuntRules(text).rules });
        await storage.sigmaHunts.create(h, text);
        await runner().runNext();
        const mine = published.filter((d) => d.details['retroHunt'] === h.id);
        // the excepted whoami is still a hit (the rule matched it) but raises nothing...
        expect(
          mine
            .filter((d) => d.kind === 'sigma')
            .flatMap((d) => d.eventIds)
            .sort(),
        ).toEqual(['ev-11', 'ev-611', 'ev-7', 'ev-807'].sort());
        // ...and counts toward no correlation: 25 min and 48.4 h are not within 30 hours
        expect(mine.filter((d) => d.kind === 'correlation')).toEqual([]);
        expect((await storage.sigmaHunts.get('acme', h.id))!.hits).toBe(5);
      } finally {
        await storage.ruleExceptions.remove('acme', exception.id);
      }
    });

    it('honours max_events and fails a job whose rule text no longer compiles', async () => {
      const capped = hunt({ maxEvents: 250 });
      await storage.sigmaHunts.create(capped, RULE);
      await runner().runNext();
      expect((await storage.sigmaHunts.get('acme', capped.id))!).toMatchObject({
        status: 'done',
        scanned: 250,
      });
      const broken = hunt();
      await storage.sigmaHunts.create(broken, 'title: nothing here');
      await runner().runNext();
      expect((await storage.sigmaHunts.get('acme', broken.id))!.status).toBe('failed');
      expect((await storage.sigmaHunts.list(['acme'], 100)).length).toBeGreaterThanOrEqual(6);
      expect(await storage.sigmaHunts.list(['nobody'], 100)).toEqual([]);
    });
  });
}

describeHunts('SQLite', async () => openSqliteStorage(mkdtempSync(path.join(tmpdir(), 'vigil-hunt-'))));

const pgTarget = new URL(PG_URL);
const pgUp = await serviceAvailable('PostgreSQL', pgTarget.hostname, Number(pgTarget.port || 5432));
describe.runIf(pgUp)('PostgreSQL', () => {
  describeHunts('PostgreSQL', () => freshPostgresStorage('hunt'));
});

describe('slice sizing', () => {
  it('grows empty slices and shrinks busy ones toward the target', () => {
    expect(nextSlice(60_000, 0)).toBe(240_000);
    expect(nextSlice(3_600_000, 50_000)).toBe(360_000);
    expect(nextSlice(1000, 1_000_000)).toBe(1000);
    expect(nextSlice(86_400_000, 0)).toBe(86_400_000);
  });
  it('refuses rule text without a usable rule', () => {
    expect(() => compileHuntRules('title: x')).toThrow(/no usable Sigma rule/);
    expect(
      compileHuntRules(RULE, ['0b6c4c7e-5b0a-4b8e-9d0a-000000000002']).rules.map((r) => r.level),
    ).toEqual(['critical']);
  });
});
