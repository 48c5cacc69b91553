import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../test-support/app.js';
import type { VigilApp } from '../../app.js';
import { classifyFile, globMatcher, startDirectoryWatch } from './watch.js';

const log = pino({ level: 'silent' });
// Polls are driven by hand (`poll()`); the timer is set far out so it never interferes.
const MANUAL = 3_600_000;

describe('startDirectoryWatch', () => {
  let app: VigilApp & { dataDir: string };
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const newDir = () => mkdtempSync(path.join(tmpdir(), 'vigil-watch-'));
  const found = async (marker: string) => (await app.storage.events.search({ tenants: ['default'], text: [marker], limit: 10_000 })).events;
  const ndjson = (marker: string, from: number, n: number) =>
    Array.from({ length: n }, (_, i) => JSON.stringify({ '@timestamp': '2026-11-01T10:00:00Z', message: `${marker} line ${from + i}`, host: { name: 'h' } }) + '\n').join('');
  const lineNumbers = (events: Array<Record<string, unknown>>) => events.map((e) => Number(/line (\d+)/.exec(String(e.message))![1])).sort((a, b) => a - b);
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

  it('ingests a new NDJSON file, then only the lines appended to it', async () => {
    const dir = newDir();
    const w = await startDirectoryWatch({ id: 'w1', path: dir, tenant: 'default', dataDir: app.dataDir, pollMs: MANUAL }, app.ingest, log);
    writeFileSync(path.join(dir, 'app.ndjson'), ndjson('mk1', 0, 30));
    await w.poll();
    expect(lineNumbers(await found('mk1'))).toEqual(range(0, 30));
    // An unfinished last line waits for its newline.
    appendFileSync(path.join(dir, 'app.ndjson'), ndjson('mk1', 30, 20) + '{"message":"mk1 line 50"');
    await w.poll();
    expect(lineNumbers(await found('mk1'))).toEqual(range(0, 50));
    appendFileSync(path.join(dir, 'app.ndjson'), ', "@timestamp":"2026-11-01T10:00:00Z"}\n');
    await w.poll();
    expect(lineNumbers(await found('mk1'))).toEqual(range(0, 51));
    await w.close();
  });

  it('resumes after a restart from the saved offset, without repeating lines', async () => {
    const dir = newDir();
    const opts = { id: 'w2', path: dir, tenant: 'default', dataDir: app.dataDir, pollMs: MANUAL, batchSize: 7 };
    let w = await startDirectoryWatch(opts, app.ingest, log);
    writeFileSync(path.join(dir, 'a.log'), ndjson('mk2', 0, 40));
    await w.poll();
    await w.close();
    const saved = JSON.parse(readFileSync(path.join(app.dataDir, 'file-inputs', 'w2.json'), 'utf8')) as { files: Record<string, { offset: number }> };
    expect(Object.values(saved.files)[0]!.offset).toBe(Buffer.byteLength(ndjson('mk2', 0, 40)));
    appendFileSync(path.join(dir, 'a.log'), ndjson('mk2', 40, 10));
    w = await startDirectoryWatch(opts, app.ingest, log);
    await w.poll();
    await w.close();
    const events = await found('mk2');
    expect(events.length).toBe(50);
    expect(lineNumbers(events)).toEqual(range(0, 50));
  });

  it('a batch stored but not yet recorded is not stored twice when read again', async () => {
    const dir = newDir();
    const opts = { id: 'w3', path: dir, tenant: 'default', dataDir: app.dataDir, pollMs: MANUAL };
    writeFileSync(path.join(dir, 'a.log'), ndjson('mk3', 0, 20));
    let w = await startDirectoryWatch(opts, app.ingest, log);
    await w.poll();
    await w.close();
    // Simulate a crash between the store's commit and the offset write: the state file is lost.
    writeFileSync(path.join(app.dataDir, 'file-inputs', 'w3.json'), '{"version":1,"files":{}}');
    w = await startDirectoryWatch(opts, app.ingest, log);
    await w.poll();
    await w.close();
    expect(lineNumbers(await found('mk3'))).toEqual(range(0, 20));
  });

  it('follows a rename rotation (old file finished, new file from 0) and a truncation', async () => {
    const dir = newDir();
    const w = await startDirectoryWatch({ id: 'w4', path: dir, tenant: 'default', dataDir: app.dataDir, pollMs: MANUAL, pattern: 'app.log*' }, app.ingest, log);
    const live = path.join(dir, 'app.log');
    writeFileSync(live, ndjson('mk4', 0, 10));
    await w.poll();
    // Lines written just before rotation, then rotated before the next poll.
    appendFileSync(live, ndjson('mk4', 10, 5));
    renameSync(live, path.join(dir, 'app.log.1'));
    writeFileSync(live, ndjson('mk4', 15, 5));
    await w.poll();
    expect(lineNumbers(await found('mk4'))).toEqual(range(0, 20));
    // copytruncate: same inode, shorter content.
    writeFileSync(live, ndjson('mk4', 20, 3));
    await w.poll();
    expect(lineNumbers(await found('mk4'))).toEqual(range(0, 23));
    await w.close();
  });

  it('dead-letters a bad line and stores the others', async () => {
    const dir = newDir();
    const w = await startDirectoryWatch({ id: 'w5', path: dir, tenant: 'default', dataDir: app.dataDir, pollMs: MANUAL }, app.ingest, log);
    writeFileSync(path.join(dir, 'x.ndjson'), ndjson('mk5', 0, 2) + '{"message": "mk5 broken\n' + ndjson('mk5', 2, 2));
    await w.poll();
    await w.close();
    expect(lineNumbers(await found('mk5'))).toEqual([0, 1, 2, 3]);
    const dead = await app.storage.deadLetters.list(['default'], { limit: 100, input: 'w5' });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.raw).toBe('{"message": "mk5 broken');
    expect(dead[0]!.reason).toMatch(/x\.ndjson@\d+: invalid JSON/);
  });

  it('tails plain syslog-style lines', async () => {
    const dir = newDir();
    const w = await startDirectoryWatch({ id: 'w6', path: dir, tenant: 'default', dataDir: app.dataDir, pollMs: MANUAL }, app.ingest, log);
    writeFileSync(path.join(dir, 'auth.log'), 'Nov 28 04:00:00 bastion sshd[42]: mk6 line 0, from 10.0.0.1\nNov 28 04:00:01 bastion sshd[42]: mk6 line 1\n');
    await w.poll();
    await w.close();
    const events = await found('mk6');
    expect(lineNumbers(events)).toEqual([0, 1]);
    expect(events[0]).toMatchObject({ host: { name: 'bastion' }, process: { name: 'sshd' } });
  });

  it('takes a compressed file only once its size held across two polls, and only once', async () => {
    const dir = newDir();
    const w = await startDirectoryWatch({ id: 'w7', path: dir, tenant: 'default', dataDir: app.dataDir, pollMs: MANUAL }, app.ingest, log);
    const gz = gzipSync(Buffer.from(ndjson('mk7', 0, 12)));
    writeFileSync(path.join(dir, 'old.ndjson.gz'), gz.subarray(0, 10));
    await w.poll();
    expect(await found('mk7')).toHaveLength(0);
    writeFileSync(path.join(dir, 'old.ndjson.gz'), gz);
    await w.poll();
    expect(await found('mk7')).toHaveLength(0);
    await w.poll();
    expect(lineNumbers(await found('mk7'))).toEqual(range(0, 12));
    await w.poll();
    expect(await found('mk7')).toHaveLength(12);
    await w.close();
  });
});

describe('classifyFile and globMatcher', () => {
  it('tails line files and takes binary and whole-document files whole', () => {
    expect(classifyFile('a.json', Buffer.from('{"a":1}\n{"a":2}\n'))).toBe('ndjson');
    expect(classifyFile('a.json', Buffer.from('{"a":1'))).toBeUndefined();
    expect(classifyFile('a.json', Buffer.from('[{"a":1},\n{"a":2}]'))).toBe('whole');
    expect(classifyFile('Security.evtx', Buffer.from('ElfFile\0rest'))).toBe('whole');
    expect(classifyFile('noext', Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('whole');
    expect(classifyFile('auth.log', Buffer.from('Nov 28 sshd[1]: a, b\n'))).toBe('text');
    expect(classifyFile('conn.log', Buffer.from('#separator \\x09\n'))).toBe('zeek-tsv');
  });
  it('matches names by glob', () => {
    const m = globMatcher('*.log');
    expect(m('a.log')).toBe(true);
    expect(m('a.log.1')).toBe(false);
    expect(m('a.xlog')).toBe(false);
    expect(globMatcher('a?.txt')('ab.txt')).toBe(true);
    expect(globMatcher('a.(x)')('a.(x)')).toBe(true);
  });
});
