/**
 * MISP feed format: `manifest.json` (event uuid → info and timestamp), one `<uuid>.json` per event
 * (`{"Event": {..., "Attribute": [...], "Object": [{"Attribute": [...]}], "Tag": [...]}}`) and
 * `hashes.csv` (md5 of each attribute value, event uuid). Attribute types map to indicator types;
 * only attributes flagged `to_ids` become indicators (the rest are context, as MISP intends).
 */
import { fail, ok, type Parsed } from '../../schema/result.js';
import { guessType, normalizeValue, type IndicatorType, type Severity } from '../indicator.js';
import {
  attackIdIn,
  emptyResult,
  tlpFromTag,
  withDefaults,
  type ImportContext,
  type ImportResult,
} from './common.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/** MISP attribute type → indicator type(s); composite `a|b` types split on `|` value by value. */
const TYPE_MAP: Record<string, Array<IndicatorType | 'ip' | null>> = {
  'ip-src': ['ip'],
  'ip-dst': ['ip'],
  'ip-src|port': ['ip', null],
  'ip-dst|port': ['ip', null],
  domain: ['domain'],
  hostname: ['domain'],
  'domain|ip': ['domain', 'ip'],
  'hostname|port': ['domain', null],
  url: ['url'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  sha512: ['sha512'],
  ssdeep: ['ssdeep'],
  'filename|md5': ['filename', 'md5'],
  'filename|sha1': ['filename', 'sha1'],
  'filename|sha256': ['filename', 'sha256'],
  'filename|sha512': ['filename', 'sha512'],
  'filename|ssdeep': ['filename', 'ssdeep'],
  filename: ['filename'],
  'email-src': ['email'],
  'email-dst': ['email'],
  email: ['email'],
  'email-reply-to': ['email'],
  'user-agent': ['user-agent'],
  'ja3-fingerprint-md5': ['ja3'],
  regkey: ['registry-key'],
  'regkey|value': ['registry-key', null],
  AS: ['asn'],
};

export const MISP_TYPES = Object.keys(TYPE_MAP);

const THREAT_LEVEL: Record<string, Severity> = { '1': 'high', '2': 'medium', '3': 'low', '4': 'medium' };

const epochIso = (v: unknown): string | undefined => {
  const s = str(v);
  if (s === undefined) return undefined;
  if (/^\d+$/.test(s)) return new Date(Number(s) * 1000).toISOString();
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
};

const tagNames = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((t) => str((t as Obj)?.name)).filter((x): x is string => x !== undefined) : [];

export interface MispManifestEntry {
  uuid: string;
  info: string;
  timestamp: number;
}

export function parseMispManifest(doc: unknown): Parsed<MispManifestEntry[]> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return fail('manifest.json: expected an object of events');
  const out: MispManifestEntry[] = [];
  for (const [uuid, v] of Object.entries(doc as Obj)) {
    if (!/^[0-9a-f-]{36}$/i.test(uuid)) continue;
    const e = (v ?? {}) as Obj;
    out.push({ uuid, info: str(e.info) ?? '', timestamp: Number(str(e.timestamp) ?? 0) || 0 });
  }
  return ok(out);
}

/** `hashes.csv`: `<md5 of the value>,<event uuid>` per line; lets a client check a value without the events. */
export function parseMispHashes(text: string): Array<{ md5: string; event: string }> {
  const out: Array<{ md5: string; event: string }> = [];
  for (const line of text.split(/\r?\n/)) {
    const [md5, event] = line.split(',').map((s) => s.trim());
    if (md5 && event && /^[0-9a-f]{32}$/i.test(md5)) out.push({ md5: md5.toLowerCase(), event });
  }
  return out;
}

/** One MISP event (`{"Event": {...}}` or the bare event) → indicators and the event as context. */
export function importMispEvent(doc: unknown, ctx: ImportContext): Parsed<ImportResult> {
  const root = (typeof doc === 'object' && doc !== null ? ((doc as Obj).Event ?? doc) : undefined) as
    Obj | undefined;
  if (!root || typeof root !== 'object' || !Array.isArray(root.Attribute ?? []))
    return fail('not a MISP event');
  const out = emptyResult();
  const uuid = str(root.uuid) ?? '(no uuid)';
  const eventTags = tagNames(root.Tag);
  const severity = THREAT_LEVEL[str(root.threat_level_id) ?? ''];
  const info = str(root.info);
  const attrs: Obj[] = [...((root.Attribute as Obj[] | undefined) ?? [])];
  for (const o of Array.isArray(root.Object) ? (root.Object as Obj[]) : [])
    if (Array.isArray(o?.Attribute)) attrs.push(...(o.Attribute as Obj[]));
  for (const a of attrs) {
    if (typeof a !== 'object' || a === null) continue;
    const ref = str(a.uuid) ?? `${uuid}/?`;
    if (a.deleted === true || a.deleted === '1') continue;
    if (!(a.to_ids === true || a.to_ids === '1' || a.to_ids === 1)) {
      out.skipped++;
      continue;
    }
    const mapping = TYPE_MAP[str(a.type) ?? ''];
    const value = str(a.value);
    if (!mapping || value === undefined) {
      out.skipped++;
      continue;
    }
    const parts = mapping.length > 1 ? value.split('|') : [value];
    const tags = [...eventTags, ...tagNames(a.Tag)];
    const tlp = tags.map(tlpFromTag).find((t) => t !== undefined);
    const attack = [...new Set(tags.map(attackIdIn).filter((x): x is string => x !== undefined))];
    mapping.forEach((t, i) => {
      const raw = parts[i];
      if (!t || raw === undefined) return;
      let type: IndicatorType | undefined = t === 'ip' ? (raw.includes('/') ? 'cidr' : guessType(raw)) : t;
      if (t === 'ip' && type !== 'ipv4' && type !== 'ipv6' && type !== 'cidr') type = undefined;
      const v = type ? normalizeValue(type, raw) : undefined;
      if (!type || !v?.ok) {
        out.rejected.push({ ref, reason: v && !v.ok ? v.reason : `not an address: ${raw.slice(0, 64)}` });
        return;
      }
      out.indicators.push(
        withDefaults(ctx, {
          type,
          value: v.value,
          externalId: ref,
          reference: `misp-event:${uuid}`,
          name: info,
          description: str(a.comment) || undefined,
          severity,
          tlp,
          firstSeen: epochIso(a.first_seen) ?? epochIso(a.timestamp),
          lastSeen: epochIso(a.last_seen) ?? epochIso(a.timestamp),
          tags: tags.filter((x) => !tlpFromTag(x)),
          attack,
        }),
      );
    });
  }
  out.objects.push({
    id: uuid,
    tenant: ctx.tenant,
    type: 'misp-event',
    name: info ?? null,
    feedId: ctx.feedId ?? null,
    modified: epochIso(root.timestamp) ?? null,
    // The event without its attributes: those are the indicators.
    doc: { ...root, Attribute: undefined, Object: undefined, attributeCount: attrs.length },
  });
  return ok(out);
}
