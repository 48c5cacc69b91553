/**
 * Compiles a Sigma `detection` block into matcher closures, once per rule. Every field test is a
 * closure over its resolved field accessor and pre-folded patterns; case-insensitive tests read
 * the per-event lower-case cache so a field is lower-cased once per event, not once per rule.
 * Alongside each matcher the compiler derives a literal requirement for the engine's prefilter:
 * a set of lower-case strings of which at least one must occur in the event for a match.
 */
import RE2 from 're2';
import { type EventCtx, MESSAGE_KEYS, parseTime, scalarString } from './event-context.js';
import { type CondNode, expandOf, parseCondition } from './condition.js';
import { containsAny } from '../prefilter.js';
import { type FieldAccessor, fieldAccessor, type LogsourceSpec } from './pipelines.js';
import {
  base64, base64Offsets, type Cidr, expandPlaceholders, inCidr, KNOWN_MODIFIERS, parseCidr, parseIp, utf16, windash,
} from './modifiers.js';
import {
  compilePattern, hasWildcards, longestLiteral, mapLiterals, parseSigmaString, plainText, STAR, type StringTest,
  withContains, withEndsWith, withStartsWith,
} from './sigma-string.js';

export type Matcher = (ctx: EventCtx) => boolean;
/** Lower-case strings of which at least one must occur in the event; null = no requirement. */
export type Literals = string[] | null;

export interface FieldTest {
  /** Sigma field name; null for a keyword (whole-event) search */
  field: string | null;
  modifiers: string[];
  values: unknown[];
  accessor: FieldAccessor | null;
  test: Matcher;
  literals: Literals;
  path: (string | number)[];
}

export interface Selection {
  name: string;
  /** OR of AND-groups of field tests (a map is one group, a list of maps several) */
  groups: FieldTest[][];
  match: Matcher;
  literals: Literals;
}

export interface CompiledDetection {
  selections: Selection[];
  condition: CondNode;
  match: Matcher;
  literals: Literals;
  usesKeywords: boolean;
}

export interface CompileOptions {
  /** values for `%placeholder%` under the `expand` modifier */
  expand?: Readonly<Record<string, readonly string[]>>;
}

export type CompileResult<T> = { ok: true; value: T } | { ok: false; reason: string; path: (string | number)[] };
const bad = (reason: string, path: (string | number)[]): { ok: false; reason: string; path: (string | number)[] } => ({
  ok: false,
  reason,
  path,
});

// --------------------------------------------------------------------------------------------
// literal requirements

function score(l: string[]): number {
  let min = Infinity;
  for (const s of l) if (s.length < min) min = s.length;
  return Math.min(min, 12) * 1000 - Math.min(l.length, 999);
}
export function bestOf(list: Literals[]): Literals {
  let best: Literals = null;
  for (const l of list) if (l !== null && (best === null || score(l) > score(best))) best = l;
  return best;
}
export function unionOf(list: Literals[]): Literals {
  const out = new Set<string>();
  for (const l of list) {
    if (l === null) return null;
    for (const s of l) out.add(s);
  }
  return [...out];
}
/** From this many plain `contains` values on one field, one automaton pass beats `includes` each. */
const CONTAINS_AUTOMATON_MIN = 16;
const NON_TEXT = /^([-+]?[0-9.e]+|true|false)$/i;

// --------------------------------------------------------------------------------------------
// combinators

function and(ms: Matcher[]): Matcher {
  if (ms.length === 1) return ms[0]!;
  if (ms.length === 2) {
    const [a, b] = ms as [Matcher, Matcher];
    return (c) => a(c) && b(c);
  }
  return (c) => {
    for (let i = 0; i < ms.length; i++) if (!ms[i]!(c)) return false;
    return true;
  };
}
function or(ms: Matcher[]): Matcher {
  if (ms.length === 1) return ms[0]!;
  return (c) => {
    for (let i = 0; i < ms.length; i++) if (ms[i]!(c)) return true;
    return false;
  };
}

/** Applies a test to a scalar or to each element of an array value. */
function anyScalar(raw: unknown, f: (s: string) => boolean): boolean {
  if (Array.isArray(raw)) {
    for (const x of raw) {
      const s = scalarString(x);
      if (s !== undefined && f(s)) return true;
    }
    return false;
  }
  const s = scalarString(raw);
  return s !== undefined && f(s);
}

// --------------------------------------------------------------------------------------------
// field tests

const ENCODINGS = new Set(['base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide']);
const COMPARE = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);

