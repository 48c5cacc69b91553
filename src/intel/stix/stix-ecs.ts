/**
 * Where a STIX Cyber Observable property lives in an ECS event. A STIX object path names one
 * property of one observable; in ECS the same fact can sit in several fields (an IPv4 address is
 * the source, the destination or a related address), so a path maps to a list of fields and a
 * comparison is true when any of their values satisfies it.
 */
import type { VigilEvent } from '../../schema/ecs.js';
import { getField } from '../../schema/fields.js';
import { parseIp } from '../ip.js';
import type { ObjectPath } from './pattern-ast.js';

const IP_FIELDS = ['source.ip', 'destination.ip', 'client.ip', 'server.ip', 'host.ip', 'related.ip'];
const DOMAIN_FIELDS = [
  'dns.question.name',
  'url.domain',
  'destination.domain',
  'source.domain',
  'server.domain',
  'client.domain',
  'tls.client.server_name',
];
const hashFields = (alg: string): string[] => [
  `file.hash.${alg}`,
  `process.hash.${alg}`,
  `process.parent.hash.${alg}`,
  `dll.hash.${alg}`,
];

/** STIX hash names (`SHA-256`, `sha256`, `MD5`...) → the ECS `hash.*` key. */
export function hashAlgorithm(name: string): string {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  return n === 'sha3256' ? 'sha3_256' : n === 'sha3512' ? 'sha3_512' : n;
}

type Extractor = string[] | ((e: VigilEvent) => unknown[]);

const dstType = (e: VigilEvent): unknown[] => {
  const ip = getField(e, 'destination.ip');
  const parsed = typeof ip === 'string' ? parseIp(ip) : undefined;
  if (parsed) return [parsed.v === 4 ? 'ipv4-addr' : 'ipv6-addr'];
  return getField(e, 'destination.domain') !== undefined ? ['domain-name'] : [];
};
const srcType = (e: VigilEvent): unknown[] => {
  const ip = getField(e, 'source.ip');
  const parsed = typeof ip === 'string' ? parseIp(ip) : undefined;
  return parsed ? [parsed.v === 4 ? 'ipv4-addr' : 'ipv6-addr'] : [];
};

/** Keyed by `<object type>:<property chain without list indexes>`. */
const PATHS: Record<string, Extractor> = {
  'ipv4-addr:value': IP_FIELDS,
  'ipv6-addr:value': IP_FIELDS,
  'domain-name:value': DOMAIN_FIELDS,
  'domain-name:resolves_to_refs.value': ['dns.resolved_ip', 'destination.ip'],
  'url:value': ['url.full', 'url.original'],
  'file:name': ['file.name', 'process.name', 'dll.name'],
  'file:size': ['file.size'],
  'file:mime_type': ['file.mime_type'],
  'file:parent_directory_ref.path': ['file.directory'],
  'file:created': ['file.created'],
  'file:modified': ['file.mtime'],
  'directory:path': ['file.directory'],
  'artifact:mime_type': ['file.mime_type'],
  'email-addr:value': ['email.from.address', 'email.to.address', 'email.sender.address', 'user.email'],
  'email-message:from_ref.value': ['email.from.address'],
  'email-message:sender_ref.value': ['email.sender.address', 'email.from.address'],
  'email-message:to_refs.value': ['email.to.address'],
  'email-message:subject': ['email.subject'],
  'email-message:body_multipart.body_raw_ref.name': ['email.attachments.file.name'],
  'user-account:user_id': ['user.id'],
  'user-account:account_login': ['user.name'],
  'user-account:display_name': ['user.full_name'],
  'windows-registry-key:key': ['registry.path', 'registry.key'],
  'win-registry-key:key': ['registry.path', 'registry.key'],
  'windows-registry-key:values.name': ['registry.value'],
  'windows-registry-key:values.data': ['registry.data.strings'],
  'network-traffic:src_port': ['source.port'],
  'network-traffic:dst_port': ['destination.port'],
  'network-traffic:src_ref.value': ['source.ip', 'source.domain'],
  'network-traffic:dst_ref.value': ['destination.ip', 'destination.domain'],
  'network-traffic:src_ref.type': srcType,
  'network-traffic:dst_ref.type': dstType,
  'network-traffic:protocols': (e) => [getField(e, 'network.transport'), getField(e, 'network.protocol')],
  'network-traffic:src_byte_count': ['source.bytes'],
  'network-traffic:dst_byte_count': ['destination.bytes'],
  'process:command_line': ['process.command_line'],
  'process:name': ['process.name'],
  'process:pid': ['process.pid'],
  'process:cwd': ['process.working_directory'],
  'process:image_ref.name': ['process.name'],
  'process:binary_ref.name': ['process.name'],
  'process:parent_ref.name': ['process.parent.name'],
  'process:parent_ref.command_line': ['process.parent.command_line'],
  'x509-certificate:serial_number': ['tls.server.x509.serial_number'],
  'x509-certificate:issuer': ['tls.server.x509.issuer.distinguished_name', 'tls.server.issuer'],
  'x509-certificate:subject': ['tls.server.x509.subject.distinguished_name', 'tls.server.subject'],
  'mac-addr:value': ['source.mac', 'destination.mac', 'host.mac'],
  'autonomous-system:number': ['source.as.number', 'destination.as.number'],
  'autonomous-system:name': ['source.as.organization.name', 'destination.as.organization.name'],
  'software:name': ['package.name'],
  'mutex:name': ['mutex.name'],
  'user-agent:value': ['user_agent.original'],
  'x-user-agent:value': ['user_agent.original'],
};

