/** A line diff of two texts (longest common subsequence), shown as one unified listing. */
import { useMemo } from 'react';

export type DiffLine = { kind: 'same' | 'add' | 'del'; text: string; a?: number; b?: number };

/** Lines beyond this product fall back to "everything changed": the table would be too large. */
const MAX_CELLS = 4_000_000;

export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > MAX_CELLS)
    return [
      ...x.map((t, i) => ({ kind: 'del' as const, text: t, a: i + 1 })),
      ...y.map((t, i) => ({ kind: 'add' as const, text: t, b: i + 1 })),
    ];
  const n = x.length;
  const m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ kind: 'same', text: x[i]!, a: i + 1, b: j + 1 });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: 'del', text: x[i]!, a: ++i });
    else out.push({ kind: 'add', text: y[j]!, b: ++j });
  }
  while (i < n) out.push({ kind: 'del', text: x[i]!, a: ++i });
  while (j < m) out.push({ kind: 'add', text: y[j]!, b: ++j });
  return out;
}

export function LineDiff({ before, after, label }: { before: string; after: string; label: string }) {
  const lines = useMemo(() => diffLines(before, after), [before, after]);
  const changed = lines.filter((l) => l.kind !== 'same').length;
  return (
    <div className="diff" aria-label={label} data-testid="diff">
      {changed === 0 ? (
        <div className="muted">No differences.</div>
      ) : (
        <pre className="diff-body">
          {lines.map((l, k) => (
            <div key={k} className={`diff-line diff-${l.kind}`}>
              <span className="diff-no">{l.a ?? ''}</span>
              <span className="diff-no">{l.b ?? ''}</span>
              <span className="diff-mark">{l.kind === 'add' ? '+' : l.kind === 'del' ? '-' : ' '}</span>
              <span className="diff-text">{l.text}</span>
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}
