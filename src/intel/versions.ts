/**
 * Versions of shared indicators: the TAXII server serves each version of an object (`versions/`,
 * `match[version]=first|last|all|<timestamp>`). A version is a change of what a consumer sees —
 * the STIX form — not every write: a feed that re-reports an unchanged indicator on each pull only
 * moves its last-seen, which is no new version. So history grows with real changes only, and at
 * most KEEP_VERSIONS per indicator are kept. The current version is rendered from the live
 * record (its row holds no STIX), so a million indicators that never change cost a narrow row
 * each; a version's STIX is written out only when a newer one supersedes it. Both storage
 * adapters call these.
 */
import { createHash } from 'node:crypto';
import type { Indicator } from './indicator.js';
import { toStixIndicator } from './share.js';

export const KEEP_VERSIONS = 20;

/** One stored version; `modified` is its time. Its STIX is the record's while it is the latest. */
export interface VersionRow {
  indicatorId: string;
  tenant: string;
  stixId: string;
  /** ISO time: the STIX `modified` and the TAXII `date_added` of this version */
  modified: string;
  digest: string;
  tlp: string;
}

export interface LatestVersion {
  digest: string;
  modified: string;
}

/**
 * The version an indicator's record makes if its STIX form changed since `latest` (undefined
 * when unchanged, or when STIX has no pattern for its type). Versions of one object never share a
 * time and always move forward, whatever the clock did.
 */
export function nextVersion(
  ind: Indicator,
  latest: LatestVersion | undefined,
  atIso: string,
): VersionRow | undefined {
  const stix = toStixIndicator(ind);
  if (!stix) return undefined;
  const { modified: _unused, ...content } = stix;
  const digest = createHash('sha1').update(JSON.stringify(content)).digest('base64url');
  if (latest?.digest === digest) return undefined;
  let modified = atIso;
  if (latest && Date.parse(modified) <= Date.parse(latest.modified))
    modified = new Date(Date.parse(latest.modified) + 1).toISOString();
  if (Date.parse(modified) < Date.parse(ind.createdAt)) modified = ind.createdAt;
  return { indicatorId: ind.id, tenant: ind.tenant, stixId: String(stix.id), modified, digest, tlp: ind.tlp };
}

/** The STIX of a record as the version of time `modified` (the stored form of a past version). */
export function versionStix(ind: Indicator, modified: string): Record<string, unknown> | undefined {
  const stix = toStixIndicator(ind);
  return stix ? { ...stix, modified } : undefined;
}

/** Which versions of each object a TAXII request selects (`match[version]`). */
export interface VersionSelection {
  first?: boolean;
  last?: boolean;
  all?: boolean;
  /** exact version times (ISO) */
  at?: string[];
}

/** A TAXII `match[version]` value as a selection; the spec's default is the latest version. */
export function versionSelection(values: string[] | undefined): VersionSelection {
  if (!values || values.length === 0) return { last: true };
  const sel: VersionSelection = {};
  const at: string[] = [];
  for (const v of values) {
    if (v === 'first' || v === 'last' || v === 'all') sel[v] = true;
    else {
      const t = Date.parse(v);
      // An unparsable version matches nothing rather than everything.
      at.push(Number.isFinite(t) ? new Date(t).toISOString() : v);
    }
  }
  if (at.length) sel.at = at;
  return sel;
}

/** Versions in collection order: by time added, then indicator id (a version's unique key). */
export interface IndicatorVersionQuery {
  after?: { modified: string; id: string };
  tlps: string[];
  limit: number;
  select: VersionSelection;
  stixIds?: string[];
}

export interface IndicatorVersion {
  indicatorId: string;
  stixId: string;
  modified: string;
  stix: Record<string, unknown>;
}

/** The version columns a store reads beside the indicator's own row. */
export interface VersionColumns {
  v_stix_id: string;
  v_modified: string;
  /** null while the version is the latest: its STIX is the record's */
  v_stix: string | null;
}

/** A stored version as served: its written-out STIX, or the live record's for the latest. */
export function servedVersion<R extends VersionColumns>(
  r: R,
  toIndicator: (row: R) => Indicator,
): IndicatorVersion {
  const ind = toIndicator(r);
  return {
    indicatorId: ind.id,
    stixId: r.v_stix_id,
    modified: r.v_modified,
    stix:
      r.v_stix === null
        ? (versionStix(ind, r.v_modified) ?? {})
        : (JSON.parse(r.v_stix) as Record<string, unknown>),
  };
}
