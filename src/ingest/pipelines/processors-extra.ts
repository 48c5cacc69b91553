import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { communityId } from '../../parse/netflow/community-id.js';
import { parseIp } from '../../parse/netflow/ip-address.js';
import { isObj, ProcessorError, type IngestDoc } from './document.js';
import { asString, bool, field, inputValue as input, parse, stringOp } from './processor-kit.js';
import type { ProcessorFactory } from './processors.js';
import { isTemplate, renderTemplate } from './template.js';

/**
 * More Elasticsearch ingest processors (csv, bytes, html_strip, sort, reroute, fingerprint,
 * community_id, network_direction, uri_parts), kept apart from processors.ts so that file stays
 * readable. Semantics and error texts follow the Elasticsearch reference for each processor.
 */

// ---------------------------------------------------------------- csv

/**
 * One CSV line into fields, as Elasticsearch's CsvParser reads it: quoted fields may hold the
 * separator and doubled quotes; `trim` strips whitespace outside quotes only.
 */
export function parseCsvLine(line: string, sep: string, quote: string, trim: boolean): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    let start = i;
    if (trim) while (start < n && (line[start] === ' ' || line[start] === '\t')) start++;
    if (start < n && line[start] === quote) {
      let value = '';
      let j = start + 1;
      for (;;) {
        if (j >= n) throw new ProcessorError(`Unmatched quote`);
        if (line[j] === quote) {
          if (line[j + 1] === quote) {
            value += quote;
            j += 2;
            continue;
          }
          j++;
          break;
        }
        value += line[j++];
      }
      while (trim && j < n && (line[j] === ' ' || line[j] === '\t')) j++;
      if (j < n && line[j] !== sep) throw new ProcessorError(`Quote found in the middle of the field`);
      out.push(value);
      if (j >= n) return out;
      i = j + 1;
      continue;
    }
    let end = line.indexOf(sep, start);
    if (end === -1) end = n;
    let value = line.slice(start, end);
    if (value.includes(quote)) throw new ProcessorError(`Illegal character inside unquoted field at ${end}`);
    if (trim) value = value.replace(/[ \t]+$/, '');
    out.push(value);
    if (end >= n) return out;
    i = end + 1;
  }
}

const csv: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({
      field,
      target_fields: z.union([field, z.array(field).min(1)]),
      separator: z.string().length(1, 'separator has to be single character like , or ;').default(','),
      quote: z.string().length(1, 'quote has to be single character like " or \'').default('"'),
      trim: bool.default(false),
      empty_value: z.unknown().optional(),
      ignore_missing: bool.default(false),
    }),
    config,
    'csv',
  );
  const targets = Array.isArray(c.target_fields) ? c.target_fields : [c.target_fields];
  return (doc) => {
    const v = input(doc, c.field, c.ignore_missing, 'parse csv');
    if (v === undefined) return;
    const values = parseCsvLine(asString(v, c.field), c.separator, c.quote, c.trim);
    targets.forEach((t, k) => {
      const x = values[k];
      if (x === undefined) return;
      // Elasticsearch leaves empty fields out unless empty_value says what to write.
      if (x === '') {
        if (c.empty_value !== undefined) doc.set(t, c.empty_value);
        return;
      }
      doc.set(t, x);
    });
  };
};

// ---------------------------------------------------------------- bytes

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
  pb: 1024 ** 5,
};

/** "1kb" → 1024, as ByteSizeValue parses (binary units; a bare number is refused). */
export function parseBytes(text: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([kmgtp]?b)\s*$/i.exec(text);
  if (!m)
    throw new ProcessorError(
      `failed to parse setting [Ingest Field] with value [${text}] as a size in bytes: unit is missing or unrecognized`,
    );
  const n = Number(m[1]) * BYTE_UNITS[m[2]!.toLowerCase()]!;
  if (n < 0) throw new ProcessorError(`failed to parse value [${text}] as a size in bytes: must be >= 0`);
  return Math.floor(n);
}

// ---------------------------------------------------------------- html_strip

const BLOCK_TAGS = new Set(
  'address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul'.split(
    ' ',
  ),
);
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '\u00a9',
  reg: '\u00ae',
};

/** Lucene's HTMLStripCharFilter in short: tags go, block-level tags become a newline, entities decode. */
export function htmlStrip(s: string): string {
  return s
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g, (_m, tag: string) =>
      BLOCK_TAGS.has(tag.toLowerCase()) ? '\n' : '',
    )
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

// ---------------------------------------------------------------- sort

