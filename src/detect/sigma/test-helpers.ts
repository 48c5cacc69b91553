/** Test support: build a one-rule engine from a detection object and match events against it. */
import { stringify } from 'yaml';
import { DetectionEngine } from '../engine.js';
import { loadRulesFromText, type LoadOptions } from './loader.js';
import type { CompiledRule } from './types.js';

export const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

export function sysmon1(fields: Record<string, unknown>): Record<string, unknown> {
  return { Channel: SYSMON, EventID: 1, ...fields };
}

export function compileOne(
  detection: Record<string, unknown>,
  logsource: Record<string, string> = { product: 'windows', category: 'process_creation' },
  opts: LoadOptions = {},
): CompiledRule {
  const doc = { title: 'test rule', id: '00000000-0000-4000-8000-000000000001', status: 'test', logsource, detection, level: 'high' };
  const r = loadRulesFromText(stringify(doc), 'test.yml', opts);
  if (r.rules.length !== 1) throw new Error(`rule did not load: ${JSON.stringify(r.rejected)}`);
  return r.rules[0]!;
}

export function rejectionOf(detection: Record<string, unknown>, opts: LoadOptions = {}): string {
  const doc = { title: 't', id: '00000000-0000-4000-8000-000000000002', logsource: { product: 'windows', category: 'process_creation' }, detection };
  const r = loadRulesFromText(stringify(doc), 'test.yml', opts);
  return r.rejected[0]?.reason ?? '(loaded)';
}

/** A matcher over events for a detection; also checks prefilter and full evaluation agree. */
export function matcher(
  detection: Record<string, unknown>,
  logsource?: Record<string, string>,
  opts: LoadOptions = {},
): (event: Record<string, unknown>) => boolean {
  const rule = compileOne(detection, logsource, opts);
  const fast = new DetectionEngine([rule]);
  const full = new DetectionEngine([rule], { prefilter: false });
  return (event) => {
    const a = fast.matchingRuleIds(event).length > 0;
    const b = full.matchingRuleIds(event).length > 0;
    if (a !== b) throw new Error(`prefilter disagrees with full evaluation on ${JSON.stringify(event)}`);
    return a;
  };
}
