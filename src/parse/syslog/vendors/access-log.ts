import { obj, setEndpointIp, toUint, type Doc } from '../doc.js';
import { monthFromAbbrev, digits, numericOffsetMinutes, toIso, validDay } from '../time.js';

// Combined / common log format. `(?:[^"\\]|\\.)*` has disjoint alternatives: linear time.
const ACCESS = /^(\S+) (\S+) (\S+) \[([^\]]{1,64})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

/** Cheap shape test before the regex. */
export function looksAccessLog(msg: string): boolean {
  return msg.length < 16384 && msg.includes('] "') && msg.includes(' [');
}

/** `10/Oct/2000:13:55:36 -0700` → ISO */
export function clfTime(s: string): string | undefined {
  const d = digits(s, 0, 2);
  const mo = monthFromAbbrev(s, 3);
  const y = digits(s, 7, 4);
  const h = digits(s, 12, 2);
  const mi = digits(s, 15, 2);
  const sec = digits(s, 18, 2);
  if (d < 1 || mo === 0 || y < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || !validDay(y, mo, d)) return undefined;
  const off = numericOffsetMinutes(s.slice(21).trim()) ?? 0;
  return toIso(Date.UTC(y, mo - 1, d, h, mi, Math.min(sec, 59)) - off * 60_000);
}

function unq(s: string | undefined): string | undefined {
  if (s === undefined || s === '-' || s === '') return undefined;
  return s.includes('\\"') ? s.replace(/\\"/g, '"') : s;
}

/** nginx/Apache combined access log forwarded over syslog → ECS `http.*`, `url.*`, `source.*`. */
export function enrichAccessLog(doc: Doc, program: string | undefined, msg: string): boolean {
  const m = ACCESS.exec(msg);
  if (!m) return false;
  const [, client, , authUser, time, request, status, bytes, referrer, agent] = m as unknown as (string | undefined)[];
  setEndpointIp(doc, 'source', client);
  if (authUser && authUser !== '-') {
    obj(doc, 'user').name = authUser;
    const rel = obj(doc, 'related');
    const list = (rel.user as string[] | undefined) ?? [];
    if (!list.includes(authUser)) list.push(authUser);
    rel.user = list;
  }
  const t = time ? clfTime(time) : undefined;
  if (t) doc['@timestamp'] = t;
  const http = obj(doc, 'http');
  const req = obj(http, 'request');
  const parts = (request ?? '').split(' ');
  if (parts.length >= 2 && /^[A-Z]{1,16}$/.test(parts[0]!)) {
    req.method = parts[0];
    obj(doc, 'url').original = parts.slice(1, parts.length >= 3 ? -1 : undefined).join(' ');
    const ver = parts.length >= 3 ? parts[parts.length - 1]! : undefined;
    if (ver?.startsWith('HTTP/')) http.version = ver.slice(5);
  }
  const ref = unq(referrer);
  if (ref) req.referrer = ref;
  const resp = obj(http, 'response');
  resp.status_code = Number(status);
  const b = toUint(bytes);
  if (b !== undefined) resp.body = { bytes: b };
  const ua = unq(agent);
  if (ua) doc.user_agent = { original: ua };
  const e = obj(doc, 'event');
  e.category = ['web'];
  e.type = ['access'];
  e.outcome = Number(status) < 400 ? 'success' : 'failure';
  const prog = (program ?? '').toLowerCase();
  e.module = prog.startsWith('nginx') ? 'nginx' : prog.startsWith('apache') || prog.startsWith('httpd') ? 'apache' : 'http';
  e.dataset = `${e.module}.access`;
  return true;
}
