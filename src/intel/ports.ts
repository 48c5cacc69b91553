/**
 * Storage port of threat intelligence: indicators (merged across sources), the feeds that bring
 * them with their health, STIX context objects (malware, threat actors, reports, observables) and
 * retro-hunt jobs. SQLite implements it in store/sqlite/intel.ts, PostgreSQL in store/postgres/intel.ts;
 * src/intel/intel-store.contract.ts is the behaviour both pass.
 */
import type { IndicatorVersion, IndicatorVersionQuery } from './versions.js';
import type {
  Indicator,
  IndicatorInput,
  IndicatorType,
  IndicatorWarning,
  Severity,
  Tlp,
} from './indicator.js';

/** The little the in-memory match index keeps per indicator; the rest is read on a hit. */
export interface LiveIndicator {
  id: string;
  tenant: string;
  type: IndicatorType;
  value: string;
  /** epoch ms, or Infinity */
  validUntil: number;
}

export interface IndicatorQuery {
  type?: IndicatorType;
  /** exact normalized value */
  value?: string;
  /** any of these exact normalized values (at most 500) */
  values?: string[];
  /** substring of value, name or tags */
  text?: string;
  source?: string;
  includeExpired?: boolean;
  limit: number;
  offset?: number;
}

export const FEED_KINDS = ['stix', 'misp', 'misp-api', 'csv', 'taxii', 'rss'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export interface FeedAuth {
  type: 'none' | 'basic' | 'bearer' | 'header';
  username?: string;
  /** password, token or header value: stored, never returned by the API */
  secret?: string;
  header?: string;
}

/** Per-kind options: CSV column mapping, defaults for what the feed does not say, TAXII collection. */
export interface FeedOptions {
  /** csv: 0-based column holding the value, or its header name */
  column?: number | string;
  /** csv: column holding the type, when the list mixes types */
  typeColumn?: number | string;
  delimiter?: string;
  /** csv/list: the type of every value; guessed per line when absent */
  type?: IndicatorType;
  confidence?: number;
  severity?: Severity;
  tlp?: Indicator['tlp'];
  /** days an indicator of this feed stays valid after it was last reported; none: no end */
  validDays?: number;
  tags?: string[];
  /** taxii: the collection id */
  collection?: string;
  /** taxii: the API root URL (else the discovery default) */
  apiRoot?: string;
  /** taxii: objects per page */
  limit?: number;
  /** taxii: `match[<key>]=<value>` filters, e.g. `{ "type": "indicator" }` */
  match?: Record<string, string>;
  /** misp-api: which restSearch (default attributes) */
  mispScope?: 'attributes' | 'events';
  /** misp-api: only attributes/events with these tags */
  mispTags?: string[];
  /** misp-api: only these MISP attribute types */
  mispTypes?: string[];
}

export interface FeedHealth {
  lastPullAt: string | null;
  lastSuccessAt: string | null;
  /** indicators in the last successful pull */
  lastCount: number;
  lastError: string | null;
  consecutiveFailures: number;
}

export interface Feed {
  id: string;
  tenant: string;
  name: string;
  kind: FeedKind;
  /** http(s) URL or file path */
  url: string;
  /** minutes between pulls; 0: only on demand */
  scheduleMinutes: number;
  enabled: boolean;
  auth: FeedAuth;
  options: FeedOptions;
  health: FeedHealth;
  /** conditional requests and incremental pulls */
  etag: string | null;
  lastModified: string | null;
  cursor: string | null;
  createdBy: string;
  createdAt: string;
}

export interface IntelObject {
  /** STIX id (or MISP event uuid) */
  id: string;
  tenant: string;
  type: string;
  name: string | null;
  feedId: string | null;
  modified: string | null;
  doc: Record<string, unknown>;
}

export interface HuntJob {
  id: string;
  tenant: string;
  status: 'running' | 'done' | 'failed';
  from: string;
  to: string;
  scanned: number;
  hits: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  requestedBy: string;
}

export const SIGHTING_KINDS = ['match', 'true-positive', 'false-positive', 'suppressed'] as const;
export type SightingKind = (typeof SIGHTING_KINDS)[number];

/** An indicator seen in our data, confirmed or dismissed by an analyst, or a hit a list suppressed. */
export interface Sighting {
  id: string;
  tenant: string;
  indicatorId: string;
  kind: SightingKind;
  /** how many matches this record stands for (live matching aggregates a batch) */
  count: number;
  /** who or what: `live`, `retro-hunt`, `analyst:<name>` */
  source: string;
  /** a false-positive's or suppression's reason */
  note: string | null;
  /** the event it was seen in, when one */
  eventId: string | null;
  at: string;
}

export interface SightingPolicy {
  /** confidence points one false-positive mark takes off */
  falsePositivePenalty: number;
  /** false-positive marks after which the indicator stops matching; 0: never */
  expireAfterFalsePositives: number;
}

export const WARNINGLIST_TYPES = ['string', 'substring', 'hostname', 'cidr', 'regex'] as const;
export type WarninglistType = (typeof WARNINGLIST_TYPES)[number];

/** A MISP warninglist (known-benign values) or a tenant's own allowlist, in MISP's format. */
export interface Warninglist {
  id: string;
  /** `*`: applies to every tenant */
  tenant: string;
  kind: 'warninglist' | 'allowlist';
  name: string;
  description: string;
  type: WarninglistType;
  version: number;
  entries: string[];
  /** MISP attribute types it applies to; empty: all */
  matchingAttributes: string[];
  enabled: boolean;
  updatedBy: string;
  updatedAt: string;
}

/** One page of indicators in the order they were last changed, for sharing (TAXII). */
export interface IndicatorPageQuery {
  /** strictly after this updatedAt (and id, to break ties) */
  after?: { updatedAt: string; id: string };
  /** updatedAt at or before this */
  until?: string;
  ids?: string[];
  types?: IndicatorType[];
  tlps: Tlp[];
  limit: number;
}

export interface IntelStore {
  /** Merges each input into the record of (tenant, type, value); normalized values expected. */
  /** `newIds`: the records this call created (a retro-hunt looks for those). */
  upsertIndicators(
    items: IndicatorInput[],
    now?: Date,
  ): Promise<{ inserted: number; updated: number; ids: string[]; newIds: string[] }>;
  getIndicator(tenants: string[], id: string): Promise<Indicator | undefined>;
  /** For hit details: indicators by id, whatever their tenant (the caller matched them). */
  getIndicators(ids: string[]): Promise<Indicator[]>;
  /** `tenants` read their own and the global (`*`) indicators. */
  searchIndicators(
    tenants: string[],
    q: IndicatorQuery,
    now?: Date,
  ): Promise<{ total: number; indicators: Indicator[] }>;
  /** Ends the indicator's validity now; undefined when not found. */
  expireIndicator(tenants: string[], id: string, at: Date): Promise<Indicator | undefined>;
  /**
   * Removes one of a tenant's own indicators and its sightings (a TAXII DELETE); false when the
   * tenant has no such indicator. Other nodes notice through the change mark.
   */
  deleteIndicator(tenant: string, id: string): Promise<boolean>;
  /** Every unexpired indicator without a warning, in compact form, for the match index. */
  forEachLive(now: Date, cb: (row: LiveIndicator) => void): Promise<number>;
  countIndicators(tenants?: string[]): Promise<number>;
  /**
   * Changes whenever an indicator or a list changes (cheap: index lookups), so other nodes of a
   * cluster notice what one node's API or feeds wrote and rebuild their match index.
   */
  changeMark(): Promise<string>;

  putObjects(objs: IntelObject[]): Promise<number>;
  listObjects(tenants: string[], opts: { type?: string; limit: number }): Promise<IntelObject[]>;

  createFeed(f: Feed): Promise<void>;
  listFeeds(tenants?: string[]): Promise<Feed[]>;
  getFeed(id: string): Promise<Feed | undefined>;
  updateFeed(
    id: string,
    patch: Partial<Pick<Feed, 'health' | 'etag' | 'lastModified' | 'cursor' | 'enabled' | 'scheduleMinutes'>>,
  ): Promise<void>;
  deleteFeed(id: string): Promise<boolean>;

  /** Records a sighting and applies its effect; undefined when the indicator is not there. */
  addSighting(s: Sighting, policy: SightingPolicy): Promise<Indicator | undefined>;
  listSightings(tenants: string[], indicatorId: string, limit: number): Promise<Sighting[]>;
  /**
   * Sightings of the tenants' indicators, oldest first, for sharing: only those of indicators with
   * one of `tlps`, and not `suppressed` ones (those are about our lists, not the indicator).
   */
  pageSightings(
    tenants: string[],
    q: { after?: { at: string; id: string }; tlps: Tlp[]; limit: number },
  ): Promise<Sighting[]>;
  /** Indicators (warned ones included) oldest change first; for sharing, not matching. */
  pageIndicators(tenants: string[], q: IndicatorPageQuery): Promise<Indicator[]>;
  /**
   * Versions of the tenants' (and global) indicators for sharing (TAXII), in the order they were
   * added: only of indicators whose TLP is one of `tlps` now and then, and that no list flags now.
   * Records written before versions were kept get their first version on the first call.
   */
  pageIndicatorVersions(tenants: string[], q: IndicatorVersionQuery): Promise<IndicatorVersion[]>;
  /**
   * Removes past versions (never the latest, which is the live record) of one of the tenant's own
   * indicators; the number removed.
   */
  deleteIndicatorVersions(tenant: string, id: string, versions: string[]): Promise<number>;

  /** Sets or clears indicators' warnings (a list changed); a changed record counts as changed. */
  setWarnings(items: Array<{ id: string; warning: IndicatorWarning | null }>, at: Date): Promise<number>;
  /**
   * Clears the warnings one list set (by name and kind; for a tenant's list only on that tenant's
   * indicators) and returns those indicators' ids, so they can be checked against the lists again.
   */
  clearWarnings(list: Pick<Warninglist, 'name' | 'kind' | 'tenant'>, at: Date): Promise<string[]>;
  putWarninglist(w: Warninglist): Promise<void>;
  /** Without tenants: all lists (the filter builds one per tenant). */
  listWarninglists(tenants?: string[]): Promise<Warninglist[]>;
  getWarninglist(id: string): Promise<Warninglist | undefined>;
  deleteWarninglist(id: string): Promise<boolean>;

  putHunt(h: HuntJob): Promise<void>;
  getHunt(tenants: string[], id: string): Promise<HuntJob | undefined>;
  listHunts(tenants: string[], limit: number): Promise<HuntJob[]>;
}
