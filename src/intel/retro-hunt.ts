/**
 * Retro-hunt: stored events of a time range run through an indicator index, oldest first (so
 * sequence patterns see events in order), page by page; hits are published like live ones and
 * carry the job id. Detection ids equal the live ones, so an event found both ways counts once.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../store/ports.js';
import type { IntelMatcher } from './live.js';
import type { IndicatorIndex } from './match-index.js';
import type { HuntJob, IntelStore } from './ports.js';

export interface HuntRequest {
  tenant: string;
  from: Date;
  to: Date;
  requestedBy: string;
  pageSize?: number;
}

export async function runRetroHunt(
  req: HuntRequest,
  deps: { events: EventStore; store: IntelStore; matcher: IntelMatcher; index: IndicatorIndex },
  job: HuntJob = newHuntJob(req),
): Promise<HuntJob> {
  const page = req.pageSize ?? 1000;
  await deps.store.putHunt(job);
  try {
    const base = { tenants: [req.tenant], from: req.from, to: req.to };
    const { total } = await deps.events.search({ ...base, limit: 1 });
    // The store pages newest first; walking offsets from the end reads the range oldest first.
    for (let offset = Math.max(0, total - page), size = Math.min(page, total); size > 0;) {
      const { events } = await deps.events.search({ ...base, limit: size, offset });
      events.reverse();
      job.scanned += events.length;
      const records = await deps.matcher.detect(events, deps.index, { retroHunt: job.id });
      job.hits += records.length;
      if (records.length > 0) await deps.matcher.publish(records);
      await deps.store.putHunt(job);
      size = Math.min(page, offset);
      offset -= size;
    }
    job.status = 'done';
  } catch (err) {
    job.status = 'failed';
    job.error = err instanceof Error ? err.message : String(err);
  }
  job.finishedAt = new Date().toISOString();
  await deps.store.putHunt(job);
  return job;
}

export function newHuntJob(req: HuntRequest): HuntJob {
  return {
    id: `hunt-${randomUUID()}`,
    tenant: req.tenant,
    status: 'running',
    from: req.from.toISOString(),
    to: req.to.toISOString(),
    scanned: 0,
    hits: 0,
    error: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    requestedBy: req.requestedBy,
  };
}
