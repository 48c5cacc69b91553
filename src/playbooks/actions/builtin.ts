import type { Bus } from '../../bus/ports.js';
import { notificationSchema } from '../../notify/ports.js';
import type { Value } from '../expr/ast.js';
import type { Action } from '../runner.js';

/** `log`: records a message in the run (and returns it); useful for tracing and in dry runs. */
export const logAction: Action = {
  name: 'log',
  safeToRetry: true,
  async run(input) {
    return { message: input.message ?? null };
  },
};

/** `notify`: sends through the notification channels (email, webhook, Slack, Teams). */
export function notifyAction(bus: Bus): Action {
  return {
    name: 'notify',
    safeToRetry: false,
    async run(input, ctx): Promise<Value> {
      const n = notificationSchema.parse({
        id: `playbook:${ctx.runId}:${ctx.stepPath}`,
        kind: input.kind ?? 'alert.created',
        tenant: ctx.tenant,
        severity: input.severity ?? 'medium',
        title: input.title,
        subject: input.subject ?? { type: 'alert', id: ctx.runId },
        assignee: input.assignee ?? null,
        at: new Date().toISOString(),
        details: input.details ?? {},
      });
      if (ctx.dryRun) return { dryRun: true, notification: n as unknown as Value };
      await bus.publish(`notifications.${ctx.tenant}`, n);
      return { sent: n.id };
    },
  };
}
