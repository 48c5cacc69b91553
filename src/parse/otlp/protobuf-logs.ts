import { fail, ok, type Parsed } from '../../schema/result.js';
import { emptyScope, MAX_VALUE_DEPTH, safeKey, type OtlpAttributes, type OtlpLogEntry, type OtlpLogRecord, type OtlpScope, type OtlpValue } from './model.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireReader } from './wire.js';

/*
 * ExportLogsServiceRequest (opentelemetry/proto/collector/logs/v1/logs_service.proto) decoded by
 * hand. Field numbers from opentelemetry/proto/{logs,common,resource}/v1/*.proto:
 *   ExportLogsServiceRequest: 1 resource_logs
 *   ResourceLogs: 1 resource, 2 scope_logs, 3 schema_url
 *   Resource: 1 attributes, 2 dropped_attributes_count
 *   ScopeLogs: 1 scope, 2 log_records, 3 schema_url
 *   InstrumentationScope: 1 name, 2 version, 3 attributes, 4 dropped_attributes_count
 *   LogRecord: 1 time_unix_nano (fixed64), 11 observed_time_unix_nano (fixed64), 2 severity_number,
 *     3 severity_text, 5 body, 6 attributes, 7 dropped_attributes_count, 8 flags (fixed32),
 *     9 trace_id, 10 span_id, 12 event_name
 *   KeyValue: 1 key, 2 value; AnyValue oneof: 1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue,
 *     6 KeyValueList, 7 bytes; ArrayValue: 1 values; KeyValueList: 1 values
 * A field with an unexpected wire type is skipped like an unknown field rather than misread.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(buf: Uint8Array, [s, e]: [number, number]): string {
  let out = '';
  for (let i = s; i < e; i++) out += HEX[buf[i]!]!;
  return out;
}

function base64(buf: Uint8Array, [s, e]: [number, number]): string {
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('base64');
}

function anyValue(r: WireReader, depth: number): OtlpValue {
  if (depth > MAX_VALUE_DEPTH) {
    r.fail(`AnyValue nested deeper than ${MAX_VALUE_DEPTH}`);
    return null;
  }
  let value: OtlpValue = null;
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!r.ok) break;
    if (field === 1 && wire === WIRE_LEN) value = r.string();
    else if (field === 2 && wire === WIRE_VARINT) value = r.varint() !== 0;
    else if (field === 3 && wire === WIRE_VARINT) value = r.varint64();
    else if (field === 4 && wire === WIRE_FIXED64) value = r.double();
    else if (field === 5 && wire === WIRE_LEN) value = arrayValue(r.sub(r.bytes()), depth + 1, r);
    else if (field === 6 && wire === WIRE_LEN) value = keyValues(r.sub(r.bytes()), depth + 1, r);
    else if (field === 7 && wire === WIRE_LEN) value = base64(r.buf, r.bytes());
    else r.skip(wire);
  }
  // JSON cannot hold NaN/Infinity; keep them as their names rather than lose the record.
  if (typeof value === 'number' && !Number.isFinite(value)) value = String(value);
  return value;
}

/** Runs `read` over a sub-message; a failure inside is carried up to the parent reader. */
function within<T>(sub: WireReader, parent: WireReader, read: (r: WireReader) => T): T {
  const v = read(sub);
  if (!sub.ok) parent.fail(sub.error);
  return v;
}

function arrayValue(r: WireReader, depth: number, parent: WireReader): OtlpValue[] {
  return within(r, parent, (rr) => {
    const out: OtlpValue[] = [];
    while (!rr.done) {
      const [field, wire] = rr.tag();
      if (!rr.ok) break;
      if (field === 1 && wire === WIRE_LEN) out.push(within(rr.sub(rr.bytes()), rr, (v) => anyValue(v, depth + 1)));
      else rr.skip(wire);
    }
    return out;
  });
}

function keyValue(r: WireReader, depth: number, into: Record<string, OtlpValue>): void {
  let key = '';
  let value: OtlpValue = null;
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!r.ok) break;
    if (field === 1 && wire === WIRE_LEN) key = r.string();
    else if (field === 2 && wire === WIRE_LEN) value = within(r.sub(r.bytes()), r, (v) => anyValue(v, depth + 1));
    else r.skip(wire);
  }
  if (r.ok && safeKey(key)) into[key] = value;
}

/** KeyValueList (field 1 repeated KeyValue), also the shape of every `attributes` list. */
function keyValues(r: WireReader, depth: number, parent: WireReader): Record<string, OtlpValue> {
  return within(r, parent, (rr) => {
    const out: Record<string, OtlpValue> = {};
    while (!rr.done) {
      const [field, wire] = rr.tag();
      if (!rr.ok) break;
      if (field === 1 && wire === WIRE_LEN) within(rr.sub(rr.bytes()), rr, (kv) => keyValue(kv, depth, out));
      else rr.skip(wire);
    }
    return out;
  });
}

