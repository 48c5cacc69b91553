import type { RawEventDoc } from '../../schema/ecs.js';
import { type Parsed, ok, fail } from '../../schema/result.js';
import { setPath as setField } from '../zeek/set-path.js';
import { toIsoTime } from '../zeek/time.js';

/**
 * Suricata EVE JSON record → ECS. The record is kept whole under `suricata.eve.*`; ECS fields are
 * derived for the event types analysts search most (alert, flow, dns, http, tls, fileinfo, anomaly,
 * ssh, smtp). Field names follow Suricata's documented EVE output.
 */

type Doc = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Doc | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : undefined);

function put(doc: Doc, path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  setField(doc, path, value);
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}

type Mapper = (r: Doc, sub: Doc, doc: Doc) => void;

const MAPPERS: Record<string, Mapper> = {
  alert(_r, a, doc) {
    put(doc, 'event.kind', 'alert');
    put(doc, 'event.category', ['network', 'intrusion_detection']);
    const action = str(a.action);
    put(doc, 'event.type', action === 'blocked' ? ['denied'] : action === 'allowed' ? ['allowed'] : ['info']);
    const sid = num(a.signature_id);
    put(doc, 'rule.id', sid !== undefined ? String(sid) : undefined);
    put(doc, 'rule.name', str(a.signature));
    put(doc, 'rule.category', str(a.category));
    put(doc, 'event.severity', num(a.severity));
    put(doc, 'message', str(a.signature));
  },
  flow(_r, f, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['connection', str(f.state) === 'closed' ? 'end' : 'info']);
    const ps = num(f.pkts_toserver);
    const pc = num(f.pkts_toclient);
    const bs = num(f.bytes_toserver);
    const bc = num(f.bytes_toclient);
    put(doc, 'source.packets', ps);
    put(doc, 'destination.packets', pc);
    put(doc, 'source.bytes', bs);
    put(doc, 'destination.bytes', bc);
    put(doc, 'network.packets', sum(ps, pc));
    put(doc, 'network.bytes', sum(bs, bc));
    const start = toIsoTime(f.start);
    const end = toIsoTime(f.end);
    put(doc, 'event.start', start);
    put(doc, 'event.end', end);
    if (start && end) put(doc, 'event.duration', (Date.parse(end) - Date.parse(start)) * 1e6);
  },
  dns(_r, d, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'dns');
    put(doc, 'dns.type', str(d.type));
    put(doc, 'dns.id', num(d.id));
    put(doc, 'dns.question.name', str(d.rrname));
    put(doc, 'dns.question.type', str(d.rrtype));
    put(doc, 'dns.response_code', str(d.rcode));
    const answers: Doc[] = [];
    if (Array.isArray(d.answers)) {
      for (const a of d.answers) {
        const o = obj(a);
        if (o) answers.push({ name: o.rrname, type: o.rrtype, ttl: o.ttl, data: o.rdata });
      }
    } else if (str(d.type) === 'answer' && d.rdata !== undefined) {
      // EVE v1 writes one answer record per line.
      answers.push({ name: d.rrname, type: d.rrtype, ttl: d.ttl, data: d.rdata });
    }
    if (answers.length) {
      put(doc, 'dns.answers', answers);
      const ips = answers.filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => a.data);
      if (ips.length) put(doc, 'dns.resolved_ip', ips);
    }
  },
  http(_r, h, doc) {
    put(doc, 'event.category', ['network', 'web']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'http');
    put(doc, 'http.request.method', str(h.http_method));
    put(doc, 'http.request.referrer', str(h.http_refer));
    put(doc, 'http.response.status_code', num(h.status));
    put(doc, 'http.response.body.bytes', num(h.length));
    put(doc, 'http.response.mime_type', str(h.http_content_type));
    const proto = str(h.protocol);
    if (proto?.startsWith('HTTP/')) put(doc, 'http.version', proto.slice(5));
    put(doc, 'user_agent.original', str(h.http_user_agent));
    const host = str(h.hostname);
    const url = str(h.url);
    put(doc, 'url.domain', host);
    put(doc, 'destination.domain', host);
    if (url !== undefined) {
      put(doc, 'url.original', url);
      const q = url.indexOf('?');
      put(doc, 'url.path', q === -1 ? url : url.slice(0, q));
      if (q !== -1) put(doc, 'url.query', url.slice(q + 1));
    }
  },
  tls(_r, t, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'tls');
    put(doc, 'tls.server.name', str(t.sni));
    put(doc, 'destination.domain', str(t.sni));
    put(doc, 'tls.server.subject', str(t.subject));
    put(doc, 'tls.server.issuer', str(t.issuerdn));
    put(doc, 'tls.server.x509.serial_number', str(t.serial));
    const fp = str(t.fingerprint);
    if (fp) put(doc, 'tls.server.hash.sha1', fp.replace(/:/g, '').toUpperCase());
    put(doc, 'tls.server.not_before', toIsoTime(t.notbefore));
    put(doc, 'tls.server.not_after', toIsoTime(t.notafter));
    const m = /^(TLS|SSL)\s*v?(\d(?:\.\d)?)$/i.exec(str(t.version) ?? '');
    if (m) {
      put(doc, 'tls.version_protocol', m[1]!.toLowerCase());
      put(doc, 'tls.version', m[2]);
    }
    put(doc, 'tls.client.ja3', str(obj(t.ja3)?.hash));
    put(doc, 'tls.server.ja3s', str(obj(t.ja3s)?.hash));
  },
  fileinfo(r, f, doc) {
    put(doc, 'event.category', ['file', 'network']);
    put(doc, 'event.type', ['info']);
    const name = str(f.filename);
    put(doc, 'file.path', name);
    if (name) put(doc, 'file.name', name.slice(name.lastIndexOf('/') + 1));
    put(doc, 'file.size', num(f.size));
    put(doc, 'file.mime_type', str(f.magic));
    put(doc, 'file.hash.md5', str(f.md5));
    put(doc, 'file.hash.sha1', str(f.sha1));
    put(doc, 'file.hash.sha256', str(f.sha256));
    const http = obj(r.http);
    if (http) MAPPERS.http!(r, http, doc);
    put(doc, 'event.category', ['file', 'network']);
  },
  anomaly(_r, a, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['info']);
    put(doc, 'event.action', str(a.event));
    put(doc, 'message', [str(a.type), str(a.layer), str(a.event)].filter(Boolean).join(': '));
  },
  ssh(_r, s, doc) {
    put(doc, 'event.category', ['network']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'ssh');
    const client = obj(s.client);
    const server = obj(s.server);
    put(doc, 'ssh.client', str(client?.software_version));
    put(doc, 'ssh.server', str(server?.software_version));
  },
  smtp(r, s, doc) {
    put(doc, 'event.category', ['network', 'email']);
    put(doc, 'event.type', ['protocol']);
    put(doc, 'network.protocol', 'smtp');
    const email = obj(r.email);
    const from = str(s.mail_from) ?? str(email?.from);
    put(doc, 'email.from.address', from ? [from.replace(/^<|>$/g, '')] : undefined);
    const to = Array.isArray(s.rcpt_to) ? s.rcpt_to : Array.isArray(email?.to) ? email.to : undefined;
    if (to?.length) put(doc, 'email.to.address', to.map((t) => (typeof t === 'string' ? t.replace(/^<|>$/g, '') : t)));
    put(doc, 'email.subject', str(email?.subject));
  },
};

