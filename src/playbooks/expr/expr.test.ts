import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExprError, type Value } from './ast.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parser.js';
import { renderDeep, renderTemplate } from './template.js';

const alert: Value = {
  severity: 'high',
  score: 73,
  tags: ['ssh', 'brute-force'],
  entity: { type: 'host', value: 'bastion' },
  observables: [
    { type: 'ip', value: '203.0.113.7' },
    { type: 'ip', value: '10.1.2.3' },
    { type: 'user', value: 'root' },
  ],
};
const run = (src: string, scope: Record<string, Value> = { alert }): Value =>
  evaluate(parseExpression(src), scope);

describe('playbook expressions', () => {
  it('reads fields, indexes lists and projects over them', () => {
    expect(run('alert.entity.value')).toBe('bastion');
    expect(run('alert.observables[0].value')).toBe('203.0.113.7');
    expect(run('alert.observables[-1].type')).toBe('user');
    expect(run("alert['severity']")).toBe('high');
    expect(run('alert.observables[*].value')).toEqual(['203.0.113.7', '10.1.2.3', 'root']);
    expect(run('alert.observables.type')).toEqual(['ip', 'ip', 'user']);
    expect(run('alert.missing.deeper')).toBeNull();
  });

  it('filters with JSONPath-like selections', () => {
    expect(run("alert.observables[?(@.type == 'ip')].value")).toEqual(['203.0.113.7', '10.1.2.3']);
    expect(run("alert.observables[?(@.type == 'ip' && !is_private_ip(@.value))].value")).toEqual([
      '203.0.113.7',
    ]);
    expect(run('len(alert.observables[?(@.type == "user")])')).toBe(1);
  });

  it('compares, combines and chooses with the documented precedence', () => {
    expect(run("alert.severity == 'high' and alert.score >= 70")).toBe(true);
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('not false or false')).toBe(true);
    expect(run("'ssh' in alert.tags")).toBe(true);
    expect(run("'telnet' not in alert.tags")).toBe(true);
    expect(run("alert.score > 90 ? 'critical' : alert.severity")).toBe('high');
    expect(run("alert.assignee ?? 'unassigned'")).toBe('unassigned');
    expect(run('alert.score > "70"')).toBe(false); // mixed types never compare
    expect(run('[1, 2] == [1, 2] && {a: 1} == {a: 1}')).toBe(true);
  });

  it('has string, list, network and time functions', () => {
    expect(run("lower('ABC') + upper('d')")).toBe('abcD');
    expect(run("join(sort(unique(['b', 'a', 'b'])), '|')")).toBe('a|b');
    expect(run("cidr_match('10.1.2.3', '10.0.0.0/8')")).toBe(true);
    expect(run("cidr_match('2001:db8::1', '2001:db8::/32')")).toBe(true);
    expect(run("cidr_match('2001:db9::1', '2001:db8::/32')")).toBe(false);
    expect(run("matches('Invoke-Mimikatz', 'mimi(katz)?')")).toBe(true);
    expect(run("extract('see http://a.example/x and https://b.example/y', 'https?://[^ ]+')")).toEqual([
      'http://a.example/x',
      'https://b.example/y',
    ]);
    expect(run("format('{} from {}', 'login', '203.0.113.7')")).toBe('login from 203.0.113.7');
    expect(run("seconds_between('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z')")).toBe(90);
    expect(run("number('42') + 1")).toBe(43);
  });

  it('reports errors with the column where they are', () => {
    const at = (src: string): ExprError => {
      try {
        parseExpression(src);
      } catch (e) {
        return e as ExprError;
      }
      throw new Error('parsed');
    };
    expect(at('alert.severity ==').message).toBe('expected a value, found end of expression at column 18');
    expect(at('alert.').column).toBe(7);
    expect(at("'open").message).toMatch(/unterminated string at column 1/);
    expect(at('a b').message).toMatch(
      /expected an operator or the end of the expression, found 'b' at column 3/,
    );
    expect(() => run('nosuch(1)')).toThrow(/unknown function nosuch\(\) at column 1/);
    expect(() => run('1 / 0')).toThrow(/division by zero/);
  });

  it('cannot reach the runtime: no prototype, constructor or global escapes', () => {
    const scope: Record<string, Value> = { alert };
    expect(run('alert.constructor', scope)).toBeNull();
    expect(run('alert.__proto__', scope)).toBeNull();
    expect(run("alert['constructor']['constructor']", scope)).toBeNull();
    expect(run("''.constructor", scope)).toBeNull();
    expect(run('process', scope)).toBeNull();
    expect(run('globalThis', scope)).toBeNull();
    expect(run('toString', scope)).toBeNull();
    expect(run("'constructor' in alert", scope)).toBe(false);
    expect(() => run('require("fs")', scope)).toThrow(/unknown function require/);
    expect(() => run('constructor("return process")()', scope)).toThrow();
    // Object literals cannot plant a prototype.
    const o = run('{__proto__: {polluted: true}, ok: 1}', scope) as Record<string, unknown>;
    expect(o).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds the cost of an expression', () => {
    const big: Value = Array.from({ length: 50_000 }, (_, i) => i);
    expect(() => evaluate(parseExpression('xs + xs + xs + xs'), { xs: big }, { fuel: 100_000 })).toThrow(
      /too costly/,
    );
    expect(() => parseExpression('('.repeat(500) + '1' + ')'.repeat(500))).toThrow(/nested too deeply/);
    expect(() => parseExpression('!'.repeat(500) + 'x')).toThrow(/nested too deeply/);
  });

  it('renders templates: one placeholder keeps its type, mixed text becomes a string', () => {
    expect(renderTemplate("${{ alert.observables[?(@.type == 'ip')].value }}", { alert })).toEqual([
      '203.0.113.7',
      '10.1.2.3',
    ]);
    expect(
      renderTemplate('Block ${{ alert.observables[0].value }} on ${{ alert.entity.value }}', { alert }),
    ).toBe('Block 203.0.113.7 on bastion');
    expect(renderDeep({ url: 'https://fw/${{ alert.entity.value }}', n: 1 }, { alert })).toEqual({
      url: 'https://fw/bastion',
      n: 1,
    });
    expect(() => renderTemplate('x ${{ alert. }}', { alert })).toThrow(ExprError);
    // Starts and ends with a placeholder, but is two of them: text, not one expression.
    expect(
      renderTemplate("${{ alert.entity.value }}: ${{ join(alert.observables[*].type, ',') }}", { alert }),
    ).toBe('bastion: ip,ip,user');
  });

  it('never throws anything but ExprError and always terminates, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.string({
          maxLength: 80,
          unit: fc.constantFrom(...'ab.[]()*?@!=<>&|+-/%:\'"{},0123456789 inotandr'.split('')),
        }),
        (src) => {
          try {
            evaluate(parseExpression(src), { a: alert, b: [1, 2, 3] });
          } catch (e) {
            if (!(e instanceof ExprError)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
