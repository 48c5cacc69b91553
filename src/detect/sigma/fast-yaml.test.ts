import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fastParseAll } from './fast-yaml.js';

const RULES = new URL('../../../../shared/data/sigma/rules/', import.meta.url).pathname;
const reference = (text: string): unknown[] =>
  (parseAllDocuments(text) as { toJS(): unknown }[])
    .map((d) => d.toJS())
    .filter((v) => v !== null && v !== undefined);
const fast = (text: string): unknown[] | undefined =>
  fastParseAll(text)
    ?.map((d) => d.value)
    .filter((v) => v !== null);

describe('fast YAML subset reader', () => {
  it('reads every SigmaHQ rule exactly as the full YAML library does (or defers to it)', () => {
    const files: string[] = [];
    const walk = (p: string): void => {
      if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
      else if (p.endsWith('.yml')) files.push(p);
    };
    walk(RULES);
    let handled = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const mine = fast(text);
      if (mine === undefined) continue;
      handled++;
      expect(mine, f).toEqual(reference(text));
    }
    expect(handled).toBeGreaterThan(files.length * 0.95);
  }, 120_000);

  it('handles the constructs rules use', () => {
    const text = `a: 1
b: 'it''s'
c: "x\\ty"
d: [1, two, 3.5]
e:
- x
- k: v
  k2: ~
f: |
  line1
  # not a comment
g: >-
  folded
  text
h: true # comment
---
second: doc
`;
    expect(fast(text)).toEqual(reference(text));
  });

  it('defers what it does not support', () => {
    for (const t of [
      'a: &x 1\nb: *x\n',
      'a: !tag 1\n',
      'a: {b: 1}\n',
      'a: plain\n  continued\n',
      'a: 1\na: 2\n',
      '"q": 1\n',
    ]) {
      expect(fastParseAll(t)).toBeUndefined();
    }
  });

  it('reads a quote after a bracket inside a plain key as text, and the comment after it', () => {
    // Found by the property below: `[` inside a plain scalar does not open a flow sequence.
    expect(fast("a['b: #'")).toEqual([{ "a['b": null }]);
  });

  it('never throws and agrees with the library whenever it answers (property)', () => {
    const atom = fc.constantFrom(
      'a',
      'b: ',
      '- ',
      '  ',
      '\n',
      "'",
      '"',
      '#',
      ':',
      '|',
      '>',
      '[',
      ']',
      ',',
      '1',
      'true',
      '~',
      '---\n',
      '\\',
    );
    fc.assert(
      fc.property(
        fc.array(atom, { maxLength: 30 }).map((a) => a.join('')),
        (text) => {
          const mine = fast(text);
          if (mine === undefined) return;
          let ref: unknown[];
          try {
            const docs = parseAllDocuments(text) as unknown as {
              errors: unknown[];
              contents: unknown;
              toJS(): unknown;
            }[];
            if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return; // invalid YAML: the loader reports it
            ref = docs.map((d) => d.toJS()).filter((v) => v !== null && v !== undefined);
          } catch {
            return;
          }
          expect(mine).toEqual(ref);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
