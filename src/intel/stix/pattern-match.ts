/**
 * Evaluates STIX patterns against ECS events. A bracketed observation is matched against one event
 * (see stix-ecs.ts for where each STIX property lives); AND/OR/FOLLOWEDBY and the qualifiers
 * WITHIN, REPEATS and START/STOP are evaluated over a sequence of events as sets of "bindings"
 * (which events satisfy the expression), capped per node so hostile patterns stay bounded.
 */
import RE2 from 're2';
import type { VigilEvent } from '../../schema/ecs.js';
import { cidrContains, parseCidr, parseIp } from '../ip.js';
import type { Comparison, Literal, ObjectPath, Observation } from './pattern-ast.js';
import { caseInsensitive, isIpPath, valuesFor } from './stix-ecs.js';

/** Bindings kept per expression node: enough for real patterns, bounded for hostile ones. */
export const MAX_BINDINGS = 256;

const regexCache = new Map<string, RE2 | null>();
function regex(key: string, build: () => RE2): RE2 | null {
  let r = regexCache.get(key);
  if (r === undefined) {
    try {
      r = build();
    } catch {
      r = null;
    }
    if (regexCache.size > 10_000) regexCache.clear();
    regexCache.set(key, r);
  }
  return r;
}

/** SQL LIKE (`%` any run, `_` one character) as an anchored RE2. */
function likeRegex(pattern: string): RE2 | null {
  return regex(`like\n${pattern}`, () => {
    let src = '^';
    for (const ch of pattern) {
      if (ch === '%') src += '.*';
      else if (ch === '_') src += '.';
      else src += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    }
    return new RE2(`${src}$`, 's');
  });
}

const asTime = (v: unknown): number | undefined => {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
};

/** -1/0/1, or undefined when the two cannot be compared. */
function compare(v: unknown, lit: Literal, ci: boolean): number | undefined {
  switch (lit.type) {
    case 'int':
    case 'float': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isNaN(n) ? undefined : Math.sign(n - lit.value);
    }
    case 'bool':
      return typeof v === 'boolean' ? (v === lit.value ? 0 : v ? 1 : -1) : undefined;
    case 'timestamp': {
      const t = asTime(v);
      return t === undefined ? undefined : Math.sign(t - lit.ms);
    }
    case 'hex':
    case 'binary':
    case 'string': {
      if (typeof v !== 'string' && typeof v !== 'number') return undefined;
      let a = String(v);
      let b = lit.type === 'binary' ? Buffer.from(lit.value, 'base64').toString('latin1') : lit.value;
      if (ci || lit.type === 'hex') {
        a = a.toLowerCase();
        b = b.toLowerCase();
      }
      return a < b ? -1 : a > b ? 1 : 0;
    }
  }
}

function equalsValue(v: unknown, lit: Literal, path: ObjectPath): boolean {
  // Feeds write networks as `[ipv4-addr:value = '198.51.100.0/24']`; read that as "inside".
  if (lit.type === 'string' && lit.value.includes('/') && isIpPath(path) && typeof v === 'string') {
    const c = parseCidr(lit.value);
    const ip = parseIp(v);
    if (c && ip) return cidrContains(c, ip);
  }
  return compare(v, lit, caseInsensitive(path)) === 0;
}

function testValue(v: unknown, c: Extract<Comparison, { kind: 'cmp' }>): boolean {
  const lit = c.value;
  if (Array.isArray(lit)) return lit.some((l) => equalsValue(v, l, c.path));
  const s = lit.type === 'string' ? lit.value : '';
  switch (c.op) {
    case '=':
      return equalsValue(v, lit, c.path);
    case '!=':
      return compare(v, lit, caseInsensitive(c.path)) !== undefined && !equalsValue(v, lit, c.path);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const r = compare(v, lit, false);
      if (r === undefined) return false;
      return c.op === '<' ? r < 0 : c.op === '<=' ? r <= 0 : c.op === '>' ? r > 0 : r >= 0;
    }
    case 'LIKE':
      return typeof v === 'string' && (likeRegex(s)?.test(v) ?? false);
    case 'MATCHES':
      return typeof v === 'string' && (regex(`re\n${s}`, () => new RE2(s, 's'))?.test(v) ?? false);
    case 'ISSUBSET':
    case 'ISSUPERSET': {
      if (typeof v !== 'string') return false;
      const lc = parseCidr(s);
      const vc = parseCidr(v);
      if (!lc || !vc || lc.ip.v !== vc.ip.v) return false;
      return c.op === 'ISSUBSET'
        ? vc.bits >= lc.bits && cidrContains(lc, vc.ip)
        : lc.bits >= vc.bits && cidrContains(vc, lc.ip);
    }
    case 'IN':
      return false;
  }
}

