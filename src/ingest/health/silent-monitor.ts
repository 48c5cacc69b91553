/**
 * Turns "a host that was sending stopped" into detections on the bus: one `silent_source` when the
 * host has been quiet longer than its input's threshold, one `source_resumed` when it sends again,
 * nothing in between however many checks run.
 */
import type { Logger } from 'pino';
import type { Bus } from '../../bus/ports.js';
import type { HostEntry, InputEntry, SourceHealth } from './source-health.js';

export const SILENT_SOURCE_RULE_ID = 'vigil-silent-source';

export interface SourceDetection {
  kind: 'silent_source' | 'source_resumed';
  ruleId: typeof SILENT_SOURCE_RULE_ID;
  title: string;
  level: 'medium' | 'informational';
  tenant: string;
  input: string;
  host: string;
  /** The last time the host was seen before it went quiet (ISO 8601). */
  lastSeen: string;
  silentForSeconds: number;
  detectedAt: string;
  /** Stable per silence episode, so a consumer that sees a redelivery can drop it. */
  id: string;
}

export const detectionSubject = (tenant: string): string => `detections.${tenant}`;

export interface SilentMonitorOptions {
  /** Between checks; by default 60 s, shortened to half the smallest threshold when that is lower. */
  intervalMs?: number;
  log?: Logger;
}

export class SilentSourceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly health: SourceHealth, private readonly bus: Bus, private readonly opts: SilentMonitorOptions = {}) {}

  /** The interval `start` uses. */
  intervalMs(): number {
    if (this.opts.intervalMs !== undefined) return this.opts.intervalMs;
    let smallest = Infinity;
    for (const inp of this.health.entries()) smallest = Math.min(smallest, inp.silentAfterMs);
    return Math.max(100, Math.min(60_000, Math.floor(smallest / 2)));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs());
    this.timer.unref();
  }

  /** Stops the timer and waits for a check in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over every host; returns what it published. Overlapping calls share one pass. */
  check(now: number = this.health.now()): Promise<SourceDetection[]> {
    if (this.running) return this.running.then(() => []);
    const pass = this.pass(now);
    this.running = pass.then(() => undefined);
    return pass;
  }

  private async pass(now: number): Promise<SourceDetection[]> {
    try {
      return await this.publishDue(now);
    } finally {
      this.running = undefined;
    }
  }

  private async publishDue(now: number): Promise<SourceDetection[]> {
    const due: Array<{ inp: InputEntry; h: HostEntry; d: SourceDetection }> = [];
    for (const inp of this.health.entries()) {
      for (const h of inp.hosts.values()) {
        if (h.reportedSilentAt !== undefined && h.lastSeen > h.reportedSilentAt) {
          due.push({ inp, h, d: this.detection('source_resumed', inp, h, h.reportedSilentAt, h.lastSeen - h.reportedSilentAt, now) });
        }
        const quiet = now - h.lastSeen;
        const alreadyReported = h.reportedSilentAt === h.lastSeen;
        if (quiet > inp.silentAfterMs && !alreadyReported) {
          due.push({ inp, h, d: this.detection('silent_source', inp, h, h.lastSeen, quiet, now) });
        }
      }
    }
    const published: SourceDetection[] = [];
    for (const { h, d } of due) {
      try {
        await this.bus.publish(detectionSubject(d.tenant), d);
      } catch (err) {
        // Left unflagged: the next pass tries again.
        this.opts.log?.warn({ err, input: d.input, host: d.host }, 'could not publish source health detection');
        continue;
      }
      if (d.kind === 'silent_source') h.reportedSilentAt = Date.parse(d.lastSeen);
      else if (h.reportedSilentAt !== undefined && Date.parse(d.lastSeen) === h.reportedSilentAt) h.reportedSilentAt = undefined;
      published.push(d);
    }
    return published;
  }

  private detection(kind: SourceDetection['kind'], inp: InputEntry, h: HostEntry, lastSeen: number, silentForMs: number, now: number): SourceDetection {
    const silent = kind === 'silent_source';
    return {
      kind,
      ruleId: SILENT_SOURCE_RULE_ID,
      title: silent ? 'Source went silent' : 'Source resumed sending',
      level: silent ? 'medium' : 'informational',
      tenant: h.tenant,
      input: inp.input,
      host: h.host,
      lastSeen: new Date(lastSeen).toISOString(),
      silentForSeconds: Math.round(silentForMs / 1000),
      detectedAt: new Date(now).toISOString(),
      id: `${SILENT_SOURCE_RULE_ID}:${kind}:${h.tenant}:${inp.input}:${h.host}:${lastSeen}`,
    };
  }
}
