import type { Agg, Bound, Expr, PatternPart, Pipe, Query, Value } from './ast.js';

/** Text that parses back to the same tree (the saved-search and "edit this query" path). */
export function printQuery(q: Query): string {
  const parts: string[] = [];
  if (q.where) parts.push(printExpr(q.where));
  for (const p of q.pipes) parts.push(`| ${printPipe(p)}`);
  return parts.join(' ');
}

export function printExpr(e: Expr): string {
  switch (e.type) {
    case 'match':
      return `${e.field}:${printValue(e.value)}`;
    case 'exists':
      return `${e.field}:*`;
    case 'compare':
      return `${e.field}${e.op}${printScalar(e.value)}`;
    case 'range':
      return `${e.field}:${e.loInclusive ? '[' : '{'}${printBound(e.lo)} TO ${printBound(e.hi)}${e.hiInclusive ? ']' : '}'}`;
    case 'cidr':
      return `${e.field}:${e.cidr}`;
    case 'text':
      return printValue(e.value);
    case 'and':
      return e.items.map(group).join(' AND ');
    case 'or':
      return e.items.map(group).join(' OR ');
    case 'not':
      return `NOT ${group(e.item)}`;
  }
}

/** Binary children always get parentheses: the tree shape survives whatever the precedence. */
function group(e: Expr): string {
  return e.type === 'and' || e.type === 'or' ? `(${printExpr(e)})` : printExpr(e);
}

export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Escapes every character that could mean something to the lexer. */
function escapeWord(s: string): string {
  return s.replace(/[^A-Za-z0-9_.@]/g, (c) => `\\${c}`);
}

function printPattern(parts: PatternPart[]): string {
  return parts.map((p) => ('lit' in p ? escapeWord(p.lit) : 'any' in p ? '*' : '?')).join('');
}

function printValue(v: Value): string {
  if (v.kind === 'string') return quote(v.value);
  if (v.kind === 'number') return String(v.value);
  return printPattern(v.parts);
}

function printScalar(v: string | number): string {
  return typeof v === 'number' ? String(v) : quote(v);
}

function printBound(b: Bound): string {
  return b === null ? '*' : printScalar(b);
}

function printAgg(a: Agg): string {
  return `${a.fn}(${a.field ?? ''})${a.as ? ` as ${a.as}` : ''}`;
}

function printPipe(p: Pipe): string {
  const by = (fields: string[]) => (fields.length ? ` by ${fields.join(', ')}` : '');
  switch (p.cmd) {
    case 'stats':
      return `stats ${p.aggs.map(printAgg).join(', ')}${by(p.by)}`;
    case 'timechart':
      return `timechart span=${p.span} ${p.aggs.map(printAgg).join(', ')}${by(p.by)}`;
    case 'sort':
      return `sort ${p.keys.map((k) => `${k.desc ? '-' : '+'}${k.field}`).join(', ')}`;
    case 'head':
      return `head ${p.n}`;
    case 'fields':
    case 'dedup':
      return `${p.cmd} ${p.fields.join(', ')}`;
    case 'top':
    case 'rare':
      return `${p.cmd} ${p.field} ${p.n}`;
  }
}
