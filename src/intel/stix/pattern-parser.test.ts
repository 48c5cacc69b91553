import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pathText } from './pattern-ast.js';
import { parsePattern } from './pattern-parser.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SPEC = path.resolve(
  ROOT,
  '..',
  'shared',
  'data',
  'ti',
  'cti-pattern-validator',
  'v21',
  'spec_examples.txt',
);

describe('STIX 2.1 pattern parser', () => {
  it('parses every example pattern of the STIX 2.1 specification', () => {
    const lines = readFileSync(SPEC, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const failures = lines.map((l) => [l, parsePattern(l)] as const).filter(([, r]) => !r.ok);
    expect(failures).toEqual([]);
    expect(lines).toHaveLength(23);
  });

  it('builds the tree with the grammar precedence: qualifiers, then AND, OR, FOLLOWEDBY', () => {
    const r = parsePattern('[a:x = 1] AND [b:y = 2] OR [c:z = 3] FOLLOWEDBY [d:w = 4] WITHIN 5 SECONDS');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.kind).toBe('followedby');
    const fb = r.value as {
      kind: 'followedby';
      terms: Array<{ kind: string; terms?: Array<{ kind: string }> }>;
    };
    expect(fb.terms[0]!.kind).toBe('or');
    expect(fb.terms[0]!.terms![0]!.kind).toBe('and');
    expect(fb.terms[1]!.kind).toBe('qualified');
  });

  it('decodes literals, paths, NOT and sets', () => {
    const r = parsePattern(
      "[file:hashes.'SHA-256' = 'a\\'b\\\\c' AND file:extensions.'x'.sections[*].entropy > -7.5 AND file:size NOT IN (1, +2, true) AND file:x[0] = h'FFd8' AND file:y = b'aGk=' AND file:c = t'2014-01-13T07:03:17.25Z']",
    );
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.kind !== 'observation' || r.value.expr.kind !== 'and') throw new Error('shape');
    const [hash, entropy, size, hex, bin, ts] = r.value.expr.terms as Array<Record<string, unknown>>;
    expect(hash).toMatchObject({ op: '=', value: { type: 'string', value: "a'b\\c" } });
    expect(pathText((entropy as { path: Parameters<typeof pathText>[0] }).path)).toBe(
      'file:extensions.x.sections[*].entropy',
    );
    expect(entropy).toMatchObject({ op: '>', value: { type: 'float', value: -7.5 } });
    expect(size).toMatchObject({
      op: 'IN',
      negated: true,
      value: [
        { type: 'int', value: 1 },
        { type: 'int', value: 2 },
        { type: 'bool', value: true },
      ],
    });
    expect(hex).toMatchObject({ value: { type: 'hex', value: 'ffd8' } });
    expect(bin).toMatchObject({ value: { type: 'binary', value: 'aGk=' } });
    expect(ts).toMatchObject({ value: { type: 'timestamp', ms: Date.UTC(2014, 0, 13, 7, 3, 17, 250) } });
  });

  it.each([
    ["[file:name = 'x'", "expected ']', 'AND' or 'OR' at column 17"],
    ["[file:name 'x']", 'expected a comparison operator'],
    ["file:name = 'x'", "expected '[' or '(' at column 1"],
    ["[file:name = 'x'] WITHIN 0 SECONDS", 'expected a positive number of seconds at column 26'],
    ["[file:name = 'x'] REPEATS 2", "expected 'TIMES' at column 28"],
    ["[a:b = t'2016-02-30T00:00:00Z']", 'expected a timestamp'],
    ["[a:b MATCHES '(']", 'expected a regular expression RE2 accepts at column 14'],
    ["[a:b = 'x\\n']", 'expected \\\\ or'],
    ["[a:b = h'abc']", 'expected an even number of hex digits at column 8'],
    ['[a:b > true]', 'expected a literal'],
    ["[a:b = 'x'] [c:d = 'y']", "expected 'AND', 'OR', 'FOLLOWEDBY' or a qualifier at column 13"],
    ['[a:b[x] = 1]', "expected a list index or '*' at column 6"],
    ["[a:b = 'unterminated]", "expected a closing ' at column 22"],
    ["[a:b = 1] START t'2016-01-01T00:00:00Z' STOP", 'expected a timestamp'],
  ])('refuses %s with "%s"', (src, message) => {
    const r = parsePattern(src);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(message);
  });

  it('refuses deep nesting instead of overflowing the stack', () => {
    const r = parsePattern(`${'('.repeat(5000)}[a:b = 1]${')'.repeat(5000)}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^expected nesting of at most 64 levels at column 66/);
  });

  it('never throws and never hangs on arbitrary input', () => {
    const pieces = fc.constantFrom(
      '[',
      ']',
      '(',
      ')',
      ':',
      '.',
      ',',
      '*',
      "'",
      "\\'",
      '=',
      '!=',
      '<=',
      '>',
      'AND',
      'OR',
      'NOT',
      'IN',
      'FOLLOWEDBY',
      'WITHIN',
      'REPEATS',
      'TIMES',
      'SECONDS',
      'START',
      'STOP',
      'MATCHES',
      'LIKE',
      'EXISTS',
      'ISSUBSET',
      "t'2020-01-01T00:00:00Z'",
      "h'ff'",
      "b'aGk='",
      '1',
      '-2.5',
      'true',
      'file',
      'x-a-b',
      ' ',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(pieces, { maxLength: 60 }).map((a) => a.join(' ')),
        ),
        (s) => {
          const started = Date.now();
          const r = parsePattern(s);
          expect(Date.now() - started).toBeLessThan(1000);
          if (!r.ok) expect(r.reason).toMatch(/^(expected .+ at column \d+|pattern longer)/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('round-trips generated valid patterns', () => {
    const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
    const cmp = fc
      .tuple(
        ident,
        ident,
        fc.constantFrom('=', '!=', '<', '>='),
        fc.oneof(fc.integer(), fc.string({ maxLength: 8 })),
      )
      .map(
        ([t, p, op, v]) =>
          `${t}:${p} ${op} ${typeof v === 'number' ? v : `'${v.replace(/[\\']/g, '\\$&')}'`}`,
      );
    const obs = fc.array(cmp, { minLength: 1, maxLength: 4 }).map((cs) => `[${cs.join(' AND ')}]`);
    fc.assert(
      fc.property(
        fc.array(obs, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(' AND ', ' OR ', ' FOLLOWEDBY '),
        (os, op) => {
          const r = parsePattern(os.join(op));
          expect(r.ok ? 'ok' : r.reason).toBe('ok');
        },
      ),
    );
  });
});
