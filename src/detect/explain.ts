/**
 * Explains one rule against one event, selection by selection and field by field, for
 * `vigil rules test`: what each test expected, what the event held, and whether it matched.
 */
import { EventCtx } from './sigma/event-context.js';
import { classifySignature, eventLogsourceKeys, logsourceSignature } from './sigma/pipelines.js';
import type { CompiledRule } from './sigma/types.js';

export interface FieldExplanation {
  /** Sigma field, or null for a keyword search over the whole event */
  field: string | null;
  modifiers: string[];
  expected: unknown[];
  actual: unknown;
  matched: boolean;
}

export interface SelectionExplanation {
  name: string;
  matched: boolean;
  /** alternatives (a list of maps); a map selection has exactly one */
  alternatives: { matched: boolean; fields: FieldExplanation[] }[];
}

export interface Explanation {
  ruleId: string;
  matched: boolean;
  logsource: { matched: boolean; rule: string; event: string[] };
  condition: unknown;
  conditionMatched: boolean;
  selections: SelectionExplanation[];
}

export function explain(rule: CompiledRule, event: Record<string, unknown>): Explanation {
  const ctx = new EventCtx();
  ctx.reset(event);
  const keys = eventLogsourceKeys(classifySignature(logsourceSignature(ctx)));
  const lsMatched = keys.includes(rule.logsourceKey);
  const selections = rule.detection.selections.map((s): SelectionExplanation => {
    const alternatives = s.groups.map((g) => {
      const fields = g.map((t): FieldExplanation => ({
        field: t.field,
        modifiers: t.modifiers,
        expected: t.values,
        actual: t.accessor ? t.accessor.get(ctx) : undefined,
        matched: t.test(ctx),
      }));
      return { matched: fields.every((f) => f.matched), fields };
    });
    return { name: s.name, matched: s.match(ctx), alternatives };
  });
  const conditionMatched = rule.detection.match(ctx);
  return {
    ruleId: rule.id,
    matched: lsMatched && conditionMatched,
    logsource: { matched: lsMatched, rule: rule.logsourceKey, event: keys.filter((k) => !k.startsWith('*|*|*')) },
    condition: rule.source['detection'] !== undefined ? (rule.source['detection'] as Record<string, unknown>)['condition'] : undefined,
    conditionMatched,
    selections,
  };
}

/** A readable multi-line rendering of an explanation. */
export function formatExplanation(x: Explanation): string {
  const lines = [
    `rule ${x.ruleId}: ${x.matched ? 'MATCH' : 'no match'}`,
    `  logsource ${x.logsource.rule}: ${x.logsource.matched ? 'applies' : 'does not apply'} (event offers ${x.logsource.event.join(', ') || 'nothing'})`,
    `  condition ${JSON.stringify(x.condition)}: ${x.conditionMatched ? 'true' : 'false'}`,
  ];
  for (const s of x.selections) {
    lines.push(`  selection ${s.name}: ${s.matched ? 'matched' : 'not matched'}`);
    s.alternatives.forEach((a, i) => {
      if (s.alternatives.length > 1) lines.push(`    alternative ${i + 1}: ${a.matched ? 'matched' : 'not matched'}`);
      for (const f of a.fields) {
        const name = f.field === null ? '(keywords)' : [f.field, ...f.modifiers].join('|');
        lines.push(`      ${f.matched ? '✓' : '✗'} ${name} expects ${JSON.stringify(f.expected)}; event has ${JSON.stringify(f.actual)}`);
      }
    });
  }
  return lines.join('\n');
}
