/**
 * Observable enrichment for the alert and case pages: which live indicators an observable is (or,
 * for a domain, sits under), with their sources, reports, sightings and false-positive marks; and,
 * for addresses, country and AS from the offline databases. Read-only and bounded per call.
 */
import { candidatesOf } from '../alerts/intel-severity.js';
import { containingNetworks, parseIp } from '../intel/ip.js';
import type { IndicatorQuery, IntelStore } from '../intel/ports.js';
import type { IpAsnTable } from './ip-asn.js';
import type { AddressDatabases } from './mmdb.js';

export const MAX_OBSERVABLES = 100;
/** Indicators shown per observable: the most confident first. */
const MAX_INDICATORS = 5;

export interface IndicatorSummary {
  id: string;
  type: string;
  value: string;
  name: string | null;
  confidence: number;
  severity: string;
  tlp: string;
  sources: string[];
  reports: string[];
  attack: string[];
  sightings: number;
  falsePositives: number;
  lastSeen: string;
  validUntil: string | null;
  warning: string | null;
}

export interface NetworkFacts {
  country: string | null;
  asn: number | null;
  organization: string | null;
  sources: string[];
}

export interface EnrichedObservable {
  type: string;
  value: string;
  indicators: IndicatorSummary[];
  network: NetworkFacts | null;
}

export class ObservableEnricher {
  constructor(
    private readonly deps: {
      intel: IntelStore;
      addresses?: AddressDatabases | undefined;
      asnTable?: Pick<IpAsnTable, 'lookup' | 'size'> | undefined;
    },
  ) {}

  async enrich(
    tenant: string,
    observables: ReadonlyArray<{ type: string; value: string }>,
  ): Promise<EnrichedObservable[]> {
    const out: EnrichedObservable[] = [];
    const now = new Date();
    for (const o of observables.slice(0, MAX_OBSERVABLES)) {
      const found = new Map<string, IndicatorSummary>();
      const queries: IndicatorQuery[] = candidatesOf(o).map((c) => ({
        type: c.type,
        value: c.value,
        limit: MAX_INDICATORS,
      }));
      // An address also sits in every listed network that holds it (one query for all prefixes).
      const ip =
        o.type === 'ip' || o.type === 'ipv4' || o.type === 'ipv6' ? parseIp(o.value.trim()) : undefined;
      if (ip) queries.push({ type: 'cidr', values: containingNetworks(ip), limit: MAX_INDICATORS });
      for (const q of queries) {
        const { indicators } = await this.deps.intel.searchIndicators([tenant], q, now);
        for (const i of indicators)
          found.set(i.id, {
            id: i.id,
            type: i.type,
            value: i.value,
            name: i.name,
            confidence: i.confidence,
            severity: i.severity,
            tlp: i.tlp,
            sources: i.sources,
            reports: i.tags.filter((t) => t.startsWith('report:')).map((t) => t.slice('report:'.length)),
            attack: i.attack,
            sightings: i.sightings ?? 0,
            falsePositives: i.falsePositives ?? 0,
            lastSeen: i.lastSeen,
            validUntil: i.validUntil,
            warning: i.warning ? i.warning.list : null,
          });
      }
      out.push({
        type: o.type,
        value: o.value,
        indicators: [...found.values()].sort((a, b) => b.confidence - a.confidence).slice(0, MAX_INDICATORS),
        network: o.type === 'ip' || parseIp(o.value.trim()) ? this.network(o.value) : null,
      });
    }
    return out;
  }

  /** Country and AS of an address: the range table (AS, organisation) first, the databases for the rest. */
  network(address: string): NetworkFacts | null {
    if (!parseIp(address.trim())) return null;
    const facts: NetworkFacts = { country: null, asn: null, organization: null, sources: [] };
    const t = this.deps.asnTable?.lookup(address);
    if (t) {
      facts.asn = t.asn;
      facts.organization = t.organization;
      facts.country = t.country;
      facts.sources.push('ip-asn table');
    }
    const m = this.deps.addresses?.lookup(address);
    if (m) {
      if (facts.country === null) facts.country = m.country;
      if (facts.asn === null && m.asn !== null) {
        facts.asn = m.asn;
        facts.organization = m.organization;
      }
      facts.sources.push(...m.sources.map((s) => s.split('/').pop()!));
    }
    return facts.sources.length > 0 ? facts : null;
  }
}
