import { alertRoutes } from '../api/routes/alerts.js';
import type { SourceDetection } from '../ingest/health/silent-monitor.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { DETECTIONS_SUBJECT } from '../detections/live.js';
import type { DetectionRecord } from '../store/ports.js';
import { VERSION } from '../version.js';
import { alertNotification } from './notification.js';
import { AlertActions } from './actions.js';
import { AlertFolder, detectionsOf } from './folding.js';
import { intelLookupFrom } from './intel-severity.js';
import { DEFAULT_ALERTING, levelToSeverity, withDefaults, type AlertingOptions } from './policy.js';
import { SEVERITIES } from './ports.js';

/** Subject on which new alerts are announced (notifications, cases): `alerts.created.<tenant>`. */
export const ALERTS_CREATED_SUBJECT = 'alerts.created';

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
  const actions = new AlertActions(
    storage.alerts,
    storage.events,
    storage.audit,
    storage.ruleExceptions,
    bus,
  );
  alertRoutes(http, { alerts: storage.alerts, events: storage.events, actions, version: VERSION });
  return { close: () => sub.stop() };
}
