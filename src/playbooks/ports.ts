import type { Value } from './expr/ast.js';

export type RunStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting';

export interface PlaybookRun {
  id: string;
  tenant: string;
  playbookId: string;
  playbookVersion: number;
  /** What started it: `alert`, `case`, `schedule`, `webhook`, `manual`, `replay`. */
  trigger: { type: string; by?: string; data?: Value };
  inputs: Record<string, Value>;
  dryRun: boolean;
  status: RunStatus;
  error: string | null;
  outputs: Record<string, Value> | null;
  startedAt: string;
  endedAt: string | null;
}

export interface StepRecord {
  runId: string;
  /** Where in the tree: `enrich`, `each[2].lookup`, `par.1.notify`. */
  path: string;
  stepId: string;
  /** For action steps: which action (metrics count time saved by it). */
  action?: string;
  status: StepStatus;
  attempts: number;
  input: Value;
  output: Value;
  error: string | null;
  startedAt: string;
  endedAt: string | null;
  /** Approvals: who decided and what. */
  decision?: { approved: boolean; by: string; at: string; reason?: string } | null;
  /** Approvals: when the default applies. */
  deadline?: string | null;
}

export interface PlaybookStore {
  savePlaybook(tenant: string, id: string, version: number, yaml: string, by: string): Promise<void>;
  getPlaybook(
    tenant: string,
    id: string,
  ): Promise<{ yaml: string; version: number; updatedBy: string; updatedAt: string } | undefined>;
  listPlaybooks(
    tenant: string,
  ): Promise<Array<{ id: string; version: number; yaml: string; updatedAt: string }>>;
  deletePlaybook(tenant: string, id: string): Promise<boolean>;

  createRun(run: PlaybookRun): Promise<void>;
  getRun(tenants: string[], id: string): Promise<PlaybookRun | undefined>;
  /** For the engine's own bookkeeping (timeouts, resume); never for a caller's request. */
  runById(id: string): Promise<PlaybookRun | undefined>;
  updateRun(
    id: string,
    patch: Partial<Pick<PlaybookRun, 'status' | 'error' | 'outputs' | 'endedAt'>>,
  ): Promise<void>;
  listRuns(
    tenants: string[],
    opts: { limit: number; playbookId?: string; status?: RunStatus },
  ): Promise<PlaybookRun[]>;
  /** Runs left `running` by a process that stopped. */
  unfinishedRuns(): Promise<PlaybookRun[]>;

  steps(runId: string): Promise<StepRecord[]>;
  putStep(rec: StepRecord): Promise<void>;

  /** Claims an idempotency key for a run; returns the earlier result if the key already completed. */
  idempotent(tenant: string, key: string): Promise<{ output: Value } | undefined>;
  completeIdempotent(tenant: string, key: string, runId: string, output: Value): Promise<void>;

  /** Approvals whose deadline passed, to apply their default. */
  expiredApprovals(now: Date): Promise<StepRecord[]>;

  listVersions(
    tenant: string,
    id: string,
  ): Promise<Array<{ version: number; savedBy: string; savedAt: string }>>;
  getVersion(
    tenant: string,
    id: string,
    version: number,
  ): Promise<{ yaml: string; version: number; savedBy: string; savedAt: string } | undefined>;
  /** Small durable state of the automation: schedule marks, examples installed. */
  getState(tenant: string, key: string): Promise<Value | undefined>;
  setState(tenant: string, key: string, value: Value): Promise<void>;
  /** Atomically increments a counter and returns its value before (round-robin positions). */
  advance(tenant: string, key: string): Promise<number>;
  /** Marks a one-time approval link used; false when it already was. */
  useToken(id: string, by: string): Promise<boolean>;
}
