import type { Logger } from 'pino';
import type { VigilConfig } from '../config/schema.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { EventStore } from './ports.js';
import { isRetentionTarget, RetentionRunner } from './retention.js';

/**
 * Starts event retention as configured (`retention:`), when the config limits anything and the
 * store can report its usage. Deleted events are counted in `vigil_events_retention_deleted_total`
 * by reason (age, size) and tenant (`*`: a deletion across all tenants).
 */
export function startEventRetention(
  config: VigilConfig['retention'],
  events: EventStore,
  registry: MetricsRegistry,
  log: Logger,
): { stop(): Promise<void> } {
  const deleted = registry.counter(
    'vigil_events_retention_deleted_total',
    'Stored events deleted by retention, by reason (age, size) and tenant (* = all tenants)',
  );
  if (!isRetentionTarget(events)) return { stop: async () => undefined };
  const runner = new RetentionRunner(
    events,
    { days: config.days, maxBytes: config.maxBytes, tenants: config.tenants },
    {
      deleted: (step, n) => {
        deleted.inc({ reason: step.reason, tenant: step.tenant ?? '*' }, n);
        log.info(
          { reason: step.reason, tenant: step.tenant ?? '*', before: step.before, deleted: n },
          'retention deleted events',
        );
      },
    },
  );
  if (!runner.active) return { stop: async () => undefined };
  runner.start(config.intervalMinutes * 60_000, (e) => log.error({ err: e }, 'retention run failed'));
  return { stop: () => runner.stop() };
}
