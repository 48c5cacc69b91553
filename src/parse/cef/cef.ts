import type { RawEventDoc } from '../../schema/ecs.js';
import { fail, ok, type Parsed } from '../../schema/result.js';
import { addRelated, looksLikeIp, obj, toPort, toUint, unsafeKey, type Doc } from '../syslog/doc.js';
import { parseLooseTime } from './time.js';

export interface CefContext {
  /** Zone for `rt`/`start`/`end` written without one (the device's zone); default UTC or `dtz`. */
  timezone?: string;
  /** Reference for year-less dates and, when the event has no `rt`, `@timestamp`. */
  now?: Date;
  /** Set `@timestamp` to `now` when the record has no time of its own (default true). */
  fillTimestamp?: boolean;
}

type Kind = 'str' | 'ip' | 'port' | 'num' | 'lower' | 'time' | 'user' | 'host' | 'outcome' | 'direction' | 'iplist';
interface Mapping { path: string[]; kind: Kind; related?: 'user' | 'hosts' }

const MAP = new Map<string, Mapping>();
function m(keys: string[], path: string, kind: Kind, related?: 'user' | 'hosts'): void {
  const entry: Mapping = { path: path.split('.'), kind };
  if (related) entry.related = related;
  for (const k of keys) MAP.set(k, entry);
}
m(['src', 'sourceAddress'], 'source.ip', 'ip');
m(['dst', 'destinationAddress'], 'destination.ip', 'ip');
m(['spt', 'sourcePort'], 'source.port', 'port');
m(['dpt', 'destinationPort'], 'destination.port', 'port');
m(['shost', 'sourceHostName'], 'source.domain', 'str', 'hosts');
m(['dhost', 'destinationHostName'], 'destination.domain', 'str', 'hosts');
m(['smac', 'sourceMacAddress'], 'source.mac', 'str');
m(['dmac', 'destinationMacAddress'], 'destination.mac', 'str');
m(['suser', 'sourceUserName'], 'source.user.name', 'str', 'user');
m(['duser', 'destinationUserName'], 'destination.user.name', 'str', 'user');
m(['suid', 'sourceUserId'], 'source.user.id', 'str');
m(['duid', 'destinationUserId'], 'destination.user.id', 'str');
m(['sntdom', 'sourceNtDomain'], 'source.user.domain', 'str');
m(['dntdom', 'destinationNtDomain'], 'destination.user.domain', 'str');
m(['sourceTranslatedAddress'], 'source.nat.ip', 'ip');
m(['destinationTranslatedAddress'], 'destination.nat.ip', 'ip');
m(['sourceTranslatedPort'], 'source.nat.port', 'port');
m(['destinationTranslatedPort'], 'destination.nat.port', 'port');
m(['act', 'deviceAction'], 'event.action', 'str');
m(['outcome', 'eventOutcome'], 'event.outcome', 'outcome');
m(['reason'], 'event.reason', 'str');
m(['request', 'requestUrl'], 'url.original', 'str');
m(['requestMethod'], 'http.request.method', 'str');
m(['requestClientApplication'], 'user_agent.original', 'str');
m(['proto', 'transportProtocol'], 'network.transport', 'lower');
m(['app', 'applicationProtocol'], 'network.protocol', 'lower');
m(['deviceDirection'], 'network.direction', 'direction');
m(['in', 'bytesIn'], 'source.bytes', 'num');
m(['out', 'bytesOut'], 'destination.bytes', 'num');
m(['msg', 'message'], 'message', 'str');
m(['fname', 'fileName'], 'file.name', 'str');
m(['filePath'], 'file.path', 'str');
m(['fsize', 'fileSize'], 'file.size', 'num');
m(['dvc', 'deviceAddress'], 'observer.ip', 'iplist');
m(['dvchost', 'deviceHostName'], 'observer.hostname', 'str', 'hosts');
m(['dproc', 'deviceProcessName'], 'process.name', 'str');
m(['dpid', 'deviceProcessId'], 'process.pid', 'num');
m(['rt', 'deviceReceiptTime'], '@timestamp', 'time');
m(['start', 'startTime'], 'event.start', 'time');
m(['end', 'endTime'], 'event.end', 'time');

