import type { Value } from './ast.js';
import { ExprError } from './ast.js';
import { evaluate, type EvalOptions } from './evaluate.js';
import { FUNCTIONS } from './functions.js';
import { parseExpression } from './parser.js';

// One placeholder and nothing else: no `}}` inside, or "${{ a }} and ${{ b }}" would read as one.
const WHOLE = /^\s*\$\{\{((?:(?!\}\})[\s\S])*)\}\}\s*$/;
const PART = /\$\{\{([\s\S]*?)\}\}/g;

/**
 * Renders `${{ expr }}` placeholders in a playbook string. A string that is one placeholder and
 * nothing else yields the value itself (a list stays a list); otherwise values are stringified.
 */
export function renderTemplate(text: string, scope: Record<string, Value>, opts?: EvalOptions): Value {
  const whole = WHOLE.exec(text);
  if (whole) return evaluate(parseExpression(whole[1]!), scope, opts);
  return text.replace(PART, (_m, src: string, offset: number) => {
    try {
      return FUNCTIONS.string!(evaluate(parseExpression(src), scope, opts)) as string;
    } catch (e) {
      if (e instanceof ExprError)
        throw new ExprError(e.message.replace(/ at column \d+$/, ''), offset + 4 + e.column);
      throw e;
    }
  });
}

/** Renders every string inside a JSON structure (action inputs, connector request templates). */
export function renderDeep(v: Value, scope: Record<string, Value>, opts?: EvalOptions): Value {
  if (typeof v === 'string') return renderTemplate(v, scope, opts);
  if (Array.isArray(v)) return v.map((x) => renderDeep(x, scope, opts));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderDeep(x, scope, opts)]));
  return v;
}
