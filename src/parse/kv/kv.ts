import { fail, ok, type Parsed } from '../../schema/result.js';

export interface KvOptions {
  /** Characters separating pairs (default space and tab). */
  separators?: string;
  /** Character between key and value (default `=`). */
  assign?: string;
  /** Upper bound on pairs kept, so a hostile line cannot make a huge object (default 1024). */
  maxPairs?: number;
}

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);
const DEFAULT_SEPS = ' \t';

/** `\"` (or `\'`) and `\\` inside a quoted value. */
function unescapeQuoted(span: string, q: number): string {
  let out = '';
  let seg = 0;
  for (let k = 0; k < span.length - 1; k++) {
    if (span.charCodeAt(k) !== 92) continue;
    const nx = span.charCodeAt(k + 1);
    if (nx === q || nx === 92) {
      out += span.slice(seg, k);
      seg = k + 1;
      k++;
    }
  }
  return out + span.slice(seg);
}

function isSep(c: number, seps: string): boolean {
  if (seps === DEFAULT_SEPS) return c === 32 || c === 9;
  return seps.includes(String.fromCharCode(c));
}

/**
 * Generic `key=value` line parser as network devices emit it (FortiGate, SonicWall, Check Point...).
 * Values may be double- or single-quoted (`k="a b"`, with `\"` and `\\` inside), or bare with a
 * backslash escaping a separator (`k=a\ b`). A bare token without `=` is taken as the continuation
 * of the previous unquoted value (`msg=disk full k=v` keeps "disk full"), since devices forget to quote.
 */
export function parseKv(input: string, opts: KvOptions = {}): Parsed<Record<string, string>> {
  const seps = opts.separators ?? DEFAULT_SEPS;
  const assign = (opts.assign ?? '=').charCodeAt(0);
  const maxPairs = opts.maxPairs ?? 1024;
  const out: Record<string, string> = {};
  let count = 0;
  let lastKey: string | undefined;
  let lastQuoted = false;
  const n = input.length;
  let i = 0;
  while (i < n && count < maxPairs) {
    while (i < n && isSep(input.charCodeAt(i), seps)) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n) {
      const c = input.charCodeAt(i);
      if (c === assign || isSep(c, seps)) break;
      i++;
    }
    if (i >= n || input.charCodeAt(i) !== assign) {
      // bare token: continuation of the previous unquoted value
      if (lastKey !== undefined && !lastQuoted) out[lastKey] += ' ' + input.slice(keyStart, i);
      continue;
    }
    const key = input.slice(keyStart, i);
    i++; // past '='
    let value: string;
    let quoted = false;
    const q = input.charCodeAt(i);
    if (q === 34 || q === 39) {
      quoted = true;
      i++;
      const segStart = i;
      // Jump quote to quote; only a quote preceded by an odd run of backslashes is escaped.
      for (;;) {
        const qAt = input.indexOf(q === 34 ? '"' : "'", i);
        if (qAt < 0) {
          i = n;
          break;
        }
        let bs = 0;
        while (qAt - bs - 1 >= segStart && input.charCodeAt(qAt - bs - 1) === 92) bs++;
        if (bs % 2 === 0) {
          i = qAt;
          break;
        }
        i = qAt + 1;
      }
      const span = input.slice(segStart, i);
      value = span.includes('\\') ? unescapeQuoted(span, q) : span;
      if (i < n) i++; // closing quote; an unterminated quote runs to the end of the line
    } else {
      let buf = '';
      let segStart = i;
      while (i < n) {
        const c = input.charCodeAt(i);
        if (isSep(c, seps)) break;
        if (c === 92 && i + 1 < n) {
          const nx = input.charCodeAt(i + 1);
          if (isSep(nx, seps) || nx === 92 || nx === assign || nx === 34) {
            buf += input.slice(segStart, i);
            segStart = i + 1;
            i += 2;
            continue;
          }
        }
        i++;
      }
      value = buf + input.slice(segStart, i);
    }
    if (key.length === 0 || UNSAFE.has(key)) {
      lastKey = undefined;
      continue;
    }
    if (!Object.hasOwn(out, key)) count++;
    out[key] = value;
    lastKey = key;
    lastQuoted = quoted;
  }
  if (count === 0) return fail('no key=value pairs');
  return ok(out);
}