const sort: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({
      field,
      order: z.enum(['asc', 'desc']).default('asc'),
      target_field: field.optional(),
    }),
    config,
    'sort',
  );
  return (doc) => {
    const v = doc.get(c.field);
    if (!Array.isArray(v))
      throw new ProcessorError(`field [${c.field}] of type [${typeof v}] cannot be cast to [java.util.List]`);
    const kinds = new Set<string>(v.map((x) => typeof x));
    if (kinds.size > 1 || (kinds.size === 1 && !['string', 'number', 'boolean'].some((k) => kinds.has(k))))
      throw new ProcessorError(`field [${c.field}] holds values that cannot be compared to each other`);
    // Java's natural order: numbers numerically, strings by UTF-16 code unit (not locale).
    const sorted = [...(v as Array<string | number | boolean>)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (c.order === 'desc') sorted.reverse();
    doc.set(c.target_field ?? c.field, sorted);
  };
};

// ---------------------------------------------------------------- reroute

const DISALLOWED_DATASET = /[\\/*?"<>| ,#:-]/g;
const DISALLOWED_NAMESPACE = /[\\/*?"<>| ,#:]/g;

function sanitize(s: string, disallowed: RegExp): string {
  const out = s.toLowerCase().replace(disallowed, '_');
  return Buffer.from(out)
    .subarray(0, 100)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

const templatesOrStatic = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const reroute: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({
      destination: z.string().min(1).optional(),
      dataset: templatesOrStatic.optional(),
      namespace: templatesOrStatic.optional(),
    }),
    config,
    'reroute',
  );
  if (c.destination !== undefined && (c.dataset !== undefined || c.namespace !== undefined))
    throw new Error('[reroute] [destination] can only be set if dataset and namespace are not set');
  const list = (x: string | string[] | undefined, dflt: string) =>
    x === undefined ? [dflt] : Array.isArray(x) ? x : [x];
  const datasets = list(c.dataset, '{{data_stream.dataset}}');
  const namespaces = list(c.namespace, '{{data_stream.namespace}}');
  // A `{{field}}` reference falls through when the field is missing, null or not a string.
  const resolve = (doc: IngestDoc, options: string[], disallowed: RegExp): string | undefined => {
    for (const o of options) {
      const m = /^\{\{\{?\s*([^{}]+?)\s*\}?\}\}$/.exec(o);
      if (!m) return sanitize(isTemplate(o) ? renderTemplate(o, doc) : o, disallowed);
      const r = doc.lookup(m[1]!);
      if (r.found && typeof r.value === 'string' && r.value !== '') return sanitize(r.value, disallowed);
    }
    return undefined;
  };
  return (doc) => {
    if (c.destination !== undefined) {
      doc.meta._index = c.destination;
      // The rest of this pipeline and of its callers is skipped, as in Elasticsearch.
      doc.rerouted = true;
      return;
    }
    const index = typeof doc.meta._index === 'string' ? doc.meta._index : '';
    const first = index.indexOf('-');
    const last = index.lastIndexOf('-');
    if (first <= 0 || last <= first + 1 || last === index.length - 1)
      throw new ProcessorError(
        `invalid data stream name: [${index}]; must follow naming scheme <type>-<dataset>-<namespace>`,
      );
    const type = index.slice(0, first);
    const dataset = resolve(doc, datasets, DISALLOWED_DATASET) ?? index.slice(first + 1, last);
    const namespace = resolve(doc, namespaces, DISALLOWED_NAMESPACE) ?? index.slice(last + 1);
    doc.meta._index = `${type}-${dataset}-${namespace}`;
    doc.set('data_stream.type', type);
    doc.set('data_stream.dataset', dataset);
    doc.set('data_stream.namespace', namespace);
    if (doc.has('event.dataset')) doc.set('event.dataset', dataset);
    doc.rerouted = true;
  };
};

// ---------------------------------------------------------------- fingerprint

const FINGERPRINT_METHODS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-512': 'sha512',
};

/** Java's encoding of a JSON scalar (Integer/Long/Double/Boolean), so hashes match Elasticsearch's. */
function scalarBytes(v: unknown): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'boolean') return Buffer.from([v ? 1 : 0]);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
      const b = Buffer.alloc(4);
      b.writeInt32BE(v);
      return b;
    }
    const b = Buffer.alloc(8);
    if (Number.isSafeInteger(v)) b.writeBigInt64BE(BigInt(v));
    else b.writeDoubleBE(v);
    return b;
  }
  return Buffer.from(String(v), 'utf8');
}

/** A map entry on the traversal stack (distinct from a user object that happens to look alike). */
class Entry {
  constructor(
    readonly key: string,
    readonly value: unknown,
  ) {}
}

