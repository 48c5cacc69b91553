import type { Logger } from 'pino';
import type { Bus, Subscription } from '../bus/ports.js';
import { CorrelationEngine } from '../detect/correlation/evaluator.js';
import { DetectionEngine } from '../detect/engine.js';
import type { CorrelationRule, LoadResult } from '../detect/sigma/types.js';
import type { SourceDetection } from '../ingest/health/silent-monitor.js';
import type { Counter } from '../metrics/registry.js';
import { STORED_SUBJECT } from '../pipeline/ingest.js';
import type { VigilEvent } from '../schema/ecs.js';
import type { DetectionRecord, DetectionStore } from '../store/ports.js';
import { fromCorrelation, fromSigma, fromSourceHealth } from './records.js';

export const DETECTIONS_SUBJECT = 'detections';

/**
 * Live detection: consumes stored events from the bus, runs the Sigma engine and the correlation
 * engine (one per tenant, so group state never mixes tenants), and publishes detection records.
 */
export class LiveDetection {
  private readonly engine: DetectionEngine;
  private readonly correlations = new Map<string, CorrelationEngine>();
  private readonly correlationMeta = new Map<string, CorrelationRule>();
  private sub: Subscription | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly rules: LoadResult,
    private readonly log: Logger,
    private readonly counter?: Counter,
  ) {
    this.engine = new DetectionEngine(rules.rules, { filters: rules.filters });
    for (const c of rules.correlations) this.correlationMeta.set(c.id, c);
  }

  get ruleCount(): number {
    return this.rules.rules.length + this.rules.correlations.length;
  }

  private correlationFor(tenant: string): CorrelationEngine | undefined {
    if (this.rules.correlations.length === 0) return undefined;
    let c = this.correlations.get(tenant);
    if (!c) {
      c = new CorrelationEngine(this.rules.correlations, this.rules.rules);
      this.correlations.set(tenant, c);
    }
    return c;
  }

  /** Evaluates one batch of stored events (all of one tenant) and returns the detection records. */
  evaluate(events: VigilEvent[], now = new Date().toISOString()): DetectionRecord[] {
    const detections = this.engine.evaluate(events);
    const out = detections.map((d) => fromSigma(d, events[d.eventIndex]!, now));
    const tenant = events[0]?.organization.id;
    const corr = tenant ? this.correlationFor(tenant) : undefined;
    if (corr && tenant && detections.length > 0) {
      const fired = corr.process(detections.map((d) => ({ ruleId: d.ruleId, event: events[d.eventIndex]! })));
      for (const c of fired) {
        const meta = this.correlationMeta.get(c.correlationId);
        out.push(
          fromCorrelation(c, tenant, meta?.tags ?? [], meta?.attack ?? { techniques: [], tactics: [] }, now),
        );
      }
    }
    return out;
  }

  async start(): Promise<void> {
    this.sub = await this.bus.consume<VigilEvent[]>(
      `${STORED_SUBJECT}.>`,
      'detect',
      async (msg) => {
        const records = this.evaluate(msg.data);
        if (records.length === 0) return;
        for (const r of records) this.counter?.inc({ level: r.level, kind: r.kind });
        await this.bus.publish(`${DETECTIONS_SUBJECT}.${records[0]!.tenant}`, records);
      },
      {
        maxDeliver: 3,
        onDeadLetter: (_m, err) =>
          this.log.error({ err }, 'detection failed on a batch three times; batch skipped'),
      },
    );
  }

  async stop(): Promise<void> {
    await this.sub?.stop();
  }
}

/** Stores every detection published on the bus, whatever produced it (rules, source health...). */
export async function recordDetections(bus: Bus, store: DetectionStore, log: Logger): Promise<Subscription> {
  return bus.consume<DetectionRecord[] | SourceDetection>(
    `${DETECTIONS_SUBJECT}.>`,
    'record',
    async (msg) => {
      const records = Array.isArray(msg.data) ? msg.data : [fromSourceHealth(msg.data)];
      await store.add(records);
    },
    {
      maxDeliver: 10,
      onDeadLetter: (_m, err) => log.error({ err }, 'could not store detections after 10 attempts'),
    },
  );
}
