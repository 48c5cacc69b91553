import { detectionRoutes } from '../api/routes/detections.js';
import { ruleRoutes } from '../api/routes/rules.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { LiveDetection, recordDetections } from './live.js';
import { RuleManager } from './manager.js';
import { sigmahqDir } from './rule-set.js';

/**
 * The rule store from storage once `Storage.rules` is wired; until then a second connection to the
 * same embedded database (WAL allows it). Only the embedded mode can do the latter.
 */
/** Live detection: loads the rule set, evaluates every stored batch, records detections, manages rules. */
export async function startDetection(ctx: CapabilityContext): Promise<Capability> {
  const { config, log, metrics, bus, storage, http } = ctx;
  const ruleStore = { store: storage.rules, close: () => undefined };
  const sources = { paths: config.rules.paths, sigmahq: sigmahqDir(config.dataDir) };
  const { built, uploads } = await RuleManager.initialSet(ruleStore.store, sources);
  for (const m of built.missing) log.warn({ path: m }, 'rule directory not found');
  if (built.loaded.rejected.length > 0)
    log.warn(
      { rejected: built.loaded.rejected.length },
      'some rules were rejected; `vigil rules validate` lists why',
    );
  const r = metrics.registry;
  const live = new LiveDetection(bus, built, log, {
    latenessMs: config.rules.latenessSeconds * 1000,
    maxGroups: config.rules.maxGroupsPerCorrelation,
    counters: {
      detections: r.counter('vigil_detections_total', 'Detections produced, by level and kind'),
      suppressed: r.counter(
        'vigil_detections_suppressed_total',
        'Detections suppressed by a rule exception, by kind',
      ),
      late: r.counter(
        'vigil_correlation_late_events_total',
        'Rule matches not correlated: older than the newest event time minus rules.latenessSeconds',
      ),
      evicted: r.counter(
        'vigil_correlation_groups_evicted_total',
        'Correlation groups dropped (oldest first) at rules.maxGroupsPerCorrelation',
      ),
    },
  });
  r.gauge('vigil_correlation_groups', 'Open correlation groups, all tenants').set(
    () => live.correlationGroups,
  );
  r.gauge('vigil_rules_loaded', 'Rules, correlations and filters in the live rule set').set(() => {
    const l = live.rules;
    return l.rules.length + l.correlations.length + l.filters.length;
  });
  const manager = new RuleManager(
    live,
    ruleStore.store,
    storage.ruleExceptions,
    storage.audit,
    bus,
    sources,
    log,
    async () => (await storage.identity.listTenants()).map((t) => t.id),
  );
  // Settings and exceptions are in force before the first event is evaluated.
  await manager.start(uploads);
  const restored = live.restore(await ruleStore.store.loadCorrelationState());
  if (restored > 0) log.info({ tenants: restored }, 'correlation state restored');
  const save = async (): Promise<void> => {
    if (!live.dirty) return;
    await ruleStore.store.saveCorrelationState(live.snapshot());
  };
  const timer = setInterval(
    () => void save().catch((err: unknown) => log.error({ err }, 'could not save correlation state')),
    config.rules.snapshotSeconds * 1000,
  );
  timer.unref();
  const recorder = await recordDetections(bus, storage.detections, log);
  await live.start();
  detectionRoutes(http, storage.detections);
  ruleRoutes(http, { manager, live, exceptions: storage.ruleExceptions });
  return {
    close: async () => {
      clearInterval(timer);
      // Events stored by the last requests are still being evaluated: let the bus drain them.
      await live.stop();
      await manager.stop();
      live.dirty = true;
      await save();
      await recorder.stop();
      ruleStore.close();
    },
  };
}
