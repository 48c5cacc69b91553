/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom news and advisory feeds (threat briefs, vendor advisories,
 * CERT alerts): each item becomes an intel report (an `IntelObject` of type `report`) with the CVE
 * ids it names, and the indicators written in it become indicators linked to the report by a
 * `report:<title>` tag. Extraction from prose is deliberately conservative: defanged values
 * (`1.2.3[.]4`, `evil[.]example`, `hxxp://`), URLs, public IPv4 addresses and hashes of the exact
 * hex lengths; a bare domain in running text is too often a mention, not an indicator.
 */
import { XMLParser } from 'fast-xml-parser';
import { fail, ok, type Parsed } from '../../schema/result.js';
import { normalizeValue, type IndicatorType } from '../indicator.js';
import { parseIp } from '../ip.js';
import type { IntelObject } from '../ports.js';
import { stableUuid } from '../share.js';
import { emptyResult, withDefaults, type ImportContext, type ImportResult } from './common.js';

/** Feeds larger than this are refused: a news feed is kilobytes, not gigabytes. */
const MAX_BYTES = 20 * 1024 * 1024;
const MAX_ITEMS = 5000;
const MAX_TEXT = 20_000;

type Node = Record<string, unknown>;

export interface FeedItem {
  id: string;
  title: string;
  link: string | null;
  text: string;
  published: string | null;
}

const asArray = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Text of an element that may carry attributes or nested markup (Atom `type="html"`). */
function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(text).join(' ');
  if (typeof v === 'object') {
    const o = v as Node;
    if ('#text' in o) return text(o['#text']);
    return Object.entries(o)
      .filter(([k]) => !k.startsWith('@_'))
      .map(([, x]) => text(x))
      .join(' ');
  }
  return '';
}

/** Markup removed, entities left decoded by the parser, whitespace folded. */
const plain = (html: string): string =>
  html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

function date(v: unknown): string | null {
  const s = text(v).trim();
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function atomLink(v: unknown): string | null {
  const links = asArray(v) as Array<Node | string>;
  const pick =
    links.find((l) => typeof l === 'object' && (l['@_rel'] === undefined || l['@_rel'] === 'alternate')) ??
    links[0];
  if (typeof pick === 'string') return pick;
  return pick && typeof pick['@_href'] === 'string' ? pick['@_href'] : null;
}

/** The items of an RSS 2.0, RSS 1.0 or Atom document. */
export function parseFeedXml(xml: string): Parsed<FeedItem[]> {
  if (xml.length > MAX_BYTES) return fail(`feed larger than ${MAX_BYTES} bytes`);
  let doc: Node;
  try {
    // No DTD processing, no external entities: the parser expands only the XML and HTML entities.
    doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      removeNSPrefix: true,
      processEntities: true,
      htmlEntities: true,
      parseTagValue: false,
      trimValues: true,
    }).parse(xml) as Node;
  } catch (e) {
    return fail(`not XML: ${(e as Error).message}`);
  }
  const rss = doc['rss'] as Node | undefined;
  const rdf = doc['RDF'] as Node | undefined;
  const feed = doc['feed'] as Node | undefined;
  let raw: Node[];
  if (rss) raw = asArray((rss['channel'] as Node | undefined)?.['item']) as Node[];
  else if (rdf) raw = asArray(rdf['item']) as Node[];
  else if (feed) raw = asArray(feed['entry']) as Node[];
  else return fail('neither an RSS nor an Atom feed');
  const items: FeedItem[] = [];
  for (const it of raw.slice(0, MAX_ITEMS)) {
    if (typeof it !== 'object' || it === null) continue;
    const title = plain(text(it['title'])).slice(0, 500) || '(untitled)';
    const link = feed ? atomLink(it['link']) : text(it['link']).trim() || null;
    const body = plain(text(it['content'] ?? it['encoded'] ?? it['summary'] ?? it['description'])).slice(
      0,
      MAX_TEXT,
    );
    const id = text(it['guid'] ?? it['id']).trim() || link || title;
    items.push({
      id,
      title,
      link,
      text: body,
      published: date(it['pubDate'] ?? it['published'] ?? it['updated'] ?? it['date']),
    });
  }
  return ok(items);
}

