import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_DEPTH } from './model.js';
import { decodeLogRecord, decodeLogsProtobuf } from './protobuf-logs.js';
import { WireReader } from './wire.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/*
 * Vectors written byte by byte from opentelemetry/proto/logs/v1/logs.proto and common.proto
 * (key = field_number << 3 | wire_type):
 *   09 <8 bytes LE>          time_unix_nano (1, fixed64) = 1767225600123000000
 *   10 0d                    severity_number (2, varint) = 13 (WARN)
 *   1a 04 "WARN"             severity_text (3)
 *   2a 07 0a 05 "hello"      body (5) = AnyValue{string_value (1)}
 *   32 .. attributes (6), KeyValue{key (1), value (2)}: user.name=alice, n=int -1 (10-byte varint),
 *         d=double 1.5 (field 4, fixed64), b=bool true (field 2), raw=bytes 00ff (field 7),
 *         arr=ArrayValue (5) ["x", 42], map=KeyValueList (6) {k: "v"}
 *   45 01000000              flags (8, fixed32) = 1
 *   4a 10 <16 bytes>         trace_id (9); 52 08 <8 bytes> span_id (10)
 *   59 <8 bytes LE>          observed_time_unix_nano (11, fixed64) = 1767225601000000000
 *   62 0a "user.login"       event_name (12)
 *   then unknown fields of every wire type: 99 varint, 15 fixed32, 16 fixed64, 17 length-delimited.
 */
const RECORD =
  '09c0d44ef551728618 100d 1a045741524e 2a070a0568656c6c6f' +
  '32140a09757365722e6e616d6512070a05616c696365' +
  '32100a016e120b18ffffffffffffffffff01' +
  '320e0a0164120921000000000000f83f' +
  '32070a016212021001' +
  '320b0a0372617712043a0200ff' +
  '32120a03617272120b2a090a030a01780a02182a' +
  '32130a036d6170120c320a0a080a016b12030a0176' +
  '4501000000 4a105b8efff798038103d269b633813fc60c 5208eee19b7ec3c1b174' +
  '5900ca942952728618 620a757365722e6c6f67696e' +
  '980605 7d01020304 810100000000000000 00 8a01027a7a';

/* ExportLogsServiceRequest{resource_logs: [{resource: {service.name=api, host.name=h1},
 * scope_logs: [{scope: {name: my.scope, version: 0.1}, log_records: [RECORD]}], schema_url}]} */
const REQUEST =
  '0aca02 0a2a 0a150a0c736572766963652e6e616d6512050a03617069 0a110a09686f73742e6e616d6512040a026831' +
  '12f201 0a0f0a086d792e73636f70651203302e31 12de01' + RECORD +
  '1a2768747470733a2f2f6f70656e74656c656d657472792e696f2f736368656d61732f312e32362e30';

describe('OTLP protobuf log decoding', () => {
  it('decodes every LogRecord field and AnyValue kind, skipping unknown fields', () => {
    const r = decodeLogRecord(new WireReader(hex(RECORD)));
    expect(r).toEqual({
      ok: true,
      value: {
        timeMs: 1767225600123,
        observedTimeMs: 1767225601000,
        severityNumber: 13,
        severityText: 'WARN',
        body: 'hello',
        attributes: { 'user.name': 'alice', n: -1, d: 1.5, b: true, raw: Buffer.from([0, 0xff]).toString('base64'), arr: ['x', 42], map: { k: 'v' } },
        flags: 1,
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        eventName: 'user.login',
      },
    });
  });

  it('decodes a whole request with its resource and scope', () => {
    const entries = decodeLogsProtobuf(hex(REQUEST));
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e.resource).toEqual({ 'service.name': 'api', 'host.name': 'h1' });
    expect(e.scope).toEqual({ name: 'my.scope', version: '0.1', attributes: {} });
    expect(e.record.ok && e.record.value.body).toBe('hello');
  });

  it('reads the empty request as no records', () => {
    expect(decodeLogsProtobuf(new Uint8Array(0))).toEqual([]);
  });

  it('fails only the broken record of a scope, with its bytes for the dead-letter store', () => {
    // scope_logs with a good record (body "a") and a record whose body length (0x32 = 50) overruns it.
    const good = '2a030a0161';
    const bad = '2a320a00';
    const scope = `12${(good.length / 2).toString(16).padStart(2, '0')}${good}12${(bad.length / 2).toString(16).padStart(2, '0')}${bad}`;
    const req = `0a${((scope.length / 2) + 2).toString(16).padStart(2, '0')}12${(scope.length / 2).toString(16).padStart(2, '0')}${scope}`;
    const entries = decodeLogsProtobuf(hex(req));
    expect(entries.map((e) => e.record.ok)).toEqual([true, false]);
    expect(entries[1]!.raw).toBe(Buffer.from(hex(bad)).toString('base64'));
    expect(entries[1]!.encoding).toBe('base64');
  });

  it('keeps records read before broken framing and fails the rest', () => {
    const rec = '0a09120712052a030a0161'; // resource_logs(1){scope_logs(2){log_records(2){body(5) "a"}}}
    const entries = decodeLogsProtobuf(hex(`${rec}0a7f00`)); // second resource_logs claims 127 bytes, has 1
    expect(entries.map((e) => e.record.ok)).toEqual([true, false]);
    expect(entries[1]!.record.ok === false && entries[1]!.record.reason).toMatch(/runs past/);
  });

  it('refuses wire types 3/4 (groups), field number 0 and over-long varints', () => {
    expect(decodeLogRecord(new WireReader(hex('0b'))).ok).toBe(false); // field 1, wire type 3
    expect(decodeLogRecord(new WireReader(hex('0001'))).ok).toBe(false); // field 0
    expect(decodeLogRecord(new WireReader(hex('10ffffffffffffffffffff01'))).ok).toBe(false); // 11-byte varint
  });

  it('bounds AnyValue nesting', () => {
    // body = array(array(...(string "x"))) nested deeper than the limit.
    const deep = deepArray(MAX_VALUE_DEPTH + 5);
    const rec = Buffer.concat([Buffer.from([0x2a]), varint(deep.length), deep]);
    const r = decodeLogRecord(new WireReader(rec));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/nested deeper/);
    const shallow = deepArray(3);
    const ok = decodeLogRecord(new WireReader(Buffer.concat([Buffer.from([0x2a]), varint(shallow.length), shallow])));
    expect(ok.ok && ok.value.body).toEqual([[['x']]]);
  });

  it('never throws on arbitrary bytes, and on mutations of a valid request', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const out = decodeLogsProtobuf(bytes);
        expect(Array.isArray(out)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    const base = hex(REQUEST);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(base.length), (edits, cut) => {
        const b = Uint8Array.from(base);
        for (const [i, v] of edits) b[i] = v;
        const out = decodeLogsProtobuf(b.subarray(0, cut));
        for (const e of out) expect(e.record.ok || e.record.reason.length > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** AnyValue nested `depth` arrays deep around the string "x". */
function deepArray(depth: number): Buffer {
  let v = Buffer.from('0a0178', 'hex');
  for (let i = 0; i < depth; i++) {
    const arr = Buffer.concat([Buffer.from([0x0a]), varint(v.length), v]);
    v = Buffer.concat([Buffer.from([0x2a]), varint(arr.length), arr]);
  }
  return v;
}
