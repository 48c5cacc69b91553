/**
 * Sigma rule → query language ("show me everything this rule would have matched"). Works from the
 * rule's YAML rather than the compiled matcher because the matcher is a closure and the query
 * needs the rule's structure. Anything the language cannot say (regex, base64 offsets, field
 * references, aggregations) is refused with a reason rather than approximated: a silently wider
 * or narrower query would mislead a hunt.
 */
import { parseDocument } from 'yaml';
import { expandOf, parseCondition, type CondNode } from '../detect/sigma/condition.js';
import { windash } from '../detect/sigma/modifiers.js';
import type { Expr, PatternPart, Value } from './ast.js';
import { parseQuery } from './parser.js';
import { printExpr } from './print.js';

export type SigmaConversion =
  | { ok: true; query: string; title?: string; notes: string[] }
  | { ok: false; reason: string; title?: string };

/** Windows System fields are stored outside `winlog.event_data` (see normalize/windows). */
const WINDOWS_SYSTEM: Readonly<Record<string, string>> = {
  EventID: 'winlog.event_id',
  Channel: 'winlog.channel',
  Provider_Name: 'winlog.provider_name',
  Computer: 'host.name',
};

/** ECS homes of the Sigma names generic (Linux/macOS/network/cloud) rules use; same table as the engine. */
const ECS_NAMES: Readonly<Record<string, string>> = {
  Image: 'process.executable',
  CommandLine: 'process.command_line',
  ParentImage: 'process.parent.executable',
  ParentCommandLine: 'process.parent.command_line',
  CurrentDirectory: 'process.working_directory',
  ProcessId: 'process.pid',
  ParentProcessId: 'process.parent.pid',
  User: 'user.name',
  TargetFilename: 'file.path',
  DestinationIp: 'destination.ip',
  DestinationPort: 'destination.port',
  DestinationHostname: 'destination.domain',
  SourceIp: 'source.ip',
  SourcePort: 'source.port',
  eventName: 'event.action',
  eventSource: 'event.provider',
  sourceIPAddress: 'source.ip',
  awsRegion: 'cloud.region',
  'id.orig_h': 'source.ip',
  'id.orig_p': 'source.port',
  'id.resp_h': 'destination.ip',
  'id.resp_p': 'destination.port',
  query: 'dns.question.name',
};

/** Modifiers that only change how a value is written, which the query can express. */
const SHAPE_MODS = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  'cidr',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'windash',
]);

class NotConvertible extends Error {}

function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Where a rule's field name lives in stored events, depending on the rule's product. */
function fieldPath(name: string, windows: boolean): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new NotConvertible(`field name '${name}' cannot be written in a query`);
  if (windows) return own(WINDOWS_SYSTEM, name) ?? (name.includes('.') ? name : `winlog.event_data.${name}`);
  return own(ECS_NAMES, name) ?? name;
}

/** Sigma wildcards (`*`, `?`, with `\` escapes) → pattern parts; none → plain string. */
function sigmaValue(raw: string, prefixAny: boolean, suffixAny: boolean): Value {
  const parts: PatternPart[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ lit });
    lit = '';
  };
  if (prefixAny) parts.push({ any: true });
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && (raw[i + 1] === '*' || raw[i + 1] === '?' || raw[i + 1] === '\\')) {
      lit += raw[++i];
    } else if (c === '*') {
      flush();
      parts.push({ any: true });
    } else if (c === '?') {
      flush();
      parts.push({ one: true });
    } else lit += c;
  }
  flush();
  if (suffixAny) parts.push({ any: true });
  const wild = parts.some((p) => !('lit' in p));
  if (!wild) return { kind: 'string', value: parts.map((p) => ('lit' in p ? p.lit : '')).join('') };
  return { kind: 'pattern', parts };
}

function scalar(v: unknown, where: string): string | number | null {
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return String(v);
  throw new NotConvertible(`${where}: value of type ${typeof v} cannot be searched`);
}

function combine(type: 'and' | 'or', items: Expr[]): Expr {
  return items.length === 1 ? items[0]! : { type, items };
}

function fieldTest(key: string, rawValue: unknown, windows: boolean): Expr {
  const [name = '', ...mods] = key.split('|');
  for (const m of mods) {
    if (!SHAPE_MODS.has(m))
      throw new NotConvertible(`modifier '${m}' (on ${name}) has no equivalent in the query language`);
  }
  const field = fieldPath(name, windows);
  let values = Array.isArray(rawValue) ? rawValue : [rawValue];
  // windash is a finite expansion (`-` ↔ `/`, en/em dashes…), the same one the engine uses.
  if (mods.includes('windash')) {
    values = values.flatMap((v) => {
      if (typeof v !== 'string') return [v];
      const w = windash(v);
      if (!w.ok) throw new NotConvertible(`${key}: ${w.reason}`);
      return w.value;
    });
  }
  if (values.length === 0) throw new NotConvertible(`${key}: empty value list`);
  if (mods.includes('exists')) {
    const exists: Expr = { type: 'exists', field };
    return values[0] === true || values[0] === 'true' ? exists : { type: 'not', item: exists };
  }
  const one = (v: unknown): Expr => {
    const s = scalar(v, key);
    if (s === null) return { type: 'not', item: { type: 'exists', field } };
    const cmp = mods.find((m) => m === 'gt' || m === 'gte' || m === 'lt' || m === 'lte');
    if (cmp) {
      const n = typeof s === 'number' ? s : Number(s);
      if (!Number.isFinite(n)) throw new NotConvertible(`${key}: '${s}' is not a number`);
      const op = ({ gt: '>', gte: '>=', lt: '<', lte: '<=' } as const)[cmp];
      return { type: 'compare', field, op, value: n };
    }
    if (mods.includes('cidr')) return { type: 'cidr', field, cidr: String(s) };
    if (typeof s === 'number') return { type: 'match', field, value: { kind: 'number', value: s } };
    const value = sigmaValue(
      s,
      mods.includes('contains') || mods.includes('endswith'),
      mods.includes('contains') || mods.includes('startswith'),
    );
    return { type: 'match', field, value };
  };
  return combine(mods.includes('all') ? 'and' : 'or', values.map(one));
}

