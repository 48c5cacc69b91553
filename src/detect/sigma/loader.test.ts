import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadRules, loadRulesFromText } from './loader.js';

const RULES = new URL('../../../../shared/data/sigma/rules/', import.meta.url).pathname;

function countDocuments(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) n += countDocuments(p);
    else if (/\.ya?ml$/.test(p)) {
      for (const d of parseAllDocuments(readFileSync(p, 'utf8')) as { contents: unknown }[]) if (d.contents !== null) n++;
    }
  }
  return n;
}

describe('loading all SigmaHQ rules', () => {
  it('loads or precisely rejects every rule document', () => {
    const r = loadRules(RULES);
    const found = countDocuments(RULES);
    expect(found).toBe(3780);
    expect(r.documents).toBe(found);
    expect(r.rules.length + r.filters.length + r.correlations.length + r.rejected.length).toBe(found);
    expect(r.rejected.length).toBeLessThanOrEqual(30);
    for (const x of r.rejected) {
      expect(x.file).toMatch(/\.yml$/);
      expect(x.line).toBeGreaterThan(0);
      // Without an expand configuration only unresolved placeholders may be refused.
      expect(x.reason).toMatch(/^\S+\|.*expand: placeholder %[^%]+% has no values in the expand configuration$/);
      expect(readFileSync(x.file, 'utf8')).toContain('|expand');
    }
    expect(new Set(r.rules.map((x) => x.id)).size).toBe(r.rules.length);
  }, 120_000);
});

const RULE = (extra = ''): string => `title: t
id: 11111111-1111-4111-8111-111111111111
logsource:
  product: windows
  category: process_creation
detection:
  sel:
    Image|endswith: '\\cmd.exe'
  condition: sel
level: high
tags:
  - attack.execution
  - attack.t1059.003
${extra}`;

describe('loader', () => {
  it('compiles metadata and ATT&CK references', () => {
    const r = loadRulesFromText(RULE(), 'a.yml');
    expect(r.rejected).toEqual([]);
    const rule = r.rules[0]!;
    expect(rule.attack).toEqual({ techniques: ['T1059.003'], tactics: ['execution'] });
    expect(rule.level).toBe('high');
    expect(rule.logsourceKey).toBe('windows|process_creation|*');
  });

  it('names file, line and problem for bad rules', () => {
    const text = RULE().replace("Image|endswith: '\\cmd.exe'", "Image|endswith|bogus: '\\cmd.exe'");
    const r = loadRulesFromText(text, 'bad.yml');
    expect(r.rules).toEqual([]);
    expect(r.rejected).toEqual([{ file: 'bad.yml', line: 8, reason: "unknown modifier 'bogus' on 'Image|endswith|bogus'" }]);
    const noTitle = loadRulesFromText(RULE().replace('title: t\n', ''), 'x.yml');
    expect(noTitle.rejected[0]!.reason).toContain('title');
    const yamlErr = loadRulesFromText('title: [unclosed\nid: x\n', 'y.yml');
    expect(yamlErr.rejected).toHaveLength(1);
    expect(yamlErr.rejected[0]!.reason).toMatch(/^YAML error/);
    const dep = loadRulesFromText(RULE('status: deprecated'), 'd.yml');
    expect(dep.rejected[0]).toMatchObject({ line: 14, reason: "rule status is 'deprecated'; such rules are not loaded" });
  });

  it('applies collection actions: global, repeat, reset', () => {
    const text = `action: global
title: shared
logsource:
  product: windows
  category: process_creation
level: medium
---
id: 21111111-1111-4111-8111-111111111111
detection:
  sel:
    Image|endswith: '\\a.exe'
  condition: sel
---
action: repeat
id: 31111111-1111-4111-8111-111111111111
detection:
  sel:
    Image|endswith: '\\b.exe'
---
action: reset
---
title: alone
id: 41111111-1111-4111-8111-111111111111
logsource:
  product: linux
detection:
  k:
    - evil
  condition: k
`;
    const r = loadRulesFromText(text, 'c.yml');
    expect(r.rejected).toEqual([]);
    expect(r.documents).toBe(3);
    expect(r.rules.map((x) => [x.title, x.logsourceKey])).toEqual([
      ['shared', 'windows|process_creation|*'],
      ['shared', 'windows|process_creation|*'],
      ['alone', 'linux|*|*'],
    ]);
    expect(r.rules[1]!.detection.selections[0]!.groups[0]![0]!.values).toEqual(['\\b.exe']);
  });

  it('parses correlations and refuses dangling references', () => {
    const text = `${RULE('name: cmd_run')}
---
title: many cmd
id: 51111111-1111-4111-8111-111111111111
correlation:
  type: event_count
  rules:
    - cmd_run
  group-by:
    - Computer
  timespan: 5m
  condition:
    gte: 10
---
title: dangling
id: 61111111-1111-4111-8111-111111111111
correlation:
  type: temporal
  rules: [nope]
  timespan: 1h
`;
    const r = loadRulesFromText(text, 'corr.yml');
    expect(r.correlations).toHaveLength(1);
    expect(r.correlations[0]).toMatchObject({ type: 'event_count', rules: ['cmd_run'], groupBy: ['Computer'], timespanMs: 300000, condition: [{ op: 'gte', value: 10 }] });
    expect(r.rejected).toEqual([{ file: 'corr.yml', line: 28, reason: 'correlation references unknown rule(s): nope' }]);
  });

  it('parses meta filters', () => {
    const r = loadRulesFromText(`title: f
id: 71111111-1111-4111-8111-111111111111
logsource:
  product: windows
filter:
  rules:
    - 11111111-1111-4111-8111-111111111111
  selection:
    Computer|startswith: 'DC-'
  condition: not selection
`, 'f.yml');
    expect(r.rejected).toEqual([]);
    expect(r.filters[0]!.rules).toEqual(['11111111-1111-4111-8111-111111111111']);
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = loadRulesFromText(s, 'fuzz.yml');
        expect(r.rules.length + r.filters.length + r.correlations.length + r.rejected.length).toBe(r.documents);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (k, v) => {
        const r = loadRulesFromText(RULE().replace("Image|endswith: '\\cmd.exe'", `${JSON.stringify(k)}: ${JSON.stringify(v)}`), 'fuzz.yml');
        expect(r.rules.length + r.rejected.length).toBe(1);
      }),
      { numRuns: 300 },
    );
  });
});
