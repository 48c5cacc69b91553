/**
 * The document a pipeline works on, addressed like Elasticsearch's IngestDocument: dotted paths
 * into `_source`, plus the metadata fields (`_index`, `_id`, ...) and `_ingest.*` (timestamp and
 * the on_failure details).
 */

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A processor's failure; `status`/`type` are what the bulk item error shows. */
export class ProcessorError extends Error {
  constructor(
    message: string,
    readonly type = 'illegal_argument_exception',
    readonly status = 400,
  ) {
    super(message);
  }
}

const META_FIELDS = new Set([
  '_index',
  '_id',
  '_routing',
  '_version',
  '_version_type',
  '_if_seq_no',
  '_if_primary_term',
  '_op_type',
]);

/** Path segments under one of the three roots. Keys are split on dots, as Elasticsearch does. */
function resolve(doc: IngestDoc, path: string): { root: Obj; parts: string[] } {
  if (path === '') throw new ProcessorError('path cannot be null nor empty');
  if (META_FIELDS.has(path)) return { root: doc.meta, parts: [path] };
  if (path.startsWith('_ingest.')) return { root: doc.ingest, parts: path.slice(8).split('.') };
  if (path.startsWith('_source.')) return { root: doc.source, parts: path.slice(8).split('.') };
  return { root: doc.source, parts: path.split('.') };
}

function child(container: unknown, key: string): { found: boolean; value: unknown } {
  if (isObj(container))
    return Object.prototype.hasOwnProperty.call(container, key)
      ? { found: true, value: container[key] }
      : { found: false, value: undefined };
  if (Array.isArray(container) && /^\d+$/.test(key)) {
    const i = Number(key);
    return i < container.length ? { found: true, value: container[i] } : { found: false, value: undefined };
  }
  return { found: false, value: undefined };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'java.util.ArrayList';
  if (typeof v === 'string') return 'java.lang.String';
  if (typeof v === 'number') return Number.isInteger(v) ? 'java.lang.Integer' : 'java.lang.Double';
  if (typeof v === 'boolean') return 'java.lang.Boolean';
  return typeof v;
}

export class IngestDoc {
  dropped = false;
  /** Set by `terminate`: the rest of the current pipeline is skipped (not its callers). */
  terminated = false;
  /**
   * Set by `reroute`: the current pipeline and every pipeline that called it stop, and the
   * target index's own pipelines run instead.
   */
  rerouted = false;
  readonly ingest: Obj;

  constructor(
    public source: Obj,
    readonly meta: Obj,
    now: Date,
  ) {
    this.ingest = { timestamp: now.toISOString() };
  }

  has(path: string): boolean {
    return this.lookup(path).found;
  }

  lookup(path: string): { found: boolean; value: unknown } {
    const { root, parts } = resolve(this, path);
    let cur: unknown = root;
    for (const p of parts) {
      const c = child(cur, p);
      if (!c.found) return c;
      cur = c.value;
    }
    return { found: true, value: cur };
  }

  /** The value, or a ProcessorError naming the missing field (as Elasticsearch words it). */
  get(path: string): unknown {
    const r = this.lookup(path);
    if (!r.found) throw new ProcessorError(`field [${path}] not present as part of path [${path}]`);
    return r.value;
  }

  set(path: string, value: unknown): void {
    const { root, parts } = resolve(this, path);
    let cur: unknown = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]!;
      if (isObj(cur)) {
        if (!Object.prototype.hasOwnProperty.call(cur, p) || cur[p] === null || cur[p] === undefined)
          cur[p] = {};
        cur = cur[p];
      } else if (Array.isArray(cur) && /^\d+$/.test(p) && Number(p) < cur.length) {
        cur = cur[Number(p)];
      } else {
        throw new ProcessorError(
          `cannot set [${p}] with parent object of type [${typeName(cur)}] as part of path [${path}]`,
        );
      }
    }
    const last = parts[parts.length - 1]!;
    if (isObj(cur)) {
      // Guard the prototype chain: field names come from senders.
      if (last === '__proto__') throw new ProcessorError(`field name [${last}] is not allowed`);
      cur[last] = value;
    } else if (Array.isArray(cur) && /^\d+$/.test(last) && Number(last) < cur.length)
      cur[Number(last)] = value;
    else
      throw new ProcessorError(
        `cannot set [${last}] with parent object of type [${typeName(cur)}] as part of path [${path}]`,
      );
  }

  remove(path: string): void {
    const { root, parts } = resolve(this, path);
    let cur: unknown = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const c = child(cur, parts[i]!);
      if (!c.found) throw new ProcessorError(`field [${parts[i]}] not present as part of path [${path}]`);
      cur = c.value;
    }
    const last = parts[parts.length - 1]!;
    if (isObj(cur) && Object.prototype.hasOwnProperty.call(cur, last)) delete cur[last];
    else if (Array.isArray(cur) && /^\d+$/.test(last) && Number(last) < cur.length)
      cur.splice(Number(last), 1);
    else throw new ProcessorError(`field [${last}] not present as part of path [${path}]`);
  }

  /** Appends to a field: a missing field becomes a list, a scalar becomes a list (Elasticsearch's appendFieldValue). */
  append(path: string, values: unknown[], allowDuplicates = true): void {
    const r = this.lookup(path);
    const list: unknown[] = !r.found ? [] : Array.isArray(r.value) ? r.value : [r.value];
    for (const v of values) {
      if (!allowDuplicates && list.some((x) => sameValue(x, v))) continue;
      list.push(v);
    }
    this.set(path, list);
  }
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Deep copy of JSON data, so that `set`/`copy_from` never alias one object into two places. */
export function cloneJson<T>(v: T): T {
  return v === undefined || v === null || typeof v !== 'object' ? v : structuredClone(v);
}