const fingerprint: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({
      fields: z.array(field).min(1),
      target_field: field.default('fingerprint'),
      salt: z.string().default(''),
      method: z.string().default('SHA-1'),
      ignore_missing: bool.default(false),
    }),
    config,
    'fingerprint',
  );
  const algo = FINGERPRINT_METHODS[c.method];
  if (!algo)
    throw new Error(
      `[fingerprint] [method] [${c.method}] must be one of the supported hash methods [${Object.keys(FINGERPRINT_METHODS).join(', ')}] (MurmurHash3 is not supported by Vigil)`,
    );
  const fields = [...c.fields].sort();
  const delimiter = Buffer.from([0]);
  return (doc) => {
    const h = createHash(algo);
    h.update(c.salt, 'utf8');
    const stack: unknown[] = [];
    for (let k = fields.length - 1; k >= 0; k--) {
      const r = doc.lookup(fields[k]!);
      if (!r.found || r.value === null || r.value === undefined) {
        if (c.ignore_missing) continue;
        throw new ProcessorError(`missing field [${fields[k]}] when calculating fingerprint`);
      }
      stack.push(r.value);
    }
    // Only reachable with ignore_missing: Elasticsearch then leaves the document as it is.
    if (stack.length === 0) return;
    // Depth-first, maps by sorted key: the same document always yields the same bytes.
    while (stack.length > 0) {
      const v = stack.pop();
      if (Array.isArray(v)) for (let k = v.length - 1; k >= 0; k--) stack.push(v[k]);
      else if (v instanceof Entry) {
        h.update(delimiter);
        h.update(scalarBytes(v.key));
        stack.push(v.value);
      } else if (isObj(v)) {
        const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        for (let k = entries.length - 1; k >= 0; k--) stack.push(new Entry(entries[k]![0], entries[k]![1]));
      } else {
        h.update(delimiter);
        h.update(scalarBytes(v));
      }
    }
    doc.set(c.target_field, h.digest('base64'));
  };
};

// ---------------------------------------------------------------- community_id

const TRANSPORTS: Record<string, number> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  'ipv6-icmp': 58,
  icmpv6: 58,
  eigrp: 88,
  ospf: 89,
  pim: 103,
  sctp: 132,
};

function toInt(v: unknown, what: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new ProcessorError(`invalid ${what} [${String(v)}]`);
  return n;
}

const communityIdProcessor: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({
      source_ip: field.default('source.ip'),
      source_port: field.default('source.port'),
      destination_ip: field.default('destination.ip'),
      destination_port: field.default('destination.port'),
      iana_number: field.default('network.iana_number'),
      icmp_type: field.default('icmp.type'),
      icmp_code: field.default('icmp.code'),
      transport: field.default('network.transport'),
      target_field: field.default('network.community_id'),
      seed: z.coerce.number().int().min(0).max(65535).default(0),
      ignore_missing: bool.default(true),
    }),
    config,
    'community_id',
  );
  const opt = (doc: IngestDoc, path: string): unknown => {
    const r = doc.lookup(path);
    return r.found && r.value !== null ? r.value : undefined;
  };
  return (doc) => {
    const sip = opt(doc, c.source_ip);
    const dip = opt(doc, c.destination_ip);
    const iana = opt(doc, c.iana_number);
    const transport = opt(doc, c.transport);
    if (sip === undefined || dip === undefined || (iana === undefined && transport === undefined)) {
      if (c.ignore_missing) return;
      const missing = sip === undefined ? c.source_ip : dip === undefined ? c.destination_ip : c.transport;
      throw new ProcessorError(`field [${missing}] not present as part of path [${missing}]`);
    }
    let proto: number;
    if (iana !== undefined) proto = toInt(iana, 'iana number');
    else {
      const t = String(transport).toLowerCase();
      proto = TRANSPORTS[t] ?? (/^\d+$/.test(t) ? Number(t) : NaN);
      if (Number.isNaN(proto))
        throw new ProcessorError(`could not convert string [${t}] to transport protocol`);
    }
    let a: number | undefined;
    let b: number | undefined;
    if (proto === 1 || proto === 58) {
      const type = opt(doc, c.icmp_type);
      const code = opt(doc, c.icmp_code);
      if (type === undefined || code === undefined) {
        if (c.ignore_missing) return;
        throw new ProcessorError(`field [${c.icmp_type}] not present as part of path [${c.icmp_type}]`);
      }
      a = toInt(type, 'icmp type');
      b = toInt(code, 'icmp code');
    } else if (proto === 6 || proto === 17 || proto === 132) {
      const sp = opt(doc, c.source_port);
      const dp = opt(doc, c.destination_port);
      if (sp === undefined || dp === undefined) {
        if (c.ignore_missing) return;
        const missing = sp === undefined ? c.source_port : c.destination_port;
        throw new ProcessorError(`field [${missing}] not present as part of path [${missing}]`);
      }
      a = toInt(sp, 'source port');
      b = toInt(dp, 'destination port');
      if (a < 1 || a > 65535 || b < 1 || b > 65535)
        throw new ProcessorError(`invalid port [${a < 1 || a > 65535 ? a : b}]`);
    }
    const s = asString(sip, c.source_ip);
    const d = asString(dip, c.destination_ip);
    const id = communityId(s, d, proto, a, b, c.seed);
    if (id === undefined) throw new ProcessorError(`cannot compute community id for [${s}] -> [${d}]`);
    doc.set(c.target_field, id);
  };
};

