/**
 * Line diffs between two versions of a playbook, as a unified diff (what `diff -u` and code review
 * tools show). A longest-common-subsequence table is plenty for playbook-sized texts; beyond
 * MAX_CELLS the caller is told the texts are too large rather than made to wait.
 */
const MAX_CELLS = 4_000_000;
const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

export interface LineDiff {
  added: number;
  removed: number;
  unified: string;
}

function ops(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const w = m + 1;
  // lcs[i*w + j]: length of the LCS of a[i..] and b[j..].
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] =
        a[i] === b[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) out.push({ kind: ' ', line: a[i]!, a: i++, b: j++ });
    // Removals before additions, as GNU diff writes a changed line.
    else if (i < n && (j >= m || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!))
      out.push({ kind: '-', line: a[i]!, a: i++, b: j });
    else out.push({ kind: '+', line: b[j]!, a: i, b: j++ });
  }
  return out;
}

const range = (start: number, len: number): string => (len === 1 ? `${start}` : `${start},${len}`);

/** Undefined when the texts are too large to diff here. */
export function diffLines(before: string, after: string, names = ['a', 'b']): LineDiff | undefined {
  const split = (t: string): string[] => (t === '' ? [] : t.replace(/\n$/, '').split('\n'));
  const a = split(before);
  const b = split(after);
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) return undefined;
  const all = ops(a, b);
  const changed = all.flatMap((o, k) => (o.kind === ' ' ? [] : [k]));
  const lines = [`--- ${names[0]}`, `+++ ${names[1]}`];
  // Hunks: each change with CONTEXT unchanged lines around it, merged when they touch.
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - CONTEXT);
    let end = Math.min(all.length, changed[k]! + CONTEXT + 1);
    while (k + 1 < changed.length && changed[k + 1]! - CONTEXT <= end) {
      k++;
      end = Math.min(all.length, changed[k]! + CONTEXT + 1);
    }
    k++;
    const hunk = all.slice(start, end);
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    // Unified diff numbers lines from 1; an empty side names the line before it.
    const aStart = aLen === 0 ? hunk[0]!.a : hunk[0]!.a + 1;
    const bStart = bLen === 0 ? hunk[0]!.b : hunk[0]!.b + 1;
    lines.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of hunk) lines.push(`${o.kind}${o.line}`);
  }
  return {
    added: all.filter((o) => o.kind === '+').length,
    removed: all.filter((o) => o.kind === '-').length,
    unified: changed.length === 0 ? '' : lines.join('\n') + '\n',
  };
}
