import type { Db } from './db.js';
import { DAY_MS, listPartitions, type Partition } from './event-partitions.js';
import { hotIndexStatements, watermarkIndexStatements } from './hot-fields.js';
import {
  buildRollup,
  dropRollupSql,
  rollupName,
  rollupTables,
  watermarkRollupName,
  watermarkRollups,
} from './hot-rollup.js';

/** A day is left alone this long after its midnight: late events still arrive in bulk. */
const GRACE_MS = 3_600_000;

export interface HotIndexBuilderOptions {
  /**
   * Rows the day being written must have past its watermark before the watermark moves (also
   * at least a quarter of the rows under it, so a long day is re-indexed a dozen times, not
   * hundreds). Default 100,000.
   */
  minTail?: number;
}

/**
 * Builds the hot-field indexes of days that are over, and their rollups (hot-rollup.ts). A built index makes `host.name:x` and
 * `stats count() by host.name` read a few pages instead of the day; kept up during the day it would
 * cost ingest a page write per distinct value per commit. Building is one CREATE INDEX (a sort,
 * a few seconds for a day of 1.4 million events) per step, oldest day first; appends wait for it
 * (SQLite has one writer), so a step builds one index only; the last step gathers the day's full
 * planner statistics (ANALYZE, under two seconds for such a day). Later events into an indexed day keep
 * its indexes up as they arrive.
 *
 * The day being written, the most searched, gets the same indexes partial over its rows up to a
 * watermark (hot-fields.ts): rows added after it cost the indexes nothing. When enough rows have
 * come in past it, a new set is built at a new watermark, one index per step, and once complete
 * it replaces the old set; once the day is over and fully indexed, the last set goes.
 */
export class HotIndexBuilder {
  private readonly minTail: number;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
    opts: HotIndexBuilderOptions = {},
  ) {
    this.minTail = opts.minTail ?? 100_000;
  }

  private exists(stmt: string): boolean {
    const name = /INDEX IF NOT EXISTS (\S+)/.exec(stmt)![1];
    return (
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined
    );
  }

  /** Builds one index (or finishes a step of the day being written); false when nothing is left to do. */
  step(): boolean {
    const cutoff = this.now() - GRACE_MS;
    const missingOf = (table: string) => hotIndexStatements(table).find((stmt) => !this.exists(stmt));
    const days = listPartitions(this.db);
    const finished = days.filter((p) => p.hot && (p.day + 1) * DAY_MS <= cutoff);
    const rollups = rollupTables(this.db);
    // Hours before 1970 would be counted in the wrong hour (% rounds toward zero): no rollup.
    const rollupMissing = (p: Partition) => p.day >= 0 && !rollups.has(rollupName(p.name));
    // Days indexed by an earlier version get the indexes and rollup added since (their statistics stand).
    for (const p of finished.filter((x) => x.hotIndexed)) {
      const missing = missingOf(p.name);
      if (missing) {
        this.db.exec(missing);
        return true;
      }
      if (rollupMissing(p)) {
        buildRollup(this.db, p.name);
        return true;
      }
      if (this.watermarksOf(p.name).length > 0 || watermarkRollups(this.db, p.name).length > 0) {
        this.dropWatermarks(p, -1);
        return true;
      }
    }
    const day = finished.find((p) => !p.hotIndexed);
    if (day) {
      const missing = missingOf(day.name);
      if (missing) {
        this.db.exec(missing);
        return true;
      }
      if (rollupMissing(day)) {
        buildRollup(this.db, day.name);
        return true;
      }
      // Full statistics, once: sampled ones (the first rows of each index) said every index was
      // equally selective, and the planner read a two-value field's index instead of host.name's.
      this.db.pragma('analysis_limit = 0');
      this.db.exec(`ANALYZE ${day.name}`);
      this.db.prepare('UPDATE event_partitions SET hot = 2 WHERE day = ?').run(day.day);
      return true;
    }
    return this.stepBeingWritten(days.filter((p) => p.hot && !p.hotIndexed && (p.day + 1) * DAY_MS > cutoff));
  }

  /** One step of the watermark indexes of the days still being written. */
  private stepBeingWritten(open: Partition[]): boolean {
    for (const p of open) {
      const building = this.watermarksOf(p.name).filter((w) => w > p.hotUpto);
      let target = building.length > 0 ? Math.max(...building) : undefined;
      if (target === undefined) {
        const max = (this.db.prepare(`SELECT max(seq) FROM ${p.name}`).pluck().get() as number | null) ?? 0;
        if (max - p.hotUpto < Math.max(this.minTail, p.hotUpto / 4)) continue;
        target = max;
      }
      const missing = watermarkIndexStatements(p.name, target).find((stmt) => !this.exists(stmt));
      if (missing) {
        this.db.exec(missing);
        return true;
      }
      if (p.day >= 0 && !watermarkRollups(this.db, p.name).includes(target)) {
        buildRollup(this.db, p.name, target);
        return true;
      }
      // The new set is complete: full statistics first (sampled ones misjudge which index is
      // selective, as for finished days), then queries move to it and the older sets go.
      this.db.pragma('analysis_limit = 0');
      this.db.exec(`ANALYZE ${p.name}`);
      this.dropWatermarks(p, target);
      return true;
    }
    return false;
  }

  /** Watermarks of the index sets a day table has, complete or not. */
  private watermarksOf(table: string): number[] {
    const names = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE ? ESCAPE '\\'")
      .pluck()
      .all(`${table.replace(/_/g, '\\_')}\\_w%`) as string[];
    const marks = names
      .map((n) => /_w(\d+)_/.exec(n.slice(table.length))?.[1])
      .filter((m) => m !== undefined);
    return [...new Set(marks.map(Number))];
  }

  /** Makes `keep` the day's watermark (-1: none) and drops every other set, in one transaction. */
  private dropWatermarks(p: Partition, keep: number): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE event_partitions SET hot_upto = ? WHERE day = ?').run(Math.max(keep, 0), p.day);
      for (const w of watermarkRollups(this.db, p.name))
        if (w !== keep) this.db.exec(dropRollupSql(watermarkRollupName(p.name, w)));
      for (const w of this.watermarksOf(p.name)) {
        if (w === keep) continue;
        for (const stmt of watermarkIndexStatements(p.name, w)) {
          const name = /INDEX IF NOT EXISTS (\S+)/.exec(stmt)![1]!;
          this.db.exec(`DROP INDEX IF EXISTS ${name}`);
        }
      }
    })();
  }

  /** Every finished day's indexes and the watermark of the days being written (benchmarks, tests, a quiet start-up). */
  all(): number {
    let steps = 0;
    while (this.step()) steps++;
    return steps;
  }
}
