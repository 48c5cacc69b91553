/**
 * Loads Sigma rules, filters and correlations from files, directories (recursive, .yml/.yaml) or
 * text. Every document either becomes a compiled object or a rejection naming file, line and the
 * exact problem; nothing is skipped silently. Multi-document files follow Sigma collections:
 * `action: global` is merged into each later document, `action: reset` clears it and
 * `action: repeat` repeats the previous document with changes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isNode, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { z } from 'zod';
import { fastParseAll } from './fast-yaml.js';
import { compileDetection, type CompileOptions } from './compiler.js';
import { ruleLogsourceKey, type LogsourceSpec } from './pipelines.js';
import type {
  AttackRefs, CompareOp, CompiledFilter, CompiledRule, CorrelationRule, LoadResult, Rejected,
} from './types.js';

export type LoadOptions = CompileOptions & {
  /** statuses to refuse; default deprecated and unsupported, as the spec advises */
  rejectStatus?: readonly string[];
};

const str = z.string();
const strList = z.union([z.array(z.string()), z.string().transform((s) => [s])]);
const level = z.enum(['informational', 'low', 'medium', 'high', 'critical']);
const logsourceZ = z
  .object({ product: str.optional(), category: str.optional(), service: str.optional(), definition: z.unknown().optional() })
  .passthrough();
const common = {
  title: str.min(1).max(256),
  id: str.min(1).optional(),
  name: str.optional(),
  status: z.enum(['stable', 'test', 'experimental', 'deprecated', 'unsupported']).optional(),
  description: str.optional(),
  author: str.optional(),
  references: z.array(str).optional(),
  tags: z.array(z.string().regex(/^[a-z0-9_-]+\.[a-z0-9._-]+$/i, 'tag must look like namespace.name')).optional(),
  falsepositives: strList.optional(),
  level: level.optional(),
};
const ruleZ = z
  .object({ ...common, logsource: logsourceZ, detection: z.record(z.string(), z.unknown()) })
  .passthrough();
const filterZ = z
  .object({
    ...common,
    logsource: logsourceZ.optional(),
    filter: z.object({ rules: z.union([z.array(str).min(1), str.transform((s) => [s])]) }).catchall(z.unknown()),
  })
  .passthrough();
const opsZ = { gt: z.number().optional(), gte: z.number().optional(), lt: z.number().optional(), lte: z.number().optional(), eq: z.number().optional(), neq: z.number().optional() };
const correlationZ = z
  .object({
    ...common,
    correlation: z.object({
      type: z.enum(['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile']),
      rules: z.union([z.array(str).min(1), str.transform((s) => [s])]),
      'group-by': z.union([z.array(str), str.transform((s) => [s])]).optional(),
      timespan: z.string().regex(/^\d+[smhdwMy]$/, "timespan must look like '5m', '1h', '2d'"),
      timeframe: z.unknown().optional(),
      condition: z.object({ ...opsZ, field: str.optional(), percentile: z.number().min(0).max(100).optional() }).strict().optional(),
      aliases: z.record(z.string(), z.record(z.string(), z.string())).optional(),
      generate: z.boolean().optional(),
    }),
    generate: z.boolean().optional(),
  })
  .passthrough();

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, M: 30 * 86400e3, y: 365 * 86400e3 };
export function parseTimespan(s: string): number | undefined {
  const m = /^(\d+)([smhdwMy])$/.exec(s);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

export function attackRefs(tags: readonly string[]): AttackRefs {
  const techniques: string[] = [];
  const tactics: string[] = [];
  for (const t of tags) {
    const lt = t.toLowerCase();
    if (!lt.startsWith('attack.')) continue;
    const v = lt.slice(7);
    if (/^t\d{4}(\.\d{3})?$/.test(v)) techniques.push(v.toUpperCase());
    else if (!/^[gs]\d{4}$/.test(v)) tactics.push(v);
  }
  return { techniques, tactics };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
    return out;
  }
  return over;
}

type Path = (string | number)[];
function lineOf(doc: Document, lc: LineCounter, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    if (n > 0) {
      // for a missing value, point at the key of its parent map
      const parent = doc.getIn(path.slice(0, n - 1), true);
      if (isNode(parent) && parent.range) return lc.linePos(parent.range[0]).line;
    }
  }
  return 1;
}

interface Pending {
  doc: Record<string, unknown>;
  /** line of the node at a path of the original document (computed lazily: only rejections need it) */
  lineAt: (path: Path) => number;
  /** first line of the document */
  line: number;
  file: string;
}

