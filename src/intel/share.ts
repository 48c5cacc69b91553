/**
 * Sharing out: Vigil's indicators as STIX 2.1 objects (TAXII server, bundle export), CSV, and a
 * MISP event / MISP feed. Only what the caller allows by TLP ever reaches these functions; the
 * callers ask the store with `shareableTlps()`, which never includes red.
 */
import { createHash } from 'node:crypto';
import type { Indicator, IndicatorType, Tlp } from './indicator.js';
import type { Sighting } from './ports.js';

/** TLP marking definitions STIX 2.1 predefines (§7.2.1.4); amber+strict is the TLP 2.0 one. */
export const TLP_MARKING: Record<Tlp, string> = {
  clear: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};

/** A UUID derived from a name (the shape of a version 5 UUID), so exports are stable across runs. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`vigil:${name}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const stixIdOf = (ind: Pick<Indicator, 'id'>): string => `indicator--${stableUuid(ind.id)}`;

const quote = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The STIX pattern of a typed indicator; undefined for types STIX has no object path for. */
export function stixPattern(type: IndicatorType, value: string): string | undefined {
  const v = quote(value);
  switch (type) {
    case 'ipv4':
      return `[ipv4-addr:value = ${v}]`;
    case 'ipv6':
      return `[ipv6-addr:value = ${v}]`;
    case 'cidr':
      return value.includes(':') ? `[ipv6-addr:value ISSUBSET ${v}]` : `[ipv4-addr:value ISSUBSET ${v}]`;
    case 'domain':
      return `[domain-name:value = ${v}]`;
    case 'url':
      return `[url:value = ${v}]`;
    case 'md5':
      return `[file:hashes.MD5 = ${v}]`;
    case 'sha1':
      return `[file:hashes.'SHA-1' = ${v}]`;
    case 'sha256':
      return `[file:hashes.'SHA-256' = ${v}]`;
    case 'sha512':
      return `[file:hashes.'SHA-512' = ${v}]`;
    case 'ssdeep':
      return `[file:hashes.SSDEEP = ${v}]`;
    case 'email':
      return `[email-addr:value = ${v}]`;
    case 'filename':
      return `[file:name = ${v}]`;
    case 'user-agent':
      return `[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = ${v}]`;
    case 'registry-key':
      return `[windows-registry-key:key = ${v}]`;
    case 'asn':
      return `[autonomous-system:number = ${Number(value)}]`;
    case 'stix':
      return value;
    default:
      return undefined;
  }
}

/** An indicator as a STIX 2.1 Indicator SDO; its version is the record's last change. */
export function toStixIndicator(ind: Indicator): Record<string, unknown> | undefined {
  const pattern = stixPattern(ind.type, ind.value);
  if (!pattern) return undefined;
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: stixIdOf(ind),
    created: ind.createdAt,
    modified: ind.updatedAt,
    name: ind.name ?? `${ind.type} ${ind.value}`.slice(0, 250),
    ...(ind.description ? { description: ind.description } : {}),
    indicator_types: ['malicious-activity'],
    pattern,
    pattern_type: 'stix',
    valid_from: ind.firstSeen,
    ...(ind.validUntil && ind.validUntil > ind.firstSeen ? { valid_until: ind.validUntil } : {}),
    confidence: ind.confidence,
    ...(ind.tags.length ? { labels: ind.tags } : {}),
    ...(ind.attack.length
      ? {
          external_references: ind.attack.map((t) => ({
            source_name: 'mitre-attack',
            external_id: t.toUpperCase(),
            url: `https://attack.mitre.org/techniques/${t.toUpperCase().replace('.', '/')}/`,
          })),
        }
      : {}),
    object_marking_refs: [TLP_MARKING[ind.tlp]],
    x_vigil_severity: ind.severity,
    x_vigil_sources: ind.sources,
  };
}

/**
 * A sighting as a STIX 2.1 Sighting SRO. An analyst's false-positive mark is shared too (as
 * `x_vigil_kind`), since it tells a consumer the indicator misfires.
 */
export function toStixSighting(s: Sighting): Record<string, unknown> {
  return {
    type: 'sighting',
    spec_version: '2.1',
    id: `sighting--${stableUuid(s.id)}`,
    created: s.at,
    modified: s.at,
    sighting_of_ref: stixIdOf({ id: s.indicatorId }),
    count: s.count,
    first_seen: s.at,
    last_seen: s.at,
    ...(s.note ? { description: s.note } : {}),
    x_vigil_kind: s.kind,
  };
}

