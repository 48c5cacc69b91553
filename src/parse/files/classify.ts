import type { RawEventDoc } from '../../schema/ecs.js';
import { type Parsed, ok, fail } from '../../schema/result.js';
import { normalizeZeek } from '../zeek/normalize.js';
import { normalizeEve } from '../suricata/normalize.js';

/** Hooks for formats whose parsers live elsewhere (EVTX binary parser, Windows normalizer). */
export interface ReaderHooks {
  evtx?: (buf: Buffer) => Iterable<Parsed<unknown>>;
  windows?: (doc: unknown) => Parsed<RawEventDoc>;
}

export type DocKind = 'windows' | 'zeek' | 'eve' | 'ecs' | 'generic';

type Doc = Record<string, unknown>;
const isObj = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

const ECS_NAMESPACES = ['agent', 'host', 'source', 'destination', 'log', 'observer', 'process', 'user', 'network', 'url', 'http', 'dns', 'file'];

export function docKind(d: Doc): DocKind {
  const ev = d.Event;
  if (isObj(ev) && isObj(ev.System)) return 'windows';
  if (isObj(d.winlog) || 'winlog.channel' in d || 'winlog.event_id' in d) return 'windows';
  if (d.EventID !== undefined && (d.Channel !== undefined || d.SourceName !== undefined || d.ProviderName !== undefined)) return 'windows';
  if (typeof d.event_type === 'string' && d.timestamp !== undefined) return 'eve';
  if (typeof d._path === 'string' || (d['@proc'] === 'zeek' && typeof d['@stream'] === 'string')) return 'zeek';
  if (d.ts !== undefined && typeof d.uid === 'string') return 'zeek';
  if (d['@timestamp'] !== undefined && (isObj(d.event) || isObj(d.ecs) || 'event.kind' in d || 'ecs.version' in d || ECS_NAMESPACES.some((k) => isObj(d[k])))) return 'ecs';
  return 'generic';
}

const TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'ts', 'EventTime', 'TimeCreated', 'eventTime', 'event_time', 'datetime', 'date', 'Timestamp', 'UtcTime', 'created_at', '_time', 'start_time'];

/** Best-effort ISO time from a value: epoch seconds/milliseconds, or a date string (UTC if no zone). */
export function toIso(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const ms = v > 1e14 ? v / 1000 : v > 1e11 ? v : v * 1000;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (typeof v !== 'string' || v.length < 8 || v.length > 64) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return toIso(Number(v));
  const naive = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v);
  const ms = Date.parse(naive ? `${v.replace(' ', 'T')}Z` : v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function guessTimestamp(d: Doc): string | undefined {
  for (const k of TIME_KEYS) {
    if (d[k] !== undefined) {
      const t = toIso(d[k]);
      if (t) return t;
    }
  }
  const sys = isObj(d.Event) && isObj(d.Event.System) ? d.Event.System : undefined;
  const tc = sys?.TimeCreated;
  if (isObj(tc)) {
    const attrs = tc['#attributes'];
    const t = toIso(isObj(attrs) ? attrs.SystemTime : tc.SystemTime);
    if (t) return t;
  }
  return undefined;
}

function setOriginal(doc: Doc, raw: string | undefined): void {
  if (raw === undefined) return;
  const ev = doc.event;
  if (isObj(ev)) {
    if (ev.original === undefined) ev.original = raw;
  } else if (ev === undefined) doc.event = { original: raw };
}

function passThrough(d: Doc, raw: string | undefined): Doc {
  if (d['@timestamp'] === undefined || typeof d['@timestamp'] !== 'string') {
    const t = guessTimestamp(d);
    if (t) d['@timestamp'] = t;
  }
  if (!isObj(d.event) && d.event !== undefined) {
    // A non-object `event` field would block ECS `event.*`: keep it aside.
    d._event = d.event;
    delete d.event;
  }
  setOriginal(d, raw);
  return d;
}

/**
 * One JSON document from a file → normalized event. `raw` is the text it came from (for
 * `event.original`); `zeekLog` is the log name when the file name tells it (`dns.log`).
 */
export function normalizeDocument(value: unknown, raw: string | undefined, hooks: ReaderHooks, zeekLog = '', force?: DocKind): Parsed<RawEventDoc> {
  if (!isObj(value)) return fail(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  const kind = force ?? docKind(value);
  switch (kind) {
    case 'windows': {
      if (!hooks.windows) return ok(passThrough(value, raw));
      let r: Parsed<RawEventDoc>;
      try {
        r = hooks.windows(value);
      } catch (err) {
        // The hook is someone else's code: a throw must not end the file.
        return fail(`windows normalizer threw: ${(err as Error).message}`);
      }
      if (r.ok) setOriginal(r.value, raw);
      return r;
    }
    case 'zeek': {
      const r = normalizeZeek(value, typeof value._path === 'string' || typeof value['@stream'] === 'string' ? '' : zeekLog);
      if (r.ok) setOriginal(r.value, raw);
      return r;
    }
    case 'eve': {
      const r = normalizeEve(value);
      if (r.ok) setOriginal(r.value, raw);
      return r;
    }
    case 'ecs':
      return ok(value);
    default:
      return ok(passThrough(value, raw));
  }
}