const TRANSPORTS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'ipv6-icmp' };

export function normalizeEve(record: Record<string, unknown>): Parsed<RawEventDoc> {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return fail('eve: record is not an object');
  const type = str(record.event_type);
  if (!type) return fail('eve: no event_type');
  const ts = toIsoTime(record.timestamp);
  if (!ts) return fail(`eve ${type}: missing or invalid timestamp`);
  const doc: Doc = { '@timestamp': ts, event: { kind: 'event', module: 'suricata', dataset: 'suricata.eve', action: type } };
  put(doc, 'source.ip', str(record.src_ip));
  put(doc, 'source.port', num(record.src_port));
  put(doc, 'destination.ip', str(record.dest_ip));
  put(doc, 'destination.port', num(record.dest_port));
  const proto = record.proto;
  const transport = typeof proto === 'string' ? (TRANSPORTS[proto] ?? proto.toLowerCase()) : typeof proto === 'number' ? (TRANSPORTS[String(proto)] ?? String(proto)) : undefined;
  put(doc, 'network.transport', transport);
  put(doc, 'network.protocol', str(record.app_proto) && record.app_proto !== 'failed' ? str(record.app_proto) : undefined);
  put(doc, 'network.community_id', str(record.community_id));
  put(doc, 'observer.hostname', str(record.host));
  put(doc, 'observer.ingress.interface.name', str(record.in_iface));
  put(doc, 'observer.product', 'suricata');
  put(doc, 'observer.type', 'ids');
  const sub = obj(record[type]) ?? {};
  MAPPERS[type]?.(record, sub, doc);
  // An alert line carries the protocol block of its flow too (e.g. `http`, `dns`): map those for search.
  if (type === 'alert') {
    for (const p of ['http', 'dns', 'tls'] as const) {
      const block = obj(record[p]);
      if (block) {
        const kind = (doc.event as Doc).kind;
        const cat = (doc.event as Doc).category;
        const t = (doc.event as Doc).type;
        MAPPERS[p]!(record, block, doc);
        Object.assign(doc.event as Doc, { kind, category: cat, type: t });
      }
    }
  }
  const ips = [str(record.src_ip), str(record.dest_ip)].filter((x): x is string => x !== undefined);
  if (ips.length) put(doc, 'related.ip', [...new Set(ips)]);
  doc.suricata = { eve: record };
  return ok(doc);
}
