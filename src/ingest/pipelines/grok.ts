import RE2 from 're2';
import { GROK_PATTERNS } from './grok-patterns.js';

/**
 * Grok: `%{PATTERN}`, `%{PATTERN:field}` and `%{PATTERN:field:type}` expanded from the library plus
 * the processor's `pattern_definitions`, and compiled to one RE2 program per expression (linear
 * time whatever the input). Field names may hold dots and brackets, which RE2 group names cannot,
 * so captures get generated names and a side table maps them back.
 */
export type GrokType = 'string' | 'int' | 'long' | 'float' | 'double' | 'boolean';

interface Capture {
  group: string;
  field: string;
  type: GrokType;
}

export interface CompiledGrok {
  source: string;
  regex: RE2;
  captures: Capture[];
}

const REF = /%\{(\w+)(?::([^:}]+))?(?::(\w+))?\}/g;
const MAX_DEPTH = 64;
const MAX_SOURCE = 256 * 1024;

/** `[source][ip]` (Logstash field reference) → `source.ip`. */
function fieldName(name: string): string {
  const t = name.trim();
  if (t.startsWith('['))
    return t
      .replace(/^\[|\]$/g, '')
      .split('][')
      .join('.');
  return t;
}

function grokType(t: string | undefined): GrokType {
  if (t === undefined || t === '') return 'string';
  if (t === 'int' || t === 'long' || t === 'float' || t === 'double' || t === 'boolean' || t === 'string')
    return t;
  throw new Error(`unsupported grok capture type [${t}]`);
}

export function compileGrok(
  expression: string,
  definitions: Readonly<Record<string, string>> = {},
): CompiledGrok {
  const captures: Capture[] = [];
  const expand = (text: string, depth: number, stack: string[]): string => {
    if (depth > MAX_DEPTH) throw new Error('grok patterns nest too deeply');
    // Oniguruma-style named groups written directly in a pattern: (?<field.name>...)
    const named = text.replace(/\(\?<([A-Za-z_@][\w.@[\]-]*)>/g, (_m, name: string) => {
      const group = `g${captures.length}`;
      captures.push({ group, field: fieldName(name), type: 'string' });
      return `(?P<${group}>`;
    });
    return named.replace(REF, (_m, pattern: string, field: string | undefined, type: string | undefined) => {
      const def = definitions[pattern] ?? GROK_PATTERNS[pattern];
      if (def === undefined)
        throw new Error(`Unable to find pattern [${pattern}] in Grok's pattern dictionary`);
      if (stack.includes(pattern))
        throw new Error(`circular reference in pattern [${pattern}] back to [${stack.join('→')}]`);
      if (field === undefined) return `(?:${expand(def, depth + 1, [...stack, pattern])})`;
      const group = `g${captures.length}`;
      captures.push({ group, field: fieldName(field), type: grokType(type) });
      return `(?P<${group}>${expand(def, depth + 1, [...stack, pattern])})`;
    });
  };
  const source = expand(expression, 0, []);
  if (source.length > MAX_SOURCE) throw new Error('grok expression expands to more than 256 KiB');
  let regex: RE2;
  try {
    regex = new RE2(source, 'u');
  } catch (e) {
    throw new Error(`invalid grok expression [${expression}]: ${(e as Error).message}`);
  }
  return { source, regex, captures };
}

function convert(v: string, type: GrokType): unknown {
  switch (type) {
    case 'int':
    case 'long': {
      const n = Number.parseInt(v, 10);
      return Number.isNaN(n) ? v : n;
    }
    case 'float':
    case 'double': {
      const n = Number.parseFloat(v);
      return Number.isNaN(n) ? v : n;
    }
    case 'boolean':
      return v.toLowerCase() === 'true';
    default:
      return v;
  }
}

/** Fields captured by the first expression that matches, or undefined when none does. */
export function grokMatch(
  groks: CompiledGrok[],
  text: string,
): { fields: Map<string, unknown>; index: number } | undefined {
  for (let index = 0; index < groks.length; index++) {
    const g = groks[index]!;
    const m = g.regex.exec(text);
    if (!m) continue;
    const fields = new Map<string, unknown>();
    const groups = m.groups ?? {};
    for (const c of g.captures) {
      const v = groups[c.group];
      // An alternation may name a field twice: the branch that matched gives its value.
      if (v === undefined || (fields.has(c.field) && fields.get(c.field) !== undefined)) continue;
      fields.set(c.field, convert(v, c.type));
    }
    return { fields, index };
  }
  return undefined;
}
