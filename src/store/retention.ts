/**
 * Retention of stored events by age and by size, per tenant (`retention:` in the config).
 * Ages are cut at UTC midnight, so that the days that go are whole days and the stores can drop a
 * day's table or partition instead of deleting row by row; a tenant whose policy differs from the
 * others shares days with them and is deleted in small slices that yield to ingest.
 */

const DAY_MS = 86_400_000;

/** Stored volume of one tenant on one UTC day. */
export interface DayUsage {
  /** Start of the UTC day. */
  day: Date;
  tenant: string;
  events: number;
  /** Bytes of stored event JSON (indexes not included). */
  bytes: number;
}

/** What retention needs from an event store. */
export interface RetentionTarget {
  /** Events and bytes per day and tenant. */
  usage(): Promise<DayUsage[]>;
  /** Deletes events older than `before` (of one tenant, or all); returns how many went. */
  deleteOlderThan(before: Date, tenant?: string): Promise<number>;
}

export const isRetentionTarget = (s: object): s is RetentionTarget =>
  typeof (s as Partial<RetentionTarget>).usage === 'function' &&
  typeof (s as Partial<RetentionTarget>).deleteOlderThan === 'function';

export interface RetentionLimits {
  /** Whole UTC days kept before today; unset: no age limit. */
  days?: number;
  /** Bytes of stored event JSON kept per tenant (oldest days go first, today never); unset: no limit. */
  maxBytes?: number;
}

export interface RetentionPolicy extends RetentionLimits {
  /** Per-tenant limits, over the defaults above. */
  tenants: Record<string, RetentionLimits>;
}

export interface RetentionStep {
  before: Date;
  /** Undefined: every tenant. */
  tenant?: string;
  reason: 'age' | 'size';
}

const midnight = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;

/** Deletions by age: one for all tenants when no tenant keeps longer than the default, else per tenant. */
export function planByAge(policy: RetentionPolicy, tenants: string[], now: Date): RetentionStep[] {
  const today = midnight(now.getTime());
  const cut = (days: number): Date => new Date(today - days * DAY_MS);
  const daysOf = (t: string): number | undefined => policy.tenants[t]?.days ?? policy.days;
  const steps: RetentionStep[] = [];
  const longer = tenants.some((t) => {
    const d = daysOf(t);
    return d === undefined || (policy.days !== undefined && d > policy.days);
  });
  if (policy.days !== undefined && !longer) {
    steps.push({ before: cut(policy.days), reason: 'age' });
    for (const t of tenants) {
      const d = daysOf(t)!;
      if (d < policy.days) steps.push({ before: cut(d), tenant: t, reason: 'age' });
    }
    return steps;
  }
  for (const t of tenants) {
    const d = daysOf(t);
    if (d !== undefined) steps.push({ before: cut(d), tenant: t, reason: 'age' });
  }
  return steps;
}

/** Deletions by size: per tenant over its limit, the oldest whole days until it fits (today stays). */
export function planBySize(policy: RetentionPolicy, usage: DayUsage[]): RetentionStep[] {
  const byTenant = new Map<string, DayUsage[]>();
  for (const u of usage) {
    let list = byTenant.get(u.tenant);
    if (!list) byTenant.set(u.tenant, (list = []));
    list.push(u);
  }
  const steps: RetentionStep[] = [];
  for (const [tenant, days] of byTenant) {
    const max = policy.tenants[tenant]?.maxBytes ?? policy.maxBytes;
    if (max === undefined) continue;
    days.sort((a, b) => a.day.getTime() - b.day.getTime());
    let total = days.reduce((n, d) => n + d.bytes, 0);
    let drop = 0;
    while (total > max && drop < days.length - 1) total -= days[drop++]!.bytes;
    if (drop > 0) {
      steps.push({ before: new Date(days[drop - 1]!.day.getTime() + DAY_MS), tenant, reason: 'size' });
    }
  }
  return steps;
}

export interface RetentionRunResult {
  deleted: number;
  steps: Array<RetentionStep & { deleted: number }>;
}

export interface RetentionObserver {
  /** Called once per step that deleted events. */
  deleted(step: RetentionStep, count: number): void;
}

/** Applies a policy now and then; one run at a time. */
export class RetentionRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionRunResult> | undefined;

  constructor(
    private readonly target: RetentionTarget,
    private readonly policy: RetentionPolicy,
    private readonly observer: RetentionObserver = { deleted: () => undefined },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether the policy limits anything at all. */
  get active(): boolean {
    const limits = [this.policy, ...Object.values(this.policy.tenants)];
    return limits.some((l) => l.days !== undefined || l.maxBytes !== undefined);
  }

  runOnce(): Promise<RetentionRunResult> {
    return (this.running ??= this.run().finally(() => {
      this.running = undefined;
    }));
  }

  private async run(): Promise<RetentionRunResult> {
    const result: RetentionRunResult = { deleted: 0, steps: [] };
    const apply = async (step: RetentionStep) => {
      const n = await this.target.deleteOlderThan(step.before, step.tenant);
      result.deleted += n;
      result.steps.push({ ...step, deleted: n });
      if (n > 0) this.observer.deleted(step, n);
    };
    const usage = await this.target.usage();
    const tenants = [...new Set([...usage.map((u) => u.tenant), ...Object.keys(this.policy.tenants)])];
    for (const step of planByAge(this.policy, tenants, this.now())) await apply(step);
    // Sizes after the age deletions, so that a day is not counted against a tenant twice.
    const sized = [this.policy, ...Object.values(this.policy.tenants)].some((l) => l.maxBytes !== undefined);
    if (sized) for (const step of planBySize(this.policy, await this.target.usage())) await apply(step);
    return result;
  }

  /** Runs every `intervalMs` (first run soon after start); `onError` hears failures, the next run retries. */
  start(intervalMs: number, onError: (e: unknown) => void): void {
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        this.runOnce()
          .catch(onError)
          .finally(() => {
            if (this.timer) tick(intervalMs);
          });
      }, delay);
      this.timer.unref();
    };
    tick(Math.min(intervalMs, 60_000));
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
