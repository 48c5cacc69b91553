import { describe, expect, it } from 'vitest';
import { compileCondition } from './condition.js';
import { compileDissect, dissect } from './dissect.js';
import { compileGrok, grokMatch } from './grok.js';
import { compilePipeline, executePipelines } from './pipeline.js';

const run = (processors: unknown[], source: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const p = compilePipeline('t', { processors, ...extra });
  return executePipelines(
    { first: 't' },
    source,
    { _index: 'i' },
    (id) => (id === 't' ? p : undefined),
    new Date('2026-06-01T00:00:00Z'),
  );
};

describe('ingest pipeline processors', () => {
  it('dissect splits with padding, append and skip modifiers', () => {
    const d = compileDissect('%{ts->} %{+ts} %{?skip} [%{level}] %{msg}');
    expect(Object.fromEntries(dissect(d, '2026-01-01   10:00 x [WARN] disk full')!)).toEqual({
      ts: '2026-01-0110:00',
      level: 'WARN',
      msg: 'disk full',
    });
    expect(dissect(d, 'no delimiters')).toBeUndefined();
  });

  it('grok compiles the common library to RE2 with typed, dotted captures', () => {
    const g = compileGrok('%{COMBINEDAPACHELOG}');
    const line = '10.0.0.1 - bob [10/Oct/2026:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 2326 "-" "curl/8"';
    const m = grokMatch([g], line)!;
    expect(m.fields.get('clientip')).toBe('10.0.0.1');
    expect(m.fields.get('verb')).toBe('GET');
    expect(m.fields.get('response')).toBe('200');
    const typed = grokMatch([compileGrok('%{NUMBER:[http][bytes]:int}')], 'x 42')!;
    expect(typed.fields.get('http.bytes')).toBe(42);
    expect(() => compileGrok('%{NOPE}')).toThrow(/Unable to find pattern \[NOPE\]/);
  });

  it('refuses Painless outside the safe subset instead of evaluating it', () => {
    expect(compileCondition("ctx.a?.b == 'x' && ctx.c != null").ok).toBe(true);
    const bad = compileCondition('ctx.a = 1; return Math.random() > 0');
    expect(bad.ok).toBe(false);
    const p = compilePipeline('w', {
      processors: [{ set: { field: 'x', value: 1, if: 'def y = 1; y == 1' } }],
    });
    expect(p.warnings[0]).toMatch(/skipped: unsupported Painless condition/);
  });

  it('applies ignore_failure, processor on_failure and ignore_missing', () => {
    const r = run(
      [
        { rename: { field: 'missing', target_field: 'y', ignore_missing: true } },
        { convert: { field: 'n', type: 'integer', ignore_failure: true } },
        {
          convert: {
            field: 'm',
            type: 'integer',
            on_failure: [
              {
                set: {
                  field: 'err',
                  value: '{{_ingest.on_failure_processor_type}}: {{ _ingest.on_failure_message }}',
                },
              },
            ],
          },
        },
        { lowercase: { field: 'u' } },
        { split: { field: 's', separator: ',\\s*' } },
        { json: { field: 'j', add_to_root: true } },
        { gsub: { field: 'g', pattern: '(\\d+)', replacement: '<$1>' } },
      ],
      { n: 'abc', m: 'xyz', u: 'HeLLo', s: 'a, b,c', j: '{"k":{"v":1}}', g: 'a1b22' },
    );
    expect(r.error).toBeUndefined();
    expect(r.source).toMatchObject({
      n: 'abc',
      err: 'convert: unable to convert [xyz] to integer',
      u: 'hello',
      s: ['a', 'b', 'c'],
      k: { v: 1 },
      g: 'a<1>b<22>',
    });
  });

  it('fail gives the ES error; nested pipeline cycles are detected', () => {
    expect(run([{ fail: { message: 'bad {{x}}' } }], { x: 'doc' }).error).toEqual({
      status: 500,
      type: 'fail_processor_exception',
      reason: 'pipeline [t] processor [fail]: bad doc',
    });
    expect(run([{ pipeline: { name: 't' } }], {}).error!.reason).toMatch(/Cycle detected for pipeline: t/);
  });

  it('date parses Java patterns, ISO8601 and UNIX in a zone', () => {
    const r = run(
      [
        { date: { field: 'a', formats: ['dd/MMM/yyyy:HH:mm:ss Z'] } },
        { date: { field: 'b', target_field: 'b_ts', formats: ['UNIX'] } },
        {
          date: {
            field: 'c',
            target_field: 'c_ts',
            formats: ['yyyy-MM-dd HH:mm:ss'],
            timezone: 'Europe/Paris',
          },
        },
      ],
      { a: '10/Oct/2026:13:55:36 -0700', b: '1767225600', c: '2026-01-01 01:00:00' },
    );
    expect(r.source!['@timestamp']).toBe('2026-10-10T20:55:36.000Z');
    expect(r.source!.b_ts).toBe('2026-01-01T00:00:00.000Z');
    expect(r.source!.c_ts).toBe('2026-01-01T00:00:00.000Z');
  });

  it('terminate ends the current pipeline only: the calling pipeline carries on', () => {
    const inner = compilePipeline('inner', {
      processors: [{ set: { field: 'a', value: 1 } }, { terminate: {} }, { set: { field: 'b', value: 1 } }],
    });
    const outer = compilePipeline('outer', {
      processors: [
        { pipeline: { name: 'inner' } },
        { set: { field: 'c', value: 1 } },
        { terminate: { if: 'ctx.a == 2' } },
        { set: { field: 'd', value: 1 } },
      ],
    });
    const r = executePipelines(
      { first: 'outer' },
      {},
      { _index: 'i' },
      (id) => (id === 'inner' ? inner : id === 'outer' ? outer : undefined),
      new Date('2026-06-01T00:00:00Z'),
    );
    expect(r.source).toEqual({ a: 1, c: 1, d: 1 });
  });

  describe('changing the target index', () => {
    const defs: Record<string, unknown[]> = {
      router: [
        { set: { field: 'seen', value: 'router' } },
        { pipeline: { name: 'route-inner' } },
        { set: { field: 'after_call', value: 1 } },
      ],
      'route-inner': [
        { reroute: { destination: 'logs-fw-prod', if: "ctx.kind == 'fw'" } },
        { set: { field: 'inner_rest', value: 1 } },
      ],
      'orig-final': [{ set: { field: 'orig_final', value: 1 } }],
      'fw-default': [{ set: { field: 'fw_default', value: 1 } }],
      'fw-final': [{ set: { field: 'fw_final', value: 1 } }],
      mover: [
        { set: { field: '_index', value: 'logs-fw-prod' } },
        { set: { field: 'mover_rest', value: 1 } },
      ],
      'bad-final': [{ set: { field: '_index', value: 'elsewhere' } }],
      'to-a': [{ reroute: { destination: 'a' } }],
      'to-b': [{ reroute: { destination: 'b' } }],
    };
    const compiled = Object.fromEntries(
      Object.entries(defs).map(([id, processors]) => [id, compilePipeline(id, { processors })]),
    );
    const indexPipelines: Record<string, { defaultPipeline?: string; finalPipeline?: string }> = {
      'logs-fw-prod': { defaultPipeline: 'fw-default', finalPipeline: 'fw-final' },
      a: { defaultPipeline: 'to-b' },
      b: { defaultPipeline: 'to-a' },
    };
    const exec = (
      ids: { first?: string; final?: string },
      source: Record<string, unknown>,
      index = 'logs-generic-default',
    ) =>
      executePipelines(
        ids,
        source,
        { _index: index },
        (id) => compiled[id],
        undefined,
        (i) => indexPipelines[i] ?? {},
      );

    it("reroute ends the pipeline and its callers, skips the old final pipeline and runs the target's", () => {
      const r = exec({ first: 'router', final: 'orig-final' }, { kind: 'fw' });
      expect(r.error).toBeUndefined();
      expect(r.meta._index).toBe('logs-fw-prod');
      expect(r.source).toEqual({ kind: 'fw', seen: 'router', fw_default: 1, fw_final: 1 });
      const stay = exec({ first: 'router', final: 'orig-final' }, { kind: 'web' });
      expect(stay.source).toEqual({
        kind: 'web',
        seen: 'router',
        inner_rest: 1,
        after_call: 1,
        orig_final: 1,
      });
    });

    it("a plain _index change runs only the target's final pipeline; a final pipeline may not move the document", () => {
      const r = exec({ first: 'mover', final: 'orig-final' }, {});
      expect(r.source).toEqual({ mover_rest: 1, fw_final: 1 });
      const bad = exec({ final: 'bad-final' }, {});
      expect(bad.error).toMatchObject({ type: 'illegal_state_exception', status: 500 });
      expect(bad.error!.reason).toMatch(/final pipeline \[bad-final\] can't change the target index/);
    });

    it('an index seen twice is a cycle, reported rather than looped', () => {
      const r = exec({ first: 'to-a' }, {}, 'start');
      expect(r.error?.reason).toMatch(/index cycle detected.*\[start, a, b, a\]/);
    });
  });
});
