import type { Entity } from './entity.js';
import { SEVERITIES, severityRank, type Observable, type Severity } from './ports.js';

/** How detections become alerts. Defaults need no configuration; app.ts may pass overrides. */
export interface AlertingOptions {
  /** Same rule + same entity within this long (after the alert's lastSeen) folds into one alert. */
  dedupWindowMs: number;
  /** Hosts, users or addresses whose alerts are raised one severity step (case-insensitive). */
  criticalAssets: string[];
  /**
   * An alert one of whose observables is a live threat-intel indicator of at least this confidence
   * (0–100) is raised one severity step and tagged `intel-match`; null turns this off.
   */
  intelRaiseConfidence: number | null;
  risk: {
    /** Sliding window over which an entity's risk adds up. */
    windowMs: number;
    /** Risk at which one "risk threshold" alert is raised for the entity. */
    threshold: number;
    /** Risk each detection adds to its host and user, by the severity of its alert. */
    weights: Record<Severity, number>;
  };
}

export const DEFAULT_ALERTING: AlertingOptions = {
  dedupWindowMs: 60 * 60_000,
  criticalAssets: [],
  intelRaiseConfidence: 75,
  risk: {
    windowMs: 24 * 60 * 60_000,
    threshold: 100,
    weights: { informational: 1, low: 5, medium: 15, high: 40, critical: 80 },
  },
};

export function withDefaults(o: Partial<AlertingOptions> = {}): AlertingOptions {
  return {
    ...DEFAULT_ALERTING,
    ...o,
    risk: {
      ...DEFAULT_ALERTING.risk,
      ...o.risk,
      weights: { ...DEFAULT_ALERTING.risk.weights, ...o.risk?.weights },
    },
  };
}

/** The rule's level as a severity; a level outside the Sigma five counts as medium. */
export function levelToSeverity(level: string): Severity {
  const l = level.toLowerCase();
  return (SEVERITIES as readonly string[]).includes(l) ? (l as Severity) : 'medium';
}

const ASSET_TYPES = new Set(['host', 'user', 'ip']);

/** True when the entity, or a host/user/ip observable, is on the critical-asset list. */
export function touchesCriticalAsset(
  critical: ReadonlySet<string>,
  entity: Entity | null,
  observables: Observable[],
): boolean {
  if (critical.size === 0) return false;
  if (entity && entity.value.split(' | ').some((v) => critical.has(v.toLowerCase()))) return true;
  return observables.some((o) => ASSET_TYPES.has(o.type) && critical.has(o.value.toLowerCase()));
}

export function raise(s: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, severityRank(s) + 1)]!;
}

/** The host and user entities a detection adds risk to. */
export function riskEntities(entity: Entity | null, observables: Observable[]): Entity[] {
  const out = new Map<string, Entity>();
  const add = (e: Entity): void => void out.set(`${e.type}\n${e.value}`, e);
  if (entity && (entity.type === 'host' || entity.type === 'user')) add(entity);
  // Only the event's own host and user, not every related name, so one event cannot smear risk widely.
  const host = observables.find((o) => o.type === 'host');
  const user = observables.find((o) => o.type === 'user');
  if (host) add({ type: 'host', value: host.value });
  if (user) add({ type: 'user', value: user.value });
  return [...out.values()];
}

export const RISK_RULE_ID = 'vigil-risk-threshold';
