import { isObj, ProcessorError, type IngestDoc } from './document.js';

/**
 * A small, safe subset of Painless for processor `if` conditions, interpreted (never evaluated as
 * code): `ctx.a.b` / `ctx?.a?.b` / `ctx['a']` access, string/number/boolean/null literals,
 * == != < <= > >=, && || !, parentheses, and the methods contains, startsWith, endsWith, equals,
 * equalsIgnoreCase, isEmpty, size, length, toLowerCase, toUpperCase, trim, containsKey.
 * Anything else is refused at compile time with the reason.
 */
export type Condition = (doc: IngestDoc) => boolean;

type Tok =
  { k: 'id'; v: string } | { k: 'str'; v: string } | { k: 'num'; v: number } | { k: 'op'; v: string };

const OPS = [
  '?.',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '===',
  '!==',
  '.',
  '[',
  ']',
  '(',
  ')',
  '!',
  '<',
  '>',
  ',',
];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) {
          const n = src[i + 1]!;
          s += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          i += 2;
        } else s += src[i++];
      }
      if (i >= src.length) throw new Error('unterminated string');
      i++;
      out.push({ k: 'str', v: s });
      continue;
    }
    const num = /^\d+(\.\d+)?[LlFfDd]?/.exec(src.slice(i));
    if (num) {
      out.push({ k: 'num', v: parseFloat(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$@][A-Za-z0-9_$@]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = [...OPS].sort((a, b) => b.length - a.length).find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected character '${c}'`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  return out;
}

type Node = (doc: IngestDoc) => unknown;

const METHODS: Record<string, { args: number; fn: (self: unknown, args: unknown[]) => unknown }> = {
  contains: {
    args: 1,
    fn: (s, [a]) =>
      typeof s === 'string'
        ? typeof a === 'string' && s.includes(a)
        : Array.isArray(s)
          ? s.some((x) => looseEq(x, a))
          : npe('contains'),
  },
  startsWith: {
    args: 1,
    fn: (s, [a]) => (typeof s === 'string' ? typeof a === 'string' && s.startsWith(a) : npe('startsWith')),
  },
  endsWith: {
    args: 1,
    fn: (s, [a]) => (typeof s === 'string' ? typeof a === 'string' && s.endsWith(a) : npe('endsWith')),
  },
  equals: { args: 1, fn: (s, [a]) => (s === null || s === undefined ? npe('equals') : looseEq(s, a)) },
  equalsIgnoreCase: {
    args: 1,
    fn: (s, [a]) =>
      typeof s === 'string'
        ? typeof a === 'string' && s.toLowerCase() === a.toLowerCase()
        : npe('equalsIgnoreCase'),
  },
  isEmpty: {
    args: 0,
    fn: (s) =>
      typeof s === 'string' || Array.isArray(s)
        ? s.length === 0
        : isObj(s)
          ? Object.keys(s).length === 0
          : npe('isEmpty'),
  },
  size: {
    args: 0,
    fn: (s) => (Array.isArray(s) ? s.length : isObj(s) ? Object.keys(s).length : npe('size')),
  },
  length: { args: 0, fn: (s) => (typeof s === 'string' ? s.length : npe('length')) },
  toLowerCase: { args: 0, fn: (s) => (typeof s === 'string' ? s.toLowerCase() : npe('toLowerCase')) },
  toUpperCase: { args: 0, fn: (s) => (typeof s === 'string' ? s.toUpperCase() : npe('toUpperCase')) },
  trim: { args: 0, fn: (s) => (typeof s === 'string' ? s.trim() : npe('trim')) },
  containsKey: {
    args: 1,
    fn: (s, [a]) =>
      isObj(s) ? typeof a === 'string' && Object.prototype.hasOwnProperty.call(s, a) : npe('containsKey'),
  },
};

function npe(what: string): never {
  throw new ProcessorError(
    `cannot invoke ${what}() on this value (null or wrong type) in condition`,
    'script_exception',
  );
}

function looseEq(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: unknown, b: unknown, op: string): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  if (typeof a === 'string' && typeof b === 'string')
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  throw new ProcessorError(
    `cannot compare ${a === null || a === undefined ? 'null' : typeof a} with ${b === null || b === undefined ? 'null' : typeof b} in condition`,
    'script_exception',
  );
}

class Parser {
  private i = 0;
  constructor(private readonly t: Tok[]) {}

  private peek(v: string): boolean {
    const x = this.t[this.i];
    return x !== undefined && x.k === 'op' && x.v === v;
  }
  private eat(v: string): boolean {
    if (!this.peek(v)) return false;
    this.i++;
    return true;
  }
  private expect(v: string): void {
    if (!this.eat(v)) throw new Error(`expected '${v}'`);
  }

  parse(): Node {
    const n = this.or();
    if (this.i < this.t.length) throw new Error(`unsupported syntax near token ${this.i + 1}`);
    return n;
  }
  private or(): Node {
    let l = this.and();
    while (this.eat('||')) {
      const a = l;
      const b = this.and();
      l = (d) => truthy(a(d)) || truthy(b(d));
    }
    return l;
  }
  private and(): Node {
    let l = this.unary();
    while (this.eat('&&')) {
      const a = l;
      const b = this.unary();
      l = (d) => truthy(a(d)) && truthy(b(d));
    }
    return l;
  }
  private unary(): Node {
    if (this.eat('!')) {
      const a = this.unary();
      return (d) => !truthy(a(d));
    }
    return this.cmp();
  }
  private cmp(): Node {
    const l = this.postfix();
    for (const op of ['==', '!=', '===', '!==', '<=', '>=', '<', '>']) {
      if (this.eat(op)) {
        const r = this.postfix();
        if (op === '==' || op === '===') return (d) => looseEq(l(d), r(d));
        if (op === '!=' || op === '!==') return (d) => !looseEq(l(d), r(d));
        return (d) => compare(l(d), r(d), op);
      }
    }
    return l;
  }
  private postfix(): Node {
    let n = this.primary();
    for (;;) {
      const safe = this.peek('?.');
      if (this.eat('.') || this.eat('?.')) {
        const name = this.t[this.i++];
        if (name?.k !== 'id') throw new Error('expected a name after .');
        if (this.eat('(')) {
          const m = METHODS[name.v];
          if (!m) throw new Error(`method ${name.v}() is not supported`);
          const args: Node[] = [];
          if (!this.eat(')')) {
            do args.push(this.or());
            while (this.eat(','));
            this.expect(')');
          }
          if (args.length !== m.args) throw new Error(`${name.v}() takes ${m.args} argument(s)`);
          const self = n;
          n = (d) => {
            const s = self(d);
            if (safe && (s === null || s === undefined)) return null;
            return m.fn(
              s,
              args.map((a) => a(d)),
            );
          };
        } else {
          const self = n;
          const key = name.v;
          n = (d) => member(self(d), key, safe);
        }
        continue;
      }
      if (this.eat('[')) {
        const idx = this.or();
        this.expect(']');
        const self = n;
        n = (d) => {
          const k = idx(d);
          return member(self(d), typeof k === 'number' ? String(k) : typeof k === 'string' ? k : '', false);
        };
        continue;
      }
      return n;
    }
  }
  private primary(): Node {
    const x = this.t[this.i++];
    if (!x) throw new Error('unexpected end of condition');
    if (x.k === 'str' || x.k === 'num') return () => x.v;
    if (x.k === 'id') {
      if (x.v === 'ctx') return (d) => ctxRoot(d);
      if (x.v === 'null') return () => null;
      if (x.v === 'true') return () => true;
      if (x.v === 'false') return () => false;
      throw new Error(`'${x.v}' is not supported (only ctx, literals and the listed methods)`);
    }
    if (x.v === '(') {
      const n = this.or();
      this.expect(')');
      return n;
    }
    throw new Error(`unexpected '${x.v}'`);
  }
}

function truthy(v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new ProcessorError('condition [if] did not evaluate to a boolean', 'script_exception');
  return v;
}

/** `ctx` in Painless is the source with the metadata fields alongside it. */
function ctxRoot(d: IngestDoc): unknown {
  return { ...d.meta, ...d.source, _ingest: d.ingest };
}

function member(v: unknown, key: string, safe: boolean): unknown {
  if (v === null || v === undefined) {
    if (safe) return null;
    throw new ProcessorError(
      `cannot access field [${key}] of null in condition (use ?. for null-safe access)`,
      'script_exception',
    );
  }
  if (isObj(v)) return Object.prototype.hasOwnProperty.call(v, key) ? v[key] : null;
  if (Array.isArray(v) && /^\d+$/.test(key)) return v[Number(key)] ?? null;
  return null;
}

export type CompiledCondition = { ok: true; test: Condition } | { ok: false; reason: string };

export function compileCondition(src: string): CompiledCondition {
  if (src.length > 2000) return { ok: false, reason: 'condition is longer than 2000 characters' };
  try {
    const node = new Parser(
      tokenize(
        src
          .trim()
          .replace(/;\s*$/, '')
          .replace(/^return\s+/, ''),
      ),
    ).parse();
    return { ok: true, test: (d) => truthy(node(d)) };
  } catch (e) {
    if (e instanceof ProcessorError) throw e;
    return { ok: false, reason: `unsupported Painless condition: ${(e as Error).message}` };
  }
}
