export const LEVEL_ORDER = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** Rank of a Sigma level for sorting and "at least" filters; unknown levels rank lowest. */
export function levelRank(level: string): number {
  return Math.max(0, (LEVEL_ORDER as readonly string[]).indexOf(level));
}
