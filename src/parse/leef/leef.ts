import type { RawEventDoc } from '../../schema/ecs.js';
import { fail, ok, type Parsed } from '../../schema/result.js';
import { parseCefExtension } from '../cef/cef.js';
import { parseLooseTime } from '../cef/time.js';
import { addRelated, looksLikeIp, obj, toPort, toUint, transportName, unsafeKey, type Doc } from '../syslog/doc.js';
import { toIso } from '../syslog/time.js';
import { parseJavaDate } from './java-date.js';

export interface LeefContext {
  /** Zone of `devTime` values that carry none (the device's zone); default UTC. */
  timezone?: string;
  /** Reference for year-less dates and for `@timestamp` when the event has no `devTime`. */
  now?: Date;
  /** Set `@timestamp` to `now` when the record has no time of its own (default true). */
  fillTimestamp?: boolean;
}

/** LEEF 2.0 delimiter field: one character, or its code as `x09` / `0x09` / `\t`; empty means tab. */
export function leefDelimiter(field: string): string | undefined {
  if (field === '') return '\t';
  if (field.length === 1) return field;
  if (field === '\\t') return '\t';
  const m = /^(?:0?[xX])([0-9A-Fa-f]{1,4})$/.exec(field);
  if (!m) return undefined;
  const code = parseInt(m[1]!, 16);
  return code > 0 ? String.fromCharCode(code) : undefined;
}

/** Splits `k=v<delim>k=v`; a piece without `=` continues the previous value (the delimiter was in it). */
function splitAttributes(s: string, delim: string): Map<string, string> {
  const out = new Map<string, string>();
  let lastKey: string | undefined;
  let i = 0;
  while (i <= s.length) {
    let j = s.indexOf(delim, i);
    if (j < 0) j = s.length;
    const piece = s.slice(i, j);
    const eq = piece.indexOf('=');
    if (eq > 0) {
      const key = piece.slice(0, eq).trim();
      if (!unsafeKey(key) && key.length > 0) {
        out.set(key, piece.slice(eq + 1));
        lastKey = key;
      } else lastKey = undefined;
    } else if (lastKey !== undefined && piece.length > 0) {
      out.set(lastKey, out.get(lastKey)! + delim + piece);
    }
    i = j + delim.length;
  }
  return out;
}

function headerFields(s: string, from: number, count: number): { fields: string[]; rest: number } | undefined {
  const fields: string[] = [];
  let i = from;
  let cur = '';
  let seg = i;
  for (; i < s.length && fields.length < count; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 && s.charCodeAt(i + 1) === 124) {
      cur += s.slice(seg, i);
      seg = i + 1;
      i++;
    } else if (c === 124) {
      fields.push(cur + s.slice(seg, i));
      cur = '';
      seg = i + 1;
    }
  }
  if (fields.length < count) return undefined;
  return { fields, rest: i };
}

const IP_FIELDS: Record<string, [string, string]> = {
  src: ['source', 'ip'], dst: ['destination', 'ip'],
  srcPostNAT: ['source', 'nat.ip'], dstPostNAT: ['destination', 'nat.ip'],
  identSrc: ['source', 'ip'],
};
const PORT_FIELDS: Record<string, [string, string]> = {
  srcPort: ['source', 'port'], dstPort: ['destination', 'port'],
  srcPostNATPort: ['source', 'nat.port'], dstPostNATPort: ['destination', 'nat.port'],
};
const NUM_FIELDS: Record<string, [string, string]> = {
  srcBytes: ['source', 'bytes'], dstBytes: ['destination', 'bytes'],
  srcPackets: ['source', 'packets'], dstPackets: ['destination', 'packets'],
};

function setSub(doc: Doc, ns: string, sub: string, v: unknown): void {
  const dot = sub.indexOf('.');
  if (dot < 0) obj(doc, ns)[sub] = v;
  else obj(obj(doc, ns), sub.slice(0, dot))[sub.slice(dot + 1)] = v;
}

/**
 * One LEEF record → ECS document. LEEF 1.0: `LEEF:1.0|Vendor|Product|Version|EventID|k=v<TAB>k=v`;
 * LEEF 2.0 adds a delimiter field after EventID. Attributes are kept under `leef.attributes`.
 */
