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
import type { Indicator } from './indicator.js';
import { stixIdOf, stixPattern, toStixIndicator } from './share.js';

export const KEEP_VERSIONS = 20;

/**
 * One stored version, keyed by (stixId, modified): `modified` is its time. Its STIX is the
 * record's while it is the latest; keying by the STIX id serves both "the versions of this
 * indicator" and TAXII's `match[id]` from one index.
 */
export interface VersionRow {
  indicatorId: string;
  tenant: string;
  stixId: string;
  /** ISO time: the STIX `modified` and the TAXII `date_added` of this version */
  modified: string;
  tlp: string;
}

/**
 * What a write of `rec` (which was `prev` before it; none for a new record) does to the versions:
 * nothing when what a consumer sees is unchanged or STIX has no pattern for the type; else a new
 * version, superseding the latest, whose STIX (`supersedes`, without its time, which the store
 * sets from the superseded row) is then written out. Every write path of a store passes `prev`, so
 * comparing the two records is comparing with the latest version.
 */
export function versionChange(
  rec: Indicator,
  prev: Indicator | undefined,
): { row: VersionRow; supersedes?: string } | undefined {
  if (stixPattern(rec.type, rec.value) === undefined) return undefined;
  let modified = rec.updatedAt;
  // Versions of one object never share a time and move forward, whatever the clock did.
  if (prev && Date.parse(modified) <= Date.parse(prev.updatedAt))
    modified = new Date(Date.parse(prev.updatedAt) + 1).toISOString();
  if (Date.parse(modified) < Date.parse(rec.createdAt)) modified = rec.createdAt;
  const row = { indicatorId: rec.id, tenant: rec.tenant, stixId: stixIdOf(rec), modified, tlp: rec.tlp };
  if (!prev) return { row };
  const before = contentOf(prev);
  return before === contentOf(rec) ? undefined : { row, supersedes: before };
}

/** A record's STIX form without its time, as text (what a consumer sees). */
function contentOf(ind: Indicator): string {
  const { modified: _time, ...content } = toStixIndicator(ind) ?? {};
  return JSON.stringify(content);
}

/** The STIX of a record as the version of time `modified`. */
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

/**
 * The WHERE term over `v` (intel_indicator_versions) that a selection makes, with its arguments;
 * undefined when it takes every version. `list(n)` writes n placeholders in the store's dialect.
 */
export function versionSelectionTerm(
  select: VersionSelection,
  list: (n: number) => string,
): { sql: string; args: string[] } | undefined {
  if (select.all) return undefined;
  const edge = (fn: 'min' | 'max') =>
    `v.modified = (SELECT ${fn}(e.modified) FROM intel_indicator_versions e WHERE e.stix_id = v.stix_id)`;
  const any: string[] = [];
  if (select.last) any.push(edge('max'));
  if (select.first) any.push(edge('min'));
  if (select.at?.length) any.push(`v.modified IN (${list(select.at.length)})`);
  return { sql: any.length ? `(${any.join(' OR ')})` : '1 = 0', args: select.at ?? [] };
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
