/**
 * `setField` without the per-call array from `split`: Zeek and EVE mapping sets ~30 dotted paths per
 * record, so this is on the hot path. Refuses prototype-polluting segments like setField does.
 */
const BAD = new Set(['__proto__', 'constructor', 'prototype']);

export function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  let cur = doc;
  let start = 0;
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', start)) {
    const key = path.slice(start, dot);
    if (BAD.has(key)) return;
    const next = cur[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      cur[key] = created;
      cur = created;
    } else cur = next as Record<string, unknown>;
    start = dot + 1;
  }
  const last = start === 0 ? path : path.slice(start);
  if (BAD.has(last)) return;
  cur[last] = value;
}