export function parseLeef(msg: string, ctx: LeefContext = {}): Parsed<RawEventDoc> {
  let start = 0;
  while (start < msg.length && (msg.charCodeAt(start) === 32 || msg.charCodeAt(start) === 9)) start++;
  if (!msg.startsWith('LEEF:', start)) return fail('not a LEEF record (no "LEEF:" prefix)');
  const h = headerFields(msg, start + 5, 5);
  if (!h) return fail('LEEF header needs Version|Vendor|Product|Version|EventID|');
  const [version, vendor, product, devVersion, eventId] = h.fields as [string, string, string, string, string];
  const major = version.trim().split('.')[0];
  if (major !== '1' && major !== '2') return fail(`unsupported LEEF version "${version.slice(0, 10)}"`);
  let rest = h.rest;
  let delim = '\t';
  if (major === '2') {
    const bar = msg.indexOf('|', rest);
    const field = bar < 0 ? msg.slice(rest) : msg.slice(rest, bar);
    const d = field.includes('=') ? undefined : leefDelimiter(field);
    if (d !== undefined && bar >= 0) {
      delim = d;
      rest = bar + 1;
    } else if (d === undefined && !field.includes('=')) {
      return fail(`LEEF 2.0 delimiter "${field.slice(0, 10)}" is not a character or hex code`);
    }
  }
  const body = msg.slice(rest);
  // LEEF 1.0 from some senders uses spaces instead of tabs; read those like a CEF extension.
  const attrs = body.includes(delim) || !body.includes(' ') ? splitAttributes(body, delim) : parseCefExtension(body);

  const attributes: Doc = {};
  for (const [k, v] of attrs) attributes[k] = v;
  const event: Doc = { kind: 'event', module: 'leef', dataset: 'leef.log', code: eventId, original: msg };
  const doc: Doc = {
    event,
    leef: {
      version: version.trim(),
      device: { vendor, product, version: devVersion },
      event_id: eventId,
      delimiter: delim,
      attributes,
    },
    observer: { vendor, product, version: devVersion },
  };
  const tz = ctx.timezone ?? 'UTC';
  const now = ctx.now ?? new Date();
  for (const [k, v] of attrs) {
    if (v === '') continue;
    const ip = IP_FIELDS[k];
    if (ip) {
      if (looksLikeIp(v)) {
        if (k !== 'identSrc' || !(doc.source as Doc | undefined)?.ip) setSub(doc, ip[0], ip[1], v);
        addRelated(doc, 'ip', v);
      }
      continue;
    }
    const port = PORT_FIELDS[k];
    if (port) {
      const p = toPort(v);
      if (p !== undefined) setSub(doc, port[0], port[1], p);
      continue;
    }
    const num = NUM_FIELDS[k];
    if (num) {
      const n = toUint(v);
      if (n !== undefined) setSub(doc, num[0], num[1], n);
      continue;
    }
    switch (k) {
      case 'usrName':
      case 'accountName':
        if (!(doc.user as Doc | undefined)?.name || k === 'usrName') obj(doc, 'user').name = v;
        addRelated(doc, 'user', v);
        break;
      case 'domain': obj(doc, 'user').domain = v; break;
      case 'srcMAC': obj(doc, 'source').mac = v; break;
      case 'dstMAC': obj(doc, 'destination').mac = v; break;
      case 'proto': obj(doc, 'network').transport = transportName(v); break;
      case 'sev': {
        const n = toUint(v);
        if (n !== undefined && n <= 10) event.severity = n;
        break;
      }
      case 'cat': event.action = v; break;
      case 'url': obj(doc, 'url').original = v; break;
      case 'identHostName': obj(doc, 'host').name = v; addRelated(doc, 'hosts', v); break;
      case 'devTime': {
        const fmt = attrs.get('devTimeFormat');
        const t = (fmt ? toIso(parseJavaDate(v, fmt, tz, now) ?? NaN) : undefined) ?? parseLooseTime(v, tz, now);
        if (t !== undefined) doc['@timestamp'] = t;
        break;
      }
      default: break;
    }
  }
  if (doc['@timestamp'] === undefined && ctx.fillTimestamp !== false && ctx.now && Number.isFinite(ctx.now.getTime())) doc['@timestamp'] = ctx.now.toISOString();
  return ok(doc);
}
