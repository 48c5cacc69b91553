import { detectionRoutes } from '../api/routes/detections.js';
import { ruleRoutes } from '../api/routes/rules.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { runsDuty } from '../cluster/roles.js';
import { LiveDetection, recordDetections } from './live.js';
import { PartitionCoordinator } from '../cluster/partitions.js';
import { PgPartitionOwnership, type PartitionOwnership } from './partition-ownership.js';
import { CorrelationPartitions } from './partitioned.js';
import { RuleManager } from './manager.js';
import { sigmahqDir } from './rule-set.js';

/**
 * The rule store from storage once `Storage.rules` is wired; until then a second connection to the
 * same embedded database (WAL allows it). Only the embedded mode can do the latter.
 */
/** Rows of the correlation state table holding a partition's checkpoint (cluster mode). */
const PARTITION_KEY = 'partition:';

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
  // Partitioned correlation needs a shared database for leases and checkpoints and a durable bus.
  const partitions =
    storage.kind === 'postgres' && config.nats.url && config.database.url
      ? config.rules.correlationPartitions
      : 0;
  const live = new LiveDetection(bus, built, log, {
    correlationPartitions: partitions,
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
  const restored = live.restore(
    (await ruleStore.store.loadCorrelationState()).filter((x) => !x.tenant.startsWith(PARTITION_KEY)),
  );
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
  const partitionOwnership = (): PartitionOwnership => {
    if (config.rules.partitionOwnership === 'postgres')
      return new PgPartitionOwnership(config.database.url!, partitions, log);
    if (!ctx.nats) throw new Error('rules.partitionOwnership "nats" needs the NATS bus (cluster mode)');
    return new PartitionCoordinator({
      nc: ctx.nats,
      partitions,
      leaseMs: config.rules.partitionLeaseMs,
      replicas: config.nats.replicas,
      onError: (err) => log.warn({ err }, 'partition lease round failed; retrying'),
    });
  };
  const correlating =
    partitions > 0 && runsDuty(ctx, 'detect')
      ? new CorrelationPartitions({
          bus,
          live,
          partitions,
          log,
          ownership: partitionOwnership(),
          state: {
            load: async (p) =>
              (await ruleStore.store.loadCorrelationState()).find((x) => x.tenant === `${PARTITION_KEY}${p}`)
                ?.snapshot,
            save: (p, state) =>
              ruleStore.store.saveCorrelationState([{ tenant: `${PARTITION_KEY}${p}`, snapshot: state }]),
          },
        })
      : undefined;
  await correlating?.start();
  if (correlating)
    r.gauge('vigil_correlation_partitions_owned', 'Correlation partitions this detect node owns').set(
      () => correlating.owned().size,
    );
  await live.start();
  detectionRoutes(http, storage.detections);
  ruleRoutes(http, { manager, live, exceptions: storage.ruleExceptions });
  return {
    close: async () => {
      clearInterval(timer);
      // Events stored by the last requests are still being evaluated: let the bus drain them.
      await live.stop();
      // Partitions are saved and unlocked: the other detect nodes take them over at once.
      await correlating?.stop();
      await manager.stop();
      live.dirty = true;
      await save();
      await recorder.stop();
      ruleStore.close();
    },
  };
}
