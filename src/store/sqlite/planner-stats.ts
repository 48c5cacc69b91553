import type { Db } from './db.js';
import { listPartitions } from './event-partitions.js';

/**
 * Keeps SQLite's planner statistics (sqlite_stat1) current for the days still being written. Without them the
 * planner cannot tell that `host.name` has fifty values a day and `event.outcome` two, and may read
 * a filter through the weaker index. A day is analyzed when it has no statistics yet (in this
 * process) or has doubled since; `analysis_limit` samples each index, so a pass takes milliseconds
 * whatever the day's size.
 */
export class PlannerStats {
  private readonly analyzedAt = new Map<string, number>();

  constructor(private readonly db: Db) {}

  /** Analyzes the days that need it; returns how many were analyzed. */
  refresh(): number {
    let n = 0;
    this.db.pragma('analysis_limit = 1000');
    for (const p of listPartitions(this.db)) {
      // A finished day, or one with a watermark, has full statistics from HotIndexBuilder: a
      // sample would only blur them.
      if (p.hotIndexed || p.hotUpto > 0) continue;
      const rows = this.db.prepare(`SELECT max(seq) FROM ${p.name}`).pluck().get() as number | null;
      if (rows === null) continue;
      const before = this.analyzedAt.get(p.name);
      if (before !== undefined && rows < before * 2) continue;
      this.db.exec(`ANALYZE ${p.name}`);
      this.analyzedAt.set(p.name, rows);
      n++;
    }
    return n;
  }
}
