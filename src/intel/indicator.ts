/**
 * Indicator model: what an indicator of compromise is, its types and how a value of each type is
 * normalized so that the same IOC from two feeds is one record and matches the event's spelling.
 */
import { createHash } from 'node:crypto';
import { fail, ok, type Parsed } from '../schema/result.js';
import { cidrText, ipText, parseCidr, parseIp } from './ip.js';
import { parsePattern } from './stix/pattern-parser.js';

export const INDICATOR_TYPES = [
  'ipv4',
  'ipv6',
  'cidr',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'ssdeep',
  'email',
  'filename',
  'user-agent',
  'ja3',
  'ja3s',
  'ja4',
  'registry-key',
  'asn',
  'stix',
] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLPS)[number];

/** One source's report of an indicator; a record keeps one entry per source (the latest). */
export interface Provenance {
  source: string;
  feedId?: string;
  /** The source's own id (STIX id, MISP attribute uuid...). */
  externalId?: string;
  seenAt: string;
  confidence?: number;
  severity?: Severity;
  reference?: string;
}

/** Why an indicator does not alert: a warninglist or allowlist holds its value. */
export interface IndicatorWarning {
  /** the list's name */
  list: string;
  /** `warninglist` (known-benign values, e.g. MISP's) or `allowlist` (the tenant's own) */
  kind: 'warninglist' | 'allowlist';
  reason: string;
}

/** A global indicator (from a feed every tenant shares) has tenant `*`. */
export const ALL_TENANTS = '*';

export interface Indicator {
  id: string;
  tenant: string;
  type: IndicatorType;
  /** Normalized value; for `stix` the pattern text. */
  value: string;
  name: string | null;
  description: string | null;
  /** 0-100 */
  confidence: number;
  severity: Severity;
  tlp: Tlp;
  firstSeen: string;
  lastSeen: string;
  /** After this instant the indicator stops matching; null: no end. */
  validUntil: string | null;
  tags: string[];
  /** ATT&CK technique ids (T1566.001...). */
  attack: string[];
  sources: string[];
  provenance: Provenance[];
  /** matches in our data and analysts' confirmations */
  sightings?: number;
  /** analysts' false-positive marks; each lowers confidence */
  falsePositives?: number;
  /** set: the indicator is kept and shown but never matched (flagged, not dropped) */
  warning?: IndicatorWarning | null;
  createdAt: string;
  updatedAt: string;
}

/** What a feed or an analyst submits; merged into the record of (tenant, type, value). */
export interface IndicatorInput {
  tenant: string;
  type: IndicatorType;
  value: string;
  source: string;
  feedId?: string;
  externalId?: string;
  reference?: string;
  name?: string;
  description?: string;
  confidence?: number;
  severity?: Severity;
  tlp?: Tlp;
  firstSeen?: string;
  lastSeen?: string;
  validUntil?: string | null;
  tags?: string[];
  attack?: string[];
  /** undefined: keep the record's; null: clear it */
  warning?: IndicatorWarning | null;
}

/** Stable id: the same IOC in the same tenant is one record whatever reported it. */
export function indicatorId(tenant: string, type: IndicatorType, value: string): string {
  return `ind-${createHash('sha256').update(`${tenant}\n${type}\n${value}`).digest('base64url').slice(0, 24)}`;
}

const HEX_LEN: Partial<Record<IndicatorType, number>> = {
  md5: 32,
  sha1: 40,
  sha256: 64,
  sha512: 128,
  ja3: 32,
  ja3s: 32,
};
const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A domain in the form events carry: lower case, no trailing dot, IDNs as punycode. */
export function normalizeDomain(s: string): string | undefined {
  let d = s.trim().toLowerCase().replace(/\.$/, '');
  if (/[^\x00-\x7f]/.test(d)) {
    try {
      d = new URL(`http://${d}`).hostname;
    } catch {
      return undefined;
    }
  }
  return DOMAIN.test(d) ? d : undefined;
}

