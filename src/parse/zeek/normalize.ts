import type { RawEventDoc } from '../../schema/ecs.js';
import { type Parsed, ok, fail } from '../../schema/result.js';
import { setPath as setField } from './set-path.js';
import { toIsoTime } from './time.js';

/**
 * Zeek record (from TSV or JSON) → ECS document. Every source field is kept under
 * `zeek.<log>.<field>`; the common ones are also mapped to ECS. TSV and JSON inputs of the same log
 * line give the same document: times become ISO strings and fractional numbers are rounded to the
 * microsecond, which is all the precision Zeek's TSV writer keeps.
 */

/** Fields Zeek types as `time` besides `ts`, so JSON epoch values can be converted like TSV ones. */
const TIME_FIELDS = new Set(['ts', 'certificate.not_valid_before', 'certificate.not_valid_after', 'lease_time_start']);
/** Zeek-JSON writer metadata, not part of the record. */
const META_FIELDS = new Set(['_path', '_write_ts', '_system_name', '@stream', '@system', '@proc']);

type Doc = Record<string, unknown>;

function canonical(key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
    if (TIME_FIELDS.has(key)) return toIsoTime(value) ?? value;
    return Math.round(value * 1e6) / 1e6;
  }
  if (typeof value === 'string' && TIME_FIELDS.has(key)) return toIsoTime(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => canonical('', v));
  return value;
}

