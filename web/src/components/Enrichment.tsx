/**
 * What Vigil knows about an observable, shown next to it on the alert and case pages: the live
 * indicators it matches (confidence, sources, reports, sightings, false-positive marks) and, for
 * addresses, country and AS from the offline databases. One request per page for all observables.
 */
import { useQuery } from '@tanstack/react-query';
import { API_PATHS } from '../api-paths';
import { request } from '../api';
import type { EnrichedObservable } from '../../../src/enrich/observables';

// The server's own types: the console reads exactly what the route answers.
export type { IndicatorSummary } from '../../../src/enrich/observables';
export type Enriched = EnrichedObservable;

const key = (o: { type: string; value: string }) => `${o.type}\n${o.value}`;

/** Enrichment by `type\nvalue`; empty while loading or when the role may not read intel. */
export function useEnrichment(
  observables: ReadonlyArray<{ type: string; value: string }>,
  enabled = true,
): Map<string, Enriched> {
  const list = observables.slice(0, 100).map((o) => ({ type: o.type, value: o.value }));
  const q = useQuery({
    queryKey: ['enrich', list.map(key).join('\n')],
    queryFn: () =>
      request<{ observables: Enriched[] }>('POST', API_PATHS.enrichObservables, {
        body: { observables: list },
      }),
    enabled: enabled && list.length > 0,
    staleTime: 60_000,
  });
  return new Map((q.data?.observables ?? []).map((e) => [key(e), e]));
}

export function enrichmentOf(
  map: Map<string, Enriched>,
  o: { type: string; value: string },
): Enriched | undefined {
  return map.get(key(o));
}

const sevClass = (s: string) => `sev-${s === 'informational' ? 'info' : s}`;

/** Compact badges: an intel hit (with the details on hover) and the network facts. */
export function EnrichmentBadges({ e }: { e: Enriched | undefined }) {
  if (!e) return null;
  const best = e.indicators[0];
  const n = e.network;
  return (
    <>
      {best && (
        <span
          className={`badge ${sevClass(best.severity)}`}
          data-testid="intel-hit"
          title={[
            `${best.type} ${best.value}${best.name ? ` (${best.name})` : ''}`,
            `confidence ${best.confidence}, TLP:${best.tlp.toUpperCase()}`,
            `sources: ${best.sources.join(', ')}`,
            best.reports.length > 0 ? `reports: ${best.reports.join(', ')}` : '',
            `sightings ${best.sightings}, false-positive marks ${best.falsePositives}`,
            best.warning ? `on list ${best.warning}` : '',
            e.indicators.length > 1 ? `+${e.indicators.length - 1} more indicator(s)` : '',
          ]
            .filter(Boolean)
            .join('\n')}
        >
          intel {best.confidence} · {best.sources.slice(0, 2).join(', ')}
          {best.sources.length > 2 ? '…' : ''}
        </span>
      )}
      {n && (
        <span className="badge" data-testid="network-facts" title={`from ${n.sources.join(', ')}`}>
          {[n.country, n.asn !== null ? `AS${n.asn}` : null, n.organization].filter(Boolean).join(' · ')}
        </span>
      )}
    </>
  );
}
