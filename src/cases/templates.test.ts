import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES_DIR, loadTemplateDir, parseTemplate } from './templates.js';

describe('case templates', () => {
  it('ships valid templates for phishing, malware, ransomware, compromised account and exfiltration', () => {
    const { templates, rejected } = loadTemplateDir(BUILTIN_TEMPLATES_DIR);
    expect(rejected).toEqual([]);
    expect(templates.map((t) => t.id).sort()).toEqual([
      'compromised-account',
      'data-exfiltration',
      'malware-infection',
      'phishing',
      'ransomware',
    ]);
    for (const t of templates) expect(t.tasks.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses templates that do not match the schema, naming the field', () => {
    expect(parseTemplate('id: x\nname: X\ntasks: []')).toEqual({
      ok: false,
      reason: 'tasks: Too small: expected array to have >=1 items',
    });
    const bad = parseTemplate('id: Bad Id\nname: X\ntasks: [{title: a}]');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^id:/);
    expect(parseTemplate('id: x\nname: X\nunknown: 1\ntasks: [{title: a}]').ok).toBe(false);
    expect(parseTemplate('id: x\nname: X\ntasks: [{title: a, dueInHours: -1}]').ok).toBe(false);
    expect(parseTemplate(': : :\n  - [').ok).toBe(false);
    expect(parseTemplate('id: x\nname: X\ntasks: [{title: a}]')).toMatchObject({
      ok: true,
      value: { tasks: [{ title: 'a', group: null, dueInHours: null }] },
    });
  });
});
