/**
 * Asking for an approval: when a run starts to wait on an approval step, a `playbook.approval`
 * notification goes to the notification channels (email, webhook, Slack, Teams) with what is asked,
 * of which role, until when, what happens without an answer, and signed one-time approve and reject
 * links that expire when the default applies.
 */
import { notificationSchema, type Notification } from '../notify/ports.js';
import { SEVERITIES, type Severity } from '../alerts/ports.js';
import { mintApprovalLinks } from './approval-link.js';
import type { Value } from './expr/ast.js';
import type { PlaybookRun, PlaybookStore, StepRecord } from './ports.js';
import type { ApprovalRequest } from './runner.js';

export interface ApprovalNoticeDeps {
  store: Pick<PlaybookStore, 'setState'>;
  linkKey: Buffer;
  /** `http.publicUrl`: without it a request carries no links (a path is useless in a mail). */
  publicUrl: string | undefined;
  publish: (subject: string, n: Notification) => Promise<void>;
  playbookName: (tenant: string, id: string) => Promise<string | undefined>;
  now?: () => Date;
}

/** The severity of what the run is about (its alert or case), else high: someone must look soon. */
function severityOf(run: PlaybookRun): Severity {
  const data = run.trigger.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const k of ['alert', 'case'] as const) {
      const s = (data[k] as Record<string, Value> | undefined)?.severity;
      if (typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s)) return s as Severity;
    }
  }
  return 'high';
}

/** What the run is about, for the reader: the alert or case title when there is one. */
function aboutOf(run: PlaybookRun): Record<string, string> {
  const data = run.trigger.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return {};
  const out: Record<string, string> = {};
  for (const k of ['alert', 'case'] as const) {
    const o = data[k] as Record<string, Value> | undefined;
    if (o && typeof o.id === 'string') out[k] = typeof o.title === 'string' ? `${o.title} (${o.id})` : o.id;
  }
  return out;
}

export async function approvalNotice(
  d: ApprovalNoticeDeps,
  run: PlaybookRun,
  step: StepRecord,
  req: ApprovalRequest,
): Promise<Notification> {
  const now = d.now?.() ?? new Date();
  const deadline = step.deadline ?? now.toISOString();
  const name = (await d.playbookName(run.tenant, run.playbookId)) ?? run.playbookId;
  const details: Record<string, string> = {
    playbook: `${name} (${run.playbookId})`,
    run: run.id,
    step: step.path,
    ...aboutOf(run),
    request: req.message,
    'who may decide': `${req.role} or a higher role`,
    'decide by': `${deadline} (timeout ${req.timeout})`,
    'without a decision': req.default === 'approve' ? 'approved automatically' : 'rejected automatically',
  };
  if (d.publicUrl) {
    const links = await mintApprovalLinks(
      d.store,
      d.linkKey,
      {
        run: run.id,
        path: step.path,
        tenant: run.tenant,
        role: req.role,
        by: `approval request to ${req.role}`,
        exp: Math.ceil(Date.parse(deadline) / 1000),
      },
      d.publicUrl,
    );
    details.approve = links.approve.url;
    details.reject = links.reject.url;
    details.links = 'each works once, until the deadline; opening one shows what it does, its button decides';
  } else {
    details.links = 'none: set http.publicUrl to send signed approve and reject links';
  }
  details.console = `POST /api/v1/playbooks/runs/${run.id}/decision {"path": "${step.path}", "approved": true}`;
  return notificationSchema.parse({
    // Stable per step: a request enqueued twice is delivered once per channel.
    id: `playbook.approval:${run.id}:${step.path}`,
    kind: 'playbook.approval',
    tenant: run.tenant,
    severity: severityOf(run),
    title: `${name}: ${req.message}`.slice(0, 1000),
    subject: { type: 'playbook_run', id: run.id },
    assignee: null,
    at: now.toISOString(),
    details,
  });
}

/** The runner hook that sends approval requests through the notification channels. */
export const approvalNotifier =
  (d: ApprovalNoticeDeps) =>
  async (run: PlaybookRun, step: StepRecord, req: ApprovalRequest): Promise<void> => {
    const n = await approvalNotice(d, run, step, req);
    await d.publish(`notifications.${run.tenant}`, n);
  };
