import { createHash } from 'node:crypto';
import type { SourceDetection } from '../ingest/health/silent-monitor.js';
import { fromSourceHealth } from '../detections/records.js';
import type { DetectionRecord, EventStore } from '../store/ports.js';
import { entityOf, groupFields } from './entity.js';
import type { IntelLookup } from './intel-severity.js';
import { INDICATOR_KIND } from '../intel/detections.js';
import { observablesOf } from './observables.js';
import {
  levelToSeverity,
  raise,
  riskEntities,
  RISK_RULE_ID,
  touchesCriticalAsset,
  type AlertingOptions,
} from './policy.js';
import type { AlertFold, AlertStore, FoldOutcome, RiskContribution, RiskCrossing } from './ports.js';

/** Events read per detection for observables; a correlation over thousands of events needs no more. */
const EVENTS_PER_DETECTION = 20;

/** Tag on alerts raised because an observable is a known indicator. */
export const INTEL_MATCH_TAG = 'intel-match';

/** Kinds that are news but not a problem: they stay detections and open no alert. */
const NOT_ALERTS = new Set(['source_resumed']);

export interface FoldReport {
  outcomes: FoldOutcome[];
  riskAlerts: FoldOutcome[];
}

/** What the detections subject carries: batches of records, or a source-health detection. */
export function detectionsOf(data: DetectionRecord[] | SourceDetection): DetectionRecord[] {
  return Array.isArray(data) ? data : [fromSourceHealth(data)];
}

/**
 * Turns detections into alerts: reads their events, derives entity, severity and observables,
 * folds them into the store (dedup, idempotent per detection), adds risk to hosts and users and
 * opens a risk alert for each entity that crosses the threshold.
 */
export class AlertFolder {
  private readonly critical: ReadonlySet<string>;

  constructor(
    private readonly alerts: AlertStore,
    private readonly events: EventStore,
    private readonly opts: AlertingOptions,
    private readonly intel?: IntelLookup,
  ) {
    this.critical = new Set(opts.criticalAssets.map((a) => a.toLowerCase()));
  }

  async fold(detections: DetectionRecord[]): Promise<FoldReport> {
    const folds: AlertFold[] = [];
    const risk: RiskContribution[] = [];
    for (const d of detections) {
      if (NOT_ALERTS.has(d.kind)) continue;
      const events = await this.readEvents(d);
      const entity = entityOf(d, events[0]);
      const observables = observablesOf(events, groupFields(d));
      const base = levelToSeverity(d.level);
      let severity = touchesCriticalAsset(this.critical, entity, observables) ? raise(base) : base;
      let tags = d.tags;
      if (await this.knownBad(d, observables)) {
        severity = raise(severity);
        tags = [...new Set([...d.tags, INTEL_MATCH_TAG])];
      }
      const firstEventAt = events.reduce(
        (min, e) => {
          const t = Date.parse(e['@timestamp']);
          return Number.isNaN(t) || t >= Date.parse(min) ? min : e['@timestamp'];
        },
        typeof d.details['windowStart'] === 'string' ? d.details['windowStart'] : d.ts,
      );
      folds.push({
        tenant: d.tenant,
        detectionId: d.id,
        kind: d.kind,
        ruleId: d.ruleId,
        title: d.title,
        severity,
        tags,
        attack: d.attack,
        entity,
        ts: d.ts,
        firstEventAt,
        eventIds: d.eventIds,
        observables,
        detection: d,
      });
      const score = this.opts.risk.weights[severity];
      for (const e of riskEntities(entity, observables))
        risk.push({ tenant: d.tenant, entity: e, detectionId: d.id, score, ts: d.ts });
    }
    if (folds.length === 0) return { outcomes: [], riskAlerts: [] };
    const { outcomes, crossings } = await this.alerts.fold(folds, this.opts.dedupWindowMs, {
      items: risk,
      windowMs: this.opts.risk.windowMs,
      threshold: this.opts.risk.threshold,
    });
    const riskAlerts =
      crossings.length === 0
        ? []
        : (
            await this.alerts.fold(
              crossings.map((c) => this.riskFold(c, folds)),
              this.opts.risk.windowMs,
            )
          ).outcomes;
    return { outcomes, riskAlerts };
  }

  /** Intel matches are already scored by their confidence; other detections gain from known-bad observables. */
  private async knownBad(d: DetectionRecord, observables: AlertFold['observables']): Promise<boolean> {
    const floor = this.opts.intelRaiseConfidence;
    if (!this.intel || floor === null || d.kind === INDICATOR_KIND || observables.length === 0) return false;
    try {
      const hit = await this.intel(d.tenant, observables);
      return hit !== null && hit.confidence >= floor;
    } catch {
      // Intel is an enrichment: without it the alert still opens, at the severity the rule gave.
      return false;
    }
  }

  private async readEvents(d: DetectionRecord) {
    const ids = d.eventIds.slice(0, EVENTS_PER_DETECTION);
    const found = await Promise.all(ids.map((id) => this.events.get([d.tenant], id)));
    return found.filter((e) => e !== undefined);
  }

  private riskFold(c: RiskCrossing, folds: AlertFold[]): AlertFold {
    const trigger = folds.find((f) => f.detectionId === c.detectionId);
    const critical = touchesCriticalAsset(this.critical, c.entity, []);
    const windowHours = Math.round(this.opts.risk.windowMs / 3600_000);
    return {
      tenant: c.tenant,
      // Derived from the crossing, so a redelivered batch that crosses again folds as a duplicate.
      detectionId: createHash('sha1')
        .update(`risk\n${c.detectionId}\n${c.entity.type}\n${c.entity.value}`)
        .digest('base64url')
        .slice(0, 22),
      kind: 'risk',
      ruleId: RISK_RULE_ID,
      title: `Risk threshold crossed for ${c.entity.type} ${c.entity.value}`,
      severity: critical ? 'critical' : 'high',
      tags: ['risk'],
      attack: trigger?.attack ?? { techniques: [], tactics: [] },
      entity: c.entity,
      ts: c.ts,
      firstEventAt: trigger?.firstEventAt ?? c.ts,
      eventIds: trigger?.eventIds ?? [],
      observables: [c.entity],
      detection: {
        id: c.detectionId,
        kind: 'risk',
        score: c.score,
        threshold: this.opts.risk.threshold,
        windowHours,
        trigger: trigger?.detection,
      },
    };
  }
}
