import { alertRoutes } from '../api/routes/alerts.js';
import type { SourceDetection } from '../ingest/health/silent-monitor.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { DETECTIONS_SUBJECT } from '../detections/live.js';
import type { DetectionRecord } from '../store/ports.js';
import { VERSION } from '../version.js';
import { alertNotification } from './notification.js';
import { AlertActions, type Actor } from './actions.js';
import { AlertFolder, detectionsOf } from './folding.js';
import { intelLookupFrom } from './intel-severity.js';
import { DEFAULT_ALERTING, levelToSeverity, withDefaults, type AlertingOptions } from './policy.js';
import { SEVERITIES, type Alert, type AlertComment, type AlertStore } from './ports.js';
import type { TriageRequest } from './lifecycle.js';
import type { Bus } from '../bus/ports.js';
import { newId } from '../util/ids.js';

/** Subject on which new alerts are announced (notifications, cases): `alerts.created.<tenant>`. */
export const ALERTS_CREATED_SUBJECT = 'alerts.created';
/** Subject on which changes to an alert are announced (playbooks): `alerts.updated.<tenant>`. */
export const ALERTS_UPDATED_SUBJECT = 'alerts.updated';

/**
 * Alerting: folds every detection on the bus into alerts (own consumer group, so it runs beside the
 * detection recorder) and serves the alert API.
 */
export async function startAlerting(
  ctx: CapabilityContext,
  options: Partial<AlertingOptions> = {},
): Promise<Capability> {
  const { storage, bus, log, metrics, http } = ctx;
  const fromConfig = ctx.config.alerts;
  const opts = withDefaults({
    dedupWindowMs: fromConfig.dedupWindowMinutes * 60_000,
    criticalAssets: fromConfig.criticalAssets,
    intelRaiseConfidence: fromConfig.intelRaiseConfidence,
    ...options,
    risk: {
      ...DEFAULT_ALERTING.risk,
      windowMs: fromConfig.risk.windowHours * 3_600_000,
      threshold: fromConfig.risk.threshold,
      ...options.risk,
    },
  });
  const minRank = SEVERITIES.indexOf(fromConfig.minSeverity);
  const folder = new AlertFolder(storage.alerts, storage.events, opts, intelLookupFrom(storage.intel));
  const folded = metrics.registry.counter(
    'vigil_alert_detections_total',
    'Detections folded into alerts, by result (created, merged, duplicate)',
  );
  const created = metrics.registry.counter('vigil_alerts_created_total', 'Alerts opened, by kind');
  const sub = await bus.consume<DetectionRecord[] | SourceDetection>(
    `${DETECTIONS_SUBJECT}.>`,
    'alert',
    async (msg) => {
      const all = detectionsOf(msg.data);
      // Below the floor (informational by default), a detection is a building block: stored,
      // searchable and correlated, but not something to triage.
      const worth = all.filter((d) => SEVERITIES.indexOf(levelToSeverity(d.level)) >= minRank);
      if (worth.length < all.length) folded.inc({ result: 'below_floor' }, all.length - worth.length);
      if (worth.length === 0) return;
      const { outcomes, riskAlerts } = await folder.fold(worth);
      for (const o of outcomes) folded.inc({ result: o.result });
      const fresh = outcomes.filter((o) => o.result === 'created');
      const freshRisk = riskAlerts.filter((o) => o.result === 'created');
      if (fresh.length > 0) created.inc({ kind: 'detection' }, fresh.length);
      if (freshRisk.length > 0) created.inc({ kind: 'risk' }, freshRisk.length);
      const ids = [...fresh, ...freshRisk].map((o) => o.alertId);
      if (ids.length === 0) return;
      const tenant = worth[0]!.tenant;
      await bus.publish(`${ALERTS_CREATED_SUBJECT}.${tenant}`, { alertIds: ids });
      // The notifier decides per channel what is worth sending (severity floors, tenants).
      for (const a of await storage.alerts.get(tenant, ids)) {
        await bus.publish(`notifications.${tenant}`, alertNotification(a, 'alert.created'));
      }
    },
    {
      maxDeliver: 10,
      // Several batches in flight let their folds share one commit (see SqliteAlertStore.fold).
      maxInFlight: 8,
      onDeadLetter: (_m, err) =>
        log.error({ err }, 'could not fold detections into alerts after 10 attempts'),
    },
  );
  const actions = new AnnouncingAlertActions(
    storage.alerts,
    storage.events,
    storage.audit,
    storage.ruleExceptions,
    bus,
  );
  alertRoutes(http, { alerts: storage.alerts, events: storage.events, actions, version: VERSION });
  return { close: () => sub.stop() };
}

/** The message on `alerts.updated.<tenant>`: the alert after the change, what changed, and who. */
export interface AlertUpdated {
  /** Unique per change, the same on redelivery: consumers act once per change. */
  id: string;
  alert: Alert;
  /** Top-level alert fields that differ (`updatedAt` aside); `comments` for a new comment. */
  changed: string[];
  by: string;
}

/**
 * Alert actions that announce each change (triage, bulk, severity, comments) after it is saved.
 * The "before" is read just ahead of the change, so under concurrent edits `changed` may name a
 * field someone else changed in between: fine for triggers, which look at the alert after.
 */
export class AnnouncingAlertActions extends AlertActions {
  readonly #alerts: AlertStore;
  readonly #bus: Bus;
  constructor(...args: ConstructorParameters<typeof AlertActions>) {
    super(...args);
    this.#alerts = args[0];
    this.#bus = args[4];
  }

  override async update(actor: Actor, tenants: string[], id: string, req: TriageRequest): Promise<Alert> {
    const before = await this.#alerts.find(tenants, id);
    const after = await super.update(actor, tenants, id, req);
    const changed = Object.keys(after).filter(
      (k) =>
        k !== 'updatedAt' &&
        JSON.stringify(before?.[k as keyof Alert]) !== JSON.stringify(after[k as keyof Alert]),
    );
    if (changed.length > 0) await this.#announce({ id: newId(), alert: after, changed, by: actor.name });
    return after;
  }

  override async comment(actor: Actor, tenants: string[], id: string, body: string): Promise<AlertComment> {
    const c = await super.comment(actor, tenants, id, body);
    const alert = await this.#alerts.find(tenants, id);
    if (alert) await this.#announce({ id: newId(), alert, changed: ['comments'], by: actor.name });
    return c;
  }

  #announce(u: AlertUpdated): Promise<void> {
    return this.#bus.publish(`${ALERTS_UPDATED_SUBJECT}.${u.alert.tenant}`, u);
  }
}
