import { fail, ok, type Parsed } from '../../schema/result.js';
import { emptyScope, MAX_VALUE_DEPTH, safeKey, type OtlpAttributes, type OtlpLogEntry, type OtlpLogRecord, type OtlpScope, type OtlpValue } from './model.js';

/*
 * OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lowerCamelCase
 * field names, int64/fixed64 as decimal strings (numbers accepted too), trace/span ids as hex,
 * bytes as base64, enums as integers. Receivers should also accept the proto field names
 * (snake_case), so both spellings are read.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function pick(o: Obj, camel: string, snake: string): unknown {
  return o[camel] !== undefined ? o[camel] : o[snake];
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A uint64 nanosecond time as whole milliseconds; the decimal string is cut, not converted, to stay exact. */
function nanosToMs(v: unknown, what: string): Parsed<number> {
  if (v === undefined || v === null) return ok(0);
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return ok(Math.floor(v / 1e6));
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return ok(v.length > 6 ? Number(v.slice(0, -6)) : 0);
  return fail(`${what}: expected a non-negative integer or decimal string`);
}

function anyValue(v: unknown, depth: number): Parsed<OtlpValue> {
  if (depth > MAX_VALUE_DEPTH) return fail(`AnyValue nested deeper than ${MAX_VALUE_DEPTH}`);
  if (!isObj(v)) return v === undefined || v === null ? ok(null) : fail('AnyValue: expected an object');
  const s = pick(v, 'stringValue', 'string_value');
  if (s !== undefined) return typeof s === 'string' ? ok(s) : fail('stringValue: expected a string');
  const b = pick(v, 'boolValue', 'bool_value');
  if (b !== undefined) return typeof b === 'boolean' ? ok(b) : fail('boolValue: expected a boolean');
  const i = pick(v, 'intValue', 'int_value');
  if (i !== undefined) {
    if (typeof i === 'number' && Number.isInteger(i)) return ok(i);
    if (typeof i === 'string' && /^-?\d{1,20}$/.test(i)) {
      const n = Number(i);
      return ok(Number.isSafeInteger(n) ? n : i);
    }
    return fail('intValue: expected an integer');
  }
  const d = pick(v, 'doubleValue', 'double_value');
  if (d !== undefined) {
    if (typeof d === 'number') return ok(d);
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return ok(d);
    if (typeof d === 'string' && d.trim() !== '' && Number.isFinite(Number(d))) return ok(Number(d));
    return fail('doubleValue: expected a number');
  }
  const a = pick(v, 'arrayValue', 'array_value');
  if (a !== undefined) {
    if (!isObj(a)) return fail('arrayValue: expected an object');
    const out: OtlpValue[] = [];
    for (const item of list(a.values)) {
      const p = anyValue(item, depth + 1);
      if (!p.ok) return p;
      out.push(p.value);
    }
    return ok(out);
  }
  const kv = pick(v, 'kvlistValue', 'kvlist_value');
  if (kv !== undefined) {
    if (!isObj(kv)) return fail('kvlistValue: expected an object');
    return keyValues(kv.values, depth + 1);
  }
  const by = pick(v, 'bytesValue', 'bytes_value');
  if (by !== undefined) return typeof by === 'string' ? ok(by) : fail('bytesValue: expected base64');
  return ok(null);
}

function keyValues(v: unknown, depth: number): Parsed<OtlpAttributes> {
  const out: OtlpAttributes = {};
  for (const kv of list(v)) {
    if (!isObj(kv) || typeof kv.key !== 'string') return fail('attribute: expected {key, value}');
    const val = anyValue(kv.value, depth + 1);
    if (!val.ok) return fail(`attribute ${kv.key}: ${val.reason}`);
    if (safeKey(kv.key)) out[kv.key] = val.value;
  }
  return ok(out);
}

const HEX_ID = /^(?:[0-9a-fA-F]{2})*$/;

function logRecord(v: unknown): Parsed<OtlpLogRecord> {
  if (!isObj(v)) return fail('LogRecord: expected an object');
  const time = nanosToMs(pick(v, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
  if (!time.ok) return time;
  const observed = nanosToMs(pick(v, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano');
  if (!observed.ok) return observed;
  const sev = pick(v, 'severityNumber', 'severity_number');
  if (sev !== undefined && (typeof sev !== 'number' || !Number.isInteger(sev))) return fail('severityNumber: expected an integer');
  const sevText = pick(v, 'severityText', 'severity_text');
  if (sevText !== undefined && typeof sevText !== 'string') return fail('severityText: expected a string');
  const body = v.body === undefined ? ok<OtlpValue | undefined>(undefined) : anyValue(v.body, 0);
  if (!body.ok) return fail(`body: ${body.reason}`);
  const attrs = keyValues(v.attributes, 0);
  if (!attrs.ok) return attrs;
  const traceId = pick(v, 'traceId', 'trace_id') ?? '';
  const spanId = pick(v, 'spanId', 'span_id') ?? '';
  if (typeof traceId !== 'string' || !HEX_ID.test(traceId)) return fail('traceId: expected hex');
  if (typeof spanId !== 'string' || !HEX_ID.test(spanId)) return fail('spanId: expected hex');
  const flags = v.flags;
  const eventName = pick(v, 'eventName', 'event_name');
  return ok({
    timeMs: time.value,
    observedTimeMs: observed.value,
    severityNumber: (sev) ?? 0,
    severityText: (sevText) ?? '',
    body: body.value,
    attributes: attrs.value,
    flags: typeof flags === 'number' ? flags : 0,
    traceId: traceId.toLowerCase(),
    spanId: spanId.toLowerCase(),
    eventName: typeof eventName === 'string' ? eventName : '',
  });
}

function scopeOf(v: unknown): OtlpScope {
  const s = emptyScope();
  if (!isObj(v)) return s;
  if (typeof v.name === 'string') s.name = v.name;
  if (typeof v.version === 'string') s.version = v.version;
  const attrs = keyValues(v.attributes, 0);
  if (attrs.ok) s.attributes = attrs.value;
  return s;
}

function rawOf(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Decodes an OTLP/JSON ExportLogsServiceRequest already parsed with JSON.parse. Never throws:
 * a bad record fails alone; a resource with unreadable attributes fails its records.
 */
export function decodeLogsJson(req: unknown): Parsed<OtlpLogEntry[]> {
  if (!isObj(req)) return fail('expected an ExportLogsServiceRequest object');
  const out: OtlpLogEntry[] = [];
  for (const rl of list(pick(req, 'resourceLogs', 'resource_logs'))) {
    if (!isObj(rl)) {
      out.push({ resource: {}, scope: emptyScope(), record: fail('ResourceLogs: expected an object'), raw: rawOf(rl), encoding: 'utf8' });
      continue;
    }
    const res = keyValues(isObj(rl.resource) ? rl.resource.attributes : undefined, 0);
    for (const sl of list(pick(rl, 'scopeLogs', 'scope_logs'))) {
      if (!isObj(sl)) {
        out.push({ resource: {}, scope: emptyScope(), record: fail('ScopeLogs: expected an object'), raw: rawOf(sl), encoding: 'utf8' });
        continue;
      }
      const sc = scopeOf(sl.scope);
      for (const lr of list(pick(sl, 'logRecords', 'log_records'))) {
        const record = res.ok ? logRecord(lr) : fail<OtlpLogRecord>(`resource: ${res.reason}`);
        out.push({ resource: res.ok ? res.value : {}, scope: sc, record, raw: record.ok ? '' : rawOf(lr), encoding: 'utf8' });
      }
    }
  }
  return ok(out);
}
