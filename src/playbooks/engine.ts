/**
 * The playbook engine: starts runs (from triggers, by hand, as replays), records them, resumes them
 * after approvals and restarts, and applies approval timeouts.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Value } from './expr/ast.js';
import { parsePlaybook, type Playbook } from './definition.js';
import type { PlaybookRun, PlaybookStore, StepRecord } from './ports.js';
import { PlaybookRunner, type Action, type RunHooks } from './runner.js';

export class PlaybookError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'bad_request' | 'conflict' | 'forbidden',
  ) {
    super(message);
  }
}

export interface Decision {
  approved: boolean;
  by: string;
  role: string;
  reason?: string;
}

const ROLE_RANK: Record<string, number> = { responder: 1, investigator: 1, analyst: 1, manager: 2, admin: 3 };

/** Whether a role may decide an approval that asks for `needed`: that role, or a higher rank. */
export const roleSatisfies = (role: string, needed: string): boolean =>
  role === needed || (ROLE_RANK[role] ?? 0) >= (ROLE_RANK[needed] ?? 3);

export class PlaybookEngine {
  readonly runner: PlaybookRunner;
  private readonly inFlight = new Map<string, Promise<PlaybookRun>>();
  private sweeper?: NodeJS.Timeout;
  /** Resumptions started at boot; stop() waits for them too. */
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly store: PlaybookStore,
    actions: Map<string, Action>,
    private readonly log: Pick<Logger, 'info' | 'warn'>,
    private readonly now: () => Date = () => new Date(),
    hooks?: RunHooks,
  ) {
    this.runner = new PlaybookRunner({
      store,
      actions,
      log,
      now,
      hooks,
      playbooks: (t, id) => this.playbook(t, id),
    });
  }

  /** Parsed definitions by their text: a hot playbook is parsed once, not once per run. */
  private readonly parsed = new Map<string, Playbook | undefined>();

  async playbook(tenant: string, id: string): Promise<Playbook | undefined> {
    const saved = await this.store.getPlaybook(tenant, id);
    if (!saved) return undefined;
    if (!this.parsed.has(saved.yaml)) {
      if (this.parsed.size >= 500) this.parsed.delete(this.parsed.keys().next().value!);
      const p = parsePlaybook(saved.yaml);
      this.parsed.set(saved.yaml, p.ok ? p.playbook : undefined);
    }
    return this.parsed.get(saved.yaml);
  }

  async start(
    tenant: string,
    playbookId: string,
    trigger: PlaybookRun['trigger'],
    inputs: Record<string, Value>,
    opts: { dryRun?: boolean; wait?: boolean } = {},
  ): Promise<PlaybookRun> {
    const pb = await this.playbook(tenant, playbookId);
    if (!pb) throw new PlaybookError(`no playbook ${playbookId}`, 'not_found');
    for (const [name, spec] of Object.entries(pb.inputs)) {
      if (spec.required && (inputs[name] === undefined || inputs[name] === null))
        throw new PlaybookError(`input ${name} is required`, 'bad_request');
    }
    const run: PlaybookRun = {
      id: randomUUID(),
      tenant,
      playbookId,
      playbookVersion: pb.version,
      trigger,
      inputs,
      dryRun: opts.dryRun ?? false,
      status: 'running',
      error: null,
      outputs: null,
      startedAt: this.now().toISOString(),
      endedAt: null,
    };
    await this.store.createRun(run);
    const p = this.track(run, pb);
    return opts.wait === false ? run : p;
  }

  /** Executes a run, one execution per run at a time. */
  private track(run: PlaybookRun, pb: Playbook): Promise<PlaybookRun> {
    const prev = this.inFlight.get(run.id) ?? Promise.resolve(run);
    const p = prev
      .catch(() => run)
      .then(() => this.runner.execute(run, pb))
      .finally(() => {
        if (this.inFlight.get(run.id) === p) this.inFlight.delete(run.id);
      });
    this.inFlight.set(run.id, p);
    return p;
  }

  /** Records an approval decision and resumes the run. */
  async decide(tenants: string[], runId: string, path: string, d: Decision): Promise<PlaybookRun> {
    const run = await this.store.getRun(tenants, runId);
    if (!run) throw new PlaybookError(`no run ${runId}`, 'not_found');
    const step = (await this.store.steps(runId)).find((s) => s.path === path);
    if (!step || step.status !== 'waiting')
      throw new PlaybookError(`step ${path} is not waiting for a decision`, 'conflict');
    const needed = String((step.input as { role?: string } | null)?.role ?? 'admin');
    if (!roleSatisfies(d.role, needed))
      throw new PlaybookError(`this approval needs the ${needed} role`, 'forbidden');
    await this.store.putStep({
      ...step,
      decision: { approved: d.approved, by: d.by, at: this.now().toISOString(), reason: d.reason },
    });
    return this.resume(run);
  }

  private async resume(run: PlaybookRun): Promise<PlaybookRun> {
    const pb = await this.playbook(run.tenant, run.playbookId);
    if (!pb) {
      await this.store.updateRun(run.id, {
        status: 'failed',
        error: 'playbook was deleted',
        endedAt: this.now().toISOString(),
      });
      return { ...run, status: 'failed' };
    }
    await this.store.updateRun(run.id, { status: 'running' });
    return this.track({ ...run, status: 'running' }, pb);
  }

  /** At start: runs a stopped process left behind continue; their finished steps are not redone. */
  async resumeInterrupted(): Promise<number> {
    const runs = await this.store.unfinishedRuns();
    for (const r of runs) {
      this.log.warn({ run: r.id, playbook: r.playbookId }, 'resuming a playbook run interrupted by a stop');
      const p: Promise<unknown> = this.resume(r)
        .catch((e: unknown) => this.log.warn({ run: r.id, err: (e as Error).message }, 'resume failed'))
        .finally(() => this.background.delete(p));
      this.background.add(p);
    }
    return runs.length;
  }

  /** Applies the default of approvals whose time ran out. */
  async sweepApprovals(): Promise<number> {
    const expired: StepRecord[] = await this.store.expiredApprovals(this.now());
    for (const s of expired) {
      const run = await this.store.runById(s.runId);
      if (run && run.status === 'waiting') await this.resume(run);
    }
    return expired.length;
  }

  startSweeper(everyMs = 15_000): void {
    this.sweeper = setInterval(() => void this.sweepApprovals().catch(() => undefined), everyMs);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.allSettled([...this.background]);
    await Promise.allSettled([...this.inFlight.values()]);
  }
}
