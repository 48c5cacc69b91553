/** fast-check generators of query trees, shared by the parser and compiler tests. */
import fc from 'fast-check';
import type { Expr, PatternPart, Value } from '../ast.js';

const str = (value: string): Value => ({ kind: 'string', value });
const field = fc.constantFrom(
  'host.name',
  'user.name',
  'source.ip',
  'event.severity',
  '@timestamp',
  'a',
  'x_y.z-1',
);
const text = fc.oneof(
  fc.string(),
  fc.constantFrom('"', '\\', 'AND', 'OR', 'NOT', 'TO', '*', '-x', '(', 'a b', '', '10.0.0.0/8'),
);
const number = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100),
);
/** Patterns as the lexer makes them: adjacent literals merged, `**` folded, at least one wildcard, not only `*`. */
const pattern = fc
  .array(
    fc.oneof(
      fc.string({ minLength: 1 }).map((lit): PatternPart => ({ lit })),
      fc.constant<PatternPart>({ any: true }),
      fc.constant<PatternPart>({ one: true }),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((raw) => {
    const parts: PatternPart[] = [];
    for (const p of raw) {
      const prev = parts[parts.length - 1];
      if ('lit' in p && prev && 'lit' in prev) prev.lit += p.lit;
      else if ('any' in p && prev && 'any' in prev) continue;
      else parts.push({ ...p });
    }
    return parts;
  })
  .filter((parts) => parts.some((p) => !('lit' in p)) && parts.some((p) => !('any' in p)));
const cidr = fc.oneof(
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(32))
    .map(([a, b, c, d, n]) => `${a}.${b}.${c}.${d}/${n}`),
  fc.constantFrom('fe80::/10', '2001:db8::/32', '::1/128', '::/0'),
);
const scalar = fc.oneof(text, number);

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.record({
    type: fc.constant('match' as const),
    field,
    value: fc.oneof(
      text.map(str),
      number.map((value): Value => ({ kind: 'number', value })),
      pattern.map((parts): Value => ({ kind: 'pattern', parts })),
    ),
  }),
  fc.record({ type: fc.constant('exists' as const), field }),
  fc.record({
    type: fc.constant('compare' as const),
    field,
    op: fc.constantFrom('>' as const, '>=' as const, '<' as const, '<=' as const),
    value: scalar,
  }),
  fc.record({
    type: fc.constant('range' as const),
    field,
    lo: fc.option(scalar),
    hi: fc.option(scalar),
    loInclusive: fc.boolean(),
    hiInclusive: fc.boolean(),
  }),
  fc.record({ type: fc.constant('cidr' as const), field, cidr }),
  fc.record({
    type: fc.constant('text' as const),
    value: fc.oneof(
      text.map((s) => ({ kind: 'string' as const, value: s })),
      pattern.map((parts) => ({ kind: 'pattern' as const, parts })),
    ),
  }),
);

export const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      type: fc.constantFrom('and' as const, 'or' as const),
      items: fc.array(tie('e'), { minLength: 2, maxLength: 3 }),
    }),
    fc.record({ type: fc.constant('not' as const), item: tie('e') }),
  ),
})).e;

export const pipeLists = fc.constantFrom(
  '',
  '| stats count() as n, dc(user.name) by host.name | sort -n | head 5',
  '| timechart span=5m count(), avg(b) by host.name',
  '| dedup user.name | sort +a, -b | head 3 | fields a, b',
  '| top source.ip 20',
  '| rare user.name 1 | fields user.name, count',
);

export const tokens = fc.array(
  fc.constantFrom(
    'a',
    'x.y',
    ':',
    '"',
    '\\',
    '(',
    ')',
    '|',
    'stats',
    'count()',
    'by',
    'AND',
    'OR',
    'NOT',
    '-',
    '[',
    'TO',
    ']',
    '{',
    '}',
    '*',
    '?',
    '>=',
    '<',
    ' ',
    ',',
    '10.0.0.0/8',
    'span=5m',
    'head',
    '5',
    'sort',
  ),
  { maxLength: 30 },
);
