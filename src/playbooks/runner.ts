/**
 * Runs playbooks. A run is re-executable: every step's result is recorded under its path, and
 * executing a run again skips what already finished and reuses its output. The same mechanism
 * resumes a run after an approval and after a restart — and it is why a step never runs twice:
 * a step found `running` after a crash is re-run only if its action is declared safe to retry
 * (read-only), otherwise it is failed with the reason and the playbook's on_error applies.
 */
import type { Logger } from 'pino';
import { ExprError, type Value } from './expr/ast.js';
import { evaluate, truthy } from './expr/evaluate.js';
import { parseExpression } from './expr/parser.js';
import { renderDeep, renderTemplate } from './expr/template.js';
import { FUNCTIONS } from './expr/functions.js';
import { durationMs, unwrap, type Playbook, type StepDef } from './definition.js';
import type { PlaybookRun, PlaybookStore, StepRecord } from './ports.js';

export interface ActionContext {
  tenant: string;
  runId: string;
  playbookId: string;
  stepPath: string;
  dryRun: boolean;
  signal: AbortSignal;
}

export interface Action {
  name: string;
  /** Read-only actions may run again after a crash; anything with side effects must not. */
  safeToRetry: boolean;
  run(input: Record<string, Value>, ctx: ActionContext): Promise<Value>;
}

export interface RunnerOptions {
  store: PlaybookStore;
  actions: Map<string, Action>;
  /** Finds a playbook for sub-playbook steps. */
  playbooks: (tenant: string, id: string) => Promise<Playbook | undefined>;
  log: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  hooks?: RunHooks;
}

/** Observers for metrics and approval notices; they must not throw. */
export interface RunHooks {
  onRunEnd?: (run: PlaybookRun) => void;
  onActionDone?: (run: PlaybookRun, action: string, durationMs: number) => void;
  onWaiting?: (run: PlaybookRun) => void;
  /** A run starts or resumes executing. */
  onRunStart?: (run: PlaybookRun) => void;
  /** A step record was written (started, finished, failed, waiting, skipped). */
  onStep?: (run: PlaybookRun, step: StepRecord) => void;
  /**
   * A step has just started to wait for approval (once per step, never in a dry run): the place to
   * ask the people who can decide. Awaited; a failure is logged and the run waits all the same.
   */
  onApprovalRequested?: (run: PlaybookRun, step: StepRecord, approval: ApprovalRequest) => Promise<void>;
}

export interface ApprovalRequest {
  role: string;
  message: string;
  timeout: string;
  default: 'approve' | 'reject';
}

/** Thrown inside a run to park it until an approval arrives. */
class Suspend extends Error {}
class StepFailed extends Error {
  constructor(
    message: string,
    readonly stepId: string,
  ) {
    super(message);
  }
}

const MAX_SUBPLAYBOOK_DEPTH = 5;

