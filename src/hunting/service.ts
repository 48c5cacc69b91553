import type { Logger } from 'pino';
import type { Bus } from '../bus/ports.js';
import type { VigilConfig } from '../config/schema.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { Storage } from '../store/ports.js';
import { ScheduledSearchRunner } from './scheduled-runner.js';
import { SigmaHuntRunner } from './sigma-hunt-runner.js';

/** The background side of hunting on a worker: scheduled searches and Sigma retro-hunt jobs. */
export function startHuntingWork(d: {
  config: VigilConfig['hunting'];
  storage: Storage;
  bus: Bus;
  log: Logger;
  registry: MetricsRegistry;
}): { stop(): Promise<void> } {
  const runs = d.registry.counter(
    'vigil_scheduled_search_runs_total',
    'Scheduled search runs, by status (ok, error)',
  );
  const scheduled = new ScheduledSearchRunner(
    {
      schedules: d.storage.searchSchedules,
      savedSearches: d.storage.savedSearches,
      search: d.storage.search,
      bus: d.bus,
      log: d.log,
      runs,
    },
    { tickMs: d.config.scheduleTickSeconds * 1000, graceMs: d.config.scheduleGraceSeconds * 1000 },
  );
  const hunts = new SigmaHuntRunner(
    {
      hunts: d.storage.sigmaHunts,
      events: d.storage.events,
      bus: d.bus,
      log: d.log,
      exceptions: d.storage.ruleExceptions,
    },
    {
      pollMs: d.config.huntPollSeconds * 1000,
    },
  );
  scheduled.start();
  hunts.start();
  return {
    stop: async () => {
      await Promise.all([scheduled.stop(), hunts.stop()]);
    },
  };
}
