/** Scheduled triggers: which cron schedules are due, each fired at most once per due minute. */
import { nextFire, parseCron } from './cron.js';
import type { Playbook } from './definition.js';
import type { PlaybookRun, PlaybookStore } from './ports.js';
import { schedulesOf } from './triggers.js';

export async function fireDueSchedules(o: {
  store: Pick<PlaybookStore, 'getState' | 'setState'>;
  tenants: string[];
  playbooksOf: (tenant: string) => Promise<Playbook[]>;
  start: (tenant: string, pb: Playbook, fact: string, trigger: PlaybookRun['trigger']) => Promise<void>;
  now: Date;
}): Promise<number> {
  let fired = 0;
  for (const tenant of o.tenants) {
    for (const pb of await o.playbooksOf(tenant)) {
      for (const [i, expr] of schedulesOf(pb).entries()) {
        const cron = parseCron(expr);
        if (!cron.ok) continue;
        const mark = `schedule:${pb.id}:${i}:${expr}`;
        const last = await o.store.getState(tenant, mark);
        if (typeof last !== 'string') {
          // First sight of this schedule: it fires from now on, not for the past.
          await o.store.setState(tenant, mark, o.now.toISOString());
          continue;
        }
        const due = nextFire(cron.value, new Date(last));
        if (!due || due > o.now) continue;
        // Missed fires while stopped collapse into one: the mark moves to now.
        await o.store.setState(tenant, mark, o.now.toISOString());
        await o.start(tenant, pb, `schedule:${i}:${due.toISOString()}`, {
          type: 'schedule',
          data: { schedule: expr, at: due.toISOString() },
        });
        fired++;
      }
    }
  }
  return fired;
}