/** Whether one event satisfies a bracketed comparison expression. */
export function matchComparison(c: Comparison, event: VigilEvent): boolean {
  switch (c.kind) {
    case 'and':
      return c.terms.every((t) => matchComparison(t, event));
    case 'or':
      return c.terms.some((t) => matchComparison(t, event));
    case 'exists':
      return valuesFor(event, c.path).length > 0;
    case 'cmp': {
      const values = valuesFor(event, c.path);
      // `NOT` negates the operator, not the existence: the property must be there.
      return c.negated ? values.some((v) => !testValue(v, c)) : values.some((v) => testValue(v, c));
    }
  }
}

/** A set of events (indexes into the evaluated sequence, ascending) and its time span. */
export interface Binding {
  events: number[];
  min: number;
  max: number;
}

const disjoint = (a: Binding, b: Binding): boolean => !a.events.some((i) => b.events.includes(i));
const merge = (a: Binding, b: Binding): Binding => ({
  events: [...a.events, ...b.events].sort((x, y) => x - y),
  min: Math.min(a.min, b.min),
  max: Math.max(a.max, b.max),
});
/** Newest first, so that a cap keeps the bindings a live stream cares about. */
const cap = (bs: Binding[]): Binding[] =>
  bs.length <= MAX_BINDINGS ? bs : bs.sort((a, b) => b.max - a.max).slice(0, MAX_BINDINGS);

function bindings(o: Observation, events: VigilEvent[], times: number[]): Binding[] {
  switch (o.kind) {
    case 'observation': {
      const out: Binding[] = [];
      for (let i = events.length - 1; i >= 0 && out.length < MAX_BINDINGS; i--)
        if (matchComparison(o.expr, events[i]!)) out.push({ events: [i], min: times[i]!, max: times[i]! });
      return out;
    }
    case 'or':
      return cap(o.terms.flatMap((t) => bindings(t, events, times)));
    case 'and':
    case 'followedby': {
      let acc = bindings(o.terms[0]!, events, times);
      for (const term of o.terms.slice(1)) {
        if (acc.length === 0) return [];
        const right = bindings(term, events, times);
        const next: Binding[] = [];
        for (const l of acc)
          for (const r of right)
            if (disjoint(l, r) && (o.kind === 'and' || l.max <= r.min)) {
              next.push(merge(l, r));
              if (next.length >= MAX_BINDINGS * 4) break;
            }
        acc = cap(next);
      }
      return acc;
    }
    case 'qualified': {
      const inner = bindings(o.expr, events, times);
      const q = o.qualifier;
      if (q.kind === 'within') return inner.filter((b) => b.max - b.min <= q.seconds * 1000);
      if (q.kind === 'startstop') return inner.filter((b) => b.min >= q.start && b.max < q.stop);
      // REPEATS n: n pairwise-disjoint bindings, combined in index order so each set appears once.
      let combos: Array<{ b: Binding; last: number }> = [
        { b: { events: [], min: Infinity, max: -Infinity }, last: -1 },
      ];
      for (let k = 0; k < q.times; k++) {
        const next: Array<{ b: Binding; last: number }> = [];
        for (const c of combos)
          for (let j = c.last + 1; j < inner.length && next.length < MAX_BINDINGS; j++)
            if (disjoint(c.b, inner[j]!)) next.push({ b: merge(c.b, inner[j]!), last: j });
        if (next.length === 0) return [];
        combos = next;
      }
      return combos.map((c) => c.b);
    }
  }
}

/**
 * The events (indexes) of one way the pattern matches the sequence, or undefined. With
 * `mustInclude`, only a match that uses that event counts (a live stream reports each match once,
 * when its last event arrives).
 */
export function matchPattern(
  p: Observation,
  events: VigilEvent[],
  mustInclude?: number,
): number[] | undefined {
  const times = events.map((e) => asTime(e['@timestamp']) ?? 0);
  const found = bindings(p, events, times).find(
    (b) => mustInclude === undefined || b.events.includes(mustInclude),
  );
  return found?.events;
}