/** `id_orig_h` (some exporters) → `id.orig_h` (Zeek's own name). */
function canonicalKey(key: string): string {
  return key.startsWith('id_') ? `id.${key.slice(3)}` : key;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

function put(doc: Doc, path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  setField(doc, path, value);
}

const IP_RE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

function tlsVersion(v: string | undefined): [string, string] | undefined {
  if (!v) return undefined;
  const m = /^(TLS|SSL|DTLS)v?(\d)(\d)?$/i.exec(v.replace('.', ''));
  if (!m) return undefined;
  return [m[1]!.toLowerCase(), m[3] !== undefined ? `${m[2]}.${m[3]}` : m[2]!];
}

type Mapper = (r: Doc, doc: Doc) => void;

const MAPPERS: Record<string, Mapper> = {
  conn(r, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['connection']);
    put(doc, 'network.protocol', str(r.service));
    const dur = num(r.duration);
    if (dur !== undefined) put(doc, 'event.duration', Math.round(dur * 1e9));
    put(doc, 'source.bytes', num(r.orig_bytes));
    put(doc, 'destination.bytes', num(r.resp_bytes));
    put(doc, 'source.packets', num(r.orig_pkts));
    put(doc, 'destination.packets', num(r.resp_pkts));
    const ob = num(r.orig_ip_bytes) ?? num(r.orig_bytes);
    const rb = num(r.resp_ip_bytes) ?? num(r.resp_bytes);
    if (ob !== undefined || rb !== undefined) put(doc, 'network.bytes', (ob ?? 0) + (rb ?? 0));
    const op = num(r.orig_pkts);
    const rp = num(r.resp_pkts);
    if (op !== undefined || rp !== undefined) put(doc, 'network.packets', (op ?? 0) + (rp ?? 0));
    put(doc, 'source.mac', str(r.orig_l2_addr));
    put(doc, 'destination.mac', str(r.resp_l2_addr));
    if (r.local_orig === true && r.local_resp === true) put(doc, 'network.direction', 'internal');
    else if (r.local_orig === true && r.local_resp === false) put(doc, 'network.direction', 'outbound');
    else if (r.local_orig === false && r.local_resp === true) put(doc, 'network.direction', 'inbound');
  },
  dns(r, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['protocol', 'info']);
    put(doc, 'network.protocol', 'dns');
    put(doc, 'dns.id', num(r.trans_id));
    put(doc, 'dns.question.name', str(r.query));
    put(doc, 'dns.question.type', str(r.qtype_name));
    put(doc, 'dns.question.class', str(r.qclass_name));
    put(doc, 'dns.response_code', str(r.rcode_name));
    put(doc, 'dns.type', r.rcode !== undefined || Array.isArray(r.answers) ? 'answer' : 'query');
    const flags: string[] = [];
    for (const f of ['AA', 'TC', 'RD', 'RA'] as const) if (r[f] === true) flags.push(f);
    if (flags.length) put(doc, 'dns.header_flags', flags);
    if (Array.isArray(r.answers)) {
      const ttls = Array.isArray(r.TTLs) ? r.TTLs : [];
      put(
        doc,
        'dns.answers',
        r.answers.map((a, i) => (ttls[i] !== undefined ? { data: a, ttl: ttls[i] } : { data: a })),
      );
      const ips = r.answers.filter((a): a is string => typeof a === 'string' && IP_RE.test(a));
      if (ips.length) put(doc, 'dns.resolved_ip', ips);
    }
    if (r.rejected === true) put(doc, 'event.outcome', 'failure');
  },
  http(r, doc) {
    put(doc, 'event.category', ['network', 'web']);
    put(doc, 'event.type', ['connection', 'protocol']);
    put(doc, 'network.protocol', 'http');
    put(doc, 'http.request.method', str(r.method));
    put(doc, 'http.request.referrer', str(r.referrer));
    put(doc, 'http.request.body.bytes', num(r.request_body_len));
    put(doc, 'http.response.body.bytes', num(r.response_body_len));
    put(doc, 'http.response.status_code', num(r.status_code));
    put(doc, 'http.version', str(r.version));
    put(doc, 'user_agent.original', str(r.user_agent));
    const host = str(r.host);
    const uri = str(r.uri);
    put(doc, 'url.domain', host);
    put(doc, 'destination.domain', host);
    if (uri !== undefined) {
      put(doc, 'url.original', uri);
      const q = uri.indexOf('?');
      put(doc, 'url.path', q === -1 ? uri : uri.slice(0, q));
      if (q !== -1) put(doc, 'url.query', uri.slice(q + 1));
    }
    const status = num(r.status_code);
    if (status !== undefined) put(doc, 'event.outcome', status < 400 ? 'success' : 'failure');
    put(doc, 'user.name', str(r.username));
  },
  ssl(r, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['connection', 'protocol']);
    put(doc, 'network.protocol', 'tls');
    const v = tlsVersion(str(r.version));
    if (v) {
      put(doc, 'tls.version_protocol', v[0]);
      put(doc, 'tls.version', v[1]);
    }
    put(doc, 'tls.cipher', str(r.cipher));
    put(doc, 'tls.curve', str(r.curve));
    put(doc, 'tls.server.name', str(r.server_name));
    put(doc, 'destination.domain', str(r.server_name));
    if (typeof r.resumed === 'boolean') put(doc, 'tls.resumed', r.resumed);
    if (typeof r.established === 'boolean') put(doc, 'tls.established', r.established);
    put(doc, 'tls.next_protocol', str(r.next_protocol));
    put(doc, 'tls.server.subject', str(r.subject));
    put(doc, 'tls.server.issuer', str(r.issuer));
    put(doc, 'tls.client.ja3', str(r.ja3));
    put(doc, 'tls.server.ja3s', str(r.ja3s));
  },
  x509(r, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['info']);
    const ver = r['certificate.version'];
    put(doc, 'x509.version_number', typeof ver === 'number' || typeof ver === 'string' ? String(ver) : undefined);
    put(doc, 'x509.serial_number', str(r['certificate.serial']));
    put(doc, 'x509.subject.distinguished_name', str(r['certificate.subject']));
    put(doc, 'x509.issuer.distinguished_name', str(r['certificate.issuer']));
    put(doc, 'x509.not_before', str(r['certificate.not_valid_before']));
    put(doc, 'x509.not_after', str(r['certificate.not_valid_after']));
    put(doc, 'x509.public_key_algorithm', str(r['certificate.key_alg']));
    put(doc, 'x509.signature_algorithm', str(r['certificate.sig_alg']));
    put(doc, 'x509.public_key_size', num(r['certificate.key_length']));
    put(doc, 'x509.public_key_exponent', num(Number(r['certificate.exponent'])));
    put(doc, 'x509.public_key_curve', str(r['certificate.curve']));
    const sans = Array.isArray(r['san.dns']) ? r['san.dns'] : undefined;
    if (sans?.length) put(doc, 'x509.alternative_names', sans);
    put(doc, 'file.hash.sha256', typeof r.fingerprint === 'string' && r.fingerprint.length === 64 ? r.fingerprint : undefined);
  },
  files(r, doc) {
    put(doc, 'event.category', ['file']);
    put(doc, 'event.type', ['info']);
    put(doc, 'file.name', str(r.filename));
    put(doc, 'file.mime_type', str(r.mime_type));
    put(doc, 'file.size', num(r.total_bytes) ?? num(r.seen_bytes));
    put(doc, 'file.hash.md5', str(r.md5));
    put(doc, 'file.hash.sha1', str(r.sha1));
    put(doc, 'file.hash.sha256', str(r.sha256));
    put(doc, 'source.ip', str(first(r.tx_hosts)));
    put(doc, 'destination.ip', str(first(r.rx_hosts)));
    put(doc, 'network.protocol', typeof r.source === 'string' ? r.source.toLowerCase() : undefined);
  },
  notice(r, doc) {
    put(doc, 'event.kind', 'alert');
    put(doc, 'event.category', ['intrusion_detection']);
    put(doc, 'event.type', ['info']);
    put(doc, 'rule.name', str(r.note));
    put(doc, 'message', str(r.msg));
    put(doc, 'source.ip', str(r.src));
    put(doc, 'destination.ip', str(r.dst));
    put(doc, 'destination.port', num(r.p));
    put(doc, 'network.transport', str(r.proto));
  },
  weird(r, doc) {
    put(doc, 'event.kind', 'alert');
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['info']);
    put(doc, 'rule.name', str(r.name));
    put(doc, 'message', str(r.addl) ? `${str(r.name)}: ${str(r.addl)}` : str(r.name));
  },
  ssh(r, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['connection', 'protocol']);
    put(doc, 'network.protocol', 'ssh');
    if (typeof r.auth_success === 'boolean') {
      put(doc, 'event.category', ['network', 'authentication']);
      put(doc, 'event.outcome', r.auth_success ? 'success' : 'failure');
    }
    put(doc, 'ssh.client', str(r.client));
    put(doc, 'ssh.server', str(r.server));
  },
  smtp(r, doc) {
    put(doc, 'event.category', ['network', 'email']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'smtp');
    put(doc, 'email.from.address', str(r.mailfrom) ? [str(r.mailfrom)] : undefined);
    put(doc, 'email.to.address', Array.isArray(r.rcptto) && r.rcptto.length ? r.rcptto : undefined);
    put(doc, 'email.subject', str(r.subject));
    put(doc, 'email.message_id', str(r.msg_id));
    put(doc, 'user_agent.original', str(r.user_agent));
  },
  dhcp(r, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['connection', 'protocol']);
    put(doc, 'network.protocol', 'dhcp');
    put(doc, 'source.ip', str(r.client_addr));
    put(doc, 'destination.ip', str(r.server_addr));
    put(doc, 'source.mac', str(r.mac));
    put(doc, 'source.domain', str(r.host_name));
    put(doc, 'host.hostname', str(r.host_name));
  },
  kerberos(r, doc) {
    put(doc, 'event.category', ['network', 'authentication']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'kerberos');
    if (typeof r.success === 'boolean') put(doc, 'event.outcome', r.success ? 'success' : 'failure');
    const client = str(r.client);
    if (client) put(doc, 'user.name', client.split('/')[0]);
  },
  ntlm(r, doc) {
    put(doc, 'event.category', ['network', 'authentication']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'ntlm');
    put(doc, 'user.name', str(r.username));
    put(doc, 'user.domain', str(r.domainname));
    if (typeof r.success === 'boolean') put(doc, 'event.outcome', r.success ? 'success' : 'failure');
  },
  rdp(r, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'rdp');
  },
  ftp(r, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'ftp');
    put(doc, 'user.name', str(r.user));
  },
};

