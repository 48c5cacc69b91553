/**
 * False-positive reduction: MISP warninglists (lists of well-known benign values: public DNS
 * resolvers, private ranges, empty-file hashes, CDN and sandbox hosts...) and each tenant's own
 * allowlist, in the same format. An incoming indicator whose value is listed is stored with a
 * warning and never matched; a hit whose event value is listed is not alerted but recorded as a
 * suppressed sighting with the reason. Nothing is dropped silently.
 */
import RE2 from 're2';
import { z } from 'zod';
import { fail, ok, type Parsed } from '../schema/result.js';
import { ALL_TENANTS, normalizeUrl, type IndicatorType, type IndicatorWarning } from './indicator.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from './ip.js';
import { WARNINGLIST_TYPES, type Warninglist } from './ports.js';

/** The MISP warninglist file (schema.json of MISP/misp-warninglists). */
export const mispWarninglistSchema = z
  .object({
    name: z.string().min(1).max(300),
    description: z.string().max(5000),
    version: z.number().int().min(0),
    type: z.enum(WARNINGLIST_TYPES),
    list: z.array(z.string().max(4096)).max(2_000_000),
    matching_attributes: z.array(z.string().max(100)).max(200).optional(),
  })
  .strict();
export type MispWarninglist = z.infer<typeof mispWarninglistSchema>;

export function parseMispWarninglist(doc: unknown): Parsed<MispWarninglist> {
  const r = mispWarninglistSchema.safeParse(doc);
  if (r.success) return ok(r.data);
  const i = r.error.issues[0]!;
  return fail(`${i.path.join('.') || '(list)'}: ${i.message}`);
}

/** The MISP attribute types an indicator type stands for (a list's matching_attributes name those). */
const MISP_TYPES: Partial<Record<IndicatorType, string[]>> = {
  ipv4: ['ip-src', 'ip-dst', 'domain|ip', 'ip-src|port', 'ip-dst|port'],
  ipv6: ['ip-src', 'ip-dst', 'domain|ip', 'ip-src|port', 'ip-dst|port'],
  cidr: ['ip-src', 'ip-dst', 'domain|ip', 'ip-src|port', 'ip-dst|port'],
  domain: ['domain', 'hostname', 'domain|ip', 'hostname|port'],
  url: ['url', 'uri', 'link'],
  md5: ['md5', 'filename|md5'],
  sha1: ['sha1', 'filename|sha1'],
  sha256: ['sha256', 'filename|sha256'],
  sha512: ['sha512', 'filename|sha512'],
  ssdeep: ['ssdeep', 'filename|ssdeep'],
  email: ['email', 'email-src', 'email-dst', 'target-email', 'email-reply-to', 'whois-registrant-email'],
  filename: ['filename'],
  'user-agent': ['user-agent'],
  ja3: ['ja3-fingerprint-md5'],
  'registry-key': ['regkey'],
  asn: ['AS'],
};

/** MISP writes regexes PCRE-style, `/body/flags`; RE2 keeps a hostile one linear. */
function compileRegex(entry: string): RE2 | undefined {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(entry);
  const [body, flags] = m ? [m[1]!, m[2]!] : [entry, ''];
  try {
    return new RE2(body, flags.replace(/[^imsu]/g, ''));
  } catch {
    return undefined;
  }
}

/** The host part a hostname list compares: a domain itself, a URL's host, an email's domain. */
function hostOf(type: IndicatorType, value: string): string | undefined {
  if (type === 'domain') return value;
  if (type === 'url') return (normalizeUrl(value) ?? value).split(/[/:?]/)[0];
  if (type === 'email') return value.split('@')[1];
  return undefined;
}

interface Compiled {
  list: Warninglist;
  /** indicator types it applies to; undefined: all */
  types: Set<IndicatorType> | undefined;
  test: (type: IndicatorType, value: string) => string | undefined;
}

function compile(list: Warninglist): Compiled {
  const types = list.matchingAttributes.length
    ? new Set(
        (Object.keys(MISP_TYPES) as IndicatorType[]).filter((t) =>
          MISP_TYPES[t]!.some((m) => list.matchingAttributes.includes(m)),
        ),
      )
    : undefined;
  const entries = list.entries.map((e) => e.trim()).filter((e) => e !== '');
  let test: Compiled['test'];
  switch (list.type) {
    case 'string': {
      const set = new Set(entries.map((e) => e.toLowerCase()));
      test = (_t, v) => (set.has(v.toLowerCase()) ? `${v} is listed` : undefined);
      break;
    }
    case 'substring': {
      const subs = entries.map((e) => e.toLowerCase());
      test = (_t, v) => {
        const lv = v.toLowerCase();
        const hit = subs.find((s) => lv.includes(s));
        return hit !== undefined ? `${v} contains ${hit}` : undefined;
      };
      break;
    }
    case 'hostname': {
      const hosts = new Set(entries.map((e) => e.toLowerCase().replace(/^\.+|\.+$/g, '')));
      test = (t, v) => {
        const h = hostOf(t, v.toLowerCase());
        if (!h) return undefined;
        // a listed host covers its subdomains: walk the label suffixes
        for (let d = h; ;) {
          if (hosts.has(d)) return d === h ? `${h} is listed` : `${h} is under ${d}`;
          const dot = d.indexOf('.');
          if (dot < 0) return undefined;
          d = d.slice(dot + 1);
        }
      };
      break;
    }
    case 'cidr': {
      const nets = entries
        .map((e) => [e, parseCidr(e) ?? ipAsCidr(e)] as const)
        .filter((x): x is readonly [string, Cidr] => x[1] !== undefined);
      test = (_t, v) => {
        const net = parseCidr(v) ?? ipAsCidr(v);
        if (!net) return undefined;
        const hit = nets.find(([, n]) => n.bits <= net.bits && cidrContains(n, net.ip));
        return hit ? `${v} is in ${hit[0]}` : undefined;
      };
      break;
    }
    case 'regex': {
      const res = entries
        .map((e) => [e, compileRegex(e)] as const)
        .filter((x): x is readonly [string, RE2] => x[1] !== undefined);
      test = (_t, v) => {
        const hit = res.find(([, re]) => re.test(v));
        return hit ? `${v} matches ${hit[0]}` : undefined;
      };
      break;
    }
  }
  return { list, types, test };
}

function ipAsCidr(s: string): Cidr | undefined {
  const ip = parseIp(s);
  return ip ? { ip, bits: ip.v === 4 ? 32 : 128 } : undefined;
}

/**
 * All enabled lists, compiled once. A tenant's allowlist applies to that tenant's indicators and
 * events; a global (`*`) list to everyone's; a global indicator only meets global lists.
 */
export class WarninglistFilter {
  private readonly lists: Compiled[];

  constructor(lists: Warninglist[]) {
    // Allowlists first: the tenant's own decision is the reason worth showing.
    this.lists = lists
      .filter((l) => l.enabled)
      .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'allowlist' ? -1 : 1))
      .map(compile);
  }

  get size(): number {
    return this.lists.length;
  }

  check(tenant: string, type: IndicatorType, value: string): IndicatorWarning | undefined {
    if (type === 'stix') return undefined;
    for (const c of this.lists) {
      if (c.list.tenant !== ALL_TENANTS && c.list.tenant !== tenant) continue;
      if (c.types && !c.types.has(type)) continue;
      const reason = c.test(type, value);
      if (reason !== undefined) return { list: c.list.name, kind: c.list.kind, reason };
    }
    return undefined;
  }
}
