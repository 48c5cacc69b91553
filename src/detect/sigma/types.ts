import type { CompiledDetection } from './compiler.js';
import type { LogsourceSpec } from './pipelines.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface AttackRefs {
  techniques: string[];
  tactics: string[];
}

export interface CompiledRule {
  kind: 'rule';
  id: string;
  /** v2 `name`, which correlation rules may reference instead of the id */
  name?: string | undefined;
  title: string;
  level: Level;
  status?: string | undefined;
  description?: string | undefined;
  author?: string | undefined;
  tags: string[];
  attack: AttackRefs;
  falsepositives: string[];
  references: string[];
  logsource: LogsourceSpec;
  logsourceKey: string;
  detection: CompiledDetection;
  file: string;
  line: number;
  /** the rule document as parsed (after collection merging) */
  source: Record<string, unknown>;
}

/** A Sigma meta filter: target rules fire only where the filter's condition also holds. */
export interface CompiledFilter {
  kind: 'filter';
  id: string;
  title: string;
  /** ids or names of the rules it applies to */
  rules: string[];
  logsource: LogsourceSpec;
  detection: CompiledDetection;
  file: string;
  line: number;
}

export type CorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile';

export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CorrelationRule {
  kind: 'correlation';
  id: string;
  name?: string | undefined;
  title: string;
  level: Level;
  tags: string[];
  attack: AttackRefs;
  type: CorrelationType;
  /** referenced rule ids or names (rules or other correlations) */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  /** comparison the aggregate must satisfy; temporal types default to all rules seen */
  condition: { op: CompareOp; value: number }[];
  /** field aggregated by value_* types */
  field?: string | undefined;
  percentile?: number | undefined;
  /** alias → (rule id or name → field) */
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
  file: string;
  line: number;
}

export interface Rejected {
  file: string;
  line?: number | undefined;
  reason: string;
}

export interface LoadResult {
  rules: CompiledRule[];
  filters: CompiledFilter[];
  correlations: CorrelationRule[];
  rejected: Rejected[];
  /** number of rule/filter/correlation documents found (global/reset documents excluded) */
  documents: number;
}