const escapeSigma = (s: string): string => s.replace(/[*?\\]/g, '\\$&');

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
}
function timePart(ms: number, part: string): number {
  const d = new Date(ms);
  switch (part) {
    case 'minute': return d.getUTCMinutes();
    case 'hour': return d.getUTCHours();
    case 'day': return d.getUTCDate();
    case 'week': return isoWeek(d);
    case 'month': return d.getUTCMonth() + 1;
    default: return d.getUTCFullYear();
  }
}
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}
function compareOp(op: string, a: number, b: number): boolean {
  return op === 'lt' ? a < b : op === 'lte' ? a <= b : op === 'gt' ? a > b : a >= b;
}

export function compileFieldTest(
  key: string,
  value: unknown,
  ls: LogsourceSpec,
  opts: CompileOptions,
  path: (string | number)[],
): CompileResult<FieldTest> {
  const [fieldName = '', ...mods] = key.split('|');
  for (const m of mods) {
    if (!KNOWN_MODIFIERS.has(m)) return bad(`unknown modifier '${m}' on '${key}'`, path);
  }
  const has = (m: string): boolean => mods.includes(m);
  const isKeyword = fieldName === '';
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return bad(`'${key}' has an empty value list`, path);
  for (const v of values) {
    if (v !== null && typeof v === 'object') return bad(`'${key}' has a nested ${Array.isArray(v) ? 'list' : 'map'} as a value`, path);
  }
  const accessor = isKeyword ? null : fieldAccessor(ls, fieldName);
  const get = accessor?.get;
  const base = { field: isKeyword ? null : fieldName, modifiers: mods, values, accessor, path };
  const comparisons = mods.filter((m) => COMPARE.has(m));
  const timeParts = mods.filter((m) => TIME_PARTS.has(m));
  if (comparisons.length > 1) return bad(`'${key}' combines several comparison modifiers`, path);
  if (timeParts.length > 1) return bad(`'${key}' combines several time-part modifiers`, path);
  if (isKeyword && (has('exists') || has('fieldref') || comparisons.length || timeParts.length || has('cidr'))) {
    return bad(`modifier on '${key}' needs a field name`, path);
  }

  if (has('exists')) {
    if (mods.length !== 1) return bad(`'exists' cannot be combined with other modifiers in '${key}'`, path);
    if (values.length !== 1 || typeof values[0] !== 'boolean') return bad(`'${key}' expects true or false`, path);
    const want = values[0];
    return { ok: true, value: { ...base, literals: null, test: (c) => (get!(c) != null) === want } };
  }

  const negate = has('neq');
  const all = has('all');
  const combine = (tests: Matcher[]): Matcher => {
    const m = all ? and(tests) : or(tests);
    return negate ? (c) => !m(c) : m;
  };

  if (timeParts.length || comparisons.length) {
    const part = timeParts[0];
    const op = comparisons[0] ?? 'eq';
    const tests: Matcher[] = [];
    for (const v of values) {
      const n = toNumber(v);
      if (n === undefined) return bad(`'${key}' expects a number, got '${String(v)}'`, path);
      const isTs = fieldName === '@timestamp' || fieldName === 'timestamp';
      tests.push((c) => {
        const raw = isTs ? c.timestamp() : get!(c);
        let x: number | undefined;
        if (part) {
          const ms = typeof raw === 'number' && isTs ? raw : parseTime(raw);
          if (Number.isNaN(ms)) return false;
          x = timePart(ms, part);
        } else x = toNumber(raw);
        if (x === undefined) return false;
        return op === 'eq' ? x === n : compareOp(op, x, n);
      });
    }
    return { ok: true, value: { ...base, literals: null, test: combine(tests) } };
  }

  if (has('cidr')) {
    const nets: Cidr[] = [];
    for (const v of values) {
      if (typeof v !== 'string') return bad(`'${key}' expects CIDR strings`, path);
      const c = parseCidr(v);
      if (!c.ok) return bad(`${key}: ${c.reason}`, path);
      nets.push(c.value);
    }
    const tests = nets.map((n): Matcher => (c) => anyScalar(get!(c), (s) => {
      const ip = parseIp(s);
      return ip !== undefined && inCidr(ip, n);
    }));
    return { ok: true, value: { ...base, literals: null, test: combine(tests) } };
  }

  if (has('re')) {
    const allowed = new Set(['re', 'i', 'm', 's', 'all', 'neq', 'cased']);
    for (const m of mods) if (!allowed.has(m)) return bad(`'re' cannot be combined with '${m}' in '${key}'`, path);
    const flags = ['i', 'm', 's'].filter(has).join('');
    const tests: Matcher[] = [];
    for (const v of values) {
      if (typeof v !== 'string') return bad(`'${key}' expects regular expression strings`, path);
      let re: RE2;
      try {
        re = new RE2(v, flags);
      } catch (e) {
        return bad(`${key}: regular expression '${v}' is not supported by RE2 (${(e as Error).message})`, path);
      }
      tests.push(isKeyword ? (c) => c.keywordTexts().some((t) => re.test(t)) : (c) => anyScalar(get!(c), (s) => re.test(s)));
    }
    return { ok: true, value: { ...base, literals: null, test: combine(tests) } };
  }
  for (const m of ['i', 'm', 's']) if (has(m)) return bad(`modifier '${m}' is only valid after 're' in '${key}'`, path);

  if (has('fieldref')) {
    const cased = has('cased');
    const tests: Matcher[] = [];
    for (const v of values) {
      if (typeof v !== 'string') return bad(`'${key}' expects field names`, path);
      const other = fieldAccessor(ls, v);
      const cmp = has('contains')
        ? (a: string, b: string) => a.includes(b)
        : has('startswith')
          ? (a: string, b: string) => a.startsWith(b)
          : has('endswith')
            ? (a: string, b: string) => a.endsWith(b)
            : (a: string, b: string) => a === b;
      tests.push((c) => {
        const b = cased ? scalarString(other.get(c)) : c.lower(other.id, other.get(c));
        if (b === undefined) return false;
        const a = cased ? scalarString(get!(c)) : c.lower(accessor!.id, get!(c));
        return a !== undefined && cmp(a, b);
      });
    }
    return { ok: true, value: { ...base, literals: null, test: combine(tests) } };
  }

  // String family: plain values, wildcards, contains/startswith/endswith, encodings, windash, expand.
  const cased = has('cased');
  const anchor = has('contains') || isKeyword ? 'contains' : has('startswith') ? 'startswith' : has('endswith') ? 'endswith' : 'exact';
  if ([has('contains'), has('startswith'), has('endswith')].filter(Boolean).length > 1) {
    return bad(`'${key}' combines contains/startswith/endswith`, path);
  }
  const groups: StringTest[][] = [];
  /** per group, the values that are exact (no wildcard): matched by one Set lookup */
  const exactOf: (string | null)[][] = [];
  /** per group, the literal of each value that is a plain `*literal*` pattern */
  const containsOf: (string | null)[][] = [];
  const groupLiterals: Literals[] = [];
  let nullTest = false;
  for (const v of values) {
    if (v === null) {
      if (mods.length) return bad(`'${key}' uses modifiers with a null value`, path);
      nullTest = true;
      continue;
    }
    let variants = [typeof v === 'string' ? v : escapeSigma(String(v))];
    let binary = false;
    for (const m of mods) {
      if (m === 'expand') {
        const next: string[] = [];
        for (const s of variants) {
          const r = expandPlaceholders(s, opts.expand ?? {});
          if (!r.ok) return bad(`${key}: ${r.reason}`, path);
          next.push(...r.value);
        }
        variants = next;
      } else if (m === 'windash') {
        const next: string[] = [];
        for (const s of variants) {
          const r = windash(s);
          if (!r.ok) return bad(`${key}: ${r.reason}`, path);
          next.push(...r.value);
        }
        variants = next;
      } else if (ENCODINGS.has(m)) {
        const next: string[] = [];
        for (const s of variants) {
          const parts = parseSigmaString(s);
          if (hasWildcards(parts)) return bad(`'${key}': value '${s}' has wildcards, which '${m}' cannot encode`, path);
          const text = plainText(parts);
          if (m === 'base64') next.push(escapeSigma(base64(text, binary)));
          else if (m === 'base64offset') next.push(...base64Offsets(text, binary).map(escapeSigma));
          else next.push(escapeSigma(utf16(text, m === 'utf16be' ? 'be' : m === 'utf16' ? 'bom' : 'le')));
        }
        if (m !== 'base64' && m !== 'base64offset') binary = true;
        else binary = false;
        variants = next;
      }
    }
    const tests: StringTest[] = [];
    const exact: (string | null)[] = [];
    const contained: (string | null)[] = [];
    const lits: string[] = [];
    let litsOk = true;
    for (const s of variants) {
      let parts = parseSigmaString(s);
      if (anchor === 'contains') parts = withContains(parts);
      else if (anchor === 'startswith') parts = withStartsWith(parts);
      else if (anchor === 'endswith') parts = withEndsWith(parts);
      if (!cased) parts = mapLiterals(parts, (x) => x.toLowerCase());
      tests.push(compilePattern(parts));
      exact.push(hasWildcards(parts) ? null : plainText(parts));
      const mid = parts[1];
      contained.push(
        parts.length === 3 && parts[0] === STAR && parts[2] === STAR && typeof mid === 'string' && mid.length > 0 ? mid : null,
      );
      const lit = longestLiteral(parts).toLowerCase();
      if (!lit || NON_TEXT.test(lit)) litsOk = false;
      else lits.push(lit);
    }
    groups.push(tests);
    exactOf.push(exact);
    containsOf.push(contained);
    groupLiterals.push(litsOk ? lits : null);
  }

  const lowerOf = (c: EventCtx): string | undefined => {
    const raw = get!(c);
    return cased ? scalarString(raw) : c.lower(accessor!.id, raw);
  };
  const groupMatch = (tests: StringTest[]): Matcher => {
    const one = tests.length === 1 ? tests[0]! : undefined;
    const hit = one ?? ((s: string): boolean => {
      for (let i = 0; i < tests.length; i++) if (tests[i]!(s)) return true;
      return false;
    });
    if (isKeyword) {
      return (c) => {
        const texts = c.keywordTexts();
        for (let i = 0; i < texts.length; i++) {
          const t = texts[i]!;
          if (hit(cased ? t : t)) return true;
        }
        return false;
      };
    }
    return (c) => {
      const s = lowerOf(c);
      if (s !== undefined) return hit(s);
      const raw = get!(c);
      return Array.isArray(raw) && anyScalar(raw, (x) => hit(cased ? x : x.toLowerCase()));
    };
  };
  const matchers = groups.map(groupMatch);
  if (nullTest) matchers.push((c) => get!(c) == null);
  if (cased && isKeyword) return bad(`'cased' is not supported on keyword searches ('${key}')`, path);

  let test: Matcher;
  if (!all && !nullTest && groups.every((g) => g.length >= 1) && !isKeyword) {
    // Flat OR over all variants of all values with a single field read: the hot path.
    // Exact values go into one Set; only patterns with wildcards are tried one by one.
    // Long `contains` lists go through one multi-literal automaton instead of one scan each.
    const exactSet = new Set<string>();
    const others: StringTest[] = [];
    const containsLits: string[] = [];
    const containsTests: StringTest[] = [];
    groups.forEach((tests, gi) => tests.forEach((t, vi) => {
      const e = exactOf[gi]![vi];
      const c = containsOf[gi]![vi];
      if (e !== null && e !== undefined) exactSet.add(e);
      else if (c !== null && c !== undefined) {
        containsLits.push(c);
        containsTests.push(t);
      } else others.push(t);
    }));
    if (containsLits.length >= CONTAINS_AUTOMATON_MIN) others.unshift(containsAny(containsLits));
    else others.unshift(...containsTests);
    const flat = exactSet.size >= 3 || containsLits.length >= CONTAINS_AUTOMATON_MIN
      ? [...(exactSet.size ? [(x: string): boolean => exactSet.has(x)] : []), ...others]
      : groups.flat();
    const g = groupMatch(flat);
    test = negate ? (c) => !g(c) : g;
  } else test = combine(matchers);

  // Keyword literals are valid only for a scan that includes message fields; the engine
  // routes rules with keyword searches to such a scan (see `usesKeywords`).
  let literals: Literals = null;
  const fieldSkipsPrefilter = negate || nullTest || (!isKeyword && MESSAGE_KEYS.has(fieldName));
  if (!fieldSkipsPrefilter) literals = all ? bestOf(groupLiterals) : unionOf(groupLiterals);
  return { ok: true, value: { ...base, literals, test } };
}

