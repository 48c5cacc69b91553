import { ExprError, type BinaryOp, type Expr } from './ast.js';
import { tokenize, type Token } from './lexer.js';

const MAX_DEPTH = 200;

/** Parses one expression; errors name what was expected and the 1-based column. */
export function parseExpression(src: string): Expr {
  const p = new Parser(tokenize(src));
  const e = p.expression();
  p.expectEnd();
  return e;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token {
    return this.tokens[this.pos]!;
  }
  private fail(what: string, t: Token = this.tok): never {
    const found = t.kind === 'eof' ? 'end of expression' : `'${t.text}'`;
    throw new ExprError(`expected ${what}, found ${found}`, t.at + 1);
  }
  private isPunct(text: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === text;
  }
  private isWord(text: string): boolean {
    return this.tok.kind === 'ident' && this.tok.text === text;
  }
  private eat(text: string): boolean {
    if (this.isPunct(text) || this.isWord(text)) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expect(text: string): Token {
    const t = this.tok;
    if (!this.eat(text)) this.fail(`'${text}'`);
    return t;
  }
  expectEnd(): void {
    if (this.tok.kind !== 'eof') this.fail('an operator or the end of the expression');
  }

  expression(): Expr {
    if (++this.depth > MAX_DEPTH) throw new ExprError('expression nested too deeply', this.tok.at + 1);
    try {
      return this.conditional();
    } finally {
      this.depth--;
    }
  }

  private conditional(): Expr {
    const test = this.coalesce();
    if (!this.isPunct('?')) return test;
    const at = this.tok.at;
    this.pos++;
    const then = this.expression();
    this.expect(':');
    const otherwise = this.expression();
    return { kind: 'conditional', test, then, else: otherwise, at };
  }

  private binaryLevel(next: () => Expr, ops: Record<string, BinaryOp>): Expr {
    let left = next();
    for (;;) {
      const t = this.tok;
      const op =
        (t.kind === 'punct' || t.kind === 'ident') && Object.hasOwn(ops, t.text) ? ops[t.text] : undefined;
      if (!op) return left;
      this.pos++;
      left = { kind: 'binary', op, left, right: next(), at: t.at };
    }
  }

  private coalesce = (): Expr => this.binaryLevel(this.or, { '??': '??' });
  private or = (): Expr => this.binaryLevel(this.and, { '||': '||', or: '||' });
  private and = (): Expr => this.binaryLevel(this.equality, { '&&': '&&', and: '&&' });
  private equality = (): Expr => this.binaryLevel(this.relational, { '==': '==', '!=': '!=' });

  private relational = (): Expr => {
    let left = this.additive();
    for (;;) {
      const t = this.tok;
      if (this.isWord('not') && this.tokens[this.pos + 1]?.text === 'in') {
        this.pos += 2;
        const inner: Expr = { kind: 'binary', op: 'in', left, right: this.additive(), at: t.at };
        left = { kind: 'unary', op: '!', operand: inner, at: t.at };
        continue;
      }
      const op =
        ['<', '<=', '>', '>='].includes(t.text) && t.kind === 'punct'
          ? (t.text as BinaryOp)
          : this.isWord('in')
            ? 'in'
            : undefined;
      if (!op) return left;
      this.pos++;
      left = { kind: 'binary', op, left, right: this.additive(), at: t.at };
    }
  };

  private additive = (): Expr => this.binaryLevel(this.multiplicative, { '+': '+', '-': '-' });
  private multiplicative = (): Expr => this.binaryLevel(this.unary, { '*': '*', '/': '/', '%': '%' });

  private unary = (): Expr => {
    const t = this.tok;
    if (this.eat('!') || this.eat('not'))
      return { kind: 'unary', op: '!', operand: this.unaryNested(), at: t.at };
    if (this.eat('-')) return { kind: 'unary', op: '-', operand: this.unaryNested(), at: t.at };
    return this.postfix();
  };

  private unaryNested(): Expr {
    if (++this.depth > MAX_DEPTH) throw new ExprError('expression nested too deeply', this.tok.at + 1);
    try {
      return this.unary();
    } finally {
      this.depth--;
    }
  }

  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      const t = this.tok;
      if (this.eat('.')) {
        const name = this.tok;
        if (name.kind !== 'ident') this.fail('a field name after .');
        this.pos++;
        e = { kind: 'member', object: e, name: name.text, at: name.at };
      } else if (this.eat('[')) {
        if (this.eat('*')) {
          this.expect(']');
          e = { kind: 'wildcard', object: e, at: t.at };
        } else if (this.eat('?')) {
          this.expect('(');
          const cond = this.expression();
          this.expect(')');
          this.expect(']');
          e = { kind: 'filter', object: e, cond, at: t.at };
        } else {
          const index = this.expression();
          this.expect(']');
          e = { kind: 'index', object: e, index, at: t.at };
        }
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.pos++;
        return { kind: 'literal', value: t.value as number, at: t.at };
      case 'string':
        this.pos++;
        return { kind: 'literal', value: t.value as string, at: t.at };
      case 'ident': {
        this.pos++;
        if (t.text === 'true' || t.text === 'false')
          return { kind: 'literal', value: t.text === 'true', at: t.at };
        if (t.text === 'null') return { kind: 'literal', value: null, at: t.at };
        if (['and', 'or', 'not', 'in'].includes(t.text)) this.fail('a value', t);
        if (this.eat('(')) {
          const args: Expr[] = [];
          if (!this.isPunct(')')) {
            do args.push(this.expression());
            while (this.eat(','));
          }
          this.expect(')');
          return { kind: 'call', name: t.text, args, at: t.at };
        }
        return { kind: 'name', name: t.text, at: t.at };
      }
      case 'punct':
        if (this.eat('@')) return { kind: 'current', at: t.at };
        if (this.eat('(')) {
          const e = this.expression();
          this.expect(')');
          return e;
        }
        if (this.eat('[')) {
          const items: Expr[] = [];
          if (!this.isPunct(']')) {
            do items.push(this.expression());
            while (this.eat(','));
          }
          this.expect(']');
          return { kind: 'list', items, at: t.at };
        }
        if (this.eat('{')) {
          const entries: Array<[string, Expr]> = [];
          if (!this.isPunct('}')) {
            do {
              const k = this.tok;
              if (k.kind !== 'ident' && k.kind !== 'string') this.fail('a key');
              this.pos++;
              this.expect(':');
              entries.push([k.kind === 'string' ? (k.value as string) : k.text, this.expression()]);
            } while (this.eat(','));
          }
          this.expect('}');
          return { kind: 'object', entries, at: t.at };
        }
        return this.fail('a value');
      case 'eof':
        return this.fail('a value');
    }
  }
}
