import type { RawEventDoc } from '../../schema/ecs.js';
import { fail, ok, type Parsed } from '../../schema/result.js';
import { parseCef } from '../cef/cef.js';
import { parseLeef } from '../leef/leef.js';
import { addRelated, deepMerge, toUint, type Doc } from './doc.js';
import { DEFAULT_PRI, FACILITY_NAMES, SEVERITY_NAMES, readPri } from './priority.js';
import { parse3164 } from './rfc3164.js';
import { looks5424, parse5424, type StructuredData } from './rfc5424.js';
import { enrichAccessLog, looksAccessLog } from './vendors/access-log.js';
import { enrichCiscoAsa, enrichCiscoIos } from './vendors/cisco.js';
import { enrichFortigate, looksFortigate } from './vendors/fortigate.js';
import { AUTH_PROGRAMS, enrichLinuxAuth } from './vendors/linux-auth.js';
import { enrichPanos, looksPanos } from './vendors/paloalto.js';

export interface SyslogContext {
  /** IANA zone of the sender, for timestamps that carry no offset (RFC 3164, device fields). */
  timezone: string;
  /** Receive time: year inference and `@timestamp` for lines without a timestamp. */
  now: Date;
  /** Sender address as the listener saw it. */
  receivedFrom?: string;
}

const decoder = new TextDecoder('utf-8');

function trimEnd(line: string): string {
  let e = line.length;
  while (e > 0) {
    const c = line.charCodeAt(e - 1);
    if (c === 10 || c === 13 || c === 0) e--;
    else break;
  }
  return e === line.length ? line : line.slice(0, e);
}

/** Finds `CEF:` / `LEEF:` at the start of MSG or after a space (some devices prefix host/app). */
function embedded(msg: string, tag: string): number {
  const i = msg.indexOf(tag);
  if (i < 0) return -1;
  if (i === 0 || msg.charCodeAt(i - 1) === 32) {
    const c = msg.charCodeAt(i + tag.length);
    return c >= 48 && c <= 57 ? i : -1;
  }
  return -1;
}

/**
 * One syslog message → ECS document. Detects RFC 5424 vs RFC 3164 (and the real-world variants:
 * no PRI, no hostname, ISO time, Cisco sequence numbers), then recognises the payload: CEF, LEEF,
 * Cisco ASA/IOS, FortiGate key=value, PAN-OS CSV, Linux auth (sshd/sudo/pam), nginx/Apache access.
 * Never throws; refuses only empty input and RFC 5424 lines whose header is broken.
 */