// --------------------------------------------------------------------------------------------
// selections and condition

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function compileMap(
  map: Record<string, unknown>,
  ls: LogsourceSpec,
  opts: CompileOptions,
  path: (string | number)[],
): CompileResult<FieldTest[]> {
  const keys = Object.keys(map);
  if (keys.length === 0) return bad('selection map is empty', path);
  const tests: FieldTest[] = [];
  for (const k of keys) {
    const r = compileFieldTest(k, map[k], ls, opts, [...path, k]);
    if (!r.ok) return r;
    tests.push(r.value);
  }
  return { ok: true, value: tests };
}

export function compileSelection(
  name: string,
  body: unknown,
  ls: LogsourceSpec,
  opts: CompileOptions,
): CompileResult<Selection> {
  const path: (string | number)[] = ['detection', name];
  let groups: FieldTest[][];
  if (isMap(body)) {
    const r = compileMap(body, ls, opts, path);
    if (!r.ok) return r;
    groups = [r.value];
  } else if (Array.isArray(body)) {
    if (body.length === 0) return bad(`selection '${name}' is an empty list`, path);
    if (body.every(isMap)) {
      groups = [];
      for (let i = 0; i < body.length; i++) {
        const r = compileMap(body[i] as Record<string, unknown>, ls, opts, [...path, i]);
        if (!r.ok) return r;
        groups.push(r.value);
      }
    } else if (body.every((v) => !isMap(v) && !Array.isArray(v))) {
      const r = compileFieldTest('', body, ls, opts, path);
      if (!r.ok) return r;
      groups = [[r.value]];
    } else return bad(`selection '${name}' mixes maps and plain values in one list`, path);
  } else if (typeof body === 'string' || typeof body === 'number') {
    const r = compileFieldTest('', body, ls, opts, path);
    if (!r.ok) return r;
    groups = [[r.value]];
  } else return bad(`selection '${name}' must be a map, a list or a keyword, not ${body === null ? 'null' : typeof body}`, path);

  const match = or(groups.map((g) => and(g.map((t) => t.test))));
  const literals = unionOf(groups.map((g) => bestOf(g.map((t) => t.literals))));
  return { ok: true, value: { name, groups, match, literals } };
}