const SEVERITY_WORDS: Record<string, number> = { unknown: 0, low: 3, medium: 6, high: 8, 'very-high': 10, 'very high': 10, veryhigh: 10 };

/** CEF `Severity` header: 0–10 or Low/Medium/High/Very-High; undefined when unreadable. */
export function cefSeverity(s: string): number | undefined {
  const n = toUint(s);
  if (n !== undefined) return n <= 10 ? n : undefined;
  return SEVERITY_WORDS[s.trim().toLowerCase()];
}

/** Splits the 7 header fields, unescaping `\|` and `\\`. Returns the fields and where the extension starts. */
function splitHeader(s: string, from: number): { fields: string[]; rest: number } | undefined {
  const fields: string[] = [];
  let cur = '';
  let seg = from;
  let i = from;
  while (i < s.length && fields.length < 7) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < s.length) {
      const nx = s.charCodeAt(i + 1);
      if (nx === 124 || nx === 92) {
        cur += s.slice(seg, i);
        seg = i + 1;
        i += 2;
        continue;
      }
    } else if (c === 124 /* | */) {
      fields.push(cur + s.slice(seg, i));
      cur = '';
      seg = i + 1;
    }
    i++;
  }
  if (fields.length === 7) return { fields, rest: i };
  // Some senders drop the last pipe when there is no extension.
  if (fields.length === 6) {
    fields.push(cur + s.slice(seg));
    return { fields, rest: s.length };
  }
  return undefined;
}

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

function unescapeExt(v: string): string {
  if (!v.includes('\\')) return v;
  let out = '';
  let seg = 0;
  for (let i = 0; i < v.length - 1; i++) {
    if (v.charCodeAt(i) !== 92) continue;
    const nx = v[i + 1];
    let rep: string | undefined;
    if (nx === '=' || nx === '\\' || nx === '|') rep = nx;
    else if (nx === 'n') rep = '\n';
    else if (nx === 'r') rep = '\r';
    if (rep === undefined) continue;
    out += v.slice(seg, i) + rep;
    seg = i + 2;
    i++;
  }
  return out + v.slice(seg);
}

/**
 * Extension `k=v k2=v with spaces`: a key is a run of key characters preceded by a space (or the
 * start) and followed by an unescaped `=`; a value runs until the space before the next key.
 */
export function parseCefExtension(ext: string, from = 0): Map<string, string> {
  const keys: number[] = []; // pairs: keyStart, eqPos
  for (let i = from; i < ext.length; i++) {
    const c = ext.charCodeAt(i);
    if (c === 92) {
      i++; // skip the escaped character, so `\=` never splits
      continue;
    }
    if (c !== 61 /* = */) continue;
    let k = i;
    while (k > from && isKeyChar(ext.charCodeAt(k - 1))) k--;
    if (k === i) continue;
    if (k > from && ext.charCodeAt(k - 1) !== 32) continue;
    keys.push(k, i);
  }
  const out = new Map<string, string>();
  for (let p = 0; p < keys.length; p += 2) {
    const ks = keys[p]!;
    const eq = keys[p + 1]!;
    const end = p + 2 < keys.length ? keys[p + 2]! - 1 : ext.length;
    let ve = end;
    while (ve > eq + 1 && (ext.charCodeAt(ve - 1) === 32 || ext.charCodeAt(ve - 1) === 10 || ext.charCodeAt(ve - 1) === 13)) ve--;
    const key = ext.slice(ks, eq);
    if (unsafeKey(key)) continue;
    out.set(key, unescapeExt(ext.slice(eq + 1, ve)));
  }
  return out;
}

function setPath(doc: Doc, path: string[], v: unknown): void {
  let cur = doc;
  for (let i = 0; i < path.length - 1; i++) cur = obj(cur, path[i]!);
  cur[path[path.length - 1]!] = v;
}

