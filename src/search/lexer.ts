import type { PatternPart } from './ast.js';

/** Thrown by the lexer and parser only; `parseQuery` turns it into a result. */
export class ParseError extends Error {
  constructor(
    /** What the parser wanted, e.g. `a value` or `)`. */
    readonly expected: string,
    /** 1-based column of the offending character, for the UI to underline. */
    readonly column: number,
  ) {
    super(`expected ${expected} at column ${column}`);
    this.name = 'ParseError';
  }
}

/**
 * How the next word is read. Values may contain `:`, `/`, `<` (URLs, IPv6, command lines) while a
 * field name may not, so the parser tells the lexer which kind of word it wants (a context-sensitive
 * lexer keeps both `url.full:http://x` and `a:1 b:2` simple).
 * - `query`: a term start; `:` `<` `>` end a word and `*` `?` are wildcards.
 * - `value`: after `field:` or a comparison; only whitespace, `(` `)` `|` `"` end a word.
 * - `range`: a bound inside `[a TO b]`; `]` `}` also end a word and nothing is a wildcard.
 * - `pipe`: pipe command arguments; `,` `=` also end a word.
 */
export type LexMode = 'query' | 'value' | 'range' | 'pipe';

export type Token =
  | {
      t: 'word';
      /** The word with escapes removed. */
      text: string;
      /** Literal text and unescaped wildcards, in order (wildcards only in query/value mode). */
      parts: PatternPart[];
      wild: boolean;
      /** A backslash escape was used: `\AND` is a word, not a keyword. */
      escaped: boolean;
      col: number;
    }
  | { t: 'phrase'; text: string; col: number }
  | { t: '(' | ')' | '|' | ':' | ',' | '=' | '[' | '{' | ']' | '}' | '-' | 'eof'; col: number }
  | { t: 'cmp'; op: '>' | '>=' | '<' | '<='; col: number };

const WS = new Set([' ', '\t', '\n', '\r']);
const ENDS: Record<LexMode, Set<string>> = {
  query: new Set([...WS, '(', ')', '|', '"', ':', '<', '>']),
  value: new Set([...WS, '(', ')', '|', '"']),
  range: new Set([...WS, '(', ')', '|', '"', ']', '}']),
  pipe: new Set([...WS, '(', ')', '|', '"', ',', '=']),
};

export class Lexer {
  pos = 0;
  constructor(readonly src: string) {}

  skipWs(): void {
    while (this.pos < this.src.length && WS.has(this.src[this.pos]!)) this.pos++;
  }

  /** The next token without consuming it. */
  peek(mode: LexMode): Token {
    const at = this.pos;
    const tok = this.next(mode);
    this.pos = at;
    return tok;
  }

  next(mode: LexMode): Token {
    this.skipWs();
    const src = this.src;
    const col = this.pos + 1;
    if (this.pos >= src.length) return { t: 'eof', col };
    const c = src[this.pos]!;
    if (c === '"') return this.phrase();
    if (c === '(' || c === ')' || c === '|') {
      this.pos++;
      return { t: c, col };
    }
    if (mode === 'query') {
      if (c === ':') {
        this.pos++;
        return { t: ':', col };
      }
      if (c === '<' || c === '>') {
        this.pos++;
        if (src[this.pos] === '=') {
          this.pos++;
          return { t: 'cmp', op: c === '<' ? '<=' : '>=', col };
        }
        return { t: 'cmp', op: c, col };
      }
      // `-term` negates; a lone `-` is an ordinary word.
      const after = src[this.pos + 1];
      if (
        c === '-' &&
        after !== undefined &&
        !WS.has(after) &&
        after !== ')' &&
        after !== '|' &&
        after !== ':'
      ) {
        this.pos++;
        return { t: '-', col };
      }
    }
    if (mode === 'value' && (c === '[' || c === '{')) {
      this.pos++;
      return { t: c, col };
    }
    if (mode === 'range' && (c === ']' || c === '}')) {
      this.pos++;
      return { t: c, col };
    }
    if (mode === 'pipe' && (c === ',' || c === '=')) {
      this.pos++;
      return { t: c, col };
    }
    return this.word(mode, col);
  }

  private phrase(): Token {
    const col = this.pos + 1;
    const src = this.src;
    let i = this.pos + 1;
    let text = '';
    for (;;) {
      if (i >= src.length)
        throw new ParseError(`a closing " (unterminated quote opened at column ${col})`, src.length + 1);
      const ch = src[i]!;
      if (ch === '"') break;
      if (ch === '\\') {
        if (i + 1 >= src.length) throw new ParseError('a character after \\', i + 2);
        text += src[i + 1];
        i += 2;
        continue;
      }
      text += ch;
      i++;
    }
    this.pos = i + 1;
    return { t: 'phrase', text, col };
  }

  private word(mode: LexMode, col: number): Token {
    const src = this.src;
    const ends = ENDS[mode];
    const wildcards = mode === 'query' || mode === 'value';
    const parts: PatternPart[] = [];
    let lit = '';
    let text = '';
    let wild = false;
    let escaped = false;
    let i = this.pos;
    while (i < src.length && !ends.has(src[i]!)) {
      const ch = src[i]!;
      if (ch === '\\') {
        if (i + 1 >= src.length) throw new ParseError('a character after \\', i + 2);
        const e = src[i + 1]!;
        lit += e;
        text += e;
        escaped = true;
        i += 2;
        continue;
      }
      if (wildcards && (ch === '*' || ch === '?')) {
        if (lit) parts.push({ lit });
        lit = '';
        const prev = parts[parts.length - 1];
        // `**` means the same as `*`: keep one so that printing round-trips.
        if (ch === '?') parts.push({ one: true });
        else if (!(prev && 'any' in prev)) parts.push({ any: true });
        wild = true;
        text += ch;
        i++;
        continue;
      }
      lit += ch;
      text += ch;
      i++;
    }
    if (lit) parts.push({ lit });
    this.pos = i;
    return { t: 'word', text, parts, wild, escaped, col };
  }
}
