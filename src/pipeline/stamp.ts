import type { VigilEvent } from '../schema/ecs.js';
import type { Parsed } from '../schema/result.js';
import { fail, ok } from '../schema/result.js';
import { newEventId } from '../util/ids.js';

const TIME_FIELDS = ['@timestamp', 'timestamp', 'time', 'ts', 'EventTime', 'TimeCreated', 'eventTime'] as const;
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    // Epoch seconds (zeek ts, 10 digits) or milliseconds (13 digits).
    return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
  }
  if (typeof v === 'string' && v.length > 0 && v.length < 64) {
    if (/^\d{10}(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
    if (/^\d{13}$/.test(v)) return Number(v);
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Turns one decoded document into a storable event: tenant from the credential (never from the
 * document, so a sender cannot write into another tenant), a time, an id, the ingest time.
 * The document is taken over and changed in place: callers hand over freshly decoded objects, and
 * copying every event cost more than the rest of stamping.
 */
export function stampEvent(doc: unknown, tenant: string, now: Date, nowIso = now.toISOString()): Parsed<VigilEvent> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail('expected a JSON object');
  const src = doc as Record<string, unknown>;
  const given = src['@timestamp'];
  let iso: string | undefined = typeof given === 'string' && CANONICAL_ISO.test(given) ? given : undefined;
  if (iso === undefined) {
    let ts: number | undefined;
    for (const f of TIME_FIELDS) {
      if (src[f] === undefined) continue;
      ts = parseTime(src[f]);
      if (ts === undefined) return fail(`${f}: not a valid time: ${JSON.stringify(src[f]).slice(0, 80)}`);
      break;
    }
    iso = ts === undefined ? nowIso : new Date(ts).toISOString();
  }
  const rawEvent = src.event;
  if (rawEvent !== undefined && (rawEvent === null || typeof rawEvent !== 'object' || Array.isArray(rawEvent))) {
    return fail('event: expected an object (ECS event.* fields)');
  }
  const ev = (rawEvent as Record<string, unknown> | undefined) ?? {};
  const givenId = ev.id;
  ev.id = typeof givenId === 'string' && ID_PATTERN.test(givenId) ? givenId : newEventId(now.getTime());
  ev.ingested = nowIso;
  src['@timestamp'] = iso;
  src.event = ev;
  const org = src.organization;
  src.organization = org !== null && typeof org === 'object' && !Array.isArray(org) ? { ...(org), id: tenant } : { id: tenant };
  return ok(src as VigilEvent);
}
