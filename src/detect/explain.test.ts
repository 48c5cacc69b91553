import { describe, expect, it } from 'vitest';
import { explain, formatExplanation } from './explain.js';
import { compileOne, SYSMON } from './sigma/test-helpers.js';

describe('explain', () => {
  const rule = compileOne({
    selection: { 'Image|endswith': '\\rundll32.exe', 'CommandLine|contains': 'comsvcs' },
    filter: { User: 'SYSTEM' },
    condition: 'selection and not filter',
  });

  it('says field by field why a rule matched or not', () => {
    const x = explain(rule, { Channel: SYSMON, EventID: 1, Image: 'C:\\rundll32.exe', CommandLine: 'rundll32 x.dll', User: 'bob' });
    expect(x.matched).toBe(false);
    expect(x.logsource.matched).toBe(true);
    const sel = x.selections.find((s) => s.name === 'selection')!;
    expect(sel.matched).toBe(false);
    expect(sel.alternatives[0]!.fields.map((f) => [f.field, f.matched, f.actual])).toEqual([
      ['Image', true, 'C:\\rundll32.exe'],
      ['CommandLine', false, 'rundll32 x.dll'],
    ]);
    expect(formatExplanation(x)).toContain('✗ CommandLine|contains expects ["comsvcs"]');
  });

  it('reports a logsource mismatch', () => {
    const x = explain(rule, { Channel: 'Security', EventID: 1, Image: 'C:\\rundll32.exe', CommandLine: 'comsvcs', User: 'bob' });
    expect(x.conditionMatched).toBe(true);
    expect(x.logsource.matched).toBe(false);
    expect(x.matched).toBe(false);
  });
});
