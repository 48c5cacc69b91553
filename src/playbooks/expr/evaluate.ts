import { ExprError, type Expr, type Value } from './ast.js';
import { FUNCTIONS } from './functions.js';

/** Names that would lead out of plain data into the runtime; never readable, whatever the object. */
const FORBIDDEN = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

export interface EvalOptions {
  /** Evaluation steps allowed, so a hostile expression over big data cannot spin for long. */
  fuel?: number;
}

export const isObject = (v: Value | undefined): v is { [key: string]: Value } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return v !== null && v !== false && v !== 0 && v !== '' && !Number.isNaN(v);
}

export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k]!, b[k]!))
    );
  }
  return false;
}

/** Reads one property of plain data; anything else (prototype, functions) is simply absent. */
function prop(v: Value, name: string): Value {
  if (FORBIDDEN.has(name)) return null;
  if (isObject(v)) return Object.hasOwn(v, name) ? (v[name] ?? null) : null;
  if (Array.isArray(v)) {
    // Member access on a list projects over its elements: `observables.value`.
    const out: Value[] = [];
    for (const x of v) {
      const r = prop(x, name);
      if (r !== null) out.push(r);
    }
    return out;
  }
  if (typeof v === 'string' && name === 'length') return v.length;
  return null;
}

function compare(op: '<' | '<=' | '>' | '>=', a: Value, b: Value): boolean {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')))
    return false;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

export function evaluate(expr: Expr, scope: Record<string, Value>, opts: EvalOptions = {}): Value {
  let fuel = opts.fuel ?? 100_000;
  const spend = (at: number, n = 1): void => {
    fuel -= n;
    if (fuel < 0) throw new ExprError('expression too costly to evaluate', at + 1);
  };

  const ev = (e: Expr, current: Value): Value => {
    spend(e.at);
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'list':
        return e.items.map((x) => ev(x, current));
      case 'object': {
        const o: { [key: string]: Value } = Object.create(null) as { [key: string]: Value };
        for (const [k, v] of e.entries) if (!FORBIDDEN.has(k)) o[k] = ev(v, current);
        return { ...o };
      }
      case 'name':
        return Object.hasOwn(scope, e.name) && !FORBIDDEN.has(e.name) ? (scope[e.name] ?? null) : null;
      case 'current':
        return current;
      case 'member':
        return prop(ev(e.object, current), e.name);
      case 'index': {
        const o = ev(e.object, current);
        const i = ev(e.index, current);
        if (Array.isArray(o) && typeof i === 'number' && Number.isInteger(i))
          return o[i < 0 ? o.length + i : i] ?? null;
        if (typeof i === 'string') return prop(o, i);
        return null;
      }
      case 'wildcard': {
        const o = ev(e.object, current);
        if (Array.isArray(o)) return o;
        return isObject(o) ? Object.values(o) : [];
      }
      case 'filter': {
        const o = ev(e.object, current);
        const list = Array.isArray(o) ? o : isObject(o) ? Object.values(o) : [];
        spend(e.at, list.length);
        return list.filter((x) => truthy(ev(e.cond, x)));
      }
      case 'call': {
        const fn = Object.hasOwn(FUNCTIONS, e.name) ? FUNCTIONS[e.name] : undefined;
        if (!fn) throw new ExprError(`unknown function ${e.name}()`, e.at + 1);
        const args = e.args.map((a) => ev(a, current));
        const size = args.reduce<number>(
          (n, a) => n + (Array.isArray(a) ? a.length : typeof a === 'string' ? a.length >> 6 : 0),
          0,
        );
        spend(e.at, size);
        try {
          return fn(...args);
        } catch (err) {
          throw new ExprError(`${e.name}(): ${(err as Error).message}`, e.at + 1);
        }
      }
      case 'unary': {
        const v = ev(e.operand, current);
        if (e.op === '!') return !truthy(v);
        if (typeof v !== 'number') throw new ExprError('- needs a number', e.at + 1);
        return -v;
      }
      case 'conditional':
        return truthy(ev(e.test, current)) ? ev(e.then, current) : ev(e.else, current);
      case 'binary': {
        if (e.op === '&&') {
          const l = ev(e.left, current);
          return truthy(l) ? ev(e.right, current) : l;
        }
        if (e.op === '||') {
          const l = ev(e.left, current);
          return truthy(l) ? l : ev(e.right, current);
        }
        if (e.op === '??') {
          const l = ev(e.left, current);
          return l === null ? ev(e.right, current) : l;
        }
        const l = ev(e.left, current);
        const r = ev(e.right, current);
        switch (e.op) {
          case '==':
            return deepEqual(l, r);
          case '!=':
            return !deepEqual(l, r);
          case '<':
          case '<=':
          case '>':
          case '>=':
            return compare(e.op, l, r);
          case 'in':
            if (Array.isArray(r)) return r.some((x) => deepEqual(x, l));
            if (typeof r === 'string' && typeof l === 'string') return r.includes(l);
            if (isObject(r) && typeof l === 'string') return Object.hasOwn(r, l) && !FORBIDDEN.has(l);
            return false;
          case '+':
            if (typeof l === 'number' && typeof r === 'number') return l + r;
            if (Array.isArray(l) && Array.isArray(r)) {
              spend(e.at, l.length + r.length);
              return [...l, ...r];
            }
            if (typeof l === 'string' || typeof r === 'string') {
              const s = `${FUNCTIONS.string!(l) as string}${FUNCTIONS.string!(r) as string}`;
              if (s.length > 1_000_000) throw new ExprError('string too long', e.at + 1);
              return s;
            }
            throw new ExprError('+ needs two numbers, two strings or two lists', e.at + 1);
          default: {
            if (typeof l !== 'number' || typeof r !== 'number')
              throw new ExprError(`${e.op} needs two numbers`, e.at + 1);
            if (e.op === '-') return l - r;
            if (e.op === '*') return l * r;
            if (r === 0) throw new ExprError('division by zero', e.at + 1);
            return e.op === '/' ? l / r : l % r;
          }
        }
      }
    }
  };
  return ev(expr, null);
}
