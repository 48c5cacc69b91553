import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDataDir } from '../support/server-process.js';

const SHARED = path.resolve(ROOT, '..', 'shared', 'data');

describe('vigil ingest', () => {
  it('imports EVTX, gzipped Zeek and NDJSON files, dead-lettering only the bad line', () => {
    const dataDir = tempDataDir();
    const input = path.join(dataDir, 'in');
    mkdirSync(input);
    const evtx = path.join(SHARED, 'evtx-attack-samples', 'Credential Access', 'CA_4624_4625_LogonType2_LogonProc_chrome.evtx');
    copyFileSync(evtx, path.join(input, 'a.evtx'));
    copyFileSync(path.join(SHARED, 'zeek-wrccdc2018', 'zeek-json', 'ssh.json.gz'), path.join(input, 'ssh.json.gz'));
    writeFileSync(path.join(input, 'app.ndjson'), '{"@timestamp":"2026-01-01T00:00:00Z","message":"ok one"}\n{broken\n{"message":"ok two"}\n');

    // Expected counts come from independent tools: python3-evtx for the EVTX records, zcat for Zeek lines.
    const evtxRecords = (execFileSync('evtx_dump.py', [evtx], { encoding: 'utf8', maxBuffer: 1 << 28 }).match(/<Event /g) ?? []).length;
    const zeekLines = execFileSync('sh', ['-c', `zcat '${path.join(input, 'ssh.json.gz')}' | grep -c .`], { encoding: 'utf8' }).trim();

    const r = runCli(['ingest', input], { VIGIL_DATA_DIR: dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ingested \d+ events from 3 file\(s\) into tenant default; 1 rejected/);

    const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
    const count = (where: string) => (db.prepare(`SELECT count(*) AS n FROM events WHERE ${where}`).get() as { n: number }).n;
    expect(count("json_extract(doc, '$.event.module') = 'windows' OR json_extract(doc, '$.event.module') = 'sysmon'")).toBe(evtxRecords);
    expect(count("json_extract(doc, '$.event.dataset') = 'zeek.ssh'")).toBe(Number(zeekLines));
    expect(count("json_extract(doc, '$.message') IN ('ok one', 'ok two')")).toBe(2);
    const dl = db.prepare('SELECT input, reason, raw FROM dead_letters').all() as Array<{ input: string; reason: string; raw: string }>;
    db.close();
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({ input: 'file', raw: '{broken' });
    expect(dl[0]!.reason).toContain('app.ndjson:2');
  });

  it('refuses a tenant that does not exist with exit code 2', () => {
    const r = runCli(['ingest', '--tenant', 'nope', '/dev/null'], { VIGIL_DATA_DIR: tempDataDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tenant nope does not exist');
  });
});
