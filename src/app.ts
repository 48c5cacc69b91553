/**
 * Composition root: the only module that knows which adapters run. It reads the configuration,
 * opens storage and the bus, wires the modules and starts the listeners.
 */
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildServer } from './api/server.js';
import { AuthService } from './auth/service.js';
import type { Bus } from './bus/ports.js';
import { MemoryBus } from './bus/memory/memory-bus.js';
import { NatsBus } from './bus/nats/nats-bus.js';
import type { VigilConfig } from './config/schema.js';
import { createVigilMetrics, type VigilMetrics } from './metrics/registry.js';
import { startNetflowListener, type NetflowListener } from './ingest/netflow/listener.js';
import { startSyslogListeners, type SyslogListeners } from './ingest/syslog/listener.js';
import { SourceHealth } from './ingest/health/source-health.js';
import { SilentSourceMonitor } from './ingest/health/silent-monitor.js';
import { sourceRoutes } from './api/routes/sources.js';
import { startDirectoryWatch } from './ingest/files/watch.js';
import { startDetection } from './detections/service.js';
import { startIntel } from './intel/service.js';
import { SearchRecorder, searchRoutes } from './api/routes/search.js';
import { savedSearchRoutes } from './api/routes/saved-searches.js';
import { scheduledSearchRoutes } from './api/routes/scheduled-searches.js';
import { sigmaHuntRoutes } from './api/routes/sigma-hunts.js';
import { enrichRoutes } from './api/routes/enrich.js';
import { openNetworkFacts } from './enrich/network.js';
import { ObservableEnricher } from './enrich/observables.js';
import { startHuntingWork } from './hunting/service.js';
import { startAlerting } from './alerts/service.js';
import { startCases } from './cases/service.js';
import { startReports } from './reports/service.js';
import { startNotifications } from './notify/service.js';
import { startPlaybooks } from './playbooks/service.js';
import type { Capability, CapabilityContext } from './capability.js';
import { IngestPipeline } from './pipeline/ingest.js';
import { normalizeIncoming } from './normalize/incoming.js';
import type { Storage } from './store/ports.js';
import { openSqliteStorage } from './store/sqlite/index.js';
import { openPostgresStorage } from './store/postgres/index.js';
import { checkRoleServices, dutiesOf, RoleConfigError } from './cluster/roles.js';
import { scopeBus } from './cluster/bus-scope.js';
import { scopeRoutes } from './cluster/http-scope.js';
import { VERSION } from './version.js';
import { startEventRetention } from './store/retention-service.js';

export interface VigilApp {
  config: VigilConfig;
  log: Logger;
  storage: Storage;
  bus: Bus;
  auth: AuthService;
  ingest: IngestPipeline;
  metrics: VigilMetrics;
  http: FastifyInstance;
  sources: SourceHealth;
  /** Listening ports by input id (`http`, `syslog`, `netflow`, and any extra inputs). */
  ports: { http: number; syslog?: number; netflow?: number; [input: string]: number | undefined };
  close(): Promise<void>;
}

export class StartupError extends Error {}

/** PostgreSQL when `database.url` is set (shared by the nodes of a cluster), else the embedded SQLite file. */
export async function openStorage(config: VigilConfig): Promise<Storage> {
  if (config.database.url) {
    const url = config.database.url;
    return openPostgresStorage(url).catch((e: unknown) => {
      // The host only: the URL may carry a password.
      throw new StartupError(
        `database.url (VIGIL_DATABASE_URL): cannot use PostgreSQL at ${new URL(url).host}: ${(e as Error).message}`,
      );
    });
  }
  return openSqliteStorage(config.dataDir);
}

/** NATS JetStream when `nats.url` is set (work survives a crash and spreads over nodes), else in-process. */
export async function openBus(config: VigilConfig): Promise<Bus> {
  // Bounded in batches: a consumer that falls behind slows ingest instead of filling memory. A
  // batch is up to a thousand events, so 16 per consumer group hold ~16k events behind detection;
  // 256 let a detection backlog reach gigabytes when every event matched a rule.
  if (!config.nats.url) return new MemoryBus(16);
  const url = config.nats.url;
  return NatsBus.open({
    url,
    streamPrefix: config.nats.streamPrefix,
    servers: config.nats.servers,
    replicas: config.nats.replicas,
    tls: config.nats.tls,
  }).catch((e: unknown) => {
    const where = new URL(url).host;
    throw new StartupError(
      `nats.url (VIGIL_NATS_URL): cannot use NATS JetStream at ${where}: ${(e as Error).message}`,
    );
  });
}

