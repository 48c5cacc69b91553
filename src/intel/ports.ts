/**
 * Storage port of threat intelligence: indicators (merged across sources), the feeds that bring
 * them with their health, STIX context objects (malware, threat actors, reports, observables) and
 * retro-hunt jobs. SQLite implements it in store/sqlite/intel.ts.
 */
import type { Indicator, IndicatorInput, IndicatorType, Severity } from './indicator.js';

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
  /** substring of value, name or tags */
  text?: string;
  source?: string;
  includeExpired?: boolean;
  limit: number;
  offset?: number;
}

export const FEED_KINDS = ['stix', 'misp', 'csv', 'taxii'] as const;
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
  /** Every unexpired indicator, in compact form, for the match index. */
  forEachLive(now: Date, cb: (row: LiveIndicator) => void): Promise<number>;
  countIndicators(tenants?: string[]): Promise<number>;

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

  putHunt(h: HuntJob): Promise<void>;
  getHunt(tenants: string[], id: string): Promise<HuntJob | undefined>;
  listHunts(tenants: string[], limit: number): Promise<HuntJob[]>;
}