/** Parses a YAML text into rule documents (collections resolved) or rejections. */
function splitDocuments(text: string, file: string, rejected: Rejected[]): { pending: Pending[]; count: number } {
  const fast = fastParseAll(text);
  if (fast !== undefined) {
    const docs = fast.filter((d) => d.value !== null);
    const lines = lazyLines(text);
    return applyCollections(docs.map((d) => d.value), file, rejected, (k) => ({ lineAt: lines(k), start: docs[k]!.line }));
  }
  const lc = new LineCounter();
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    rejected.push({ file, reason: `YAML cannot be read: ${(e as Error).message}` });
    return { pending: [], count: 1 };
  }
  if (!Array.isArray(docs)) return { pending: [], count: 0 };
  let count = 0;
  const values: unknown[] = [];
  const lineFns: ((path: Path) => number)[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) {
      count++;
      const err = d.errors[0]!;
      const line = lc.linePos(err.pos[0]).line;
      rejected.push({ file, line, reason: `YAML error: ${err.message.split('\n')[0]}` });
      continue;
    }
    let js: unknown;
    try {
      js = d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      count++;
      rejected.push({ file, line: lineOf(d, lc, []), reason: `YAML cannot be converted: ${(e as Error).message}` });
      continue;
    }
    if (js === null || js === undefined) continue; // empty document (e.g. trailing '---')
    values.push(js);
    lineFns.push((path) => lineOf(d, lc, path));
  }
  const r = applyCollections(values, file, rejected, (k) => ({ lineAt: lineFns[k]!, start: lineFns[k]!([]) }));
  return { pending: r.pending, count: r.count + count };
}

/** Line lookup for fast-parsed text: the full YAML library runs only when a line is asked for. */
function lazyLines(text: string): (k: number) => (path: Path) => number {
  let parsed: { docs: Document[]; lc: LineCounter } | undefined;
  return (k) => (path) => {
    if (!parsed) {
      const lc = new LineCounter();
      const docs = (parseAllDocuments(text, { lineCounter: lc }) as Document[]).filter((d) => d.contents !== null);
      parsed = { docs, lc };
    }
    const d = parsed.docs[k];
    return d ? lineOf(d, parsed.lc, path) : 1;
  };
}

/** Resolves collection actions over a file's non-empty documents. */
function applyCollections(
  values: unknown[],
  file: string,
  rejected: Rejected[],
  linesOf: (k: number) => { lineAt: (path: Path) => number; start: number },
): { pending: Pending[]; count: number } {
  const pending: Pending[] = [];
  let count = 0;
  let global: unknown = undefined;
  let previous: unknown = undefined;
  for (let k = 0; k < values.length; k++) {
    const js = values[k];
    const { lineAt, start } = linesOf(k);
    if (!isPlainObject(js)) {
      count++;
      rejected.push({ file, line: lineAt([]), reason: `document is a ${Array.isArray(js) ? 'list' : typeof js}, not a map` });
      continue;
    }
    const { action, ...rest } = js;
    if (action === 'global') {
      global = deepMerge(global ?? {}, rest);
      continue;
    }
    if (action === 'reset') {
      global = undefined;
      continue;
    }
    count++;
    let merged: unknown;
    if (action === 'repeat') {
      if (previous === undefined) {
        rejected.push({ file, line: lineAt(['action']), reason: "'action: repeat' has no previous document to repeat" });
        continue;
      }
      merged = deepMerge(previous, rest);
    } else if (action !== undefined) {
      rejected.push({ file, line: lineAt(['action']), reason: `unknown collection action ${JSON.stringify(action)}` });
      continue;
    } else merged = global === undefined ? rest : deepMerge(global, rest);
    previous = merged;
    pending.push({ doc: merged as Record<string, unknown>, lineAt, line: start, file });
  }
  return { pending, count };
}

function zodReason(err: z.ZodError): { path: Path; message: string } {
  const issue = err.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  return { path, message: `${path.length ? path.join('.') + ': ' : ''}${issue.message}` };
}

