import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDataDir } from '../support/server-process.js';

const SHARED = path.resolve(ROOT, '..', 'shared', 'data');
const RULE = path.join(SHARED, 'sigma', 'rules', 'rules', 'windows', 'builtin', 'security', 'win_security_audit_log_cleared.yml');
const DIR = path.join(SHARED, 'evtx-attack-samples', 'Credential Access');

/**
 * The rule fires on Security-channel EventID 1102 from provider Microsoft-Windows-Eventlog (or 517
 * from Security). The expected count is read from the files with python3-evtx, not from Vigil.
 */
function expectedClears(): number {
  let n = 0;
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.evtx'))) {
    const xml = execFileSync('evtx_dump.py', [path.join(DIR, f)], { encoding: 'utf8', maxBuffer: 1 << 29 });
    for (const rec of xml.split('</Event>')) {
      const id = /<EventID[^>]*>(\d+)<\/EventID>/.exec(rec)?.[1];
      const provider = /<Provider Name="([^"]+)"/.exec(rec)?.[1];
      const channel = /<Channel>([^<]+)<\/Channel>/.exec(rec)?.[1];
      if (channel === 'Security' && ((id === '1102' && provider === 'Microsoft-Windows-Eventlog') || (id === '517' && provider === 'Security'))) n++;
    }
  }
  return n;
}

describe('vigil hunt', () => {
  it('finds exactly the audit-log clears that python3-evtx sees, as JSON lines', () => {
    const expected = expectedClears();
    expect(expected).toBeGreaterThan(0);
    const r = runCli(['hunt', '--rules', RULE, '--format', 'jsonl', DIR], {});
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: { id: string; title: string; level: string }; timestamp: string; event: Record<string, unknown> });
    expect(lines).toHaveLength(expected);
    for (const l of lines) {
      expect(l.rule).toMatchObject({ id: 'd99b79d2-0a6f-4f46-ad8b-260b6e17f982', level: 'high' });
      expect(l.event.winlog).toMatchObject({ channel: 'Security', event_id: 1102 });
      expect(Number.isNaN(Date.parse(l.timestamp))).toBe(false);
    }
    expect(r.stderr).toMatch(new RegExp(`${expected} detection\\(s\\) in \\d+ event\\(s\\) from \\d+ file\\(s\\)`));
  });

  it('filters by level and time, and prints table and CSV', () => {
    expect(runCli(['hunt', '--rules', RULE, '--format', 'jsonl', '--level', 'critical', DIR], {}).stdout.trim()).toBe('');
    expect(runCli(['hunt', '--rules', RULE, '--format', 'jsonl', '--to', '2000-01-01T00:00:00Z', DIR], {}).stdout.trim()).toBe('');
    const csv = runCli(['hunt', '--rules', RULE, '--format', 'csv', DIR], {}).stdout.trim().split('\n');
    expect(csv[0]).toBe('timestamp,level,rule_id,rule_title,host,file,matched_fields');
    expect(csv.length - 1).toBe(expectedClears());
    const table = runCli(['hunt', '--rules', RULE, DIR], {}).stdout;
    expect(table).toMatch(/Security Eventlog Cleared/);
    expect(table).toMatch(/by level: critical 0, high [1-9]/);
  });

  it('exits 2 on unreadable rules or bad arguments', () => {
    expect(runCli(['hunt', '--rules', '/nonexistent/rules', DIR], {}).code).toBe(2);
    expect(runCli(['hunt', DIR], {}).code).toBe(2);
    expect(runCli(['hunt', '--rules', RULE, '--from', 'yesterday', DIR], {}).code).toBe(2);
  });
});

describe('vigil rules validate', () => {
  it('reports loaded and rejected rules as JSON with the reason', () => {
    const dir = path.join(tempDataDir(), 'rules');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'good.yml'), 'title: Good\nid: 11111111-1111-4111-8111-111111111111\nlogsource: { product: windows, category: process_creation }\ndetection:\n  sel: { Image|endswith: \\evil.exe }\n  condition: sel\nlevel: high\n');
    writeFileSync(path.join(dir, 'bad.yml'), 'title: Bad\nid: 22222222-2222-4222-8222-222222222222\nlogsource: { product: windows }\ndetection:\n  sel: { Image: x }\n  condition: sel and missing\n');
    const r = runCli(['rules', 'validate', '--format', 'json', dir], {});
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { loaded: number; rejected: Array<{ file: string; reason: string }> };
    expect(out.loaded).toBe(1);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.file).toContain('bad.yml');
    expect(out.rejected[0]!.reason).toMatch(/missing/);
  });

  it('explains selection by selection with rules test', () => {
    const dir = tempDataDir();
    const rule = path.join(dir, 'r.yml');
    writeFileSync(rule, 'title: Whoami\nid: 33333333-3333-4333-8333-333333333333\nlogsource: { product: windows, category: process_creation }\ndetection:\n  sel: { Image|endswith: \\whoami.exe }\n  condition: sel\nlevel: low\n');
    const ev = path.join(dir, 'e.ndjson');
    writeFileSync(ev, [
      JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\whoami.exe', '@timestamp': '2026-01-01T00:00:00Z', Hostname: 'pc1' }),
      JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\cmd.exe', '@timestamp': '2026-01-01T00:00:00Z', Hostname: 'pc1' }),
    ].join('\n'));
    const r = runCli(['rules', 'test', rule, ev], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/event 1: rule 33333333-3333-4333-8333-333333333333: MATCH/);
    expect(r.stdout).toMatch(/event 2: rule 33333333-3333-4333-8333-333333333333: no match/);
    expect(r.stdout).toMatch(/1 match\(es\)/);
  });
});
