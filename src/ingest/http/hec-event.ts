import { setField } from '../../schema/fields.js';
import type { IngestItem } from '../../pipeline/ingest.js';

/** HEC metadata that applies to every event of a request (query string of /raw, or defaults). */
export interface HecMeta {
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  channel?: string;
}

/** A failed HEC event, with the HEC status code that names its problem. */
export interface HecFailure {
  code: number;
  text: string;
}

type Doc = Record<string, unknown>;
const isObj = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Splunk `time`: epoch seconds, possibly fractional, as a number or a string. */
export function hecTime(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,12}(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) return undefined;
  // Some senders give milliseconds; 1e11 s is year 5138, so a larger value must be ms.
  const ms = n >= 1e11 ? n : n * 1000;
  const d = new Date(Math.round(ms));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * Splunk `source` is a file path for file inputs and a free name (app, script, service) for HEC
 * senders. A path goes to `log.file.path`; anything else names who produced the event, `event.provider`.
 */
function looksLikePath(s: string): boolean {
  return s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\');
}

export function applyHecMeta(doc: Doc, meta: HecMeta): void {
  if (meta.host) setField(doc, 'host.name', meta.host);
  if (meta.source) setField(doc, looksLikePath(meta.source) ? 'log.file.path' : 'event.provider', meta.source);
  if (meta.sourcetype) setField(doc, 'event.dataset', meta.sourcetype);
  if (meta.index) setField(doc, 'labels.index', meta.index);
  if (meta.channel) setField(doc, 'labels.splunk_channel', meta.channel);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * One HEC event object `{event, time, host, source, sourcetype, index, fields}` as a Vigil
 * document: a string event is the message, an object event is the document itself.
 */
export function hecEventToDoc(obj: unknown, defaults: HecMeta): { doc: Doc } | HecFailure {
  if (!isObj(obj)) return { code: 6, text: 'Invalid data format' };
  const event = obj.event;
  if (event === undefined || event === null) return { code: 12, text: 'Event field is required' };
  let doc: Doc;
  if (typeof event === 'string') {
    if (event.trim() === '') return { code: 13, text: 'Event field cannot be blank' };
    doc = { message: event };
  } else if (isObj(event)) {
    doc = event;
  } else {
    doc = { message: typeof event === 'number' || typeof event === 'boolean' ? String(event) : JSON.stringify(event) };
  }
  if (obj.time !== undefined && obj.time !== null && obj.time !== '') {
    const ts = hecTime(obj.time);
    if (ts === undefined) return { code: 6, text: 'Invalid data format: time must be epoch seconds' };
    doc['@timestamp'] = ts;
  }
  applyHecMeta(doc, {
    host: str(obj.host) ?? defaults.host,
    source: str(obj.source) ?? defaults.source,
    sourcetype: str(obj.sourcetype) ?? defaults.sourcetype,
    index: str(obj.index) ?? defaults.index,
    channel: defaults.channel,
  });
  if (isObj(obj.fields)) {
    for (const [k, v] of Object.entries(obj.fields)) setField(doc, `labels.${k}`, v);
  }
  return { doc };
}

export function hecItem(obj: unknown, raw: string, defaults: HecMeta): { item: IngestItem; failure?: HecFailure } {
  const r = hecEventToDoc(obj, defaults);
  if ('doc' in r) return { item: { ok: true, doc: r.doc, raw } };
  return { item: { ok: false, reason: r.text, raw }, failure: r };
}