/** A STIX 2.1 bundle of indicators (those without a STIX form are left out). */
export function stixBundle(inds: Indicator[], name: string): Record<string, unknown> {
  return {
    type: 'bundle',
    id: `bundle--${stableUuid(`${name}\n${inds.map((i) => `${i.id}@${i.updatedAt}`).join('\n')}`)}`,
    objects: inds.map(toStixIndicator).filter((x) => x !== undefined),
  };
}

const csvCell = (v: string): string => {
  // A leading = + - @ would run as a formula in a spreadsheet that opens the export.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const CSV_COLUMNS = [
  'type',
  'value',
  'confidence',
  'severity',
  'tlp',
  'first_seen',
  'last_seen',
  'valid_until',
  'sources',
  'tags',
  'attack',
] as const;

export function indicatorsCsv(inds: Indicator[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const i of inds)
    lines.push(
      [
        i.type,
        i.value,
        String(i.confidence),
        i.severity,
        i.tlp,
        i.firstSeen,
        i.lastSeen,
        i.validUntil ?? '',
        i.sources.join(';'),
        i.tags.join(';'),
        i.attack.join(';'),
      ]
        .map(csvCell)
        .join(','),
    );
  return `${lines.join('\n')}\n`;
}

/** Indicator type → MISP attribute type (and category); types MISP has none for are left out. */
const MISP_TYPE: Partial<Record<IndicatorType, [string, string]>> = {
  ipv4: ['ip-dst', 'Network activity'],
  ipv6: ['ip-dst', 'Network activity'],
  cidr: ['ip-dst', 'Network activity'],
  domain: ['domain', 'Network activity'],
  url: ['url', 'Network activity'],
  md5: ['md5', 'Payload delivery'],
  sha1: ['sha1', 'Payload delivery'],
  sha256: ['sha256', 'Payload delivery'],
  sha512: ['sha512', 'Payload delivery'],
  ssdeep: ['ssdeep', 'Payload delivery'],
  email: ['email-src', 'Payload delivery'],
  filename: ['filename', 'Payload delivery'],
  'user-agent': ['user-agent', 'Network activity'],
  ja3: ['ja3-fingerprint-md5', 'Network activity'],
  'registry-key': ['regkey', 'Persistence mechanism'],
  asn: ['AS', 'Network activity'],
};

const THREAT_LEVEL: Record<Indicator['severity'], string> = {
  critical: '1',
  high: '1',
  medium: '2',
  low: '3',
  informational: '4',
};

const epoch = (iso: string): string => String(Math.floor(Date.parse(iso) / 1000));

/** One MISP event holding the indicators as `to_ids` attributes, TLP and ATT&CK as tags. */
export function mispEvent(
  inds: Indicator[],
  meta: { uuid: string; info: string; orgName: string; date?: string },
): { Event: Record<string, unknown> } {
  const attrs = inds.flatMap((i) => {
    const t = MISP_TYPE[i.type];
    if (!t) return [];
    return [
      {
        uuid: stableUuid(`misp-attribute:${i.id}`),
        type: t[0],
        category: t[1],
        to_ids: true,
        value: i.type === 'asn' ? `AS${i.value}` : i.value,
        comment: i.description ?? '',
        timestamp: epoch(i.updatedAt),
        first_seen: i.firstSeen,
        last_seen: i.lastSeen,
        Tag: [`tlp:${i.tlp}`, ...i.tags, ...i.attack.map((a) => `mitre-attack:${a.toUpperCase()}`)].map(
          (name) => ({ name }),
        ),
      },
    ];
  });
  const newest = inds.reduce((m, i) => (i.updatedAt > m ? i.updatedAt : m), '1970-01-01T00:00:00.000Z');
  const worst = inds.reduce((m, i) => Math.min(m, Number(THREAT_LEVEL[i.severity])), 4);
  return {
    Event: {
      uuid: meta.uuid,
      info: meta.info,
      date: (meta.date ?? newest).slice(0, 10),
      timestamp: epoch(newest),
      published: true,
      analysis: '2',
      threat_level_id: String(worst),
      Orgc: { name: meta.orgName, uuid: stableUuid(`org:${meta.orgName}`) },
      Tag: [],
      Attribute: attrs,
    },
  };
}

/** `hashes.csv` of a MISP feed: md5 of each attribute value, event uuid. */
export function mispHashes(events: Array<{ Event: Record<string, unknown> }>): string {
  const lines: string[] = [];
  for (const e of events)
    for (const a of e.Event.Attribute as Array<{ value: string }>)
      lines.push(`${createHash('md5').update(a.value).digest('hex')},${String(e.Event.uuid)}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
