import { setField } from '../../schema/fields.js';
import type { OtlpAttributes, OtlpLogEntry, OtlpLogRecord, OtlpValue } from './model.js';

/**
 * Attribute keys that are not applied as ECS fields: they would replace what the pipeline relies
 * on (`event` must stay an object, the tenant lives in `organization`, time comes from the record)
 * or our own `otel.*` copy. They are still kept under `otel.attributes`.
 */
const RESERVED_ROOTS = new Set(['@timestamp', 'event', 'organization', 'otel', 'trace', 'span']);

function applyAttributes(doc: Record<string, unknown>, attrs: OtlpAttributes): void {
  for (const key in attrs) {
    const dot = key.indexOf('.');
    const root = dot < 0 ? key : key.slice(0, dot);
    if (RESERVED_ROOTS.has(root)) continue;
    // OTel semantic conventions (host.name, service.name, user.name, process.pid, ...) use the
    // same dotted names as ECS, so a dotted key becomes the nested ECS field.
    setField(doc, key, attrs[key]);
  }
}

function msToIso(ms: number): string | undefined {
  if (!(ms > 0)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function bodyFields(doc: Record<string, unknown>, otel: Record<string, unknown>, body: OtlpValue | undefined): void {
  if (body === undefined || body === null) return;
  if (typeof body === 'string') {
    doc.message = body;
    return;
  }
  otel.body = body;
  if (typeof body === 'object' && !Array.isArray(body)) {
    if (typeof body.message === 'string') doc.message = body.message;
  } else if (!Array.isArray(body)) {
    doc.message = String(body);
  }
}

/** One OTLP log record as a Vigil document (ECS where OTel and ECS agree, the rest under `otel.*`). */
export function otlpLogToDoc(entry: OtlpLogEntry, rec: OtlpLogRecord): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  applyAttributes(doc, entry.resource);
  applyAttributes(doc, rec.attributes);
  const event: Record<string, unknown> = {};
  const otel: Record<string, unknown> = {};
  const ts = msToIso(rec.timeMs) ?? msToIso(rec.observedTimeMs);
  if (ts) doc['@timestamp'] = ts;
  const observed = msToIso(rec.observedTimeMs);
  if (observed) event.created = observed;
  if (rec.severityNumber !== 0) event.severity = rec.severityNumber;
  if (rec.severityText) setField(doc, 'log.level', rec.severityText);
  if (rec.eventName) {
    event.action = rec.eventName;
    otel.event_name = rec.eventName;
  }
  bodyFields(doc, otel, rec.body);
  if (rec.traceId) doc.trace = { id: rec.traceId };
  if (rec.spanId) doc.span = { id: rec.spanId };
  if (rec.flags !== 0) otel.flags = rec.flags;
  otel.attributes = rec.attributes;
  otel.resource = { attributes: entry.resource };
  const scope: Record<string, unknown> = {};
  if (entry.scope.name) scope.name = entry.scope.name;
  if (entry.scope.version) scope.version = entry.scope.version;
  if (Object.keys(entry.scope.attributes).length > 0) scope.attributes = entry.scope.attributes;
  if (Object.keys(scope).length > 0) otel.scope = scope;
  doc.event = event;
  doc.otel = otel;
  return doc;
}
