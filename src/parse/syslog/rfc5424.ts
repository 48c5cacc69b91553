import { fail, ok, type Parsed } from '../../schema/result.js';
import { parseIsoAt } from './time.js';

export type StructuredData = Record<string, Record<string, string | string[]>>;

export interface Rfc5424Header {
  version: number;
  /** epoch ms, undefined for NILVALUE */
  time?: number;
  hostname?: string;
  appname?: string;
  procid?: string;
  msgid?: string;
  structuredData?: StructuredData;
  msg: string;
}

/** True when the text after PRI looks like `VERSION SP (TIMESTAMP|-)`: the RFC 5424 signature. */
export function looks5424(line: string, at: number): boolean {
  const c = line.charCodeAt(at);
  if (c < 49 || c > 57) return false;
  let i = at + 1;
  if (line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  if (line.charCodeAt(i) !== 32) return false;
  const t = line.charCodeAt(i + 1);
  if (t === 45 /* - */) return line.charCodeAt(i + 2) === 32;
  return t >= 48 && t <= 57 && line.charCodeAt(i + 5) === 45;
}

function token(line: string, at: number): [string | undefined, number] {
  const sp = line.indexOf(' ', at);
  const end = sp < 0 ? line.length : sp;
  const v = line.slice(at, end);
  return [v === '-' ? undefined : v, end];
}

/**
 * RFC 5424 §6: `VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]`,
 * starting at `at` (just after `<PRI>`). Returns undefined when the timestamp is not RFC 3339
 * (the caller then reads the line as RFC 3164), a reason when the rest of the header is broken.
 */
export function parse5424(line: string, at: number, tz: string): Parsed<Rfc5424Header> | undefined {
  let i = at;
  let version = 0;
  while (i < line.length && line.charCodeAt(i) !== 32) {
    version = version * 10 + (line.charCodeAt(i) - 48);
    i++;
  }
  i++;
  let time: number | undefined;
  if (line.charCodeAt(i) === 45 && line.charCodeAt(i + 1) === 32) {
    i += 2;
  } else {
    const iso = parseIsoAt(line, i, tz);
    if (!iso || line.charCodeAt(iso.end) !== 32) return undefined;
    time = iso.ms;
    i = iso.end + 1;
  }
  const fields: (string | undefined)[] = [];
  for (let f = 0; f < 4; f++) {
    const [v, end] = token(line, i);
    if (end >= line.length) return fail('RFC 5424 header ends before STRUCTURED-DATA');
    fields.push(v);
    i = end + 1;
  }
  const header: Rfc5424Header = { version, msg: '' };
  if (time !== undefined) header.time = time;
  if (fields[0] !== undefined) header.hostname = fields[0];
  if (fields[1] !== undefined) header.appname = fields[1];
  if (fields[2] !== undefined) header.procid = fields[2];
  if (fields[3] !== undefined) header.msgid = fields[3];

  const c = line.charCodeAt(i);
  if (c === 45 /* - */) {
    i++;
  } else if (c === 91 /* [ */) {
    const sd: StructuredData = {};
    const r = parseStructuredData(line, i, sd);
    if (typeof r === 'string') return fail(r);
    header.structuredData = sd;
    i = r;
  } else {
    return fail('RFC 5424 STRUCTURED-DATA must be "-" or start with "["');
  }
  if (i < line.length) {
    if (line.charCodeAt(i) === 32) i++;
    else return fail('RFC 5424 expects a space after STRUCTURED-DATA');
    // BOM marks UTF-8 MSG (§6.4); it is not part of the message.
    if (line.charCodeAt(i) === 0xfeff) i++;
    header.msg = line.slice(i);
  }
  return ok(header);
}

/** Parses `[id k="v" ...][id2 ...]` at `at` into `out`; returns the index after the last `]` or a reason. */
export function parseStructuredData(line: string, at: number, out: StructuredData): number | string {
  let i = at;
  const n = line.length;
  while (i < n && line.charCodeAt(i) === 91) {
    i++;
    const idStart = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === 32 || c === 93 || c === 61 || c === 34) break;
      i++;
    }
    if (i === idStart) return 'SD-ID is empty';
    if (i >= n) return 'unterminated SD-ELEMENT';
    const id = line.slice(idStart, i);
    const params: Record<string, string | string[]> = Object.hasOwn(out, id) ? out[id]! : {};
    for (;;) {
      if (i >= n) return 'unterminated SD-ELEMENT';
      const c = line.charCodeAt(i);
      if (c === 93 /* ] */) {
        i++;
        break;
      }
      if (c === 32) {
        i++;
        continue;
      }
      const nameStart = i;
      while (i < n) {
        const d = line.charCodeAt(i);
        if (d === 61 || d === 32 || d === 93 || d === 34) break;
        i++;
      }
      if (line.charCodeAt(i) !== 61 || i === nameStart) return `SD-PARAM in [${id.slice(0, 32)}] lacks name="value"`;
      const name = line.slice(nameStart, i);
      i++;
      if (line.charCodeAt(i) !== 34) return `SD-PARAM ${name.slice(0, 32)} value must be quoted`;
      i++;
      let value = '';
      let seg = i;
      let closed = false;
      while (i < n) {
        const d = line.charCodeAt(i);
        if (d === 92 /* \ */ && i + 1 < n) {
          const e = line.charCodeAt(i + 1);
          if (e === 34 || e === 92 || e === 93) {
            value += line.slice(seg, i);
            seg = i + 1;
          }
          i += 2;
          continue;
        }
        if (d === 34) {
          closed = true;
          break;
        }
        i++;
      }
      if (!closed) return `unterminated value of SD-PARAM ${name.slice(0, 32)}`;
      value += line.slice(seg, i);
      i++;
      if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
      // The RFC allows a PARAM-NAME to repeat inside one element; keep every value.
      const prev = Object.hasOwn(params, name) ? params[name] : undefined;
      if (prev === undefined) params[name] = value;
      else if (Array.isArray(prev)) prev.push(value);
      else params[name] = [prev, value];
    }
    if (id !== '__proto__' && id !== 'constructor' && id !== 'prototype') out[id] = params;
  }
  return i;
}
