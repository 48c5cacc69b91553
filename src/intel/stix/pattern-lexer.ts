/**
 * Tokens of the STIX 2.1 patterning language. Keywords are upper case as the grammar spells them;
 * `true`/`false` are case-insensitive. Columns are 1-based so errors point where an editor would.
 */

export const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
  'LAST',
]);

export type TokenType =
  | 'ident'
  | 'keyword'
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  | 'timestamp'
  | 'hex'
  | 'binary'
  | 'punct'
  | 'op'
  | 'eof';

export interface Token {
  type: TokenType;
  /** Decoded text: the string's content, the keyword, the punctuation. */
  text: string;
  column: number;
}

export class PatternSyntaxError extends Error {
  constructor(
    readonly expected: string,
    readonly column: number,
    readonly found?: string,
  ) {
    super(`expected ${expected} at column ${column}${found === undefined ? '' : `, found ${found}`}`);
  }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_-]/.test(c);

/** Splits a pattern into tokens; throws `PatternSyntaxError` (caught by the parser) on bad input. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    const column = i + 1;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if ((c === 't' || c === 'h' || c === 'b') && src[i + 1] === "'") {
      const { text, end } = readQuoted(src, i + 1);
      const type = c === 't' ? 'timestamp' : c === 'h' ? 'hex' : 'binary';
      out.push({ type, text, column });
      i = end;
      continue;
    }
    if (c === "'") {
      const { text, end } = readQuoted(src, i);
      out.push({ type: 'string', text, column });
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (isIdentPart(src[j])) j++;
      const word = src.slice(i, j);
      const lower = word.toLowerCase();
      if (lower === 'true' || lower === 'false') out.push({ type: 'bool', text: lower, column });
      else out.push({ type: KEYWORDS.has(word) ? 'keyword' : 'ident', text: word, column });
      i = j;
      continue;
    }
    if (
      isDigit(c) ||
      ((c === '-' || c === '+') && (isDigit(src[i + 1]) || (src[i + 1] === '.' && isDigit(src[i + 2])))) ||
      (c === '.' && isDigit(src[i + 1]) && out[out.length - 1]?.type === 'op')
    ) {
      let j = i;
      if (c === '-' || c === '+') j++;
      while (isDigit(src[j])) j++;
      let type: TokenType = 'int';
      if (src[j] === '.' && isDigit(src[j + 1])) {
        type = 'float';
        j++;
        while (isDigit(src[j])) j++;
      }
      if (isIdentPart(src[j]) || src[j] === '.')
        throw new PatternSyntaxError('a number', column, `'${src.slice(i, j + 1)}'`);
      out.push({ type, text: src.slice(i, j), column });
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      out.push({ type: 'op', text: two === '<>' ? '!=' : two, column });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      out.push({ type: 'op', text: c === '=' ? '=' : c, column });
      i++;
      continue;
    }
    if ('[]():.,*'.includes(c)) {
      out.push({ type: 'punct', text: c, column });
      i++;
      continue;
    }
    throw new PatternSyntaxError('a token', column, `'${c}'`);
  }
  out.push({ type: 'eof', text: '', column: n + 1 });
  return out;
}

/** Reads `'...'` starting at the quote; only `\\` and `\'` are escapes, as the grammar allows. */
function readQuoted(src: string, quote: number): { text: string; end: number } {
  let i = quote + 1;
  let text = '';
  for (;;) {
    if (i >= src.length) throw new PatternSyntaxError("a closing '", i + 1, 'end of pattern');
    const c = src[i]!;
    if (c === "'") return { text, end: i + 1 };
    if (c === '\\') {
      const next = src[i + 1];
      if (next !== '\\' && next !== "'")
        throw new PatternSyntaxError(
          "\\\\ or \\' (the only escapes)",
          i + 1,
          next === undefined ? 'end of pattern' : `'\\${next}'`,
        );
      text += next;
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
}
