/**
 * How a report merges into the stored record of an IOC, and how sightings change it. Both storage
 * adapters (SQLite, PostgreSQL) call these, so a record evolves the same way whatever the store.
 */
import {
  SEVERITIES,
  type Indicator,
  type IndicatorInput,
  type IndicatorWarning,
  type Provenance,
} from './indicator.js';
import type { Sighting, SightingPolicy } from './ports.js';

/** What a store keeps beyond the API's Indicator: the confidence the sources gave, before penalties. */
export interface IndicatorRecord extends Indicator {
  /** highest confidence any source gave */
  rawConfidence: number;
  /** points taken off by analysts' false-positive marks */
  confidencePenalty: number;
  sightings: number;
  falsePositives: number;
  warning: IndicatorWarning | null;
}

const union = (a: string[], b: string[] | undefined): string[] => (b ? [...new Set([...a, ...b])] : a);
const later = (a: string, b: string | undefined): string => (b !== undefined && b > a ? b : a);
const earlier = (a: string, b: string | undefined): string => (b !== undefined && b < a ? b : a);
const sevRank = (s: string): number => SEVERITIES.indexOf(s as Indicator['severity']);
const clamp = (n: number): number => Math.max(0, Math.min(100, n));

/** Epoch ms of an ISO time; null for none or an unparsable one. */
export const epochMs = (iso: string | null | undefined): number | null => {
  if (iso === null || iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

/**
 * Merging keeps one record per IOC: provenance holds each source's latest report, confidence
 * and severity are the highest any source gave (less the false-positive penalty, which a
 * re-report does not wash away), first/last seen widen, and a new report renews validity (the
 * later end wins; a report with an explicit null end removes it, one that states nothing keeps
 * it), so a re-reported indicator matches again even after it had expired. A warning (warninglist
 * or allowlist hit) is re-evaluated on each report, since lists change.
 */
export function mergeIndicator(
  id: string,
  cur: IndicatorRecord | undefined,
  it: IndicatorInput,
  nowIso: string,
): IndicatorRecord {
  const prov: Provenance = {
    source: it.source,
    seenAt: it.lastSeen ?? nowIso,
    ...(it.feedId ? { feedId: it.feedId } : {}),
    ...(it.externalId ? { externalId: it.externalId } : {}),
    ...(it.reference ? { reference: it.reference } : {}),
    ...(it.confidence !== undefined ? { confidence: it.confidence } : {}),
    ...(it.severity ? { severity: it.severity } : {}),
  };
  const validUntilMs = it.validUntil === undefined ? null : epochMs(it.validUntil);
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  if (!cur) {
    const raw = it.confidence ?? 50;
    return {
      id,
      tenant: it.tenant,
      type: it.type,
      value: it.value,
      name: it.name ?? null,
      description: it.description ?? null,
      confidence: raw,
      rawConfidence: raw,
      confidencePenalty: 0,
      severity: it.severity ?? 'medium',
      tlp: it.tlp ?? 'amber',
      firstSeen: it.firstSeen ?? it.lastSeen ?? nowIso,
      lastSeen: it.lastSeen ?? nowIso,
      validUntil: iso(validUntilMs),
      tags: it.tags ?? [],
      attack: it.attack ?? [],
      sources: [it.source],
      provenance: [prov],
      sightings: 0,
      falsePositives: 0,
      warning: it.warning ?? null,
      createdAt: nowIso,
      updatedAt: nowIso,
    };
  }
  const curValid = epochMs(cur.validUntil);
  const raw = Math.max(cur.rawConfidence, it.confidence ?? 0);
  return {
    ...cur,
    name: it.name ?? cur.name,
    description: it.description ?? cur.description,
    rawConfidence: raw,
    confidence: clamp(raw - cur.confidencePenalty),
    severity: it.severity && sevRank(it.severity) > sevRank(cur.severity) ? it.severity : cur.severity,
    tlp: it.tlp ?? cur.tlp,
    firstSeen: earlier(cur.firstSeen, it.firstSeen ?? it.lastSeen),
    lastSeen: later(cur.lastSeen, it.lastSeen ?? nowIso),
    validUntil:
      it.validUntil === undefined
        ? cur.validUntil
        : validUntilMs === null || curValid === null
          ? null
          : iso(Math.max(validUntilMs, curValid)),
    tags: union(cur.tags, it.tags),
    attack: union(cur.attack, it.attack),
    sources: union(cur.sources, [it.source]),
    provenance: [...cur.provenance.filter((p) => p.source !== it.source), prov],
    warning: it.warning !== undefined ? it.warning : cur.warning,
    updatedAt: nowIso,
  };
}

/**
 * A sighting's effect: a match or a confirmation counts; a false-positive mark takes confidence
 * points off and, after enough marks, ends the indicator's validity so it stops alerting.
 */
export function applySighting(cur: IndicatorRecord, s: Sighting, policy: SightingPolicy): IndicatorRecord {
  if (s.kind === 'match' || s.kind === 'true-positive')
    return { ...cur, sightings: cur.sightings + s.count, lastSeen: later(cur.lastSeen, s.at) };
  if (s.kind !== 'false-positive') return cur;
  const falsePositives = cur.falsePositives + 1;
  const confidencePenalty = cur.confidencePenalty + policy.falsePositivePenalty;
  const expire = policy.expireAfterFalsePositives > 0 && falsePositives >= policy.expireAfterFalsePositives;
  const curValid = epochMs(cur.validUntil);
  const at = Date.parse(s.at);
  return {
    ...cur,
    falsePositives,
    confidencePenalty,
    confidence: clamp(cur.rawConfidence - confidencePenalty),
    validUntil: expire && (curValid === null || curValid > at) ? s.at : cur.validUntil,
    updatedAt: s.at,
  };
}

/** The API's view of a record (the penalty bookkeeping stays inside). */
export function publicIndicator(r: IndicatorRecord): Indicator {
  const { rawConfidence: _r, confidencePenalty: _p, ...rest } = r;
  return rest;
}