/**
 * Maps one Zeek record to ECS. `logType` is the log name (`dns`, `conn`, ...); an empty log type is
 * taken from the record's `_path`/`@stream` if present.
 */
export function normalizeZeek(record: Record<string, unknown>, logType: string): Parsed<RawEventDoc> {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return fail('zeek: record is not an object');
  let log = logType || str(record._path) || str(record['@stream']) || '';
  if (!/^[A-Za-z0-9_-]*$/.test(log)) log = log.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!log) return fail('zeek: unknown log type (no _path and none given)');
  const r: Doc = {};
  for (const k in record) {
    if (!Object.prototype.hasOwnProperty.call(record, k)) continue;
    const v = record[k];
    if (v === null || v === undefined || META_FIELDS.has(k)) continue;
    const key = canonicalKey(k);
    r[key] = canonical(key, v);
  }
  const doc: Doc = {};
  const ts = toIsoTime(r.ts);
  if (!ts) return fail(`zeek ${log}: missing or invalid ts`);
  doc['@timestamp'] = ts;
  const event: Doc = { kind: 'event', module: 'zeek', dataset: `zeek.${log}` };
  doc.event = event;
  put(doc, 'zeek.session_id', str(r.uid));
  put(doc, 'source.ip', str(r['id.orig_h']));
  put(doc, 'source.port', num(r['id.orig_p']));
  put(doc, 'destination.ip', str(r['id.resp_h']));
  put(doc, 'destination.port', num(r['id.resp_p']));
  put(doc, 'network.transport', str(r.proto));
  put(doc, 'network.community_id', str(r.community_id));
  MAPPERS[log]?.(r, doc);
  const sysName = str(record['@system']) ?? str(record._system_name);
  if (sysName) put(doc, 'observer.hostname', sysName);
  put(doc, 'observer.product', 'zeek');
  put(doc, 'observer.type', 'ids');
  const related = new Set<string>();
  for (const p of [doc.source, doc.destination] as (Doc | undefined)[]) {
    const ip = p?.ip;
    if (typeof ip === 'string') related.add(ip);
  }
  if (related.size) put(doc, 'related.ip', [...related]);
  const zeekNs: Doc = {};
  for (const k in r) setField(zeekNs, k, r[k]);
  const zeek = (doc.zeek as Doc | undefined) ?? {};
  zeek[log] = zeekNs;
  doc.zeek = zeek;
  return ok(doc);
}