function resource(r: WireReader): OtlpAttributes {
  const attrs: OtlpAttributes = {};
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!r.ok) break;
    if (field === 1 && wire === WIRE_LEN) within(r.sub(r.bytes()), r, (kv) => keyValue(kv, 0, attrs));
    else r.skip(wire);
  }
  return attrs;
}

function scope(r: WireReader): OtlpScope {
  const s = emptyScope();
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!r.ok) break;
    if (field === 1 && wire === WIRE_LEN) s.name = r.string();
    else if (field === 2 && wire === WIRE_LEN) s.version = r.string();
    else if (field === 3 && wire === WIRE_LEN) within(r.sub(r.bytes()), r, (kv) => keyValue(kv, 0, s.attributes));
    else r.skip(wire);
  }
  return s;
}

export function decodeLogRecord(r: WireReader): Parsed<OtlpLogRecord> {
  const rec: OtlpLogRecord = {
    timeMs: 0, observedTimeMs: 0, severityNumber: 0, severityText: '', body: undefined,
    attributes: {}, flags: 0, traceId: '', spanId: '', eventName: '',
  };
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!r.ok) break;
    if (field === 1 && wire === WIRE_FIXED64) rec.timeMs = r.fixed64Millis();
    else if (field === 11 && wire === WIRE_FIXED64) rec.observedTimeMs = r.fixed64Millis();
    else if (field === 2 && wire === WIRE_VARINT) {
      const n = r.varint64();
      rec.severityNumber = typeof n === 'number' ? n : 0;
    } else if (field === 3 && wire === WIRE_LEN) rec.severityText = r.string();
    else if (field === 5 && wire === WIRE_LEN) rec.body = within(r.sub(r.bytes()), r, (v) => anyValue(v, 0));
    else if (field === 6 && wire === WIRE_LEN) within(r.sub(r.bytes()), r, (kv) => keyValue(kv, 0, rec.attributes));
    else if (field === 8 && wire === WIRE_FIXED32) rec.flags = r.fixed32();
    else if (field === 9 && wire === WIRE_LEN) rec.traceId = hex(r.buf, r.bytes());
    else if (field === 10 && wire === WIRE_LEN) rec.spanId = hex(r.buf, r.bytes());
    else if (field === 12 && wire === WIRE_LEN) rec.eventName = r.string();
    else r.skip(wire);
  }
  return r.ok ? ok(rec) : fail(`LogRecord: ${r.error}`);
}

/** A message whose bytes are broken at a level above the records: one failed entry carries them. */
function brokenEntry(where: string, r: WireReader, range: [number, number], res: OtlpAttributes = {}, sc: OtlpScope = emptyScope()): OtlpLogEntry {
  return { resource: res, scope: sc, record: fail(`${where}: ${r.error}`), raw: base64(r.buf, range), encoding: 'base64' };
}

function scopeLogs(r: WireReader, res: OtlpAttributes, out: OtlpLogEntry[]): void {
  // The scope may come after the records on the wire, so records are read once the scope is known.
  const start = r.pos;
  let sc = emptyScope();
  const records: Array<[number, number]> = [];
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!r.ok) break;
    if (field === 1 && wire === WIRE_LEN) sc = within(r.sub(r.bytes()), r, scope);
    else if (field === 2 && wire === WIRE_LEN) records.push(r.bytes());
    else r.skip(wire);
  }
  if (!r.ok) {
    out.push(brokenEntry('ScopeLogs', r, [start, r.end], res, sc));
  }
  for (const range of records) {
    const record = decodeLogRecord(r.sub(range));
    out.push({ resource: res, scope: sc, record, raw: record.ok ? '' : base64(r.buf, range), encoding: 'base64' });
  }
}

function resourceLogs(r: WireReader, out: OtlpLogEntry[]): void {
  const start = r.pos;
  let res: OtlpAttributes = {};
  const scopes: Array<[number, number]> = [];
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!r.ok) break;
    if (field === 1 && wire === WIRE_LEN) res = within(r.sub(r.bytes()), r, resource);
    else if (field === 2 && wire === WIRE_LEN) scopes.push(r.bytes());
    else r.skip(wire);
  }
  if (!r.ok) {
    out.push(brokenEntry('ResourceLogs', r, [start, r.end]));
    return;
  }
  for (const range of scopes) {
    const sub = r.sub(range);
    scopeLogs(sub, res, out);
  }
}

/**
 * Decodes an ExportLogsServiceRequest into one entry per log record. Never throws: bytes broken
 * inside a record fail that record only; broken framing above fails what it covers, and what was
 * read before it is kept.
 */
export function decodeLogsProtobuf(buf: Uint8Array): OtlpLogEntry[] {
  const out: OtlpLogEntry[] = [];
  const r = new WireReader(buf);
  let at = 0;
  while (!r.done) {
    at = r.pos;
    const [field, wire] = r.tag();
    if (!r.ok) break;
    if (field === 1 && wire === WIRE_LEN) {
      const range = r.bytes();
      if (r.ok) resourceLogs(r.sub(range), out);
    } else r.skip(wire);
  }
  if (!r.ok) out.push(brokenEntry('ExportLogsServiceRequest', r, [at, buf.length]));
  return out;
}
