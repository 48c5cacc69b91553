/**
 * Analysts' verdicts on indicator alerts feed back into the indicator: closing an intel-match
 * alert as a false positive is a false-positive sighting (confidence drops, and past the limit the
 * indicator stops matching); a true positive is a confirmed sighting. The sighting id comes from
 * the alert change, so a redelivered change counts once.
 */
import type { Logger } from 'pino';
import type { AlertUpdated } from '../alerts/service.js';
import type { Bus, Subscription } from '../bus/ports.js';
import type { SightingKind } from './ports.js';
import type { IntelService } from './service.js';

const ALERTS_UPDATED = 'alerts.updated';
/** Indicator alerts carry the indicator in their rule id (src/intel/detections.ts). */
const INTEL_RULE_PREFIX = 'intel:';

const SIGHTING_OF_VERDICT: Readonly<Record<string, SightingKind>> = {
  false_positive: 'false-positive',
  true_positive: 'true-positive',
};

/** The sighting a change of verdict stands for, or undefined when it says nothing about an indicator. */
export function verdictSighting(
  u: AlertUpdated,
): { indicatorId: string; kind: SightingKind; id: string; note: string } | undefined {
  if (!u.changed.includes('verdict') || !u.alert.ruleId.startsWith(INTEL_RULE_PREFIX)) return undefined;
  const kind = u.alert.verdict ? SIGHTING_OF_VERDICT[u.alert.verdict] : undefined;
  if (!kind) return undefined;
  return {
    indicatorId: u.alert.ruleId.slice(INTEL_RULE_PREFIX.length),
    kind,
    id: `sgt-verdict-${u.id}`,
    note: `alert ${u.alert.id} marked ${u.alert.verdict} by ${u.by}`,
  };
}

export function followAlertVerdicts(bus: Bus, service: IntelService, log: Logger): Promise<Subscription> {
  return bus.consume<AlertUpdated>(
    `${ALERTS_UPDATED}.>`,
    'intel-verdicts',
    async (msg) => {
      const s = verdictSighting(msg.data);
      if (!s) return;
      const tenant = msg.data.alert.tenant;
      const ind = await service.store.getIndicator([tenant], s.indicatorId);
      if (!ind) return; // deleted since, or another tenant's: nothing to adjust
      await service.sight(ind, {
        tenant,
        kind: s.kind,
        source: `analyst:${msg.data.by}`,
        note: s.note,
        id: s.id,
      });
    },
    {
      maxDeliver: 5,
      onDeadLetter: (m, err) =>
        log.error(
          { err, alert: m.data.alert.id },
          'could not record an alert verdict as an indicator sighting',
        ),
    },
  );
}