/** Paths whose values compare case-insensitively (hex digests, DNS names, mail addresses, registry). */
export function caseInsensitive(path: ObjectPath): boolean {
  const t = path.objectType;
  const first = path.steps[0];
  return (
    (first?.kind === 'prop' && first.name === 'hashes') ||
    t === 'domain-name' ||
    t === 'email-addr' ||
    t === 'windows-registry-key' ||
    t === 'win-registry-key'
  );
}

/** True for paths holding an IP address, where `=` with a CIDR literal means "inside". */
export function isIpPath(path: ObjectPath): boolean {
  const key = pathKey(path);
  return (
    key === 'ipv4-addr:value' ||
    key === 'ipv6-addr:value' ||
    key.endsWith('_ref.value') ||
    key === 'domain-name:resolves_to_refs.value'
  );
}

export function pathKey(path: ObjectPath): string {
  const props = path.steps.filter((s) => s.kind === 'prop').map((s) => (s as { name: string }).name);
  return `${path.objectType}:${props.join('.')}`;
}

/** The ECS fields a path reads, when it has a fixed list (used to index pattern indicators). */
export function ecsFieldsOf(path: ObjectPath): string[] | undefined {
  const first = path.steps[0];
  if (first?.kind === 'prop' && first.name === 'hashes') {
    const alg = path.steps[1];
    if (alg?.kind !== 'prop') return undefined;
    const a = hashAlgorithm(alg.name);
    return path.objectType === 'x509-certificate' ? [`tls.server.hash.${a}`] : hashFields(a);
  }
  const e = PATHS[pathKey(path)];
  return Array.isArray(e) ? e : undefined;
}

/** Every value the event holds for a STIX path (arrays flattened); empty when it has none. */
export function valuesFor(event: VigilEvent, path: ObjectPath): unknown[] {
  const fields = ecsFieldsOf(path);
  let raw: unknown[];
  if (fields) raw = fields.map((f) => getField(event, f));
  else {
    const e = PATHS[pathKey(path)];
    raw = typeof e === 'function' ? e(event) : [];
  }
  const out: unknown[] = [];
  for (const v of raw) {
    if (Array.isArray(v)) {
      for (const x of v) if (x !== undefined && x !== null) out.push(x);
    } else if (v !== undefined && v !== null) out.push(v);
  }
  return out;
}