function keyword(v: unknown): Expr {
  const s = scalar(v, 'keyword');
  if (s === null) throw new NotConvertible('a null keyword cannot be searched');
  const value = sigmaValue(String(s), false, false);
  if (value.kind === 'number') throw new NotConvertible('unexpected numeric keyword');
  return { type: 'text', value };
}

function selection(name: string, body: unknown, windows: boolean): Expr {
  if (Array.isArray(body)) {
    if (body.length === 0) throw new NotConvertible(`selection '${name}' is empty`);
    return combine(
      'or',
      body.map((item) =>
        item !== null && typeof item === 'object' ? selection(name, item, windows) : keyword(item),
      ),
    );
  }
  if (body !== null && typeof body === 'object') {
    const entries = Object.entries(body as Record<string, unknown>);
    if (entries.length === 0) throw new NotConvertible(`selection '${name}' is empty`);
    return combine(
      'and',
      entries.map(([k, v]) =>
        k === '|all' || k === '' ? combine('and', [v].flat().map(keyword)) : fieldTest(k, v, windows),
      ),
    );
  }
  return keyword(body);
}

function condition(node: CondNode, sels: ReadonlyMap<string, Expr>): Expr {
  switch (node.t) {
    case 'id': {
      const e = sels.get(node.name);
      if (!e) throw new NotConvertible(`condition names unknown selection '${node.name}'`);
      return e;
    }
    case 'and':
    case 'or':
      return combine(
        node.t,
        node.items.map((i) => condition(i, sels)),
      );
    case 'not':
      return { type: 'not', item: condition(node.item, sels) };
    case 'of': {
      const names = expandOf(node.pattern, [...sels.keys()]);
      if (names.length === 0) throw new NotConvertible(`'${node.pattern}' matches no selection`);
      const items = names.map((n) => sels.get(n)!);
      if (node.quantifier === 'all') return combine('and', items);
      if (node.quantifier === 1) return combine('or', items);
      throw new NotConvertible(
        `'${node.quantifier} of ${node.pattern}' has no equivalent in the query language`,
      );
    }
  }
}

/** Converts one Sigma rule (YAML text). Never throws. */
export function sigmaToQuery(yamlText: string): SigmaConversion {
  let doc: unknown;
  try {
    const parsed = parseDocument(yamlText, { uniqueKeys: false });
    if (parsed.errors.length) return { ok: false, reason: `YAML: ${parsed.errors[0]!.message}` };
    doc = parsed.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, reason: `YAML: ${(e as Error).message}` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return { ok: false, reason: 'not a Sigma rule' };
  const rule = doc as Record<string, unknown>;
  const title = typeof rule['title'] === 'string' ? rule['title'] : undefined;
  if (rule['correlation'])
    return {
      ok: false,
      title,
      reason: 'correlation rules count events over time; a search cannot express them',
    };
  const det = rule['detection'];
  if (det === null || typeof det !== 'object' || Array.isArray(det))
    return { ok: false, title, reason: "the rule has no 'detection' map" };
  const logsource = (rule['logsource'] ?? {}) as Record<string, unknown>;
  const product = logsource['product'];
  const windows = typeof product === 'string' && product.toLowerCase() === 'windows';
  const notes: string[] = [];
  try {
    const sels = new Map<string, Expr>();
    for (const [name, body] of Object.entries(det as Record<string, unknown>)) {
      if (name === 'condition' || name === 'timeframe') continue;
      sels.set(name, selection(name, body, windows));
    }
    if ((det as Record<string, unknown>)['timeframe'] !== undefined) {
      throw new NotConvertible("'timeframe' implies counting over a window, which a search cannot express");
    }
    const rawCond = (det as Record<string, unknown>)['condition'];
    const conds = Array.isArray(rawCond) ? rawCond : [rawCond];
    if (conds.length === 0 || conds.some((c) => typeof c !== 'string'))
      throw new NotConvertible("'condition' must be text");
    const exprs = conds.map((c) => {
      const p = parseCondition(c as string);
      if (!p.ok) throw new NotConvertible(`condition: ${p.reason}`);
      return condition(p.value, sels);
    });
    const text = printExpr(combine('or', exprs));
    // The printed text must parse: a converter bug becomes a refusal, never a broken saved query.
    const check = parseQuery(text);
    if (!check.ok) throw new NotConvertible(`internal: converted query does not parse (${check.reason})`);
    const ls = ['product', 'category', 'service']
      .filter((k) => typeof logsource[k] === 'string')
      .map((k) => `${k}=${String(logsource[k])}`);
    if (ls.length) {
      notes.push(
        `logsource (${ls.join(', ')}) is not part of the query: it selects by the rule's fields only`,
      );
    }
    if (windows) notes.push('Windows fields are searched under winlog.event_data.* (Sysmon names)');
    return { ok: true, query: text, title, notes };
  } catch (e) {
    if (e instanceof NotConvertible) return { ok: false, title, reason: e.message };
    throw e;
  }
}