// ---------------------------------------------------------------- network_direction

type Matcher = (ip: string, bytes: Uint8Array) => boolean;

const inList =
  (list: BlockList): Matcher =>
  (ip) =>
    list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');

function subnets(...cidrs: string[]): BlockList {
  const b = new BlockList();
  for (const c of cidrs) {
    const [net, bits] = c.split('/') as [string, string];
    b.addSubnet(net, Number(bits), net.includes(':') ? 'ipv6' : 'ipv4');
  }
  return b;
}

const LOOPBACK = subnets('127.0.0.0/8', '::1/128');
const PRIVATE = subnets('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8');
const MULTICAST = subnets('224.0.0.0/4', 'ff00::/8');
const LINK_LOCAL_UNICAST = subnets('169.254.0.0/16', 'fe80::/10');
const LINK_LOCAL_MULTICAST = subnets('224.0.0.0/24', 'ff02::/16');
const INTERFACE_LOCAL_MULTICAST = subnets('ff01::/16');
const UNSPECIFIED = subnets('0.0.0.0/32', '::/128');
const BROADCAST = subnets('255.255.255.255/32');

const isUnicast: Matcher = (ip, bytes) =>
  !inList(MULTICAST)(ip, bytes) && !inList(UNSPECIFIED)(ip, bytes) && !inList(BROADCAST)(ip, bytes);

/** The named ranges of Elasticsearch's network_direction processor. */
const NAMED: Record<string, Matcher> = {
  loopback: inList(LOOPBACK),
  private: inList(PRIVATE),
  multicast: inList(MULTICAST),
  link_local_unicast: inList(LINK_LOCAL_UNICAST),
  link_local_multicast: inList(LINK_LOCAL_MULTICAST),
  interface_local_multicast: inList(INTERFACE_LOCAL_MULTICAST),
  unspecified: inList(UNSPECIFIED),
  unicast: isUnicast,
  global_unicast: (ip, bytes) =>
    isUnicast(ip, bytes) && !inList(LOOPBACK)(ip, bytes) && !inList(LINK_LOCAL_UNICAST)(ip, bytes),
  public: (ip, bytes) =>
    !inList(LOOPBACK)(ip, bytes) &&
    !inList(UNSPECIFIED)(ip, bytes) &&
    !inList(LINK_LOCAL_UNICAST)(ip, bytes) &&
    !inList(LINK_LOCAL_MULTICAST)(ip, bytes) &&
    !inList(INTERFACE_LOCAL_MULTICAST)(ip, bytes) &&
    !inList(BROADCAST)(ip, bytes) &&
    !inList(MULTICAST)(ip, bytes) &&
    !inList(PRIVATE)(ip, bytes),
};

function compileNetworks(names: string[]): Matcher {
  const ms = names.map((n): Matcher => {
    const named = NAMED[n];
    if (named) return named;
    const [net, bits] = n.split('/');
    const v = net ? isIP(net) : 0;
    if (v === 0) throw new ProcessorError(`'${n}' is not an IP string literal.`);
    const width = v === 4 ? 32 : 128;
    const len = bits === undefined ? width : Number(bits);
    if (!Number.isInteger(len) || len < 0 || len > width) throw new ProcessorError(`invalid CIDR [${n}]`);
    const list = new BlockList();
    list.addSubnet(net!, len, v === 4 ? 'ipv4' : 'ipv6');
    return inList(list);
  });
  return (ip, bytes) => ms.some((m) => m(ip, bytes));
}

