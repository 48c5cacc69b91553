import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogsJson } from './json-logs.js';
import { otlpLogToDoc } from './to-ecs.js';

/* Shaped after the OTLP/JSON example in the OTLP specification (logs.json): camelCase names,
 * uint64 times as strings, ids as hex, attributes as [{key, value: AnyValue}]. */
const REQUEST = {
  resourceLogs: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my.service' } }, { key: 'host.name', value: { stringValue: 'srv-1' } }] },
    scopeLogs: [{
      scope: { name: 'my.library', version: '1.0.0', attributes: [{ key: 'my.scope.attribute', value: { stringValue: 'some scope attribute' } }] },
      logRecords: [{
        timeUnixNano: '1544712660300000000',
        observedTimeUnixNano: '1544712660300000001',
        severityNumber: 10,
        severityText: 'Information',
        traceId: '5B8EFFF798038103D269B633813FC60C',
        spanId: 'EEE19B7EC3C1B174',
        body: { stringValue: 'Example log record' },
        attributes: [
          { key: 'string.attribute', value: { stringValue: 'some string' } },
          { key: 'boolean.attribute', value: { boolValue: true } },
          { key: 'int.attribute', value: { intValue: '10' } },
          { key: 'double.attribute', value: { doubleValue: 637.704 } },
          { key: 'array.attribute', value: { arrayValue: { values: [{ stringValue: 'many' }, { stringValue: 'values' }] } } },
          { key: 'map.attribute', value: { kvlistValue: { values: [{ key: 'some.map.key', value: { stringValue: 'some value' } }] } } },
          { key: 'user.name', value: { stringValue: 'carol' } },
          { key: 'event', value: { stringValue: 'must not replace the event object' } },
        ],
      }],
    }],
  }],
};

describe('OTLP/JSON log decoding', () => {
  it('decodes the specification example', () => {
    const r = decodeLogsJson(REQUEST);
    if (!r.ok) return expect.fail(r.reason);
    expect(r.value).toHaveLength(1);
    const e = r.value[0]!;
    if (!e.record.ok) return expect.fail(e.record.reason);
    expect(e.record.value.timeMs).toBe(1544712660300);
    expect(e.record.value.traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(e.record.value.attributes['int.attribute']).toBe(10);
    expect(e.record.value.attributes['array.attribute']).toEqual(['many', 'values']);
    expect(e.record.value.attributes['map.attribute']).toEqual({ 'some.map.key': 'some value' });
    expect(e.scope).toEqual({ name: 'my.library', version: '1.0.0', attributes: { 'my.scope.attribute': 'some scope attribute' } });
  });

  it('maps to ECS: time, level, message, dotted attributes, trace/span, otel.* copies', () => {
    const r = decodeLogsJson(REQUEST);
    if (!r.ok || !r.value[0]!.record.ok) return expect.fail('decode failed');
    const doc = otlpLogToDoc(r.value[0]!, r.value[0]!.record.value) as Record<string, Record<string, unknown>>;
    expect(doc['@timestamp']).toBe('2018-12-13T14:51:00.300Z');
    expect(doc.message).toBe('Example log record');
    expect(doc.log).toEqual({ level: 'Information' });
    expect(doc.event).toEqual({ severity: 10, created: '2018-12-13T14:51:00.300Z' });
    expect(doc.user).toEqual({ name: 'carol' });
    expect(doc.service).toEqual({ name: 'my.service' });
    expect(doc.host).toEqual({ name: 'srv-1' });
    expect(doc.trace).toEqual({ id: '5b8efff798038103d269b633813fc60c' });
    expect(doc.span).toEqual({ id: 'eee19b7ec3c1b174' });
    const otel = doc.otel as { attributes: Record<string, unknown>; scope: { name: string } };
    expect(otel.attributes.event).toBe('must not replace the event object');
    expect(otel.scope.name).toBe('my.library');
  });

  it('accepts snake_case names and fails a bad record alone', () => {
    const r = decodeLogsJson({ resource_logs: [{ scope_logs: [{ log_records: [{ time_unix_nano: 1000000, body: { string_value: 'a' } }, { severityNumber: 'high' }, 7] }] }] });
    if (!r.ok) return expect.fail(r.reason);
    expect(r.value.map((e) => e.record.ok)).toEqual([true, false, false]);
    expect(r.value[1]!.raw).toBe('{"severityNumber":"high"}');
    expect(r.value[0]!.record.ok && r.value[0]!.record.value.timeMs).toBe(1);
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        const r = decodeLogsJson({ resourceLogs: [{ resource: v, scopeLogs: [{ scope: v, logRecords: [v, { body: v, attributes: v }] }] }] });
        expect(r.ok).toBe(true);
        if (r.ok) for (const e of r.value) if (e.record.ok) otlpLogToDoc(e, e.record.value);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(typeof decodeLogsJson(v).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('maps any attributes without throwing and keeps event an object', () => {
    const value = fc.jsonValue({ maxDepth: 3 }).map((v) => v as never);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), fc.dictionary(fc.string(), value), (resource, attributes) => {
        const doc = otlpLogToDoc(
          { resource, scope: { name: '', version: '', attributes: {} }, record: { ok: false, reason: '' }, raw: '', encoding: 'utf8' },
          { timeMs: 0, observedTimeMs: 0, severityNumber: 0, severityText: '', body: undefined, attributes, flags: 0, traceId: '', spanId: '', eventName: '' },
        );
        expect(typeof doc.event).toBe('object');
        expect(doc['@timestamp']).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});
