import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffLines } from './diff.js';

const V1 = [
  'id: triage',
  'name: Triage',
  'enabled: false',
  'triggers:',
  '  - alert: { minSeverity: high }',
  'steps:',
  '  - id: enrich',
  '    action: intel.lookup',
  '    with: { type: ip, value: "${{ alert.entity.value }}" }',
  '  - id: note',
  '    action: alert.comment',
  '    with: { alert: "${{ alert.id }}", body: seen }',
  '  - id: tag',
  '    action: alert.update',
  '    with: { alert: "${{ alert.id }}", add_tags: [triaged] }',
  'outputs:',
  '  seen: ${{ steps.enrich.output.hit }}',
].join('\n');

const V2 = V1.replace('enabled: false', 'enabled: true')
  .replace(
    '  - id: note\n    action: alert.comment\n    with: { alert: "${{ alert.id }}", body: seen }\n',
    '',
  )
  .replace(
    'outputs:',
    '  - id: raise\n    if: steps.enrich.output.hit\n    action: alert.update\n    with: { alert: "${{ alert.id }}", severity: critical }\noutputs:',
  );

/** The same two texts through GNU diff, the reference for the format. */
function gnuDiff(a: string, b: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-diff-'));
  try {
    writeFileSync(path.join(dir, 'a'), a + '\n');
    writeFileSync(path.join(dir, 'b'), b + '\n');
    const r = spawnSync('diff', ['-u', '--label', 'a', '--label', 'b', 'a', 'b'], {
      cwd: dir,
      encoding: 'utf8',
    });
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('playbook version diffs', () => {
  it('writes the unified diff GNU diff writes: hunks, context and line numbers', () => {
    const d = diffLines(V1, V2, ['a', 'b'])!;
    expect(d).toMatchObject({ added: 5, removed: 4 });
    const reference = gnuDiff(V1, V2);
    expect(reference).toContain('@@'); // diff is installed and saw the change
    expect(d.unified).toBe(reference);
  });

  it('has nothing to say about equal texts, and handles additions to an empty text', () => {
    expect(diffLines(V1, V1)).toEqual({ added: 0, removed: 0, unified: '' });
    const fromEmpty = diffLines('', 'a\nb', ['a', 'b'])!;
    expect(fromEmpty).toEqual({ added: 2, removed: 0, unified: '--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n' });
  });

  it('refuses texts too large to diff rather than taking the time', () => {
    const big = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n');
    expect(diffLines(big, big + '\nmore')).toBeUndefined();
  });
});
