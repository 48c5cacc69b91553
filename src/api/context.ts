import type { AuthService } from '../auth/service.js';
import type { Bus } from '../bus/ports.js';
import type { VigilConfig } from '../config/schema.js';
import type { VigilMetrics } from '../metrics/registry.js';
import type { IngestPipeline } from '../pipeline/ingest.js';
import type { Storage } from '../store/ports.js';

/** What routes may use. Built by app.ts; routes never construct adapters themselves. */
export interface ApiContext {
  config: VigilConfig;
  storage: Storage;
  bus: Bus;
  auth: AuthService;
  ingest: IngestPipeline;
  metrics: VigilMetrics;
  version: string;
}
