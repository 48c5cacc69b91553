/**
 * What a capability (detection, alerts, cases, ...) gets from the composition root, and what it
 * hands back. app.ts starts each capability with the same context and closes them in reverse order,
 * so a capability never reaches for an adapter itself.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuthService } from './auth/service.js';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Bus } from './bus/ports.js';
import type { VigilConfig } from './config/schema.js';
import type { VigilMetrics } from './metrics/registry.js';
import type { Storage } from './store/ports.js';
import type { Duty } from './cluster/roles.js';

export interface CapabilityContext {
  config: VigilConfig;
  storage: Storage;
  bus: Bus;
  http: FastifyInstance;
  log: Logger;
  metrics: VigilMetrics;
  auth: AuthService;
  /**
   * What this process does in a cluster (see cluster/roles.ts); absent means everything. Bus
   * consumers are scoped by the composition root; a capability checks this only for its timers.
   */
  roles?: ReadonlySet<Duty>;
  /** The NATS connection of the cluster bus (absent when embedded), for KV buckets. */
  nats?: NatsConnection;
}

export interface Capability {
  /** Stops consuming and lets in-flight work finish; called before the bus and storage close. */
  close(): Promise<void>;
}
