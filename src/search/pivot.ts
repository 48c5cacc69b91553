/**
 * "Events around this one": the events of the same host or user within ± a window of a given
 * event. Built on the EventSearch port so tenant scoping stays in the compiler.
 */
import { getField } from '../schema/fields.js';
import type { VigilEvent } from '../schema/ecs.js';
import type { EventSearch } from './ports.js';
import { quote } from './print.js';

export const PIVOT_FIELDS = { host: 'host.name', user: 'user.name' } as const;
export type PivotBy = keyof typeof PIVOT_FIELDS;

export interface AroundInput {
  eventId: string;
  by: PivotBy;
  windowMs: number;
  limit: number;
}

export type AroundResult =
  | { found: false }
  | {
      found: true;
      anchor: VigilEvent | Record<string, unknown>;
      /** The query run, so the UI can open it as a new search and refine it. */
      query: string;
      from: string;
      to: string;
      total: number;
      events: Array<VigilEvent | Record<string, unknown>>;
    }
  | { found: true; anchor: VigilEvent | Record<string, unknown>; missing: string };

/** The query text for "field equals this value": what pivots from any field value produce. */
export function pivotQuery(field: string, value: string | number): string {
  return typeof value === 'number' ? `${field}:${value}` : `${field}:${quote(value)}`;
}

export async function eventsAround(
  search: EventSearch,
  tenants: string[],
  input: AroundInput,
): Promise<AroundResult> {
  const hit = await search.search(tenants, pivotQuery('event.id', input.eventId), { limit: 1 });
  if (hit.kind !== 'events' || hit.events.length === 0) return { found: false };
  const anchor = hit.events[0]!;
  const field = PIVOT_FIELDS[input.by];
  const value = getField(anchor, field);
  if (typeof value !== 'string' && typeof value !== 'number') return { found: true, anchor, missing: field };
  const at = Date.parse(String(getField(anchor, '@timestamp')));
  if (Number.isNaN(at)) return { found: true, anchor, missing: '@timestamp' };
  const from = new Date(at - input.windowMs);
  // `to` is exclusive in the store: one millisecond past the window keeps the last instant.
  const to = new Date(at + input.windowMs + 1);
  const query = pivotQuery(field, value);
  const r = await search.search(tenants, query, { from, to, limit: input.limit });
  if (r.kind !== 'events') throw new Error('pivot query unexpectedly returned a table');
  return {
    found: true,
    anchor,
    query,
    from: from.toISOString(),
    to: to.toISOString(),
    total: r.total,
    events: r.events,
  };
}
