/**
 * The batcher on a real pipeline (SQLite storage in a temp dir, MemoryBus): several batches in
 * flight, completion only once durable, and the pending bound that stream listeners pause on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { createVigilMetrics } from '../metrics/registry.js';
import { IngestPipeline, type IngestItem } from '../pipeline/ingest.js';
import type { Storage } from '../store/ports.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import { Batcher } from './batcher.js';

const items = (from: number, n: number): IngestItem[] =>
  Array.from({ length: n }, (_, i) => ({
    ok: true,
    doc: { message: `m${from + i}`, event: { id: `b-${from + i}` } },
  }));

describe('Batcher', () => {
  let dir: string;
  let storage: Storage;
  let bus: MemoryBus;
  let pipeline: IngestPipeline;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-batcher-'));
    storage = openSqliteStorage(dir);
    bus = new MemoryBus();
    pipeline = new IngestPipeline(storage.events, storage.deadLetters, bus, createVigilMetrics(), 1_000_000);
  });
  afterEach(async () => {
    await bus.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every item with several batches in flight, in order, once', async () => {
    const b = new Batcher(pipeline, { tenant: 'default', input: 'test', maxBatch: 100, maxInFlight: 4 });
    for (let i = 0; i < 2500; i += 250) b.offer(items(i, 250));
    // Batches of 100 were cut as items arrived; with 4 in flight the rest wait their turn.
    expect(b.pending).toBe(2500);
    await b.flush();
    expect(b.pending).toBe(0);
    expect(await storage.events.count(['default'])).toBe(2500);
    const page = await storage.events.search({ tenants: ['default'], limit: 3000 });
    // Newest first by time, then by insertion: reversed, the insertion order is the offer order.
    const ids = page.events.map((e) => e.event.id).reverse();
    expect(ids).toEqual(
      items(0, 2500).map((it) => (it.ok ? (it.doc as { event: { id: string } }).event.id : '')),
    );
  });

  it('whenBelow resolves only once enough of what is pending is stored', async () => {
    const b = new Batcher(pipeline, { tenant: 'default', input: 'test', maxBatch: 100, maxInFlight: 2 });
    b.offer(items(0, 400));
    let released = false;
    const below = b.whenBelow(250).then(() => (released = true));
    expect(released).toBe(false);
    await below;
    expect(b.pending).toBeLessThan(250);
    // What left the pending count is durable.
    expect(await storage.events.count(['default'])).toBeGreaterThanOrEqual(400 - b.pending);
    await b.close();
    expect(await storage.events.count(['default'])).toBe(400);
  });

  it('refuses beyond maxBuffered while flushes run (UDP drops and counts)', async () => {
    const b = new Batcher(pipeline, { tenant: 'default', input: 'test', maxBatch: 100, maxBuffered: 150 });
    expect(b.offer(items(0, 120))).toBe(120);
    expect(b.offer(items(120, 100))).toBe(30);
    await b.close();
    expect(await storage.events.count(['default'])).toBe(150);
  });
});
