/**
 * Literal prefilter across rules: an Aho-Corasick automaton (compiled to a dense DFA over a
 * reduced alphabet) of one key substring per rule literal. Scanning an event's lower-cased
 * values once yields the rules that could match; every other rule is skipped without being
 * evaluated. Collapsing rare characters into one class can only add candidates, never lose one,
 * so the filter stays exact after full evaluation.
 */

const KEY_LEN = 10;
/** Substrings nearly every Windows event contains; a key made of them would filter nothing. */
const COMMON = [
  'c:\\windows\\system32\\', 'c:\\windows\\syswow64\\', 'c:\\windows\\', '\\windows\\', '\\system32\\', '\\syswow64\\',
  'c:\\program files (x86)\\', 'c:\\program files\\', '\\program files', 'c:\\users\\', '\\appdata\\local\\',
  '\\appdata\\roaming\\', '\\appdata\\', '.exe', '.dll', 'microsoft',
];

/** The most distinctive piece of a literal, at most KEY_LEN characters. */
export function literalKey(lit: string): string {
  let rest = lit;
  for (const c of COMMON) rest = rest.split(c).join('\u0000');
  let best = '';
  for (const piece of rest.split('\u0000')) if (piece.length > best.length) best = piece;
  if (best.length < 4) return lit.length <= KEY_LEN ? lit : lit.slice(lit.length - KEY_LEN);
  if (best.length >= KEY_LEN) return best.slice(best.length - KEY_LEN);
  // Widen the distinctive piece with its neighbours ('ntdll' → 'ntdll.dll+'): longer keys hit less.
  const pos = lit.indexOf(best);
  const start = Math.max(0, Math.min(pos, lit.length - KEY_LEN));
  return lit.slice(start, start + KEY_LEN);
}

const CLASS = new Uint8Array(65536);
let classCount = 1; // 0: any character outside printable ASCII
for (let c = 0x20; c < 0x7f; c++) {
  if (c >= 0x41 && c <= 0x5a) continue; // upper case folds onto lower case below
  CLASS[c] = classCount++;
}
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = CLASS[c + 32]!;
const K = classCount;
// Rules compare lower-cased text, and exactly two non-ASCII characters lower-case to ASCII:
// KELVIN SIGN to 'k', and LATIN CAPITAL I WITH DOT to 'i' + U+0307. The scan reads raw text,
// so it must see them as their lower-case forms or it could miss a literal the rule matches.
CLASS[0x212a] = CLASS[0x6b]!;
const DOTTED_I = 0x130;
const I_CLASS = CLASS[0x69]!;
CLASS[DOTTED_I] = K; // an extra column, whose entries send the scan to its slow path
/** row stride of the final table: the K classes plus the dotted-I column */
const KS = K + 1;
const DOTTED_I_MARK = -0x7fffffff;

export class LiteralIndex {
  /** transitions, pre-multiplied: delta[s*KS + c] = next*KS (or ~(next*KS) when next has outputs) */
  private readonly delta: Int32Array;
  private readonly outputs: (Int32Array | null)[];
  readonly states: number;

  /** entries: [literal, payload] — payload is what `scan` reports (e.g. a rule index) */
  constructor(entries: readonly (readonly [string, number])[]) {
    // Sized to the exact bound on trie states (one per key character, plus the root).
    const keys = entries.map(([lit]) => literalKey(lit).replaceAll('\u0130', 'i\u0307'));
    let cap = 1;
    for (const k of keys) cap += k.length;
    const goto = new Int32Array(cap * K).fill(-1);
    const own: number[][] = [[]];
    let n = 1;
    for (let e = 0; e < entries.length; e++) {
      const payload = entries[e]![1];
      const key = keys[e]!;
      let s = 0;
      for (let i = 0; i < key.length; i++) {
        const c = CLASS[key.charCodeAt(i)]!;
        let t = goto[s * K + c]!;
        if (t === -1) {
          t = n++;
          own.push([]);
          goto[s * K + c] = t;
        }
        s = t;
      }
      if (!own[s]!.includes(payload)) own[s]!.push(payload);
    }
    const fail = new Int32Array(n);
    const delta = new Int32Array(n * K);
    const outputs: (Int32Array | null)[] = new Array<Int32Array | null>(n).fill(null);
    const queue = new Int32Array(n);
    let head = 0;
    let tail = 0;
    for (let c = 0; c < K; c++) {
      const t = goto[c]!;
      if (t === -1) delta[c] = 0;
      else {
        delta[c] = t;
        fail[t] = 0;
        queue[tail++] = t;
      }
    }
    outputs[0] = own[0]!.length ? Int32Array.from(own[0]!) : null;
    while (head < tail) {
      const s = queue[head++]!;
      const inherited = outputs[fail[s]!] ?? null;
      const mine = own[s]!;
      outputs[s] = mine.length ? Int32Array.from(inherited ? [...mine, ...inherited] : mine) : inherited;
      for (let c = 0; c < K; c++) {
        const t = goto[s * K + c]!;
        if (t === -1) delta[s * K + c] = delta[fail[s]! * K + c]!;
        else {
          fail[t] = delta[fail[s]! * K + c]!;
          delta[s * K + c] = t;
          queue[tail++] = t;
        }
      }
    }
    // Renumber states in breadth-first order: the scan spends nearly all its time in shallow
    // states, and numbering them first keeps their rows together in a few cache lines instead
    // of scattered across a table of several megabytes.
    const renum = new Int32Array(n);
    for (let i = 0; i < tail; i++) renum[queue[i]!] = i + 1;
    const bfsDelta = new Int32Array(n * KS);
    const bfsOutputs: (Int32Array | null)[] = new Array<Int32Array | null>(n).fill(null);
    for (let s = 0; s < n; s++) {
      const ns = renum[s]!;
      bfsOutputs[ns] = outputs[s] ?? null;
      // Pre-multiply, and mark targets with outputs by a negative sign (~x) so the hot loop
      // needs no second table lookup per character.
      for (let c = 0; c < K; c++) {
        const t = delta[s * K + c]!;
        const nt = renum[t]! * KS;
        bfsDelta[ns * KS + c] = outputs[t] !== null ? ~nt : nt;
      }
      bfsDelta[ns * KS + K] = DOTTED_I_MARK;
    }
    this.delta = bfsDelta;
    this.outputs = bfsOutputs;
    this.states = n;
  }

