/**
 * MISP REST API client: `/attributes/restSearch` (default) or `/events/restSearch`, authenticated
 * with the instance's API key in the `Authorization` header (MISP takes the bare key, no scheme),
 * page by page, asking only for what changed since the last pull (`timestamp` ≥ the newest one
 * seen). Attributes go through the same mapping as the MISP feed format, so `to_ids` is respected
 * and types map the same way.
 */
import { z } from 'zod';
import type { Feed } from '../ports.js';
import { emptyResult, type ImportContext, type ImportResult } from './common.js';
import { fetchFeed, type FetchOptions } from './fetch.js';
import { importMispEvent } from './misp.js';

const MAX_PAGES = 10_000;

type Obj = Record<string, unknown>;

const eventsReply = z.object({
  response: z.array(z.object({ Event: z.record(z.string(), z.unknown()) }).passthrough()),
});
const attributesReply = z.object({
  response: z.object({ Attribute: z.array(z.record(z.string(), z.unknown())) }).passthrough(),
});

/** The API key header: whatever auth type the feed names, MISP wants the bare key. */
function keyHeader(feed: Feed): Record<string, string> {
  const key = feed.auth.secret;
  if (!key) throw new Error('a MISP API feed needs its API key as auth.secret');
  return { [(feed.auth.type === 'header' && feed.auth.header) || 'authorization']: key };
}

const epochOf = (v: unknown): number => {
  const n = Number(typeof v === 'string' || typeof v === 'number' ? v : NaN);
  return Number.isFinite(n) ? n : 0;
};

/** Attributes of one page grouped back into their events, so event context (info, threat level, tags) applies. */
function eventsOfAttributes(attrs: Obj[]): Obj[] {
  const byEvent = new Map<string, Obj>();
  for (const a of attrs) {
    const ev = (typeof a.Event === 'object' && a.Event !== null ? a.Event : {}) as Obj;
    const uuid =
      typeof ev.uuid === 'string'
        ? ev.uuid
        : `event-${typeof a.event_id === 'string' || typeof a.event_id === 'number' ? a.event_id : '?'}`;
    let e = byEvent.get(uuid);
    if (!e) {
      e = { ...ev, uuid, Attribute: [] };
      byEvent.set(uuid, e);
    }
    (e.Attribute as Obj[]).push({ ...a, Event: undefined });
  }
  return [...byEvent.values()];
}

export async function pullMispApi(
  feed: Feed,
  ctx: ImportContext,
  fetchOptions: FetchOptions,
): Promise<{ result: ImportResult; cursor: string | null; pages: number }> {
  const scope = feed.options.mispScope ?? 'attributes';
  const base = feed.url.replace(/\/+$/, '');
  const url = `${base}/${scope}/restSearch`;
  const limit = feed.options.limit ?? 1000;
  const since = Number(feed.cursor ?? 0);
  const filters: Obj = {
    returnFormat: 'json',
    limit,
    ...(since > 0 ? { timestamp: String(since) } : {}),
    ...(feed.options.mispTags?.length ? { tags: feed.options.mispTags } : {}),
    ...(feed.options.mispTypes?.length ? { type: feed.options.mispTypes } : {}),
    ...(scope === 'attributes' ? { includeEventTags: true, includeEventUuid: true } : { published: true }),
  };
  const result = emptyResult();
  let newest = since;
  let pages = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const got = await fetchFeed(url, {
      ...fetchOptions,
      auth: { type: 'none' },
      method: 'POST',
      body: JSON.stringify({ ...filters, page }),
      headers: { ...keyHeader(feed), accept: 'application/json', 'content-type': 'application/json' },
    });
    if (got.status !== 'ok') throw new Error(`${url}: unexpected 304`);
    pages++;
    const doc = JSON.parse(got.body) as unknown;
    let events: Obj[];
    let count: number;
    if (scope === 'events') {
      const r = eventsReply.safeParse(doc);
      if (!r.success)
        throw new Error(`${url}: not a MISP events reply (expected {"response": [{"Event": ...}]})`);
      events = r.data.response.map((x) => x.Event);
      count = events.length;
    } else {
      const r = attributesReply.safeParse(doc);
      if (!r.success)
        throw new Error(`${url}: not a MISP attributes reply (expected {"response": {"Attribute": [...]}})`);
      events = eventsOfAttributes(r.data.response.Attribute);
      count = r.data.response.Attribute.length;
      for (const a of r.data.response.Attribute) newest = Math.max(newest, epochOf(a.timestamp));
    }
    for (const ev of events) {
      if (scope === 'events') newest = Math.max(newest, epochOf(ev.timestamp));
      const r = importMispEvent({ Event: ev }, ctx);
      if (!r.ok) {
        result.rejected.push({ ref: typeof ev.uuid === 'string' ? ev.uuid : '?', reason: r.reason });
        continue;
      }
      result.indicators.push(...r.value.indicators);
      // An event whose attributes span pages is one context object.
      for (const o of r.value.objects) if (!result.objects.some((x) => x.id === o.id)) result.objects.push(o);
      result.rejected.push(...r.value.rejected);
      result.skipped += r.value.skipped;
    }
    if (count < limit) break;
  }
  return { result, cursor: newest > 0 ? String(newest) : null, pages };
}
