import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEvent } from '../contract/storage.contract.js';
import type { Storage } from '../ports.js';
import { openConnection } from './db.js';
import { EventRowEncoder } from './event-rows.js';
import { EventWriterThread } from './event-writer-client.js';
import { openSqliteStorage, SQLITE_FILE } from './index.js';

// Real files and a real worker thread (its TypeScript loaded through tsx), as `vigil start` runs it.
describe('event writer thread', () => {
  let dir: string;
  let s: Storage;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-writer-'));
    s = openSqliteStorage(dir, { writerThread: true });
  });
  afterEach(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores appends issued together, each caller told its own count, and ignores re-sent ids', async () => {
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) =>
        makeEvent('t1', new Date(Date.UTC(2026, 0, 1 + (b % 3), 0, i)).toISOString()),
      ),
    );
    const counts = await Promise.all(batches.map((b) => s.events.append(b)));
    expect(counts).toEqual(batches.map(() => ({ inserted: 50 })));
    // Readable through the API thread's connection as soon as the appends resolved.
    expect(await s.events.count(['t1'])).toBe(1000);
    expect(await s.events.append(batches[3]!)).toEqual({ inserted: 0 });
    const one = batches[7]![9]!;
    expect((await s.events.get(['t1'], one.event.id))?.['@timestamp']).toBe(one['@timestamp']);
  });

  it('lets the API thread read then write in a transaction while the thread commits appends', async () => {
    // A deferred transaction would fail with SQLITE_BUSY when the thread committed between its read
    // and its write; Vigil's connections start transactions IMMEDIATE and wait instead.
    const other = openConnection(path.join(dir, SQLITE_FILE));
    try {
      other.exec('CREATE TABLE tally (n INTEGER)');
      const step = other.transaction(() => {
        const n = other.prepare('SELECT count(*) FROM events').pluck().get() as number;
        other.prepare('INSERT INTO tally (n) VALUES (?)').run(n);
      });
      const appends: Array<Promise<unknown>> = [];
      const failures: unknown[] = [];
      for (let i = 0; i < 60; i++) {
        appends.push(s.events.append([makeEvent('t1', new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString())]));
        await new Promise((r) => setImmediate(r));
        try {
          step();
        } catch (e) {
          failures.push(e);
        }
      }
      await Promise.all(appends);
      expect(failures).toEqual([]);
      expect(other.prepare('SELECT count(*) FROM tally').pluck().get()).toBe(60);
      expect(await s.events.count(['t1'])).toBe(60);
    } finally {
      other.close();
    }
  });

  it('has written everything handed over when close resolves', async () => {
    const events = Array.from({ length: 300 }, (_, i) =>
      makeEvent('t2', new Date(Date.UTC(2026, 2, 1, 0, 0, i)).toISOString()),
    );
    // Not awaited: close must wait for the thread to commit them.
    const pending = [s.events.append(events.slice(0, 150)), s.events.append(events.slice(150))];
    await s.close();
    await Promise.all(pending);
    const db = new Database(path.join(dir, SQLITE_FILE), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM events WHERE tenant = 't2'").pluck().get()).toBe(300);
    } finally {
      db.close();
    }
    s = openSqliteStorage(dir, { writerThread: true });
  });

  it('writes detections through the thread, idempotent by id', async () => {
    const d = {
      id: 'det-1',
      tenant: 't1',
      ts: '2026-01-01T00:00:00.000Z',
      detectedAt: '2026-01-01T00:00:01.000Z',
      kind: 'sigma',
      ruleId: 'r1',
      title: 'a rule',
      level: 'high',
      tags: [],
      attack: { techniques: [], tactics: [] },
      eventIds: ['e1'],
      details: {},
    };
    expect(await s.detections.add([d])).toEqual({ inserted: 1 });
    expect(await s.detections.add([d])).toEqual({ inserted: 0 });
    expect((await s.detections.list(['t1'], { limit: 5 })).detections.map((x) => x.id)).toEqual(['det-1']);
  });

  it('fails the writes a dead thread held, and the next write starts a new one', async () => {
    const file = path.join(dir, SQLITE_FILE);
    const thread = new EventWriterThread({ file, fullText: false });
    const encoder = new EventRowEncoder();
    const lost = [makeEvent('t3', '2026-04-01T00:00:00.000Z')];
    const kept = [makeEvent('t3', '2026-04-01T00:00:01.000Z')];
    // Killed while still starting: it never saw the write, which must fail rather than hang.
    const first = thread.write({ kind: 'events', rows: encoder.encode(lost) });
    void (thread as unknown as { worker: Worker }).worker.terminate();
    await expect(first).rejects.toThrow(/exited/);
    expect(await thread.write({ kind: 'events', rows: encoder.encode(kept) })).toBe(1);
    await thread.close();
    expect(await s.events.get(['t3'], kept[0]!.event.id)).toBeDefined();
    expect(await s.events.get(['t3'], lost[0]!.event.id)).toBeUndefined();
  });
});
