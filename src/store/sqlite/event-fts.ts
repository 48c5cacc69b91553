import type { Db } from './db.js';
import { ftsName, listPartitions } from './event-partitions.js';
import { HotIndexBuilder } from './hot-index-builder.js';
import { PlannerStats } from './planner-stats.js';

/**
 * Fills each day's FTS5 trigram index behind ingest. Indexing on insert cost several times the
 * insert itself, so rows are committed unindexed and indexed here in small steps; searches treat
 * rows above a day's `upto` as candidates (checked by LIKE), so answers are exact at any progress.
 */
export class FullTextIndexer {
  constructor(private readonly db: Db) {}

  /** Indexes up to `maxRows` rows, newest day first (recent data is searched most). Returns rows indexed. */
  step(maxRows: number): number {
    let done = 0;
    for (const p of listPartitions(this.db).reverse()) {
      if (done >= maxRows) break;
      const f = ftsName(p.name);
      done += this.db
        .transaction(() => {
          // Read inside the write transaction: no other writer can delete or add rows in between.
          const rows = this.db
            .prepare(`SELECT seq, doc FROM ${p.name} WHERE seq > ? ORDER BY seq LIMIT ?`)
            .raw()
            .all(p.indexed, maxRows - done) as Array<[number, string]>;
          if (rows.length === 0) return 0;
          const add = this.db.prepare(`INSERT INTO ${f} (rowid, doc) VALUES (?, ?)`);
          for (const [seq, doc] of rows) add.run(seq, doc);
          this.db
            .prepare('UPDATE event_fts_progress SET upto = ? WHERE day = ?')
            .run(rows[rows.length - 1]![0], p.day);
          return rows.length;
        })
        .immediate();
    }
    return done;
  }

  /** Rows not indexed yet. */
  pending(): number {
    let n = 0;
    for (const p of listPartitions(this.db))
      n += (
        this.db.prepare(`SELECT count(*) AS n FROM ${p.name} WHERE seq > ?`).get(p.indexed) as { n: number }
      ).n;
    return n;
  }
}

/** Rows per step: about 20 ms of work, so that appends waiting behind a step wait little. */
const ROWS_PER_STEP = 100;

/**
 * Runs the indexer (and the day tables' planner statistics and hot-field indexes) in the background: flat out while ingest is quiet; while appends are arriving,
 * after each step it pauses four times as long as the step took, so that it takes at most a fifth
 * of the (single) thread that ingest also needs.
 */
export class FullTextIndexLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The last failure (a locked database, a full disk); the loop retries. */
  lastError: unknown;
  private readonly stats: PlannerStats;
  private statsAt = 0;
  private readonly hotIndexes: HotIndexBuilder;

  /**
   * Without an indexer the loop does the minute's maintenance only (the writer thread indexes);
   * `maintenance: false` leaves that to another loop (the one on the API thread's connection,
   * whose planner reads the statistics it gathers).
   */
  constructor(
    private readonly db: Db,
    private readonly indexer: FullTextIndexer | undefined,
    private readonly lastAppendAt: () => number,
    private readonly maintenance = true,
  ) {
    this.stats = new PlannerStats(db);
    this.hotIndexes = new HotIndexBuilder(db);
  }

  start(): void {
    this.stopped = false;
    this.schedule(1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    if (!this.db.open) return;
    const started = performance.now();
    let n = 0;
    try {
      n = this.indexer?.step(ROWS_PER_STEP) ?? 0;
      // The planner statistics ride along: a minute apart, milliseconds each.
      // And the hot-field indexes (finished days', the watermark of the day being written): one
      // per minute at most, since appends wait.
      if (this.maintenance && Date.now() - this.statsAt > 60_000) {
        this.statsAt = Date.now();
        this.hotIndexes.step();
        this.stats.refresh();
      }
    } catch (e) {
      this.lastError = e;
      this.schedule(1000);
      return;
    }
    const took = performance.now() - started;
    const ingesting = Date.now() - this.lastAppendAt() < 1000;
    this.schedule(n === 0 ? 1000 : ingesting ? Math.max(5, took * 4) : 1);
  }
}