export function parseSyslog(input: string | Uint8Array, ctx: SyslogContext): Parsed<RawEventDoc> {
  let raw: string;
  try {
    raw = typeof input === 'string' ? input : Buffer.isBuffer(input) ? input.toString('utf8') : decoder.decode(input);
  } catch {
    return fail('message is not decodable');
  }
  let line = trimEnd(raw);
  if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
  if (line.length === 0) return fail('empty message');
  const tz = ctx.timezone;
  const now = Number.isFinite(ctx.now.getTime()) ? ctx.now : new Date();

  const pri = readPri(line);
  const at = pri ? pri.end : 0;
  const priority = pri ? pri.pri : DEFAULT_PRI;
  const sevCode = priority & 7;
  const facCode = priority >> 3;

  const syslog: Doc = {
    priority,
    facility: { code: facCode, name: FACILITY_NAMES[facCode] ?? String(facCode) },
    severity: { code: sevCode, name: SEVERITY_NAMES[sevCode] ?? String(sevCode) },
  };
  const event: Doc = { kind: 'event', severity: sevCode, original: raw };
  const doc: Doc = {
    '@timestamp': '',
    event,
    message: '',
    log: { syslog, level: SEVERITY_NAMES[sevCode] },
  };
  let time: number | undefined;
  let msg: string;
  let hostname: string | undefined;
  let program: string | undefined;
  let pid: string | undefined;
  let sd: StructuredData | undefined;

  const r5424 = pri && looks5424(line, at) ? parse5424(line, at, tz) : undefined;
  if (r5424 !== undefined) {
    if (!r5424.ok) return r5424;
    const h = r5424.value;
    syslog.version = h.version;
    time = h.time;
    hostname = h.hostname;
    program = h.appname;
    pid = h.procid;
    if (h.msgid !== undefined) syslog.msgid = h.msgid;
    sd = h.structuredData;
    msg = h.msg;
  } else {
    const h = parse3164(line, at, tz, now);
    time = h.time;
    hostname = h.hostname;
    program = h.tag;
    pid = h.pid;
    if (h.sequence !== undefined) event.sequence = h.sequence;
    if (h.clockUnsynced) doc.tags = ['clock_unsynchronized'];
    msg = h.msg;
  }
  if (!pri) doc.tags = [...((doc.tags as string[] | undefined) ?? []), 'syslog_no_pri'];
  doc['@timestamp'] = time !== undefined && Number.isFinite(time) && Math.abs(time) < 8.64e15 ? new Date(time).toISOString() : now.toISOString();
  doc.message = msg;
  if (hostname !== undefined) {
    syslog.hostname = hostname;
    doc.host = { name: hostname };
    addRelated(doc, 'hosts', hostname);
  } else if (ctx.receivedFrom) {
    doc.host = { name: ctx.receivedFrom };
  }
  if (ctx.receivedFrom) doc.log = { ...(doc.log as Doc), source: { address: ctx.receivedFrom } };
  if (program !== undefined) {
    syslog.appname = program;
    const proc: Doc = { name: program };
    doc.process = proc;
    if (pid !== undefined) {
      syslog.procid = pid;
      const n = toUint(pid);
      if (n !== undefined) proc.pid = n;
    }
  } else if (pid !== undefined) {
    syslog.procid = pid;
  }
  if (sd !== undefined) {
    syslog.structured_data = sd;
    const origin = sd.origin?.ip;
    if (typeof origin === 'string') addRelated(doc, 'ip', origin);
  }

  enrichPayload(doc, msg, program, tz, now, raw);
  return ok(doc);
}

function enrichPayload(doc: Doc, msg: string, program: string | undefined, tz: string, now: Date, raw: string): void {
  if (msg.length === 0) return;
  const c0 = msg.charCodeAt(0);
  const cefAt = embedded(msg, 'CEF:');
  if (cefAt >= 0) {
    const r = parseCef(msg.slice(cefAt), { timezone: tz, now, fillTimestamp: false });
    if (r.ok) {
      mergeVendor(doc, r.value, raw);
      return;
    }
  }
  const leefAt = embedded(msg, 'LEEF:');
  if (leefAt >= 0) {
    const r = parseLeef(msg.slice(leefAt), { timezone: tz, now, fillTimestamp: false });
    if (r.ok) {
      mergeVendor(doc, r.value, raw);
      return;
    }
  }
  if (msg.length > 16384) return;
  if (c0 === 37 /* % */) {
    if (enrichCiscoAsa(doc, msg) || enrichCiscoIos(doc, msg)) return;
  }
  if (looksFortigate(msg) && enrichFortigate(doc, msg, tz)) return;
  if (c0 >= 48 && c0 <= 57 && looksPanos(msg) && enrichPanos(doc, msg, tz)) return;
  if (program !== undefined && AUTH_PROGRAMS.has(program) && enrichLinuxAuth(doc, program, msg)) return;
  if (looksAccessLog(msg)) enrichAccessLog(doc, program, msg);
}

function mergeVendor(doc: Doc, vendor: Doc, raw: string): void {
  deepMerge(doc, vendor);
  (doc.event as Doc).original = raw;
  const host = (doc.host as Doc | undefined)?.name;
  const o = doc.observer as Doc | undefined;
  if (o && typeof host === 'string' && o.hostname === undefined) o.hostname = host;
}
