import { detectionRoutes } from '../api/routes/detections.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { LiveDetection, recordDetections } from './live.js';
import { loadConfiguredRules } from './rule-set.js';

/** Live detection: loads the rule set, evaluates every stored batch, records detections. */
export async function startDetection(ctx: CapabilityContext): Promise<Capability> {
  const { config, log, metrics, bus, storage, http } = ctx;
  const { loaded: rules, missing } = loadConfiguredRules(config.rules.paths);
  for (const m of missing) log.warn({ path: m }, 'rule directory not found');
  if (rules.rejected.length > 0)
    log.warn(
      { rejected: rules.rejected.length },
      'some rules were rejected; `vigil rules validate` lists why',
    );
  const detectionsCounter = metrics.registry.counter(
    'vigil_detections_total',
    'Detections produced, by level and kind',
  );
  const live = new LiveDetection(bus, rules, log, detectionsCounter);
  const recorder = await recordDetections(bus, storage.detections, log);
  await live.start();
  detectionRoutes(http, storage.detections, () => rules);
  return {
    close: async () => {
      // Events stored by the last requests are still being evaluated: let the bus drain them.
      await live.stop();
      await recorder.stop();
    },
  };
}
