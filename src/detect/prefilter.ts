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

export class LiteralIndex {
  /** transitions, pre-multiplied: delta[s*K + c] = next*K (or ~(next*K) when next has outputs) */
  private readonly delta: Int32Array;
  private readonly outputs: (Int32Array | null)[];
  readonly states: number;

  /** entries: [literal, payload] — payload is what `scan` reports (e.g. a rule index) */
  constructor(entries: readonly (readonly [string, number])[]) {
    let cap = 1024;
    let goto = new Int32Array(cap * K).fill(-1);
    const own: number[][] = [[]];
    let n = 1;
    for (const [lit, payload] of entries) {
      const key = literalKey(lit);
      let s = 0;
      for (let i = 0; i < key.length; i++) {
        const c = CLASS[key.charCodeAt(i)]!;
        let t = goto[s * K + c]!;
        if (t === -1) {
          if (n === cap) {
            cap *= 2;
            const g = new Int32Array(cap * K).fill(-1);
            g.set(goto);
            goto = g;
          }
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
    // Pre-multiply, and mark targets with outputs by a negative sign (~x) so the hot loop
    // needs no second table lookup per character.
    for (let i = 0; i < delta.length; i++) {
      const t = delta[i]!;
      delta[i] = outputs[t] !== null ? ~(t * K) : t * K;
    }
    this.delta = delta;
    this.outputs = outputs;
    this.states = n;
  }

  /** Adds every payload whose key occurs in `text` to `out` (deduplicated with `seen`/`stamp`). */
  scan(text: string, seen: Uint32Array, stamp: number, out: number[]): void {
    const delta = this.delta;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      s = delta[s + CLASS[text.charCodeAt(i)]!]!;
      if (s < 0) {
        s = ~s;
        const o = this.outputs[(s / K) | 0]!;
        for (let j = 0; j < o.length; j++) {
          const p = o[j]!;
          if (seen[p] !== stamp) {
            seen[p] = stamp;
            out.push(p);
          }
        }
      }
    }
  }
}