/** `hxxp`, `[.]`, `(.)`, `[dot]`, `[:]` undone. */
export const refang = (s: string): string =>
  s
    .replace(/\bhxxp(s?):\/\//gi, 'http$1://')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi, '.')
    .replace(/\[:\]/g, ':')
    .replace(/\[@\]|\[at\]/gi, '@');

const CVE = /\bCVE-\d{4}-\d{4,7}\b/gi;
const URL_RE = /\bhttps?:\/\/[^\s"'<>()[\]]{4,2048}/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const HASH = /\b(?:[a-f0-9]{64}|[a-f0-9]{40}|[a-f0-9]{32})\b/gi;
/** A whole host name with at least one defanged dot, ending in a letter TLD; hosts inside URLs are the URLs' business. */
const DEFANGED_DOMAIN =
  /(?<![\w.\-/\]])(?:[a-z0-9-]{1,63}(?:\.|\[\.\]|\(\.\)|\[dot\]))+[a-z][a-z0-9-]{0,62}(?![\w-]|\[\.\]|\(\.\))/gi;
const DEFANG_MARK = /\[\.\]|\(\.\)|\[dot\]/i;
const HASH_TYPE: Record<number, IndicatorType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** Addresses that can be an attacker's: not private, loopback, link-local, multicast or reserved. */
function publicIpv4(s: string): boolean {
  const ip = parseIp(s);
  if (!ip || ip.v !== 4) return false;
  const [a, b] = s.split('.').map(Number) as [number, number];
  return !(
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    a >= 224
  );
}

export interface Extracted {
  cves: string[];
  indicators: Array<{ type: IndicatorType; value: string }>;
}

/** CVE ids and indicators written in a text (refanged first). */
export function extractFromText(raw: string): Extracted {
  const defangedDomains = [...raw.matchAll(DEFANGED_DOMAIN)]
    .map((m) => m[0])
    .filter((d) => DEFANG_MARK.test(d))
    .map(refang);
  const s = refang(raw);
  const found = new Map<string, { type: IndicatorType; value: string }>();
  const add = (type: IndicatorType, v: string) => {
    const n = normalizeValue(type, v.replace(/[.,;:!?]+$/, ''));
    if (n.ok) found.set(`${type}\n${n.value}`, { type, value: n.value });
  };
  for (const m of s.matchAll(URL_RE)) add('url', m[0]);
  for (const m of s.matchAll(IPV4)) if (publicIpv4(m[0])) add('ipv4', m[0]);
  for (const m of s.matchAll(HASH)) add(HASH_TYPE[m[0].length]!, m[0]);
  for (const d of defangedDomains) add('domain', d);
  const cves = [...new Set([...s.matchAll(CVE)].map((m) => m[0].toUpperCase()))].sort();
  return { cves, indicators: [...found.values()] };
}

function hostOf(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** A feed document → reports and the indicators they carry. */
export function importRss(xml: string, ctx: ImportContext): Parsed<ImportResult> {
  const parsed = parseFeedXml(xml);
  if (!parsed.ok) return parsed;
  const out = emptyResult();
  for (const item of parsed.value) {
    // Links to the publisher's own site (the article, its references) are where it lives, not indicators.
    const home = hostOf(item.link);
    const found = extractFromText(`${item.title}\n${item.text}`);
    const cves = found.cves;
    const indicators = found.indicators.filter(
      (i) => !(home && i.type === 'url' && hostOf(`http://${i.value}`) === home),
    );
    const report: IntelObject = {
      id: `report--${stableUuid(`${ctx.feedId ?? ctx.source}:${item.id}`)}`,
      tenant: ctx.tenant,
      type: 'report',
      name: item.title,
      feedId: ctx.feedId ?? null,
      modified: item.published,
      doc: {
        type: 'report',
        spec_version: '2.1',
        name: item.title,
        description: item.text,
        published: item.published,
        report_types: ['threat-report'],
        ...(item.link ? { external_references: [{ source_name: ctx.source, url: item.link }] } : {}),
        labels: cves.map((c) => `cve:${c}`),
        x_vigil_cves: cves,
        x_vigil_indicators: indicators.map((i) => `${i.type}:${i.value}`),
      },
    };
    out.objects.push(report);
    for (const i of indicators)
      out.indicators.push(
        withDefaults(ctx, {
          type: i.type,
          value: i.value,
          name: item.title.slice(0, 200),
          ...(item.link ? { reference: item.link } : {}),
          ...(item.published ? { firstSeen: item.published, lastSeen: item.published } : {}),
          tags: [`report:${item.title.slice(0, 200)}`, ...cves.map((c) => `cve:${c}`)],
        }),
      );
  }
  return ok(out);
}