export function compileDetection(
  detection: Record<string, unknown>,
  ls: LogsourceSpec,
  opts: CompileOptions = {},
): CompileResult<CompiledDetection> {
  const cond = detection['condition'];
  if (cond === undefined) return bad("detection has no 'condition'", ['detection']);
  if ('timeframe' in detection) {
    return bad("'detection.timeframe' is Sigma v1 aggregation syntax and deprecated: use a correlation rule", ['detection', 'timeframe']);
  }
  const conds = Array.isArray(cond) ? cond : [cond];
  if (conds.length === 0 || !conds.every((c) => typeof c === 'string')) {
    return bad("'condition' must be a string (or a list of strings)", ['detection', 'condition']);
  }
  const selections: Selection[] = [];
  const byName = new Map<string, Selection>();
  for (const [name, body] of Object.entries(detection)) {
    if (name === 'condition') continue;
    const r = compileSelection(name, body, ls, opts);
    if (!r.ok) return r;
    selections.push(r.value);
    byName.set(name, r.value);
  }
  const names = [...byName.keys()];
  type Built = { m: Matcher; l: Literals };
  const build = (n: CondNode): CompileResult<Built> => {
    switch (n.t) {
      case 'id': {
        const s = byName.get(n.name);
        if (!s) return bad(`condition references '${n.name}', which is not defined in detection`, ['detection', 'condition']);
        return { ok: true, value: { m: s.match, l: s.literals } };
      }
      case 'not': {
        const r = build(n.item);
        if (!r.ok) return r;
        const inner = r.value.m;
        return { ok: true, value: { m: (c) => !inner(c), l: null } };
      }
      case 'and':
      case 'or': {
        const parts: Built[] = [];
        for (const i of n.items) {
          const r = build(i);
          if (!r.ok) return r;
          parts.push(r.value);
        }
        const ms = parts.map((p) => p.m);
        const ls2 = parts.map((p) => p.l);
        return { ok: true, value: n.t === 'and' ? { m: and(ms), l: bestOf(ls2) } : { m: or(ms), l: unionOf(ls2) } };
      }
      case 'of': {
        const matched = expandOf(n.pattern, names).map((x) => byName.get(x)!);
        if (matched.length === 0) return bad(`'of ${n.pattern}' in condition matches no selection`, ['detection', 'condition']);
        const ms = matched.map((s) => s.match);
        const ls2 = matched.map((s) => s.literals);
        if (n.quantifier === 'all') return { ok: true, value: { m: and(ms), l: bestOf(ls2) } };
        if (n.quantifier === 1) return { ok: true, value: { m: or(ms), l: unionOf(ls2) } };
        const need = n.quantifier;
        return {
          ok: true,
          value: {
            m: (c) => {
              let k = 0;
              for (const m of ms) if (m(c) && ++k >= need) return true;
              return false;
            },
            l: unionOf(ls2),
          },
        };
      }
    }
  };
  const parsed: CondNode[] = [];
  for (const c of conds) {
    const p = parseCondition(c);
    if (!p.ok) return bad(`condition '${c}': ${p.reason}`, ['detection', 'condition']);
    parsed.push(p.value);
  }
  const condition: CondNode = parsed.length === 1 ? parsed[0]! : { t: 'or', items: parsed };
  const b = build(condition);
  if (!b.ok) return b;
  const usesKeywords = selections.some((s) => s.groups.some((g) => g.some((t) => t.field === null)));
  return { ok: true, value: { selections, condition, match: b.value.m, literals: b.value.l, usesKeywords } };
}
