import type { CorrelationAlert } from '../detect/correlation/evaluator.js';
import type { Detection } from '../detect/engine.js';
import type { SourceDetection } from '../ingest/health/silent-monitor.js';
import type { VigilEvent } from '../schema/ecs.js';
import type { DetectionRecord } from '../store/ports.js';
import { arrivalMs, detectionId } from './ids.js';

/** A Sigma match → record. The id is derived from rule and event, so a redelivered batch stores it once. */
export function fromSigma(d: Detection, event: VigilEvent, now: string): DetectionRecord {
  return {
    id: detectionId(arrivalMs(event), `sigma\n${d.ruleId}\n${event.event.id}`),
    tenant: event.organization.id,
    ts: event['@timestamp'],
    detectedAt: now,
    kind: 'sigma',
    ruleId: d.ruleId,
    title: d.title,
    level: d.level,
    tags: d.tags,
    attack: d.attack,
    eventIds: [event.event.id],
    details: { matchedSelections: d.matchedSelections, matchedFields: d.matchedFields },
  };
}

export function fromCorrelation(
  c: CorrelationAlert,
  tenant: string,
  tags: string[],
  attack: DetectionRecord['attack'],
  now: string,
): DetectionRecord {
  return {
    id: detectionId(c.windowEnd, `corr\n${c.correlationId}\n${JSON.stringify(c.group)}\n${c.windowStart}`),
    tenant,
    ts: new Date(c.windowEnd).toISOString(),
    detectedAt: now,
    kind: 'correlation',
    ruleId: c.correlationId,
    title: c.title,
    level: c.level,
    tags,
    attack,
    eventIds: [],
    details: {
      type: c.type,
      group: c.group,
      value: c.value,
      windowStart: new Date(c.windowStart).toISOString(),
      windowEnd: new Date(c.windowEnd).toISOString(),
      rules: c.ruleIds,
    },
  };
}

export function fromSourceHealth(d: SourceDetection): DetectionRecord {
  return {
    id: d.id,
    tenant: d.tenant,
    ts: d.detectedAt,
    detectedAt: d.detectedAt,
    kind: d.kind,
    ruleId: d.ruleId,
    title: d.title,
    level: d.level,
    tags: [],
    attack: { techniques: [], tactics: [] },
    eventIds: [],
    details: { input: d.input, host: d.host, lastSeen: d.lastSeen, silentForSeconds: d.silentForSeconds },
  };
}
