/**
 * Sigma condition grammar: `or` < `and` < `not`, parentheses, `1 of x*`, `any of them`,
 * `all of them`, `N of x*`. Returns an AST or a reason; never throws.
 */
import { fail, ok, type Parsed } from '../../schema/result.js';

export type CondNode =
  | { t: 'id'; name: string }
  | { t: 'and' | 'or'; items: CondNode[] }
  | { t: 'not'; item: CondNode }
  | { t: 'of'; quantifier: 'all' | number; pattern: string };

type Tok = { k: 'lp' | 'rp' | 'and' | 'or' | 'not' | 'of' | 'word' | 'pipe'; v: string; pos: number };

function tokenize(src: string): Parsed<Tok[]> {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(') out.push({ k: 'lp', v: c, pos: i++ });
    else if (c === ')') out.push({ k: 'rp', v: c, pos: i++ });
    else if (c === '|') out.push({ k: 'pipe', v: c, pos: i++ });
    else {
      const start = i;
      while (i < src.length && !' \t\n\r()|'.includes(src[i]!)) i++;
      const w = src.slice(start, i);
      const lw = w.toLowerCase();
      if (lw === 'and' || lw === 'or' || lw === 'not' || lw === 'of') out.push({ k: lw, v: w, pos: start });
      else if (/^[A-Za-z0-9_*.-]+$/.test(w)) out.push({ k: 'word', v: w, pos: start });
      else return fail(`unexpected text '${w}' at column ${start + 1}`);
    }
  }
  return ok(out);
}

export function parseCondition(src: string): Parsed<CondNode> {
  if (src.includes('|')) {
    return fail("aggregation after '|' in condition (Sigma v1 'count() by ...') is deprecated: use a correlation rule");
  }
  const toks = tokenize(src);
  if (!toks.ok) return toks;
  const ts = toks.value;
  let p = 0;
  const peek = (): Tok | undefined => ts[p];
  let depth = 0;

  const parseOr = (): Parsed<CondNode> => {
    const first = parseAnd();
    if (!first.ok) return first;
    const items = [first.value];
    while (peek()?.k === 'or') {
      p++;
      const n = parseAnd();
      if (!n.ok) return n;
      items.push(n.value);
    }
    return ok(items.length === 1 ? items[0]! : { t: 'or', items });
  };
  const parseAnd = (): Parsed<CondNode> => {
    const first = parseNot();
    if (!first.ok) return first;
    const items = [first.value];
    while (peek()?.k === 'and') {
      p++;
      const n = parseNot();
      if (!n.ok) return n;
      items.push(n.value);
    }
    return ok(items.length === 1 ? items[0]! : { t: 'and', items });
  };
  const parseNot = (): Parsed<CondNode> => {
    if (peek()?.k === 'not') {
      p++;
      const n = parseNot();
      if (!n.ok) return n;
      return ok({ t: 'not', item: n.value });
    }
    return parseAtom();
  };
  const parseAtom = (): Parsed<CondNode> => {
    const t = peek();
    if (!t) return fail('condition ends where an identifier or ( was expected');
    if (t.k === 'lp') {
      if (++depth > 64) return fail('condition nests parentheses deeper than 64');
      p++;
      const inner = parseOr();
      if (!inner.ok) return inner;
      if (peek()?.k !== 'rp') return fail(`missing ')' for '(' at column ${t.pos + 1}`);
      p++;
      depth--;
      return inner;
    }
    if (t.k === 'word') {
      p++;
      if (peek()?.k === 'of') {
        const q = t.v.toLowerCase();
        let quantifier: 'all' | number;
        if (q === 'all') quantifier = 'all';
        else if (q === 'any') quantifier = 1;
        else if (/^[0-9]+$/.test(q) && Number(q) >= 1) quantifier = Number(q);
        else return fail(`'${t.v} of' is not a valid quantifier (use 1, any, all or a positive number)`);
        p++;
        const target = peek();
        if (!target || target.k !== 'word') return fail(`'${t.v} of' must be followed by 'them' or a selection pattern`);
        p++;
        return ok({ t: 'of', quantifier, pattern: target.v });
      }
      if (t.v.includes('*')) return fail(`wildcard identifier '${t.v}' is only allowed after '1 of' / 'all of'`);
      return ok({ t: 'id', name: t.v });
    }
    return fail(`unexpected '${t.v}' at column ${t.pos + 1}`);
  };

  const res = parseOr();
  if (!res.ok) return res;
  const rest = peek();
  if (rest) return fail(`unexpected '${rest.v}' at column ${rest.pos + 1}`);
  return res;
}

/** Selection names an `of` pattern refers to; `them` skips names starting with `_`. */
export function expandOf(pattern: string, names: readonly string[]): string[] {
  if (pattern.toLowerCase() === 'them') return names.filter((n) => !n.startsWith('_'));
  if (!pattern.includes('*')) return names.filter((n) => n === pattern);
  const parts = pattern.split('*');
  return names.filter((n) => {
    let pos = 0;
    for (let i = 0; i < parts.length; i++) {
      const seg = parts[i]!;
      if (i === 0) {
        if (!n.startsWith(seg)) return false;
        pos = seg.length;
      } else if (i === parts.length - 1) {
        return n.length - seg.length >= pos && n.endsWith(seg);
      } else {
        const at = n.indexOf(seg, pos);
        if (at === -1) return false;
        pos = at + seg.length;
      }
    }
    return n === parts[0];
  });
}
