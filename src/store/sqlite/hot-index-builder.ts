import type { Db } from './db.js';
import { DAY_MS, listPartitions } from './event-partitions.js';
import { hotIndexStatements } from './hot-fields.js';

/** A day is left alone this long after its midnight: late events still arrive in bulk. */
const GRACE_MS = 3_600_000;

/**
 * Builds the hot-field indexes of days that are over. A built index makes `host.name:x` and
 * `stats count() by host.name` read a few pages instead of the day; kept up during the day it would
 * cost ingest a page write per distinct value per commit. Building is one CREATE INDEX (a sort,
 * a few seconds for a day of 1.4 million events) per step, oldest day first; appends wait for it
 * (SQLite has one writer), so a step builds one index only; the last step gathers the day's full
 * planner statistics (ANALYZE, under two seconds for such a day). Later events into an indexed day keep
 * its indexes up as they arrive.
 */
export class HotIndexBuilder {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Builds one index; returns false when every finished day is indexed. */
  step(): boolean {
    const cutoff = this.now() - GRACE_MS;
    const missingOf = (table: string) =>
      hotIndexStatements(table).find(
        (stmt) =>
          this.db
            .prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?")
            .get(/INDEX IF NOT EXISTS (\S+)/.exec(stmt)![1]) === undefined,
      );
    const finished = listPartitions(this.db).filter((p) => p.hot && (p.day + 1) * DAY_MS <= cutoff);
    // Days indexed by an earlier version get the indexes added since (their statistics stand).
    for (const p of finished.filter((x) => x.hotIndexed)) {
      const missing = missingOf(p.name);
      if (missing) {
        this.db.exec(missing);
        return true;
      }
    }
    const day = finished.find((p) => !p.hotIndexed);
    if (!day) return false;
    const missing = missingOf(day.name);
    if (missing) {
      this.db.exec(missing);
      return true;
    }
    // Full statistics, once: sampled ones (the first rows of each index) said every index was
    // equally selective, and the planner read a two-value field's index instead of host.name's.
    this.db.pragma('analysis_limit = 0');
    this.db.exec(`ANALYZE ${day.name}`);
    this.db.prepare('UPDATE event_partitions SET hot = 2 WHERE day = ?').run(day.day);
    return true;
  }

  /** Every finished day's indexes (benchmarks, tests, a quiet start-up). */
  all(): number {
    let steps = 0;
    while (this.step()) steps++;
    return steps;
  }
}
