import RE2 from 're2';
import { fail, ok, type Parsed } from '../../schema/result.js';
import type {
  Comparison,
  ComparisonOp,
  Literal,
  ObjectPath,
  Observation,
  PathStep,
  Qualifier,
} from './pattern-ast.js';
import { PatternSyntaxError, tokenize, type Token } from './pattern-lexer.js';

/** Deeper nesting than this is refused rather than risking the stack on hostile input. */
const MAX_DEPTH = 64;
const MAX_LENGTH = 64 * 1024;

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

/**
 * Parses a STIX 2.1 pattern into its syntax tree. Precedence follows the grammar of the spec
 * (STIXPattern.g4): qualifiers bind tightest, then AND, OR, and FOLLOWEDBY loosest between
 * observations; AND before OR inside brackets. Never throws: errors read `expected X at column N`.
 */
export function parsePattern(src: string): Parsed<Observation> {
  if (src.length > MAX_LENGTH) return fail(`pattern longer than ${MAX_LENGTH} characters`);
  try {
    const p = new Parser(tokenize(src));
    const tree = p.followedBy(0);
    p.expectEof();
    return ok(tree);
  } catch (err) {
    if (err instanceof PatternSyntaxError) return fail(err.message);
    throw err;
  }
}

const describe = (t: Token): string => {
  switch (t.type) {
    case 'eof':
      return 'end of pattern';
    case 'string':
      return `string '${t.text.length > 20 ? `${t.text.slice(0, 20)}...` : t.text}'`;
    default:
      return `'${t.text}'`;
  }
};

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.type !== 'eof') this.pos++;
    return t;
  }
  private is(type: Token['type'], text?: string): boolean {
    const t = this.peek();
    return t.type === type && (text === undefined || t.text === text);
  }
  private fail(expected: string): never {
    const t = this.peek();
    throw new PatternSyntaxError(expected, t.column, describe(t));
  }
  private expect(type: Token['type'], text: string, expected = `'${text}'`): Token {
    if (!this.is(type, text)) this.fail(expected);
    return this.next();
  }
  private depth(d: number): number {
    if (d >= MAX_DEPTH) this.fail(`nesting of at most ${MAX_DEPTH} levels`);
    return d + 1;
  }

  expectEof(): void {
    if (!this.is('eof')) this.fail("'AND', 'OR', 'FOLLOWEDBY' or a qualifier");
  }

  followedBy(d: number): Observation {
    return this.nary('FOLLOWEDBY', 'followedby', () => this.obsOr(d));
  }
  private obsOr(d: number): Observation {
    return this.nary('OR', 'or', () => this.obsAnd(d));
  }
  private obsAnd(d: number): Observation {
    return this.nary('AND', 'and', () => this.qualified(d));
  }
  private nary<K extends 'followedby' | 'or' | 'and'>(
    kw: string,
    kind: K,
    item: () => Observation,
  ): Observation {
    const terms = [item()];
    while (this.is('keyword', kw)) {
      this.next();
      terms.push(item());
    }
    return terms.length === 1 ? terms[0]! : { kind, terms };
  }

  private qualified(d: number): Observation {
    let expr = this.obsPrimary(d);
    for (;;) {
      const q = this.qualifier();
      if (!q) return expr;
      expr = { kind: 'qualified', expr, qualifier: q };
    }
  }

  private qualifier(): Qualifier | undefined {
    if (this.is('keyword', 'WITHIN')) {
      this.next();
      const t = this.peek();
      if ((t.type !== 'int' && t.type !== 'float') || Number(t.text) <= 0)
        this.fail('a positive number of seconds');
      this.next();
      this.expect('keyword', 'SECONDS');
      return { kind: 'within', seconds: Number(t.text) };
    }
    if (this.is('keyword', 'REPEATS')) {
      this.next();
      const t = this.peek();
      if (t.type !== 'int' || Number(t.text) <= 0 || !Number.isSafeInteger(Number(t.text)))
        this.fail('a positive integer');
      this.next();
      this.expect('keyword', 'TIMES');
      return { kind: 'repeats', times: Number(t.text) };
    }
    if (this.is('keyword', 'START')) {
      this.next();
      const start = this.timestamp();
      this.expect('keyword', 'STOP');
      const stop = this.timestamp();
      return { kind: 'startstop', start: start.ms, stop: stop.ms };
    }
    return undefined;
  }

  private timestamp(): Extract<Literal, { type: 'timestamp' }> {
    const t = this.peek();
    if (t.type !== 'timestamp') this.fail("a timestamp t'YYYY-MM-DDTHH:MM:SSZ'");
    const lit = timestampLiteral(t);
    this.next();
    return lit;
  }

  private obsPrimary(d: number): Observation {
    if (this.is('punct', '[')) {
      this.next();
      const expr = this.cmpOr(this.depth(d));
      this.expect('punct', ']', "']', 'AND' or 'OR'");
      return { kind: 'observation', expr };
    }
    if (this.is('punct', '(')) {
      this.next();
      const inner = this.followedBy(this.depth(d));
      this.expect('punct', ')', "')', 'AND', 'OR' or 'FOLLOWEDBY'");
      return inner;
    }
    return this.fail("'[' or '('");
  }

  private cmpOr(d: number): Comparison {
    const terms = [this.cmpAnd(d)];
    while (this.is('keyword', 'OR')) {
      this.next();
      terms.push(this.cmpAnd(d));
    }
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }
  private cmpAnd(d: number): Comparison {
    const terms = [this.propTest(d)];
    while (this.is('keyword', 'AND')) {
      this.next();
      terms.push(this.propTest(d));
    }
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  }

  private propTest(d: number): Comparison {
    if (this.is('punct', '(')) {
      this.next();
      const inner = this.cmpOr(this.depth(d));
      this.expect('punct', ')', "')', 'AND' or 'OR'");
      return inner;
    }
    if (this.is('keyword', 'EXISTS')) {
      this.next();
      return { kind: 'exists', path: this.objectPath() };
    }
    const path = this.objectPath();
    let negated = false;
    if (this.is('keyword', 'NOT')) {
      this.next();
      negated = true;
    }
    const t = this.peek();
    if (t.type === 'op') {
      this.next();
      const op = t.text as ComparisonOp;
      const value = op === '=' || op === '!=' ? this.primitive() : this.orderable();
      return { kind: 'cmp', path, op, negated, value };
    }
    if (t.type === 'keyword' && t.text === 'IN') {
      this.next();
      return { kind: 'cmp', path, op: 'IN', negated, value: this.set() };
    }
    if (t.type === 'keyword' && ['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(t.text)) {
      this.next();
      const s = this.peek();
      if (s.type !== 'string') this.fail('a string');
      if (t.text === 'MATCHES') {
        try {
          new RE2(s.text, 'u');
        } catch {
          this.fail('a regular expression RE2 accepts');
        }
      }
      this.next();
      return {
        kind: 'cmp',
        path,
        op: t.text as ComparisonOp,
        negated,
        value: { type: 'string', value: s.text },
      };
    }
    return this.fail(
      "a comparison operator ('=', '!=', '<', '<=', '>', '>=', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET')",
    );
  }

  private objectPath(): ObjectPath {
    const typeTok = this.peek();
    if (typeTok.type !== 'ident') this.fail('an object type');
    this.next();
    this.expect('punct', ':');
    const steps: PathStep[] = [{ kind: 'prop', name: this.propertyName() }];
    for (;;) {
      if (this.is('punct', '.')) {
        this.next();
        steps.push({ kind: 'prop', name: this.propertyName() });
      } else if (this.is('punct', '[')) {
        this.next();
        const t = this.peek();
        if (t.type === 'punct' && t.text === '*') steps.push({ kind: 'index', index: '*' });
        else if (t.type === 'int' && Number.isSafeInteger(Number(t.text)))
          steps.push({ kind: 'index', index: Number(t.text) });
        else this.fail("a list index or '*'");
        this.next();
        this.expect('punct', ']');
      } else return { objectType: typeTok.text, steps };
    }
  }

  private propertyName(): string {
    const t = this.peek();
    // Keywords are reserved only in upper case, which property names never are; accept them anyway.
    if (t.type === 'ident' || t.type === 'string' || t.type === 'keyword') {
      this.next();
      return t.text;
    }
    return this.fail('a property name');
  }

  private set(): Literal[] {
    this.expect('punct', '(');
    const items: Literal[] = [];
    if (this.is('punct', ')')) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.primitive());
      if (this.is('punct', ',')) {
        this.next();
        continue;
      }
      this.expect('punct', ')', "',' or ')'");
      return items;
    }
  }

  private primitive(): Literal {
    if (this.is('bool')) return { type: 'bool', value: this.next().text === 'true' };
    return this.orderable();
  }

  private orderable(): Literal {
    const t = this.peek();
    switch (t.type) {
      case 'string':
        this.next();
        return { type: 'string', value: t.text };
      case 'int': {
        const v = Number(t.text);
        if (!Number.isSafeInteger(v)) this.fail('an integer within ±2^53');
        this.next();
        return { type: 'int', value: v };
      }
      case 'float':
        this.next();
        return { type: 'float', value: Number(t.text) };
      case 'timestamp':
        return this.timestamp();
      case 'hex':
        if (!/^(?:[0-9A-Fa-f]{2})*$/.test(t.text)) this.fail('an even number of hex digits');
        this.next();
        return { type: 'hex', value: t.text.toLowerCase() };
      case 'binary':
        if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(t.text))
          this.fail('base64');
        this.next();
        return { type: 'binary', value: t.text };
      default:
        return this.fail('a literal (string, number, boolean, timestamp, hex or binary)');
    }
  }
}

function timestampLiteral(t: Token): Extract<Literal, { type: 'timestamp' }> {
  const m = TIMESTAMP.exec(t.text);
  const bad = (): never => {
    throw new PatternSyntaxError("a timestamp t'YYYY-MM-DDTHH:MM:SS[.s]Z'", t.column, `t'${t.text}'`);
  };
  if (!m) return bad();
  const [y, mo, da, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, da, h, mi, s) + (m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0);
  const back = new Date(Date.UTC(y, mo - 1, da, h, mi, s));
  // Date.UTC rolls 2016-02-30 into March; a real date survives the round trip.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== da || h > 23 || mi > 59 || s > 60) return bad();
  return { type: 'timestamp', value: t.text, ms };
}
