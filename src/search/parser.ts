import { isFieldName } from '../store/field-path.js';
import {
  aggName,
  TRANSFORMS,
  type Agg,
  type AggFn,
  type Bound,
  type Expr,
  type Pipe,
  type Query,
  type Value,
} from './ast.js';
import { parseCidr } from './ip.js';
import { Lexer, ParseError, type Token } from './lexer.js';

export { ParseError } from './lexer.js';

export type ParseResult =
  { ok: true; query: Query } | { ok: false; reason: string; expected: string; column: number };

/** Parses a query; never throws. The error says what was expected at which column. */
export function parseQuery(src: string): ParseResult {
  try {
    return { ok: true, query: parseQueryOrThrow(src) };
  } catch (e) {
    if (e instanceof ParseError)
      return { ok: false, reason: e.message, expected: e.expected, column: e.column };
    throw e;
  }
}

/** Parses a query; throws only ParseError. */
export function parseQueryOrThrow(src: string): Query {
  return new Parser(src).query();
}

const NUMBER = /^-?\d+(\.\d+)?$/;
/** Looks like an address with a prefix length; other values with `/` (paths) stay strings. */
const CIDR_LIKE = /^(?=[^/]*[.:])[0-9A-Fa-f:.]+\/\d{1,3}$/;
const MAX_DEPTH = 64;
const AGG_FNS = new Set<AggFn>(['count', 'dc', 'sum', 'avg', 'min', 'max']);
const COMMANDS = 'stats, timechart, sort, head, fields, dedup, top or rare';
const SPAN = /^(\d{1,6})(s|m|h|d)$/;
const SPAN_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_HEAD = 10_000;

const isKeyword = (t: Token, kw: string): boolean => t.t === 'word' && !t.escaped && !t.wild && t.text === kw;

/**
 * Recursive descent over the grammar (NOT binds tighter than AND, AND tighter than OR, and two
 * terms side by side mean AND):
 *
 *   query   := or? ('|' pipe)*
 *   or      := and ('OR' and)*
 *   and     := not (('AND')? not)*
 *   not     := ('NOT' | '-') not | primary
 *   primary := '(' or ')' | phrase | word | field ':' value | field ':' range | field cmp value
 */
class Parser {
  private readonly lx: Lexer;
  private depth = 0;

  constructor(src: string) {
    this.lx = new Lexer(src);
  }

  query(): Query {
    const first = this.lx.peek('query');
    const where = first.t === '|' || first.t === 'eof' ? undefined : this.or();
    const end = this.lx.peek('query');
    if (end.t !== '|' && end.t !== 'eof') {
      throw new ParseError(
        end.t === ')' ? 'a ( before this )' : 'AND, OR, a term, | or the end of the query',
        end.col,
      );
    }
    const pipes = this.pipes();
    return where ? { where, pipes } : { pipes };
  }