/**
 * One CEF record (`CEF:Version|Vendor|Product|Version|SignatureID|Name|Severity|Extension`) →
 * ECS document with the raw pairs kept under `cef.extensions` and custom labels resolved
 * (`cs1Label=Policy cs1=Block` → `cef.extensions.Policy = "Block"`).
 */
export function parseCef(msg: string, ctx: CefContext = {}): Parsed<RawEventDoc> {
  let start = 0;
  while (start < msg.length && (msg.charCodeAt(start) === 32 || msg.charCodeAt(start) === 9)) start++;
  if (!msg.startsWith('CEF:', start)) return fail('not a CEF record (no "CEF:" prefix)');
  const head = splitHeader(msg, start + 4);
  if (!head) return fail('CEF header needs 7 pipe-separated fields');
  const [version, vendor, product, devVersion, sigId, name, sevText] = head.fields as [string, string, string, string, string, string, string];
  if (!/^\s*\d{1,3}(\.\d{1,3})?\s*$/.test(version)) return fail('CEF version is not a number');
  const pairs = parseCefExtension(msg, head.rest);

  const extensions: Doc = {};
  for (const [k, v] of pairs) extensions[k] = v;
  // Custom fields: cs1Label=Policy → extensions.Policy = value of cs1
  for (const [k, label] of pairs) {
    if (k.length <= 5 || !k.endsWith('Label')) continue;
    const base = k.slice(0, -5);
    const val = pairs.get(base);
    if (val === undefined || !label || unsafeKey(label) || Object.hasOwn(extensions, label)) continue;
    extensions[label] = val;
  }

  const severity = cefSeverity(sevText);
  const event: Doc = { kind: 'event', module: 'cef', dataset: 'cef.log', code: sigId, original: msg };
  if (severity !== undefined) event.severity = severity;
  const doc: Doc = {
    event,
    cef: {
      version: version.trim(),
      device: { vendor, product, version: devVersion, event_class_id: sigId },
      name,
      severity: sevText,
      extensions,
    },
    observer: { vendor, product, version: devVersion },
    message: name,
  };

  const tz = ctx.timezone ?? pairs.get('dtz') ?? pairs.get('deviceTimeZone') ?? 'UTC';
  for (const [k, raw] of pairs) {
    const map = MAP.get(k);
    if (!map || raw === '') continue;
    let v: unknown = raw;
    switch (map.kind) {
      case 'ip':
        if (!looksLikeIp(raw)) continue;
        addRelated(doc, 'ip', raw);
        break;
      case 'iplist':
        if (!looksLikeIp(raw)) continue;
        v = [raw];
        addRelated(doc, 'ip', raw);
        break;
      case 'port':
        v = toPort(raw);
        if (v === undefined) continue;
        break;
      case 'num':
        v = toUint(raw);
        if (v === undefined) continue;
        break;
      case 'lower':
        v = raw.toLowerCase();
        break;
      case 'outcome': {
        const o = raw.toLowerCase();
        if (o === 'success' || o === '/success') v = 'success';
        else if (o === 'failure' || o === '/failure') v = 'failure';
        else continue;
        break;
      }
      case 'direction':
        if (raw === '0') v = 'inbound';
        else if (raw === '1') v = 'outbound';
        else continue;
        break;
      case 'time': {
        const t = parseLooseTime(raw, tz, ctx.now ?? new Date());
        if (t === undefined) continue;
        v = t;
        break;
      }
      default:
        break;
    }
    setPath(doc, map.path, v);
    if (map.related) addRelated(doc, map.related, raw);
  }
  if (doc['@timestamp'] === undefined && ctx.fillTimestamp !== false && ctx.now && Number.isFinite(ctx.now.getTime())) doc['@timestamp'] = ctx.now.toISOString();
  const src = doc.source as Doc | undefined;
  const srcUser = (src?.user as Doc | undefined)?.name;
  if (typeof srcUser === 'string') obj(doc, 'user').name = srcUser;
  else {
    const dstUser = ((doc.destination as Doc | undefined)?.user as Doc | undefined)?.name;
    if (typeof dstUser === 'string') obj(doc, 'user').name = dstUser;
  }
  return ok(doc);
}
