/**
 * The event writer thread: inserts the rows the API thread encoded (event-rows.ts) and the
 * detections found in them through its own connection, and fills the free-text index behind
 * them, so that SQLite's inserts and commits run beside parsing and detection instead of taking
 * turns with them on one core. Spawned by event-writer-client.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from './db.js';
import { detectionInserter } from './detections.js';
import { FullTextIndexer, FullTextIndexLoop } from './event-fts.js';
import { allOrEach, EventRowWriter } from './event-rows.js';
import type { WriteJob, WriterReply, WriterRequest, WriterSettings } from './event-writer-client.js';

const port = parentPort;
if (!port) throw new Error('event-writer-thread runs as a worker thread');
const settings = workerData as WriterSettings;
const db = openConnection(settings.file);
// The API connection builds a day's hot-field indexes in one transaction (seconds on a big day):
// appends wait for it, holding their senders back, rather than fail after the default 5 s.
db.pragma('busy_timeout = 60000');
const events = new EventRowWriter(db);
const detections = detectionInserter(db);
let lastWriteAt = 0;
// Planner statistics and hot-field indexes stay with the API thread's loop: its planner reads them.
const indexLoop = settings.fullText
  ? new FullTextIndexLoop(db, new FullTextIndexer(db), () => lastWriteAt, false)
  : undefined;
indexLoop?.start();

const run = (job: WriteJob): number =>
  job.kind === 'events' ? (events.writeAll([job.rows])[0] ?? 0) : detections(job.rows);

port.on('message', (m: WriterRequest) => {
  if (m.type === 'forget') {
    events.forget();
    return;
  }
  if (m.type === 'close') {
    indexLoop?.stop();
    db.close();
    port.close();
    return;
  }
  lastWriteAt = Date.now();
  const reply: WriterReply = {
    id: m.id,
    results: allOrEach(db, m.jobs, run, () => events.forget()).map((r) =>
      typeof r === 'number' ? r : { message: r.message, code: (r as { code?: unknown }).code },
    ),
  };
  port.postMessage(reply);
});