  private nest<T>(col: number, f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ParseError(`at most ${MAX_DEPTH} nested groups or NOTs`, col);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private or(): Expr {
    const items = [this.and()];
    while (isKeyword(this.lx.peek('query'), 'OR')) {
      this.lx.next('query');
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }

  private and(): Expr {
    const items = [this.not()];
    for (;;) {
      const t = this.lx.peek('query');
      if (isKeyword(t, 'AND')) {
        this.lx.next('query');
        items.push(this.not());
      } else if ((t.t === 'word' && !isKeyword(t, 'OR')) || t.t === 'phrase' || t.t === '(' || t.t === '-') {
        items.push(this.not());
      } else break;
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }

  private not(): Expr {
    const t = this.lx.peek('query');
    if (isKeyword(t, 'NOT') || t.t === '-') {
      this.lx.next('query');
      return this.nest(t.col, () => ({ type: 'not', item: this.not() }));
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.lx.next('query');
    if (t.t === '(') {
      const inner = this.nest(t.col, () => this.or());
      const close = this.lx.next('query');
      if (close.t !== ')') throw new ParseError(`) (for the ( at column ${t.col})`, close.col);
      return inner;
    }
    if (t.t === 'phrase') return { type: 'text', value: { kind: 'string', value: t.text } };
    if (t.t !== 'word' || isKeyword(t, 'AND') || isKeyword(t, 'OR')) throw new ParseError('a term', t.col);
    const after = this.lx.peek('query');
    if (after.t === ':' || after.t === 'cmp') {
      if (t.escaped || t.wild || !isFieldName(t.text)) throw new ParseError('a field name', t.col);
      this.lx.next('query');
      if (after.t === 'cmp') return this.comparison(t.text, after.op);
      return this.afterColon(t.text);
    }
    return {
      type: 'text',
      value: t.wild ? { kind: 'pattern', parts: t.parts } : { kind: 'string', value: t.text },
    };
  }

  private afterColon(field: string): Expr {
    const v = this.lx.next('value');
    if (v.t === '[' || v.t === '{') return this.range(field, v.t === '[');
    if (v.t === 'phrase') return { type: 'match', field, value: { kind: 'string', value: v.text } };
    if (v.t !== 'word') throw new ParseError('a value', v.col);
    if (v.wild && v.parts.every((p) => 'any' in p)) return { type: 'exists', field };
    if (v.wild) return { type: 'match', field, value: { kind: 'pattern', parts: v.parts } };
    if (!v.escaped && NUMBER.test(v.text))
      return { type: 'match', field, value: { kind: 'number', value: Number(v.text) } };
    if (!v.escaped && CIDR_LIKE.test(v.text)) {
      if (!parseCidr(v.text)) throw new ParseError('an IPv4 or IPv6 network like 10.0.0.0/8', v.col);
      return { type: 'cidr', field, cidr: v.text };
    }
    return { type: 'match', field, value: { kind: 'string', value: v.text } };
  }

  private scalar(mode: 'value' | 'range', what: string): { value: string | number; star: boolean } {
    const v = this.lx.next(mode);
    if (v.t === 'phrase') return { value: v.text, star: false };
    if (v.t !== 'word') throw new ParseError(what, v.col);
    if (v.wild) throw new ParseError(`${what} without wildcards`, v.col);
    if (!v.escaped && NUMBER.test(v.text)) return { value: Number(v.text), star: false };
    return { value: v.text, star: !v.escaped && v.text === '*' };
  }

  private comparison(field: string, op: '>' | '>=' | '<' | '<='): Expr {
    return { type: 'compare', field, op, value: this.scalar('value', 'a value').value };
  }

  private range(field: string, loInclusive: boolean): Expr {
    const bound = (): Bound => {
      const b = this.scalar('range', 'a range bound');
      return b.star ? null : b.value;
    };
    const lo = bound();
    const to = this.lx.next('range');
    if (!isKeyword(to, 'TO')) throw new ParseError('TO', to.col);
    const hi = bound();
    const close = this.lx.next('range');
    if (close.t !== ']' && close.t !== '}') throw new ParseError('] or }', close.col);
    return { type: 'range', field, lo, hi, loInclusive, hiInclusive: close.t === ']' };
  }

  // ---- pipes ----

  private pipes(): Pipe[] {
    const pipes: Pipe[] = [];
    /** Output columns once a transforming command ran; before that, rows are events. */
    let columns: string[] | undefined;
    let transform = '';
    while (this.lx.peek('pipe').t === '|') {
      this.lx.next('pipe');
      const name = this.lx.next('pipe');
      const cmd = name.t === 'word' && !name.escaped ? name.text.toLowerCase() : '';
      if (TRANSFORMS.has(cmd) && columns)
        throw new ParseError(
          `no second ${cmd} after ${transform} (one of stats, timechart, top, rare per query)`,
          name.col,
        );
      if (cmd === 'dedup' && columns)
        throw new ParseError(`dedup before ${transform}, not after it`, name.col);
      const argCol = this.lx.peek('pipe').col;
      const p = this.pipe(cmd, name.col);
      if ((p.cmd === 'sort' || p.cmd === 'fields') && columns) {
        const names = p.cmd === 'sort' ? p.keys.map((k) => k.field) : p.fields;
        for (const n of names) {
          if (!columns.includes(n))
            throw new ParseError(
              `a column of the ${transform} table (${columns.join(', ')}) instead of ${n}`,
              argCol,
            );
        }
      }
      if (p.cmd === 'fields' && columns) columns = p.fields;
      const made = outputColumns(p);
      if (made) {
        const dup = made.find((c, i) => made.indexOf(c) !== i);
        if (dup)
          throw new ParseError(`distinct column names (${dup} appears twice; rename one with as)`, argCol);
        columns = made;
        transform = p.cmd;
      }
      pipes.push(p);
      const next = this.lx.peek('pipe');
      if (next.t !== '|' && next.t !== 'eof')
        throw new ParseError(`| or the end of the query after ${p.cmd}`, next.col);
    }
    return pipes;
  }

  private pipe(cmd: string, col: number): Pipe {
    switch (cmd) {
      case 'stats': {
        const aggs = this.aggs();
        return { cmd, aggs, by: this.by() };
      }
      case 'timechart': {
        let span = '1h';
        if (isKeyword(this.lx.peek('pipe'), 'span')) {
          this.lx.next('pipe');
          const eq = this.lx.next('pipe');
          if (eq.t !== '=') throw new ParseError('= after span', eq.col);
          const v = this.lx.next('pipe');
          const m = v.t === 'word' ? SPAN.exec(v.text) : null;
          if (!m || Number(m[1]) === 0) throw new ParseError('a span like 30s, 5m, 1h or 1d', v.col);
          span = v.t === 'word' ? v.text : span;
        }
        const m = SPAN.exec(span)!;
        const spanMs = Number(m[1]) * SPAN_MS[m[2] as keyof typeof SPAN_MS];
        const aggs = this.aggs();
        const byCol = this.lx.peek('pipe').col;
        const by = this.by();
        if (by.length > 1) throw new ParseError('one field after by in timechart', byCol);
        return { cmd, span, spanMs, aggs, by };
      }
      case 'sort': {
        const keys = this.list('a field to sort by, like -count or +host.name', (w) => {
          const desc = w.startsWith('-');
          const field = w.startsWith('-') || w.startsWith('+') ? w.slice(1) : w;
          return isFieldName(field) ? { field, desc } : undefined;
        });
        return { cmd, keys };
      }
      case 'head':
        return { cmd, n: this.count(10) };
      case 'fields':
        return { cmd, fields: this.fieldList() };
      case 'dedup':
        return { cmd, fields: this.fieldList() };
      case 'top':
      case 'rare': {
        const f = this.lx.next('pipe');
        if (f.t !== 'word' || !isFieldName(f.text)) throw new ParseError('a field name', f.col);
        return { cmd, field: f.text, n: this.count(10) };
      }
      default:
        throw new ParseError(`a command (${COMMANDS})`, col);
    }
  }

  private count(dflt: number): number {
    const t = this.lx.peek('pipe');
    if (t.t !== 'word') return dflt;
    this.lx.next('pipe');
    const n = /^\d{1,6}$/.test(t.text) ? Number(t.text) : 0;
    if (n < 1 || n > MAX_HEAD) throw new ParseError(`a number from 1 to ${MAX_HEAD}`, t.col);
    return n;
  }

  /** Comma-separated words, each mapped by `f` (undefined = invalid). */
  private list<T>(what: string, f: (word: string) => T | undefined): T[] {
    const out: T[] = [];
    for (;;) {
      const t = this.lx.next('pipe');
      const v = t.t === 'word' && !t.escaped ? f(t.text) : undefined;
      if (v === undefined) throw new ParseError(what, t.col);
      out.push(v);
      if (this.lx.peek('pipe').t !== ',') return out;
      this.lx.next('pipe');
    }
  }

  private fieldList(): string[] {
    return this.list('a field name', (w) => (isFieldName(w) ? w : undefined));
  }

  private by(): string[] {
    if (!isKeyword(this.lx.peek('pipe'), 'by')) return [];
    this.lx.next('pipe');
    return this.fieldList();
  }

  private aggs(): Agg[] {
    const out: Agg[] = [];
    for (;;) {
      out.push(this.agg());
      if (this.lx.peek('pipe').t !== ',') return out;
      this.lx.next('pipe');
    }
  }

  private agg(): Agg {
    const t = this.lx.next('pipe');
    const fn = t.t === 'word' && !t.escaped ? (t.text.toLowerCase() as AggFn) : undefined;
    if (!fn || !AGG_FNS.has(fn))
      throw new ParseError('an aggregation: count(), dc(f), sum(f), avg(f), min(f) or max(f)', t.col);
    const agg: Agg = { fn };
    const open = this.lx.peek('pipe');
    if (open.t === '(') {
      this.lx.next('pipe');
      const f = this.lx.next('pipe');
      if (f.t === 'word' && isFieldName(f.text)) {
        agg.field = f.text;
        const close = this.lx.next('pipe');
        if (close.t !== ')') throw new ParseError(`) after ${fn}(${f.text}`, close.col);
      } else if (!(f.t === ')' && fn === 'count')) {
        throw new ParseError(fn === 'count' ? 'a field name or )' : `a field name in ${fn}()`, f.col);
      }
    } else if (fn !== 'count') {
      throw new ParseError(`( after ${fn}`, open.col);
    }
    if (isKeyword(this.lx.peek('pipe'), 'as')) {
      this.lx.next('pipe');
      const n = this.lx.next('pipe');
      if (n.t !== 'word' || n.escaped || !isFieldName(n.text))
        throw new ParseError('a column name after as', n.col);
      agg.as = n.text;
    }
    return agg;
  }
}

/** Columns of the table a transforming command makes, or undefined for event commands. */
export function outputColumns(p: Pipe): string[] | undefined {
  switch (p.cmd) {
    case 'stats':
      return [...p.by, ...p.aggs.map(aggName)];
    case 'timechart':
      return ['_time', ...p.by, ...p.aggs.map(aggName)];
    case 'top':
    case 'rare':
      return [p.field, 'count', 'percent'];
    default:
      return undefined;
  }
}

export type { Value };