const networkDirection: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({
      source_ip: field.default('source.ip'),
      destination_ip: field.default('destination.ip'),
      target_field: field.default('network.direction'),
      internal_networks: z.array(z.string().min(1)).optional(),
      internal_networks_field: field.optional(),
      ignore_missing: bool.default(true),
    }),
    config,
    'network_direction',
  );
  if ((c.internal_networks === undefined) === (c.internal_networks_field === undefined))
    throw new Error(
      '[network_direction] exactly one of [internal_networks] or [internal_networks_field] is required',
    );
  let fixed: Matcher | undefined;
  if (c.internal_networks) {
    try {
      fixed = compileNetworks(c.internal_networks);
    } catch (e) {
      throw new Error(`[network_direction] [internal_networks] ${(e as Error).message}`);
    }
  }
  return (doc) => {
    let internal = fixed;
    if (!internal) {
      const v = doc.lookup(c.internal_networks_field!);
      if (!v.found || v.value === null) {
        if (c.ignore_missing) return;
        throw new ProcessorError(`field [${c.internal_networks_field}] not present`);
      }
      const list = Array.isArray(v.value) ? v.value : [v.value];
      internal = compileNetworks(list.map((x) => String(x)));
    }
    const sip = doc.lookup(c.source_ip).value;
    const dip = doc.lookup(c.destination_ip).value;
    if (typeof sip !== 'string' || typeof dip !== 'string') {
      if (c.ignore_missing) return;
      throw new ProcessorError(
        `unable to calculate network direction from document: field [${typeof sip !== 'string' ? c.source_ip : c.destination_ip}] missing`,
      );
    }
    const sb = parseIp(sip);
    const db = parseIp(dip);
    if (!sb || !db) throw new ProcessorError(`'${!sb ? sip : dip}' is not an IP string literal.`);
    const sIn = internal(sip, sb);
    const dIn = internal(dip, db);
    doc.set(
      c.target_field,
      sIn && dIn ? 'internal' : !sIn && !dIn ? 'external' : sIn ? 'outbound' : 'inbound',
    );
  };
};

// ---------------------------------------------------------------- uri_parts

// RFC 3986 appendix B, as java.net.URI splits it (default ports are kept, unlike WHATWG URL).
const URI_RE = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

export function uriParts(text: string): Record<string, unknown> {
  const m = URI_RE.exec(text);
  if (!m || m[1] === undefined) throw new ProcessorError(`unable to parse URI [${text}]`);
  const out: Record<string, unknown> = { scheme: m[1] };
  const authority = m[2];
  if (authority !== undefined) {
    const at = authority.lastIndexOf('@');
    const userInfo = at >= 0 ? authority.slice(0, at) : undefined;
    const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
    const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    if (!hp) throw new ProcessorError(`unable to parse URI [${text}]`);
    if (hp[1]) out.domain = hp[1].replace(/^\[|\]$/g, '');
    if (hp[2]) {
      const port = Number(hp[2]);
      if (port > 65535) throw new ProcessorError(`unable to parse URI [${text}]: port out of range`);
      out.port = port;
    }
    if (userInfo !== undefined) {
      out.user_info = userInfo;
      const colon = userInfo.indexOf(':');
      out.username = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
      if (colon >= 0) out.password = userInfo.slice(colon + 1);
    }
  }
  const path = m[3] ?? '';
  if (path !== '') {
    out.path = path;
    const lastSegment = path.slice(path.lastIndexOf('/') + 1);
    const dot = lastSegment.lastIndexOf('.');
    if (dot >= 0 && dot < lastSegment.length - 1) out.extension = lastSegment.slice(dot + 1);
  }
  if (m[4] !== undefined) out.query = m[4];
  if (m[5] !== undefined) out.fragment = m[5];
  return out;
}

const uriPartsProcessor: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({
      field,
      target_field: field.default('url'),
      keep_original: bool.default(true),
      remove_if_successful: bool.default(false),
      ignore_missing: bool.default(false),
    }),
    config,
    'uri_parts',
  );
  return (doc) => {
    const v = input(doc, c.field, c.ignore_missing, 'parse URI');
    if (v === undefined) return;
    const text = asString(v, c.field);
    const parts = uriParts(text);
    if (c.keep_original) parts.original = text;
    if (c.remove_if_successful && c.field !== c.target_field) doc.remove(c.field);
    const cur = doc.lookup(c.target_field).value;
    doc.set(c.target_field, isObj(cur) ? { ...cur, ...parts } : parts);
  };
};

export const EXTRA_PROCESSORS: Record<string, ProcessorFactory> = {
  csv,
  bytes: stringOp('bytes', parseBytes),
  html_strip: stringOp('html_strip', htmlStrip),
  sort,
  reroute,
  fingerprint,
  community_id: communityIdProcessor,
  network_direction: networkDirection,
  uri_parts: uriPartsProcessor,
};