function compileOne(p: Pending, opts: LoadOptions): CompiledRule | CompiledFilter | CorrelationRule | Rejected {
  const { doc, lineAt, file, line: line0 } = p;
  const reject = (path: Path, reason: string): Rejected => ({ file, line: lineAt(path), reason });
  const refuse = opts.rejectStatus ?? ['deprecated', 'unsupported'];
  if (typeof doc['status'] === 'string' && refuse.includes(doc['status'])) {
    return reject(['status'], `rule status is '${doc['status']}'; such rules are not loaded`);
  }
  if ('correlation' in doc) {
    const r = correlationZ.safeParse(doc);
    if (!r.success) {
      const z2 = zodReason(r.error);
      return reject(z2.path, `invalid correlation: ${z2.message}`);
    }
    const c = r.data.correlation;
    const type = c.type;
    const cond = c.condition;
    const ops = (['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as CompareOp[]).filter((o) => cond?.[o] !== undefined).map((op) => ({ op, value: cond![op]! }));
    if (type !== 'temporal' && type !== 'temporal_ordered' && ops.length === 0) {
      return reject(['correlation', 'condition'], `correlation type '${type}' needs a condition with gt/gte/lt/lte/eq/neq`);
    }
    if (type.startsWith('value_') && !cond?.field) return reject(['correlation', 'condition'], `correlation type '${type}' needs 'condition.field'`);
    if (type === 'value_percentile' && cond?.percentile === undefined) {
      return reject(['correlation', 'condition'], "correlation type 'value_percentile' needs 'condition.percentile'");
    }
    if (!r.data.id) return reject([], 'correlation has no id');
    const tags = r.data.tags ?? [];
    return {
      kind: 'correlation',
      id: r.data.id,
      name: r.data.name,
      title: r.data.title,
      level: (r.data.level ?? 'medium'),
      tags,
      attack: attackRefs(tags),
      type,
      rules: c.rules,
      groupBy: c['group-by'] ?? [],
      timespanMs: parseTimespan(c.timespan)!,
      condition: ops.length ? ops : [],
      field: cond?.field,
      percentile: cond?.percentile,
      aliases: c.aliases ?? {},
      generate: c.generate ?? r.data.generate ?? false,
      file,
      line: line0,
    };
  }
  if ('filter' in doc) {
    const r = filterZ.safeParse(doc);
    if (!r.success) {
      const z2 = zodReason(r.error);
      return reject(z2.path, `invalid filter: ${z2.message}`);
    }
    const { rules, ...det } = r.data.filter;
    const ls: LogsourceSpec = r.data.logsource ?? {};
    const cd = compileDetection(det, ls, opts);
    if (!cd.ok) return reject(['filter', ...cd.path.slice(1)], cd.reason);
    if (!r.data.id) return reject([], 'filter has no id');
    return { kind: 'filter', id: r.data.id, title: r.data.title, rules, logsource: ls, detection: cd.value, file, line: line0 };
  }
  const r = ruleZ.safeParse(doc);
  if (!r.success) {
    const z2 = zodReason(r.error);
    return reject(z2.path, `invalid rule: ${z2.message}`);
  }
  const d = r.data;
  if (!d.id) return reject([], "rule has no 'id' (required to reference, enable and disable it)");
  const ls: LogsourceSpec = { product: d.logsource.product, category: d.logsource.category, service: d.logsource.service };
  const cd = compileDetection(d.detection, ls, opts);
  if (!cd.ok) return reject(cd.path, cd.reason);
  const tags = d.tags ?? [];
  return {
    kind: 'rule',
    id: d.id,
    name: d.name,
    title: d.title,
    level: (d.level ?? 'medium'),
    status: d.status,
    description: d.description,
    author: d.author,
    tags,
    attack: attackRefs(tags),
    falsepositives: d.falsepositives ?? [],
    references: d.references ?? [],
    logsource: ls,
    logsourceKey: ruleLogsourceKey(ls),
    detection: cd.value,
    file,
    line: line0,
    source: doc,
  };
}

class Collector {
  readonly result: LoadResult = { rules: [], filters: [], correlations: [], rejected: [], documents: 0 };
  private readonly ids = new Map<string, string>();
  constructor(private readonly opts: LoadOptions) {}

  addText(text: string, file: string): void {
    const { pending, count } = splitDocuments(text, file, this.result.rejected);
    this.result.documents += count;
    for (const p of pending) {
      const c = compileOne(p, this.opts);
      if (!('kind' in c)) {
        this.result.rejected.push(c);
        continue;
      }
      const seen = this.ids.get(c.id);
      if (seen !== undefined) {
        this.result.rejected.push({ file, line: c.line, reason: `duplicate id ${c.id} (already loaded from ${seen})` });
        continue;
      }
      this.ids.set(c.id, `${file}:${c.line}`);
      if (c.kind === 'rule') this.result.rules.push(c);
      else if (c.kind === 'filter') this.result.filters.push(c);
      else this.result.correlations.push(c);
    }
  }

  /** Correlations must reference loaded rules; a dangling reference is a precise rejection. */
  finish(): LoadResult {
    const known = new Set<string>();
    for (const r of [...this.result.rules, ...this.result.correlations]) {
      known.add(r.id);
      if (r.name) known.add(r.name);
    }
    const kept: CorrelationRule[] = [];
    for (const c of this.result.correlations) {
      const missing = c.rules.filter((x) => !known.has(x));
      if (missing.length) this.result.rejected.push({ file: c.file, line: c.line, reason: `correlation references unknown rule(s): ${missing.join(', ')}` });
      else kept.push(c);
    }
    this.result.correlations = kept;
    return this.result;
  }
}

export function loadRulesFromText(text: string, file = '<text>', opts: LoadOptions = {}): LoadResult {
  const c = new Collector(opts);
  c.addText(text, file);
  return c.finish();
}

function walk(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const e of readdirSync(path).sort()) walk(join(path, e), out);
  } else if (/\.ya?ml$/i.test(path)) out.push(path);
}

/** Loads every .yml/.yaml under the given files or directories. */
export function loadRules(paths: string | readonly string[], opts: LoadOptions = {}): LoadResult {
  const files: string[] = [];
  for (const p of typeof paths === 'string' ? [paths] : paths) walk(p, files);
  const c = new Collector(opts);
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      c.result.rejected.push({ file: f, reason: `cannot read file: ${(e as Error).message}` });
      c.result.documents++;
      continue;
    }
    c.addText(text, f);
  }
  return c.finish();
}
