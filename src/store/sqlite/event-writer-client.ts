import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DetectionRow } from './detections.js';
import type { RowGroup } from './event-rows.js';

/** What the thread writes: an append's encoded rows, or the detections found in stored events. */
export type WriteJob = { kind: 'events'; rows: RowGroup } | { kind: 'detections'; rows: DetectionRow[] };

export interface WriterSettings {
  file: string;
  /** Fill the free-text index behind ingest (the store's `backgroundIndexing`). */
  fullText: boolean;
}

export type WriterRequest =
  { type: 'write'; id: number; jobs: WriteJob[] } | { type: 'forget' } | { type: 'close' };

/** Per group: rows inserted, or the error its transaction met (code kept: SQLITE_FULL...). */
export interface WriterReply {
  id: number;
  results: Array<number | { message: string; code: unknown }>;
}

interface Waiter {
  job: WriteJob;
  resolve: (inserted: number) => void;
  reject: (e: Error) => void;
}

/** An error from the writer thread, with SQLite's code as the in-thread error had it. */
export class EventWriteError extends Error {
  constructor(
    message: string,
    readonly code: unknown,
  ) {
    super(message);
    this.name = 'EventWriteError';
  }
}

/**
 * Where the thread's code is: next to this module once compiled; under tsx or vitest (TypeScript
 * sources), loaded through tsx's loader, registered inside the thread.
 */
function spawn(workerData: WriterSettings): Worker {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new Worker(new URL('./event-writer-thread.js', here), { workerData });
  const tsxDir = path.dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./event-writer-thread.ts', here).href;
  const boot = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * Messages to the thread at once: the next one waits in the thread's queue while a commit runs, so
 * the thread never idles for a round trip; the rest wait here and go as one (group commit).
 */
const MESSAGES_IN_FLIGHT = 2;

/**
 * Hands encoded rows to the writer thread, a message or two at a time: what arrives meanwhile
 * waits and goes as one transaction after them (group commit across batches, one fsync).
 * Each caller's promise settles after the commit that holds its rows, so acknowledging on it
 * keeps "acknowledged means durable".
 */
export class EventWriterThread {
  private worker: Worker | undefined;
  private waiting: Waiter[] = [];
  private readonly inFlight = new Map<number, Waiter[]>();
  private nextId = 1;
  private drained: Array<() => void> = [];

  constructor(private readonly settings: WriterSettings) {}

  /** Settles after the commit that holds the job: rows inserted (re-sent ids are ignored). */
  write(job: WriteJob): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Drops the thread's cached statements: a day table was dropped (retention). */
  forget(): void {
    this.worker?.postMessage({ type: 'forget' } satisfies WriterRequest);
  }

  /** Waits for every write handed over so far, then closes the thread's connection. */
  async close(): Promise<void> {
    while (this.inFlight.size > 0 || this.waiting.length > 0)
      await new Promise<void>((r) => this.drained.push(r));
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    const exited = new Promise((r) => w.once('exit', r));
    // Held until it has closed its connection: an idle thread is unref'd, and a process whose
    // last await is this one would otherwise end (exit code 13) before the answer came.
    w.ref();
    w.postMessage({ type: 'close' } satisfies WriterRequest);
    await exited;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = spawn(this.settings);
    w.on('message', (m: WriterReply) => this.settle(m));
    // A thread that dies fails what it held (senders retry; ids make the retry a no-op if it had
    // committed); the next write starts a new one.
    const lost = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.fail(e);
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`event writer thread exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private pump(): void {
    if (this.inFlight.size === 0 && this.waiting.length === 0) {
      this.worker?.unref();
      for (const d of this.drained.splice(0)) d();
      return;
    }
    if (this.inFlight.size >= MESSAGES_IN_FLIGHT || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    const id = this.nextId++;
    this.inFlight.set(id, batch);
    const w = this.thread();
    // Held while a write is in flight: its caller awaits the answer.
    w.ref();
    w.postMessage({ type: 'write', id, jobs: batch.map((b) => b.job) } satisfies WriterRequest);
  }

  private settle(m: WriterReply): void {
    const batch = this.inFlight.get(m.id);
    this.inFlight.delete(m.id);
    batch?.forEach((b, i) => {
      const r = m.results[i];
      if (typeof r === 'number') b.resolve(r);
      else b.reject(new EventWriteError(r?.message ?? 'no answer from the event writer thread', r?.code));
    });
    this.pump();
  }

  private fail(e: Error): void {
    for (const batch of this.inFlight.values()) for (const b of batch) b.reject(e);
    this.inFlight.clear();
    this.pump();
  }
}
