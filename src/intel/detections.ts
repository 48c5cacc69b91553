/** Indicator hits → detection records: the shape live matching and retro-hunts both publish. */
import { arrivalMs, detectionId } from '../detections/ids.js';
import type { VigilEvent } from '../schema/ecs.js';
import type { DetectionRecord } from '../store/ports.js';
import { hitLevel, type Indicator } from './indicator.js';
import type { Hit } from './match-index.js';

export const INDICATOR_KIND = 'indicator';

const clip = (s: string, n = 80): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Same indicator, same event(s) → same id, whether found live, redelivered or by a retro-hunt;
 * `ms`, the event's arrival, leads the id so that ids are stored in about the order they sort.
 */
export function indicatorDetectionId(indicatorId: string, eventIds: string[], ms: number): string {
  return detectionId(ms, `intel\n${indicatorId}\n${eventIds.join('\n')}`);
}

export function toDetection(
  hit: Hit,
  ind: Indicator,
  event: VigilEvent,
  now: string,
  extra: Record<string, unknown> = {},
): DetectionRecord {
  const eventIds = hit.eventIds ?? [event.event.id];
  const label =
    ind.type === 'stix' ? `STIX pattern ${clip(ind.name ?? ind.value)}` : `${ind.type} ${clip(ind.value)}`;
  return {
    id: indicatorDetectionId(ind.id, eventIds, arrivalMs(event)),
    tenant: event.organization.id,
    ts: event['@timestamp'],
    detectedAt: now,
    kind: INDICATOR_KIND,
    ruleId: `intel:${ind.id}`,
    title: `Threat intel match: ${label} (${ind.sources.join(', ')})`,
    level: hitLevel(ind.severity, ind.confidence),
    tags: [...ind.tags, ...ind.attack.map((t) => `attack.${t.toLowerCase()}`)],
    attack: { techniques: ind.attack.map((t) => t.toLowerCase()), tactics: [] },
    eventIds,
    details: {
      matched: { field: hit.field, value: hit.value },
      indicator: {
        id: ind.id,
        type: ind.type,
        value: ind.value,
        name: ind.name,
        confidence: ind.confidence,
        severity: ind.severity,
        tlp: ind.tlp,
        sources: ind.sources,
        provenance: ind.provenance,
        validUntil: ind.validUntil,
      },
      reports: ind.tags.filter((t) => t.startsWith('report:')).map((t) => t.slice('report:'.length)),
      ...extra,
    },
  };
}
