import type { LoadResult } from '../sigma/types.js';

/**
 * Sigma v2.1 `generate`: the rules (and correlations) a correlation references produce results of
 * their own only when it says `generate: true`; by default they only feed the correlation. One
 * referencing correlation with `generate: true` is enough to keep a rule loud, so adding a quiet
 * correlation never silences a rule another correlation asked to keep.
 *
 * Returns the ids whose matches should feed correlations but not be published as detections.
 */
export function silencedByCorrelations(loaded: Pick<LoadResult, 'rules' | 'correlations'>): Set<string> {
  const idOf = new Map<string, string>();
  for (const r of [...loaded.rules, ...loaded.correlations]) {
    idOf.set(r.id, r.id);
    if (r.name) idOf.set(r.name, r.id);
  }
  const quiet = new Set<string>();
  const loud = new Set<string>();
  for (const c of loaded.correlations) {
    for (const ref of c.rules) {
      const id = idOf.get(ref);
      if (id === undefined) continue;
      (c.generate ? loud : quiet).add(id);
    }
  }
  for (const id of loud) quiet.delete(id);
  return quiet;
}
