/**
 * Field access by dotted path. Events arrive both nested (`{"host":{"name":"a"}}`) and flat
 * (`{"host.name":"a"}`, as OTRF/Winlogbeat exports sometimes are); both must resolve the same.
 */
export function getField(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const obj = doc as Record<string, unknown>;
  if (Object.hasOwn(obj, path)) return obj[path];
  for (const [head, tail] of splitsOf(path)) {
    if (Object.hasOwn(obj, head)) {
      const found = getField(obj[head], tail);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * A path's (head, tail) pairs at each dot, kept: getField runs per field per event (hot columns,
 * rule prefilters) over a few hundred distinct paths, and cutting them anew was a twentieth of the
 * ingest thread. Bounded, since searches bring paths of their own.
 */
const splits = new Map<string, Array<[string, string]>>();
const MAX_SPLIT_PATHS = 10_000;

function splitsOf(path: string): Array<[string, string]> {
  let s = splits.get(path);
  if (s) return s;
  s = [];
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1))
    s.push([path.slice(0, dot), path.slice(dot + 1)]);
  if (splits.size >= MAX_SPLIT_PATHS) splits.clear();
  splits.set(path, s);
  return s;
}

/** Sets a nested field, creating objects on the way. Refuses prototype-polluting keys. */
export function setField(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    if (p === '__proto__' || p === 'constructor' || p === 'prototype') return;
    const next = cur[p];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      cur[p] = created;
      cur = created;
    } else {
      cur = next as Record<string, unknown>;
    }
  }
  const last = parts[parts.length - 1]!;
  if (last === '__proto__' || last === 'constructor' || last === 'prototype') return;
  cur[last] = value;
}

/** Flattens a nested document into dotted keys (arrays kept as values). */
export function flatten(doc: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    if (prefix) out[prefix] = doc;
    return out;
  }
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}
