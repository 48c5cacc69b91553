/**
 * Typed syntax tree of the STIX 2.1 patterning language (STIX 2.1 §9). Produced by
 * `parsePattern`, consumed by the matcher and by the index that pre-filters pattern indicators.
 */

export type Literal =
  | { type: 'string'; value: string }
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean }
  /** `t'...'`: RFC 3339 UTC; `ms` is the epoch time. */
  | { type: 'timestamp'; value: string; ms: number }
  /** `h'...'`: lower-case hex digits. */
  | { type: 'hex'; value: string }
  /** `b'...'`: base64 as written. */
  | { type: 'binary'; value: string };

export type PathStep = { kind: 'prop'; name: string } | { kind: 'index'; index: number | '*' };

export interface ObjectPath {
  objectType: string;
  /** The first step is always a property. */
  steps: PathStep[];
}

export type ComparisonOp =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type Comparison =
  | { kind: 'cmp'; path: ObjectPath; op: ComparisonOp; negated: boolean; value: Literal | Literal[] }
  | { kind: 'exists'; path: ObjectPath }
  | { kind: 'and' | 'or'; terms: Comparison[] };

export type Qualifier =
  | { kind: 'within'; seconds: number }
  | { kind: 'repeats'; times: number }
  | { kind: 'startstop'; start: number; stop: number };

export type Observation =
  | { kind: 'observation'; expr: Comparison }
  | { kind: 'and' | 'or' | 'followedby'; terms: Observation[] }
  | { kind: 'qualified'; expr: Observation; qualifier: Qualifier };

/** Text form of a path, e.g. `file:hashes.'SHA-256'` or `network-traffic:protocols[*]`. */
export function pathText(p: ObjectPath): string {
  let s = `${p.objectType}:`;
  p.steps.forEach((st, i) => {
    if (st.kind === 'index') s += `[${st.index}]`;
    else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(st.name)
        ? st.name
        : `'${st.name.replace(/[\\']/g, '\\$&')}'`;
      s += i === 0 ? name : `.${name}`;
    }
  });
  return s;
}

/** Every comparison-level observation (the bracketed parts) of a pattern, left to right. */
export function leafObservations(o: Observation): Comparison[] {
  if (o.kind === 'observation') return [o.expr];
  if (o.kind === 'qualified') return leafObservations(o.expr);
  return o.terms.flatMap(leafObservations);
}

/** True when the pattern is a single bracketed observation without qualifiers (matchable per event). */
export function isSingleObservation(o: Observation): boolean {
  if (o.kind === 'observation') return true;
  if (o.kind === 'or') return o.terms.every(isSingleObservation);
  return false;
}
