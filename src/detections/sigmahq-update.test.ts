import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRuleSet, sigmahqDir } from './rule-set.js';
import { RulesUpdateError, selectRuleFiles, updateSigmaRules } from './sigmahq-update.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIGMA = path.resolve(ROOT, '..', 'shared', 'data', 'sigma', 'rules');
const PICKED = [
  'rules/application/bitbucket/audit/bitbucket_audit_full_data_export_triggered.yml',
  'rules/application/bitbucket/audit/bitbucket_audit_global_permissions_change_detected.yml',
  'rules/application/bitbucket/audit/bitbucket_audit_global_secret_scanning_rule_deleted.yml',
  'rules-emerging-threats/2010/Exploits/CVE-2010-5278/web_cve_2010_5278_exploitation_attempt.yml',
  'rules-emerging-threats/2014/Exploits/CVE-2014-6287/web_cve_2014_6287_hfs_rce.yml',
];
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

describe('vigil rules update', () => {
  let work: string;
  let tarball: string;
  let zipball: string;
  let releaseDir: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'vigil-update-'));
    // Laid out like a SigmaHQ source release: rule folders beside CI files and tests that are not rules.
    releaseDir = path.join(work, 'src', 'sigma-r2026-08-05');
    for (const f of PICKED) {
      mkdirSync(path.dirname(path.join(releaseDir, f)), { recursive: true });
      cpSync(path.join(SIGMA, f), path.join(releaseDir, f));
    }
    mkdirSync(path.join(releaseDir, '.github', 'workflows'), { recursive: true });
    writeFileSync(path.join(releaseDir, '.github', 'workflows', 'ci.yml'), 'on: push\njobs: {}\n');
    mkdirSync(path.join(releaseDir, 'rules-placeholder'), { recursive: true });
    writeFileSync(
      path.join(releaseDir, 'rules-placeholder', 'broken.yml'),
      'title: no detection here\nid: 99999999-0000-4000-8000-000000000000\nlogsource:\n  product: windows\n',
    );
    tarball = path.join(work, 'sigma.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', path.join(work, 'src'), 'sigma-r2026-08-05']);
    zipball = path.join(work, 'sigma.zip');
    execFileSync('zip', ['-qr', zipball, 'sigma-r2026-08-05'], { cwd: path.join(work, 'src') });
  });

  it('installs the rule folders of a tar.gz whose sha256 matches, and reports loaded and rejected', async () => {
    const dataDir = path.join(work, 'data-tar');
    const r = await updateSigmaRules({ from: tarball, sha256: sha(tarball).toUpperCase(), dataDir });
    expect(r).toMatchObject({ installedTo: sigmahqDir(dataDir), files: 6, loaded: 5, sha256: sha(tarball) });
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.file).toBe('rules-placeholder/broken.yml');
    expect(listTree(sigmahqDir(dataDir))).toEqual(
      [...PICKED, 'SOURCE.json', 'rules-placeholder/broken.yml'].sort(),
    );
    expect(JSON.parse(readFileSync(path.join(sigmahqDir(dataDir), 'SOURCE.json'), 'utf8'))).toMatchObject({
      sha256: sha(tarball),
      loaded: 5,
      rejected: 1,
    });
    // Live detection loads the install beside the built-in pack.
    const set = buildRuleSet({ paths: [], sigmahq: sigmahqDir(dataDir) });
    expect([...set.origin.values()].filter((o) => o.source === 'sigmahq')).toHaveLength(5);
  });

  it('refuses an archive whose sha256 differs and leaves the installed release untouched', async () => {
    const dataDir = path.join(work, 'data-sha');
    await updateSigmaRules({ from: tarball, dataDir });
    const before = listTree(sigmahqDir(dataDir));
    const wrong = '0'.repeat(64);
    await expect(updateSigmaRules({ from: zipball, sha256: wrong, dataDir })).rejects.toThrow(
      /sha256 mismatch: expected 0{64}/,
    );
    await expect(updateSigmaRules({ from: zipball, sha256: 'abc', dataDir })).rejects.toThrow(
      RulesUpdateError,
    );
    expect(listTree(sigmahqDir(dataDir))).toEqual(before);
    expect(readdirSync(path.dirname(sigmahqDir(dataDir)))).toEqual(['sigmahq']);
  });

  it('replaces an earlier install with a zip, and installs from a directory', async () => {
    const dataDir = path.join(work, 'data-zip');
    mkdirSync(path.join(sigmahqDir(dataDir), 'old'), { recursive: true });
    writeFileSync(path.join(sigmahqDir(dataDir), 'old', 'stale.yml'), 'title: stale\n');
    const r = await updateSigmaRules({ from: zipball, sha256: sha(zipball), dataDir });
    expect(r.loaded).toBe(5);
    expect(existsSync(path.join(sigmahqDir(dataDir), 'old'))).toBe(false);
    const d = await updateSigmaRules({
      from: path.join(releaseDir, 'rules'),
      dataDir: path.join(work, 'data-dir'),
    });
    expect(d).toMatchObject({ files: 3, loaded: 3 });
    await expect(updateSigmaRules({ from: releaseDir, sha256: sha(zipball), dataDir })).rejects.toThrow(
      /checks an archive/,
    );
  });

  it('fetches https only, checks the digest of what it downloaded, and refuses what is not an archive', async () => {
    const body = readFileSync(tarball);
    const fetchImpl = (async (url: string) => {
      const res = new Response(body, { status: 200 });
      Object.defineProperty(res, 'url', { value: url });
      return res;
    }) as unknown as typeof fetch;
    const dataDir = path.join(work, 'data-url');
    const r = await updateSigmaRules({
      from: 'https://example.test/sigma.tar.gz',
      sha256: sha(tarball),
      dataDir,
      fetchImpl,
    });
    expect(r.loaded).toBe(5);
    await expect(
      updateSigmaRules({ from: 'https://example.test/x', sha256: '1'.repeat(64), dataDir, fetchImpl }),
    ).rejects.toThrow(/mismatch/);
    await expect(
      updateSigmaRules({ from: 'http://example.test/sigma.tar.gz', dataDir, fetchImpl }),
    ).rejects.toThrow(/only https/);
    const notArchive = path.join(work, 'rule.yml');
    writeFileSync(notArchive, 'title: x\n');
    await expect(updateSigmaRules({ from: notArchive, dataDir })).rejects.toThrow(/not a zip, tar or tar.gz/);
  });

  it('never writes outside the install directory, whatever the entry names', () => {
    const data = Buffer.from('x');
    const picked = selectRuleFiles([
      { name: '../../etc/evil.yml', data },
      { name: '/abs/rules/a.yml', data },
      { name: 'r/rules/../../../b.yml', data },
      { name: 'x/rules/windows/c.yml', data },
      { name: 'x/deprecated/d.yml', data },
    ]);
    expect(picked.map((e) => e.name)).toEqual(['rules/a.yml', 'rules/windows/c.yml']);
  });
});