export class PlaybookRunner {
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  constructor(private readonly o: RunnerOptions) {
    this.now = o.now ?? (() => new Date());
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Executes (or resumes) a run to its end or to the next approval. */
  async execute(run: PlaybookRun, playbook: Playbook): Promise<PlaybookRun> {
    this.o.hooks?.onRunStart?.(run);
    const records = new Map((await this.o.store.steps(run.id)).map((r) => [r.path, r]));
    const scope: Record<string, Value> = {
      inputs: run.inputs,
      trigger: run.trigger.data ?? null,
      steps: {},
      run: { id: run.id, tenant: run.tenant, dryRun: run.dryRun },
    };
    if (run.trigger.data && typeof run.trigger.data === 'object' && !Array.isArray(run.trigger.data)) {
      for (const k of ['alert', 'case', 'observable'] as const)
        if (k in run.trigger.data) scope[k] = run.trigger.data[k] ?? null;
    }
    try {
      await this.sequence(run, playbook.steps, '', scope, records, 0);
      const outputs: Record<string, Value> = {};
      for (const [k, v] of Object.entries(playbook.outputs)) outputs[k] = renderTemplate(v, scope);
      return await this.finish(run, { status: 'succeeded', outputs, error: null });
    } catch (e) {
      if (e instanceof Suspend) {
        await this.o.store.updateRun(run.id, { status: 'waiting' });
        const waiting: PlaybookRun = { ...run, status: 'waiting' };
        this.o.hooks?.onWaiting?.(waiting);
        return waiting;
      }
      const message = e instanceof StepFailed ? `step ${e.stepId}: ${e.message}` : (e as Error).message;
      return this.finish(run, { status: 'failed', outputs: null, error: message });
    }
  }

  private async finish(
    run: PlaybookRun,
    r: { status: 'succeeded' | 'failed'; outputs: Record<string, Value> | null; error: string | null },
  ): Promise<PlaybookRun> {
    const patch = { ...r, endedAt: this.now().toISOString() };
    await this.o.store.updateRun(run.id, patch);
    this.o.log.info({ run: run.id, playbook: run.playbookId, status: r.status }, 'playbook run ended');
    const ended = { ...run, ...patch };
    this.o.hooks?.onRunEnd?.(ended);
    return ended;
  }

  private async sequence(
    run: PlaybookRun,
    steps: StepDef[],
    prefix: string,
    scope: Record<string, Value>,
    records: Map<string, StepRecord>,
    depth: number,
  ): Promise<void> {
    let i = 0;
    while (i < steps.length) {
      const step = steps[i]!;
      const path = `${prefix}${step.id}`;
      try {
        await this.step(run, step, path, scope, records, depth);
        i++;
      } catch (e) {
        if (e instanceof Suspend) throw e;
        const reason = e instanceof StepFailed ? e.message : (e as Error).message;
        (scope.steps as Record<string, Value>)[step.id] = { status: 'failed', output: null, error: reason };
        if (step.on_error === 'continue') {
          i++;
          continue;
        }
        if (typeof step.on_error === 'object') {
          const target = steps.findIndex((s) => s.id === (step.on_error as { goto: string }).goto);
          if (target >= 0) {
            i = target;
            continue;
          }
        }
        throw e instanceof StepFailed ? e : new StepFailed(reason, step.id);
      }
    }
  }

  private async record(run: PlaybookRun, rec: StepRecord, records: Map<string, StepRecord>): Promise<void> {
    records.set(rec.path, rec);
    await this.o.store.putStep(rec);
    this.o.hooks?.onStep?.(run, rec);
  }

  private async step(
    run: PlaybookRun,
    step: StepDef,
    path: string,
    scope: Record<string, Value>,
    records: Map<string, StepRecord>,
    depth: number,
  ): Promise<void> {
    const stepsScope = scope.steps as Record<string, Value>;
    const prior = records.get(path);
    if (prior && (prior.status === 'succeeded' || prior.status === 'skipped')) {
      stepsScope[step.id] = { status: prior.status, output: prior.output };
      return;
    }
    if (prior?.status === 'failed') throw new StepFailed(prior.error ?? 'failed', step.id);
    const nowIso = this.now().toISOString();
    if (step.if !== undefined && !truthy(evaluate(parseExpression(unwrap(step.if)), scope))) {
      await this.record(
        run,
        {
          runId: run.id,
          path,
          stepId: step.id,
          status: 'skipped',
          attempts: 0,
          input: null,
          output: null,
          error: null,
          startedAt: nowIso,
          endedAt: nowIso,
        },
        records,
      );
      stepsScope[step.id] = { status: 'skipped', output: null };
      return;
    }
    switch (step.kind) {
      case 'action':
        return this.actionStep(run, step, path, scope, records, prior);
      case 'approval':
        return this.approvalStep(run, step, path, scope, records, prior);
      case 'for_each': {
        const list = evaluate(parseExpression(unwrap(step.for_each)), scope);
        const items = Array.isArray(list) ? list : list === null ? [] : [list];
        const outputs: Value[] = new Array<Value>(items.length).fill(null);
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < items.length) {
            const index = next++;
            const itemScope: Record<string, Value> = {
              ...scope,
              [step.as]: items[index]!,
              index,
              steps: { ...stepsScope },
            };
            await this.sequence(run, step.steps, `${path}[${index}].`, itemScope, records, depth);
            outputs[index] = itemScope.steps ?? null;
          }
        };
        const results = await Promise.allSettled(
          Array.from({ length: Math.min(step.concurrency, Math.max(items.length, 1)) }, worker),
        );
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        await this.record(
          run,
          {
            runId: run.id,
            path,
            stepId: step.id,
            status: 'succeeded',
            attempts: 1,
            input: items.length,
            output: outputs,
            error: null,
            startedAt: nowIso,
            endedAt: this.now().toISOString(),
          },
          records,
        );
        stepsScope[step.id] = { status: 'succeeded', output: outputs };
        return;
      }
      case 'parallel': {
        const branchScopes = step.parallel.map(() => ({ ...scope, steps: { ...stepsScope } }));
        const results = await Promise.allSettled(
          step.parallel.map((branch, b) =>
            this.sequence(run, branch, `${path}.${b}.`, branchScopes[b]!, records, depth),
          ),
        );
        // Join: every branch's step results become visible after the parallel step.
        for (const bs of branchScopes) Object.assign(stepsScope, bs.steps as Record<string, Value>);
        if (results.some((r) => r.status === 'rejected' && r.reason instanceof Suspend)) throw new Suspend();
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        await this.record(
          run,
          {
            runId: run.id,
            path,
            stepId: step.id,
            status: 'succeeded',
            attempts: 1,
            input: null,
            output: null,
            error: null,
            startedAt: nowIso,
            endedAt: this.now().toISOString(),
          },
          records,
        );
        stepsScope[step.id] = { status: 'succeeded', output: null };
        return;
      }
      case 'playbook': {
        if (depth >= MAX_SUBPLAYBOOK_DEPTH)
          throw new StepFailed(`sub-playbooks nested deeper than ${MAX_SUBPLAYBOOK_DEPTH}`, step.id);
        const sub = await this.o.playbooks(run.tenant, step.playbook);
        if (!sub) throw new StepFailed(`no playbook ${step.playbook}`, step.id);
        const inputs = renderDeep(step.with as Value, scope) as Record<string, Value>;
        const subScope: Record<string, Value> = {
          inputs,
          trigger: scope.trigger ?? null,
          steps: {},
          run: scope.run ?? null,
        };
        await this.sequence(run, sub.steps, `${path}/`, subScope, records, depth + 1);
        const outputs: Record<string, Value> = {};
        for (const [k, v] of Object.entries(sub.outputs)) outputs[k] = renderTemplate(v, subScope);
        await this.record(
          run,
          {
            runId: run.id,
            path,
            stepId: step.id,
            status: 'succeeded',
            attempts: 1,
            input: inputs,
            output: outputs,
            error: null,
            startedAt: nowIso,
            endedAt: this.now().toISOString(),
          },
          records,
        );
        stepsScope[step.id] = { status: 'succeeded', output: outputs };
        return;
      }
    }
  }

  private async actionStep(
    run: PlaybookRun,
    step: Extract<StepDef, { kind: 'action' }>,
    path: string,
    scope: Record<string, Value>,
    records: Map<string, StepRecord>,
    prior: StepRecord | undefined,
  ): Promise<void> {
    const action = this.o.actions.get(step.action);
    if (!action) throw new StepFailed(`unknown action ${step.action}`, step.id);
    const startedAt = this.now().toISOString();
    let input: Record<string, Value>;
    try {
      input = renderDeep(step.with as Value, scope) as Record<string, Value>;
    } catch (e) {
      // A bad input expression fails the step visibly, with its own record, like any other failure.
      const error = e instanceof ExprError ? `expression: ${e.message}` : (e as Error).message;
      await this.record(
        run,
        {
          runId: run.id,
          path,
          stepId: step.id,
          action: step.action,
          status: 'failed',
          attempts: 0,
          input: null,
          output: null,
          error,
          startedAt,
          endedAt: startedAt,
        },
        records,
      );
      throw new StepFailed(error, step.id);
    }
    if (prior?.status === 'running' && !action.safeToRetry) {
      const error =
        'interrupted while running (server stopped); not run again because it may already have taken effect';
      await this.record(run, { ...prior, status: 'failed', error, endedAt: startedAt }, records);
      throw new StepFailed(error, step.id);
    }
    const key = step.idempotency_key
      ? (FUNCTIONS.string!(renderTemplate(step.idempotency_key, scope)) as string)
      : undefined;
    if (key && !run.dryRun) {
      const done = await this.o.store.idempotent(run.tenant, key);
      if (done) {
        await this.record(
          run,
          {
            runId: run.id,
            path,
            stepId: step.id,
            action: step.action,
            status: 'succeeded',
            attempts: 0,
            input,
            output: done.output,
            error: 'already done under idempotency key',
            startedAt,
            endedAt: startedAt,
          },
          records,
        );
        (scope.steps as Record<string, Value>)[step.id] = { status: 'succeeded', output: done.output };
        return;
      }
    }
    const attempts = step.retry?.attempts ?? 1;
    const timeout = step.timeout ? durationMs(step.timeout) : 60_000;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // The `running` mark is what stops a side effect from happening twice after a crash; a
      // read-only action is simply run again, so it skips that durable write.
      if (!action.safeToRetry)
        await this.record(
          run,
          {
            runId: run.id,
            path,
            stepId: step.id,
            action: step.action,
            status: 'running',
            attempts: attempt,
            input,
            output: null,
            error: null,
            startedAt,
            endedAt: null,
          },
          records,
        );
      const ac = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      try {
        const output = await Promise.race([
          action.run(input, {
            tenant: run.tenant,
            runId: run.id,
            playbookId: run.playbookId,
            stepPath: path,
            dryRun: run.dryRun,
            signal: ac.signal,
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              // Reject first: the race is decided by the timeout, whatever the aborted action says.
              reject(new Error(`timed out after ${step.timeout ?? '60s'}`));
              ac.abort();
            }, timeout);
          }),
        ]);
        clearTimeout(timer);
        if (key && !run.dryRun) await this.o.store.completeIdempotent(run.tenant, key, run.id, output);
        this.o.hooks?.onActionDone?.(run, step.action, Date.now() - Date.parse(startedAt));
        await this.record(
          run,
          {
            runId: run.id,
            path,
            stepId: step.id,
            action: step.action,
            status: 'succeeded',
            attempts: attempt,
            input,
            output,
            error: null,
            startedAt,
            endedAt: this.now().toISOString(),
          },
          records,
        );
        (scope.steps as Record<string, Value>)[step.id] = { status: 'succeeded', output };
        return;
      } catch (e) {
        clearTimeout(timer);
        lastError = e instanceof ExprError ? `expression: ${e.message}` : (e as Error).message;
        if (attempt < attempts) await this.sleep(durationMs(step.retry!.backoff) * 2 ** (attempt - 1));
      }
    }
    await this.record(
      run,
      {
        runId: run.id,
        path,
        stepId: step.id,
        action: step.action,
        status: 'failed',
        attempts,
        input,
        output: null,
        error: lastError,
        startedAt,
        endedAt: this.now().toISOString(),
      },
      records,
    );
    throw new StepFailed(lastError, step.id);
  }

  private async approvalStep(
    run: PlaybookRun,
    step: Extract<StepDef, { kind: 'approval' }>,
    path: string,
    scope: Record<string, Value>,
    records: Map<string, StepRecord>,
    prior: StepRecord | undefined,
  ): Promise<void> {
    const now = this.now();
    let decision = prior?.decision ?? null;
    if (!decision && run.dryRun)
      decision = { approved: true, by: 'dry-run', at: now.toISOString(), reason: 'assumed in a dry run' };
    if (!decision && prior?.deadline && Date.parse(prior.deadline) <= now.getTime()) {
      decision = {
        approved: step.approval.default === 'approve',
        by: 'timeout',
        at: now.toISOString(),
        reason: `no decision within ${step.approval.timeout}`,
      };
    }
    const message = FUNCTIONS.string!(renderTemplate(step.approval.message, scope)) as string;
    if (!decision) {
      if (!prior) {
        const waiting: StepRecord = {
          runId: run.id,
          path,
          stepId: step.id,
          status: 'waiting',
          attempts: 0,
          input: { role: step.approval.role, message },
          output: null,
          error: null,
          startedAt: now.toISOString(),
          endedAt: null,
          decision: null,
          deadline: new Date(now.getTime() + durationMs(step.approval.timeout)).toISOString(),
        };
        await this.record(run, waiting, records);
        // Recorded first, so the links in the request find a step that is waiting.
        await this.o.hooks
          ?.onApprovalRequested?.(run, waiting, {
            role: step.approval.role,
            message,
            timeout: step.approval.timeout,
            default: step.approval.default,
          })
          .catch((e: unknown) =>
            this.o.log.warn(
              { run: run.id, step: path, err: (e as Error).message },
              'approval request not sent',
            ),
          );
      }
      throw new Suspend();
    }
    const output: Value = {
      approved: decision.approved,
      by: decision.by,
      at: decision.at,
      reason: decision.reason ?? null,
    };
    await this.record(
      run,
      {
        runId: run.id,
        path,
        stepId: step.id,
        status: 'succeeded',
        attempts: 1,
        input: { role: step.approval.role, message },
        output,
        error: null,
        startedAt: prior?.startedAt ?? now.toISOString(),
        endedAt: now.toISOString(),
        decision,
        deadline: prior?.deadline ?? null,
      },
      records,
    );
    (scope.steps as Record<string, Value>)[step.id] = { status: 'succeeded', output };
  }
}
