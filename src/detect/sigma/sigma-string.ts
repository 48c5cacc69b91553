/**
 * Sigma string values: `*` matches any run, `?` one character, `\` escapes only `*`, `?` and `\`
 * (a backslash before any other character is a plain backslash, as in Windows paths).
 * Patterns are compiled once to the cheapest test: equality, startsWith/endsWith/includes, or a
 * segment glob that never backtracks (segments have fixed length, so leftmost-first is exact).
 */

export type Part = string | typeof STAR | typeof QMARK;
export const STAR = Symbol('*');
export const QMARK = Symbol('?');

export function parseSigmaString(s: string): Part[] {
  const parts: Part[] = [];
  let acc = '';
  const flush = (): void => {
    if (acc) parts.push(acc);
    acc = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        acc += n;
        i++;
      } else acc += c;
    } else if (c === '*') {
      flush();
      if (parts[parts.length - 1] !== STAR) parts.push(STAR);
    } else if (c === '?') {
      flush();
      parts.push(QMARK);
    } else acc += c;
  }
  flush();
  return parts;
}

export function hasWildcards(parts: readonly Part[]): boolean {
  return parts.some((p) => typeof p !== 'string');
}

/** The plain text of a pattern without wildcards (caller checks hasWildcards first). */
export function plainText(parts: readonly Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : '')).join('');
}

export function mapLiterals(parts: readonly Part[], f: (s: string) => string): Part[] {
  return parts.map((p) => (typeof p === 'string' ? f(p) : p));
}

export function withContains(parts: readonly Part[]): Part[] {
  return withEndsWith(withStartsWith(parts));
}
export function withStartsWith(parts: readonly Part[]): Part[] {
  return parts[parts.length - 1] === STAR ? [...parts] : [...parts, STAR];
}
export function withEndsWith(parts: readonly Part[]): Part[] {
  return parts[0] === STAR ? [...parts] : [STAR, ...parts];
}

/** Longest literal run: what a value must contain for the pattern to possibly match. */
export function longestLiteral(parts: readonly Part[]): string {
  let best = '';
  for (const p of parts) if (typeof p === 'string' && p.length > best.length) best = p;
  return best;
}

export type StringTest = (s: string) => boolean;

interface Segment {
  text: string;
  /** positions holding `?` (any single character) */
  q: boolean[] | null;
}

function segmentAt(s: string, pos: number, seg: Segment): boolean {
  if (pos + seg.text.length > s.length) return false;
  if (seg.q === null) return s.startsWith(seg.text, pos);
  for (let i = 0; i < seg.text.length; i++) if (!seg.q[i] && s.charCodeAt(pos + i) !== seg.text.charCodeAt(i)) return false;
  return true;
}

function segmentFind(s: string, from: number, limit: number, seg: Segment): number {
  if (seg.q === null) {
    const i = s.indexOf(seg.text, from);
    return i === -1 || i + seg.text.length > limit ? -1 : i;
  }
  for (let i = from; i + seg.text.length <= limit; i++) if (segmentAt(s, i, seg)) return i;
  return -1;
}

/** Compiles a parsed pattern into a test on an already case-folded string. */
export function compilePattern(parts: readonly Part[]): StringTest {
  if (!hasWildcards(parts)) {
    const lit = plainText(parts);
    return (s) => s === lit;
  }
  const onlyStars = parts.every((p) => p !== QMARK);
  if (onlyStars) {
    const lits = parts.filter((p): p is string => typeof p === 'string');
    if (parts.length === 1) return () => true; // '*'
    if (lits.length === 1) {
      const lit = lits[0]!;
      const startStar = parts[0] === STAR;
      const endStar = parts[parts.length - 1] === STAR;
      if (startStar && endStar) return (s) => s.includes(lit);
      if (endStar) return (s) => s.startsWith(lit);
      return (s) => s.endsWith(lit);
    }
  }
  // General glob: split into fixed-length segments separated by stars.
  const segs: Segment[] = [];
  let text = '';
  let q: boolean[] = [];
  let anyQ = false;
  const startStar = parts[0] === STAR;
  const endStar = parts[parts.length - 1] === STAR;
  const push = (): void => {
    segs.push({ text, q: anyQ ? q : null });
    text = '';
    q = [];
    anyQ = false;
  };
  for (const p of parts) {
    if (p === STAR) {
      if (text) push();
    } else if (p === QMARK) {
      text += '?';
      q.push(true);
      anyQ = true;
    } else {
      text += p;
      for (let i = 0; i < p.length; i++) q.push(false);
    }
  }
  if (text) push();
  if (!startStar && !endStar && segs.length === 1) {
    const seg = segs[0]!;
    return (s) => s.length === seg.text.length && segmentAt(s, 0, seg);
  }
  return (s) => {
    let lo = 0;
    let hi = s.length;
    let first = 0;
    let last = segs.length;
    if (!startStar) {
      const seg = segs[0]!;
      if (!segmentAt(s, 0, seg)) return false;
      lo = seg.text.length;
      first = 1;
    }
    if (!endStar && last > first) {
      const seg = segs[last - 1]!;
      const at = s.length - seg.text.length;
      if (at < lo || !segmentAt(s, at, seg)) return false;
      hi = at;
      last--;
    }
    for (let i = first; i < last; i++) {
      const seg = segs[i]!;
      const at = segmentFind(s, lo, hi, seg);
      if (at === -1) return false;
      lo = at + seg.text.length;
    }
    return true;
  };
}
