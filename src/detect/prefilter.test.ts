import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { containsAny, LiteralIndex } from './prefilter.js';
import { DetectionEngine } from './engine.js';
import { compileOne, SYSMON } from './sigma/test-helpers.js';

function scanAll(index: LiteralIndex, text: string): number[] {
  const out: number[] = [];
  index.scan(text, new Uint32Array(64), 1, out);
  return out.sort((a, b) => a - b);
}

describe('LiteralIndex', () => {
  it('reports each literal whose key occurs, folding ASCII case', () => {
    const idx = new LiteralIndex([['mimikatz', 0], ['sekurlsa::', 1], ['whoami', 2]]);
    expect(scanAll(idx, 'C:\\Tools\\MimiKatz.exe "SEKURLSA::logonpasswords"')).toEqual([0, 1]);
    expect(scanAll(idx, 'nothing here')).toEqual([]);
  });

  it('sees KELVIN SIGN and dotted capital I as their lower-case forms (what rules compare)', () => {
    // 'SEKURLSA'.toLowerCase() with U+212A in place of K is 'sekurlsa'; 'İ' lower-cases to 'i' + U+0307.
    const idx = new LiteralIndex([['sekurlsa', 0], ['mimi', 1], ['i\u0307x', 2]]);
    const kelvin = 'SE\u212aURLSA';
    expect(kelvin.toLowerCase()).toContain('sekurlsa');
    expect(scanAll(idx, kelvin)).toEqual([0]);
    const dotted = 'M\u0130M\u0130';
    expect(dotted.toLowerCase()).toBe('mi\u0307mi\u0307');
    expect(scanAll(idx, dotted)).toEqual([]); // 'mimi' is not in the lower-cased text either
    expect(scanAll(idx, '\u0130X')).toEqual([2]);
    expect(scanAll(new LiteralIndex([['xi', 0]]), 'X\u0130')).toEqual([0]);
  });

  it('never misses a literal contained in the lower-cased text (property)', () => {
    const alphabet = fc.constantFrom('a', 'B', 'k', 'K', '\u212a', '\u0130', 'i', '\u0307', ':', '\\', 'é', ' ');
    const str = fc.array(alphabet, { maxLength: 12 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(str.filter((s) => s.length > 0), { minLength: 1, maxLength: 6 }), str, (lits, text) => {
        const lower = lits.map((l) => l.toLowerCase());
        const idx = new LiteralIndex(lower.map((l, i) => [l, i] as const));
        const found = new Set(scanAll(idx, text));
        lower.forEach((l, i) => {
          if (text.toLowerCase().includes(l)) expect(found.has(i)).toBe(true);
        });
      }),
    );
  });
});

describe('containsAny', () => {
  it('equals trying every literal with includes, on short and long values (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '-', '\\', 'é', '\u212a');
    const str = (max: number): fc.Arbitrary<string> => fc.array(alphabet, { maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(str(6).filter((s) => s.length > 0), { minLength: 1, maxLength: 20 }), str(300), (lits, text) => {
        expect(containsAny(lits)(text)).toBe(lits.some((l) => text.includes(l)));
      }),
    );
  });

  it('a rule with a long contains list matches through the automaton exactly as by reading it', () => {
    const words = Array.from({ length: 40 }, (_, i) => `invoke-thing${i}x`);
    const rule = compileOne({ sel: { 'CommandLine|contains': words }, condition: 'sel' });
    const engine = new DetectionEngine([rule]);
    const pad = 'a'.repeat(200);
    const ev = (cli: string): object => ({ Channel: SYSMON, EventID: 1, CommandLine: cli });
    expect(engine.evaluate([ev(`${pad} Invoke-Thing17X ${pad}`), ev(`${pad} invoke-thing17 ${pad}`), ev('Invoke-Thing39x')]).map((d) => d.eventIndex)).toEqual([0, 2]);
  });

  it('the engine finds a rule through a KELVIN SIGN spelling (prefilter agrees with full evaluation)', () => {
    // The literal is its own prefilter key, so the key holds the k spelled with KELVIN SIGN.
    const rule = compileOne({ sel: { 'CommandLine|contains': 'sekurlsa' }, condition: 'sel' });
    const ev = { Channel: SYSMON, EventID: 1, CommandLine: 'mimi.exe "se\u212aurlsa::logonpasswords"' };
    expect(new DetectionEngine([rule], { prefilter: false }).evaluate([ev])).toHaveLength(1);
    expect(new DetectionEngine([rule]).evaluate([ev])).toHaveLength(1);
  });
});
