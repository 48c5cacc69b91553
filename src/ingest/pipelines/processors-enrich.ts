import { parse as parseDomain } from 'tldts';
import { UAParser } from 'ua-parser-js';
import { z } from 'zod';
import { ProcessorError, type IngestDoc } from './document.js';
import { asString, bool, field, input, parse } from './processor-kit.js';
import type { ProcessorFactory } from './processors.js';

/**
 * Elasticsearch's enrichment processors that need only a bundled table: `registered_domain` (the
 * Public Suffix List, from `tldts`) and `user_agent` (browser/OS/device patterns, from
 * `ua-parser-js`). Field layout and error texts follow the Elasticsearch reference.
 */

// ---------------------------------------------------------------- registered_domain

export interface DomainInfo {
  domain: string;
  registered_domain?: string;
  top_level_domain?: string;
  subdomain?: string;
}

/**
 * The parts of a host name, or undefined when it has no registrable part. Private suffixes
 * (`github.io`, `s3.amazonaws.com`) count, as in Elasticsearch's matcher: `user.github.io` is the
 * registered domain, not `github.io`.
 */
export function domainInfo(host: string): DomainInfo | undefined {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (name === '' || /[\s/]/.test(name)) return undefined;
  const p = parseDomain(name, { allowPrivateDomains: true, extractHostname: false });
  if (p.isIp) return undefined;
  if (p.domain === null || p.publicSuffix === null) {
    // The name is itself a public suffix (`co.uk`): only the top-level domain is known.
    if (p.publicSuffix !== null && p.publicSuffix === name && (p.isIcann || p.isPrivate))
      return { domain: name, top_level_domain: name };
    return undefined;
  }
  if (!p.domain.includes('.')) return undefined;
  const out: DomainInfo = { domain: name, registered_domain: p.domain, top_level_domain: p.publicSuffix };
  if (p.subdomain) out.subdomain = p.subdomain;
  return out;
}

const registeredDomain: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({ field, target_field: z.string().default(''), ignore_missing: bool.default(false) }),
    config,
    'registered_domain',
  );
  const prefix = c.target_field === '' ? '' : `${c.target_field}.`;
  return (doc) => {
    const v = input(doc, c.field, c.ignore_missing, 'extract domain information');
    if (v.skip) return;
    const info = domainInfo(asString(v.value, c.field));
    if (!info) {
      if (c.ignore_missing) return;
      throw new ProcessorError('unable to set domain information for document');
    }
    for (const [k, val] of Object.entries(info)) doc.set(prefix + k, val);
  };
};

// ---------------------------------------------------------------- user_agent

const UA_PROPERTIES = ['name', 'os', 'device', 'original', 'version'] as const;
type UaProperty = (typeof UA_PROPERTIES)[number];

/** A user agent string in Elasticsearch's ECS layout (`name`, `version`, `os.*`, `device.*`). */
export function userAgentInfo(
  ua: string,
  properties: ReadonlySet<UaProperty>,
  deviceType: boolean,
): Record<string, unknown> {
  const r = new UAParser(ua).getResult();
  const out: Record<string, unknown> = {};
  if (properties.has('name')) out.name = r.browser.name ?? 'Other';
  if (properties.has('original')) out.original = ua;
  if (properties.has('version') && r.browser.version) out.version = r.browser.version;
  if (properties.has('os')) {
    const name = r.os.name ?? 'Other';
    const os: Record<string, unknown> = { name };
    if (r.os.version) {
      os.version = r.os.version;
      os.full = `${name} ${r.os.version}`;
    } else if (r.os.name) os.full = name;
    out.os = os;
  }
  if (properties.has('device')) {
    const device: Record<string, unknown> = {
      name: r.device.model ?? (r.device.vendor ? r.device.vendor : 'Other'),
    };
    if (deviceType) device.type = deviceTypeOf(r);
    out.device = device;
  }
  return out;
}

/** Elasticsearch's device types: Desktop, Phone, Tablet, Robot, Other. */
function deviceTypeOf(r: UAParser.IResult): string {
  if (/bot|crawl|spider|slurp/i.test(r.ua)) return 'Robot';
  switch (r.device.type) {
    case 'mobile':
      return 'Phone';
    case 'tablet':
      return 'Tablet';
    case undefined:
      return r.os.name ? 'Desktop' : 'Other';
    default:
      return 'Other';
  }
}

const MAX_UA_LENGTH = 2_048;

const userAgent: ProcessorFactory = (config) => {
  const c = parse(
    z.looseObject({
      field,
      target_field: field.default('user_agent'),
      properties: z.array(z.enum(UA_PROPERTIES)).default([...UA_PROPERTIES]),
      extract_device_type: bool.default(false),
      ignore_missing: bool.default(false),
      regex_file: z.string().optional(),
    }),
    config,
    'user_agent',
  );
  if (c.regex_file !== undefined)
    throw new Error(`[user_agent] [regex_file] custom regex files are not supported; remove the option`);
  const properties = new Set(c.properties);
  return (doc: IngestDoc) => {
    const v = input(doc, c.field, c.ignore_missing, 'parse user-agent');
    if (v.skip) return;
    const ua = asString(v.value, c.field);
    // Very long strings are not user agents worth parsing (and bound the parser's work).
    const info = userAgentInfo(
      ua.length > MAX_UA_LENGTH ? ua.slice(0, MAX_UA_LENGTH) : ua,
      properties,
      c.extract_device_type,
    );
    if (properties.has('original')) info.original = ua;
    doc.set(c.target_field, info);
  };
};

export const ENRICH_PROCESSORS: Record<string, ProcessorFactory> = {
  registered_domain: registeredDomain,
  user_agent: userAgent,
};
