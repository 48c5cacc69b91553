import { CorrelationEngine, type CorrelationAlert } from '../detect/correlation/evaluator.js';
import { DetectionEngine, type Detection } from '../detect/engine.js';
import type { LoadResult } from '../detect/sigma/types.js';
import type { Level } from '../detect/sigma/types.js';
import { expandPaths } from '../ingest/files/import.js';
import { READER_HOOKS } from '../normalize/incoming.js';
import { readEventFileBatches } from '../parse/files/index.js';

export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

export interface HuntOptions {
  from?: Date;
  to?: Date;
  /** Minimum level reported. */
  level?: Level;
  /** Only rules carrying at least one of these tags (e.g. attack.t1003, attack.credential_access). */
  tags?: string[];
}

export interface HuntHit {
  rule: { id: string; title: string; level: Level; tags: string[] };
  timestamp: string;
  event: Record<string, unknown>;
  file: string;
  matchedSelections: string[];
  matchedFields: Record<string, unknown>[];
}

export interface HuntProgress {
  file: string;
  files: number;
  fileIndex: number;
  events: number;
  hits: number;
  skipped: number;
}

export interface HuntSummary {
  files: number;
  events: number;
  unreadable: number;
  hits: number;
  byLevel: Record<string, number>;
  byRule: Array<{ id: string; title: string; level: Level; count: number }>;
  correlations: CorrelationAlert[];
}

const levelRank = (l: Level) => LEVELS.indexOf(l);

/**
 * Runs Sigma rules over files offline (`vigil hunt`): the same reader and normalizers as ingest,
 * the same engine as live detection, then correlations over the matches in event-time order.
 */
export async function hunt(
  loaded: LoadResult,
  paths: string[],
  opts: HuntOptions,
  onHit: (hit: HuntHit) => void,
  onProgress?: (p: HuntProgress) => void,
): Promise<HuntSummary> {
  const minLevel = opts.level ? levelRank(opts.level) : 0;
  const tagSet = opts.tags && opts.tags.length > 0 ? new Set(opts.tags.map((t) => t.toLowerCase())) : undefined;
  const engine = new DetectionEngine(loaded.rules, { filters: loaded.filters });
  const correlation = loaded.correlations.length > 0 ? new CorrelationEngine(loaded.correlations, loaded.rules) : undefined;
  const wanted = (d: Detection) => levelRank(d.level) >= minLevel && (!tagSet || d.tags.some((t) => tagSet.has(t.toLowerCase())));
  const files = expandPaths(paths);
  const byRule = new Map<string, { id: string; title: string; level: Level; count: number }>();
  const byLevel: Record<string, number> = {};
  const correlations: CorrelationAlert[] = [];
  let events = 0;
  let hits = 0;
  let unreadable = 0;
  const fromMs = opts.from?.getTime() ?? -Infinity;
  const toMs = opts.to?.getTime() ?? Infinity;

  for (const [fileIndex, file] of files.entries()) {
    for await (const batch of readEventFileBatches(file, { hooks: READER_HOOKS }, 2000)) {
      const docs: Array<Record<string, unknown>> = [];
      for (const item of batch) {
        if (!item.ok) {
          unreadable++;
          continue;
        }
        const at = item.doc['@timestamp'];
        const ts = typeof at === 'string' ? Date.parse(at) : NaN;
        if (!Number.isNaN(ts) && (ts < fromMs || ts >= toMs)) continue;
        docs.push(item.doc);
      }
      events += docs.length;
      const detections = engine.evaluate(docs);
      if (correlation && detections.length > 0) {
        correlations.push(...correlation.process(detections.map((d) => ({ ruleId: d.ruleId, event: docs[d.eventIndex]! }))));
      }
      for (const d of detections) {
        if (!wanted(d)) continue;
        hits++;
        byLevel[d.level] = (byLevel[d.level] ?? 0) + 1;
        const r = byRule.get(d.ruleId) ?? { id: d.ruleId, title: d.title, level: d.level, count: 0 };
        r.count++;
        byRule.set(d.ruleId, r);
        const event = docs[d.eventIndex]!;
        onHit({
          rule: { id: d.ruleId, title: d.title, level: d.level, tags: d.tags },
          timestamp: typeof event['@timestamp'] === 'string' ? event['@timestamp'] : '',
          event,
          file,
          matchedSelections: d.matchedSelections,
          matchedFields: d.matchedFields,
        });
      }
      onProgress?.({ file, files: files.length, fileIndex, events, hits, skipped: unreadable });
    }
  }
  if (correlation) correlations.push(...correlation.flush());
  return {
    files: files.length,
    events,
    unreadable,
    hits,
    byLevel,
    byRule: [...byRule.values()].sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.count - a.count),
    correlations,
  };
}