export async function startVigil(
  config: VigilConfig,
  opts: { log?: Logger; adminPassword?: string; print?: (line: string) => void } = {},
): Promise<VigilApp> {
  const log = opts.log ?? pino({ level: config.log.level });
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  // Cluster role: which routes, consumers and listeners this process runs (cluster/roles.ts).
  const duties = dutiesOf(config.cluster.role);
  try {
    checkRoleServices(config.cluster.role, config);
  } catch (e) {
    throw e instanceof RoleConfigError ? new StartupError(e.message) : e;
  }
  const storage = await openStorage(config);
  const bus = await openBus(config).catch(async (e: unknown) => {
    await storage.close();
    throw e;
  });
  const metrics = createVigilMetrics();
  const auth = new AuthService(storage.identity, storage.audit, config.auth);
  const boot = await auth.bootstrap(opts.adminPassword);
  if (boot.generatedPassword) {
    // Shown once, on the console only; it is never logged or stored in clear.
    print(`created user admin with password: ${boot.generatedPassword}`);
    print(
      '(set VIGIL_ADMIN_PASSWORD before the first start to choose it; change it with `vigil user passwd admin --password-stdin`)',
    );
  }
  const ingest = new IngestPipeline(
    storage.events,
    storage.deadLetters,
    bus,
    metrics,
    config.ingest.maxPendingEvents,
    undefined,
    normalizeIncoming,
  );
  const http = await buildServer({ config, storage, bus, auth, ingest, metrics, version: VERSION }, log);
  const sources = new SourceHealth({ registry: metrics.registry });
  sourceRoutes(http, sources);
  searchRoutes(http, storage.search, new SearchRecorder(storage.audit, storage.searchHistory));
  savedSearchRoutes(http, storage.savedSearches, storage.audit);
  scheduledSearchRoutes(http, {
    schedules: storage.searchSchedules,
    savedSearches: storage.savedSearches,
    search: storage.search,
    audit: storage.audit,
    log,
  });
  sigmaHuntRoutes(http, storage.sigmaHunts, storage.audit);
  // Read once per process: the range tables and databases are tens of megabytes.
  const network = await openNetworkFacts(config.enrichment, log);
  enrichRoutes(http, new ObservableEnricher({ intel: storage.intel, ...network }));
  scopeRoutes(http, duties);

  const ctx: CapabilityContext = {
    config,
    storage,
    bus: scopeBus(bus, duties, log),
    ...(bus instanceof NatsBus ? { nats: bus.connection } : {}),
    http,
    log,
    metrics,
    auth,
    roles: duties,
  };
  // Started and closed in flow order: each one drains its input and hands its last output to the next, still running.
  const capabilities: Capability[] = [];
  // Intel first: capabilities close in this order, so its last indicator hits still reach detection's recorder.
  const intel = await startIntel(ctx);
  capabilities.push(intel);
  capabilities.push(await startDetection(ctx));
  capabilities.push(await startAlerting(ctx));
  capabilities.push(await startCases(ctx));
  capabilities.push(await startReports(ctx));
  capabilities.push(await startNotifications(ctx));
  capabilities.push(await startPlaybooks(ctx, { intel: intel.intel, network: network.asnTable }));
  ingest.observe((input, sender, counts, tenant) =>
    sources.record(input, sender, counts, Date.now(), tenant),
  );
  await http.listen({ port: config.http.port, host: config.http.host });
  const addr = http.server.address();
  const ports: VigilApp['ports'] = { http: typeof addr === 'object' && addr ? addr.port : config.http.port };
  const listeners: Array<{ close(): Promise<void> }> = [];
  for (const input of [
    { ...config.syslog, type: 'syslog' as const },
    { ...config.netflow, type: 'netflow' as const },
    ...config.inputs,
  ]) {
    if (!input.enabled || !duties.has('ingest')) continue;
    if (input.type === 'syslog') {
      const l: SyslogListeners = await startSyslogListeners(input, ingest, metrics, log, sources);
      listeners.push(l);
      ports[input.id] = l.port;
      if (l.tlsPort !== undefined) ports[`${input.id}-tls`] = l.tlsPort;
    } else if (input.type === 'files') {
      listeners.push(await startDirectoryWatch({ ...input, dataDir: config.dataDir }, ingest, log));
    } else {
      sources.register({
        input: input.id,
        tenant: input.tenant,
        kind: 'netflow',
        silentAfterMinutes: input.silentAfterMinutes,
      });
      const l: NetflowListener = await startNetflowListener(input, ingest, metrics, log, sources);
      listeners.push(l);
      ports[input.id] = l.port;
    }
  }

  const silentMonitor = new SilentSourceMonitor(sources, bus, { log });
  silentMonitor.start();

  const purge = setInterval(
    () => void storage.identity.purgeExpiredSessions(new Date()).catch(() => undefined),
    3600_000,
  );
  purge.unref();
  // One process deletes: the worker (or the single `all` process).
  const retention = duties.has('worker')
    ? startEventRetention(config.retention, storage.events, metrics.registry, log)
    : { stop: async () => undefined };
  // Scheduled searches and retro-hunts run on workers; leases keep two workers off the same run.
  const hunting = duties.has('worker')
    ? startHuntingWork({ config: config.hunting, storage, bus, log, registry: metrics.registry })
    : { stop: async () => undefined };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(purge);
      await retention.stop();
      await hunting.stop();
      await silentMonitor.stop();
      // Stop accepting, let in-flight requests finish (their events get stored), then flush and close.
      await Promise.all(listeners.map((l) => l.close()));
      await http.close();
      for (const c of capabilities) await c.close();
      await bus.close();
      await storage.close();
    })());

  return { config, log, storage, bus, auth, ingest, metrics, http, sources, ports, close };
}

export function listeningLine(ports: VigilApp['ports']): string {
  const parts = [`http=${ports.http}`];
  if (ports.syslog !== undefined) parts.push(`syslog=${ports.syslog}`);
  if (ports.netflow !== undefined) parts.push(`netflow=${ports.netflow}`);
  for (const [id, port] of Object.entries(ports)) {
    if (id !== 'http' && id !== 'syslog' && id !== 'netflow' && port !== undefined)
      parts.push(`${id}=${port}`);
  }
  return `listening ${parts.join(' ')}`;
}