  /** Adds every payload whose key occurs in `text` to `out` (deduplicated with `seen`/`stamp`). */
  scan(text: string, seen: Uint32Array, stamp: number, out: number[]): void {
    const delta = this.delta;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const p = s;
      s = delta[p + CLASS[text.charCodeAt(i)]!]!;
      if (s < 0) {
        if (s === DOTTED_I_MARK) {
          s = this.report(this.report(delta[p + I_CLASS]!, seen, stamp, out), seen, stamp, out, true);
          continue;
        }
        s = ~s;
        const o = this.outputs[(s / KS) | 0]!;
        for (let j = 0; j < o.length; j++) {
          const x = o[j]!;
          if (seen[x] !== stamp) {
            seen[x] = stamp;
            out.push(x);
          }
        }
      }
    }
  }

  /** Slow path for U+0130: decodes a table entry (after one U+0307 step when `combining`). */
  private report(t: number, seen: Uint32Array, stamp: number, out: number[], combining = false): number {
    if (combining) t = this.delta[t]!; // U+0307 is class 0
    if (t >= 0) return t;
    const s = ~t;
    const o = this.outputs[(s / KS) | 0]!;
    for (let j = 0; j < o.length; j++) {
      const p = o[j]!;
      if (seen[p] !== stamp) {
        seen[p] = stamp;
        out.push(p);
      }
    }
    return s;
  }

  /** True when `hit` accepts some payload whose key occurs in `text` (stops at the first). */
  some(text: string, hit: (payload: number) => boolean): boolean {
    const delta = this.delta;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const p = s;
      s = delta[p + CLASS[text.charCodeAt(i)]!]!;
      if (s < 0) {
        if (s === DOTTED_I_MARK) {
          s = delta[p + I_CLASS]!;
          if (s < 0 && this.anyHit(~s, hit)) return true;
          if (s < 0) s = ~s;
          s = delta[s]!;
        }
        if (s < 0) {
          s = ~s;
          if (this.anyHit(s, hit)) return true;
        }
      }
    }
    return false;
  }

  private anyHit(s: number, hit: (payload: number) => boolean): boolean {
    const o = this.outputs[(s / KS) | 0]!;
    for (let j = 0; j < o.length; j++) if (hit(o[j]!)) return true;
    return false;
  }
}

/**
 * `contains` over a long list of plain literals in one pass: the automaton proposes the
 * literals whose key occurs in the value, and `includes` confirms each proposal, so the result
 * equals trying every literal with `includes` (keys are substrings of their literals).
 */
export function containsAny(literals: readonly string[]): (s: string) => boolean {
  const lits = [...new Set(literals)];
  // Built on first use: most rules never see a long value, and loading stays fast.
  let index: LiteralIndex | undefined;
  // `includes` skips ahead natively; the automaton only pays off on long values.
  const minLength = 128;
  return (s) => {
    if (s.length < minLength) {
      for (let i = 0; i < lits.length; i++) if (s.includes(lits[i]!)) return true;
      return false;
    }
    index ??= new LiteralIndex(lits.map((l, i) => [l, i] as const));
    return index.some(s, (p) => s.includes(lits[p]!));
  };
}