/**
 * A URL as compared: scheme dropped (feeds list `http://` and `https://` variants of one
 * location, and events often lack the scheme), host lower-cased, default port and fragment
 * removed, path and query kept as the WHATWG parser normalizes them.
 */
export function normalizeUrl(s: string): string | undefined {
  const t = s.trim();
  if (t === '' || /\s/.test(t)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? t : `http://${t}`;
  try {
    const u = new URL(withScheme);
    if (!u.hostname) return undefined;
    const port = u.port ? `:${u.port}` : '';
    return `${u.hostname}${port}${u.pathname}${u.search}`;
  } catch {
    return undefined;
  }
}

/** Normalizes a value of a given type, or says why it is not one. */
export function normalizeValue(type: IndicatorType, raw: string): Parsed<string> {
  const v = raw.trim();
  if (v === '') return fail('empty value');
  if (v.length > 8192) return fail('value longer than 8192 characters');
  const hexLen = HEX_LEN[type];
  if (hexLen !== undefined) {
    const h = v.toLowerCase();
    return new RegExp(`^[0-9a-f]{${hexLen}}$`).test(h) ? ok(h) : fail(`not a ${type} (${hexLen} hex digits)`);
  }
  switch (type) {
    case 'ipv4':
    case 'ipv6': {
      const ip = parseIp(v);
      if (!ip) return fail(`not an IP address: ${v.slice(0, 64)}`);
      return ok(ipText(ip));
    }
    case 'cidr': {
      const c = parseCidr(v);
      return c ? ok(cidrText(c)) : fail(`not a CIDR network: ${v.slice(0, 64)}`);
    }
    case 'domain': {
      const d = normalizeDomain(v);
      return d ? ok(d) : fail(`not a domain name: ${v.slice(0, 64)}`);
    }
    case 'url': {
      const u = normalizeUrl(v);
      return u ? ok(u) : fail(`not a URL: ${v.slice(0, 64)}`);
    }
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(v)
        ? ok(v.toLowerCase())
        : fail(`not an email address: ${v.slice(0, 64)}`);
    case 'asn': {
      const m = /^(?:AS)?(\d{1,10})$/i.exec(v);
      return m && Number(m[1]) < 2 ** 32
        ? ok(String(Number(m[1])))
        : fail(`not an AS number: ${v.slice(0, 64)}`);
    }
    case 'ja4':
      return /^[a-z0-9_]{10,80}$/i.test(v) ? ok(v.toLowerCase()) : fail('not a JA4 fingerprint');
    case 'filename':
    case 'registry-key':
      // Windows compares both without regard to case.
      return ok(v.toLowerCase());
    case 'ssdeep':
    case 'user-agent':
      return ok(v);
    case 'stix': {
      const p = parsePattern(v);
      return p.ok ? ok(v) : fail(`invalid STIX pattern: ${p.reason}`);
    }
    default:
      return fail(`unknown type ${String(type)}`);
  }
}

/** The type a bare value most likely is (plain lists rarely say). */
export function guessType(raw: string): IndicatorType | undefined {
  const v = raw.trim();
  if (parseIp(v)) return parseIp(v)!.v === 4 ? 'ipv4' : 'ipv6';
  if (v.includes('/') && parseCidr(v)) return 'cidr';
  if (/^[0-9a-f]{32}$/i.test(v)) return 'md5';
  if (/^[0-9a-f]{40}$/i.test(v)) return 'sha1';
  if (/^[0-9a-f]{64}$/i.test(v)) return 'sha256';
  if (/^[0-9a-f]{128}$/i.test(v)) return 'sha512';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return 'url';
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return 'email';
  if (normalizeDomain(v) && v.includes('.')) return 'domain';
  return undefined;
}

/** Detection level of a hit: the indicator's severity, lowered one step when confidence is low. */
export function hitLevel(severity: Severity, confidence: number): Severity {
  const i = SEVERITIES.indexOf(severity);
  return confidence < 50 && i > 1 ? SEVERITIES[i - 1]! : severity;
}
