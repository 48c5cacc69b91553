import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../schema/ecs.js';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqliteEventSearch } from '../store/sqlite/event-search.js';
import { SqliteEventStore } from '../store/sqlite/events.js';
import { parseQuery } from './parser.js';
import { sigmaToQuery } from './sigma-to-query.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RULES = path.resolve(ROOT, '..', 'shared', 'data', 'sigma', 'rules', 'rules');
const rule = (rel: string) => readFileSync(path.join(RULES, rel), 'utf8');

function converted(rel: string): string {
  const r = sigmaToQuery(rule(rel));
  if (!r.ok) throw new Error(`${rel}: ${r.reason}`);
  expect(parseQuery(r.query).ok).toBe(true);
  return r.query;
}

describe('sigmaToQuery on SigmaHQ rules', () => {
  it('converts "all of selection_*" with endswith/contains lists (7-Zip password compression)', () => {
    const q = converted('windows/process_creation/proc_creation_win_7zip_password_compression.yml');
    expect(q).toContain('winlog.event_data.Image:*\\\\7z.exe');
    expect(q).toContain('winlog.event_data.CommandLine:*\\ \\-p*');
    expect(q.split(' AND ').length).toBeGreaterThanOrEqual(3);
  });

  it('converts a Linux rule to ECS field names', () => {
    const q = converted('linux/process_creation/proc_creation_lnx_base64_decode.yml');
    expect(q).toMatch(/process\.(executable|command_line):/);
    expect(q).not.toContain('winlog.event_data');
  });

  it('converts the certutil download rule and keeps NOT filters', () => {
    const q = converted('windows/process_creation/proc_creation_win_certutil_download.yml');
    expect(q).toContain('winlog.event_data.CommandLine');
  });

  it('refuses regular expressions with a reason naming the modifier', () => {
    const r = sigmaToQuery(`title: t
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|re: 'a.*b'
  condition: sel
`);
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("modifier 're'") });
  });

  it("refuses '2 of' quantifiers, timeframes and correlation rules", () => {
    const base = (cond: string, extra = '') => `title: t
logsource: {product: linux}
detection:
  a: {Image: x}
  b: {Image: y}
  c: {Image: z}
${extra}  condition: ${cond}
`;
    expect(sigmaToQuery(base('2 of them')).ok).toBe(false);
    expect(sigmaToQuery(base('a', '  timeframe: 5m\n')).ok).toBe(false);
    expect(sigmaToQuery('title: c\ncorrelation: {type: event_count}\n')).toMatchObject({ ok: false });
    expect(sigmaToQuery('::: not yaml [').ok).toBe(false);
  });

  it('expands windash into every dash spelling the engine accepts', () => {
    const r = sigmaToQuery(`title: t
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|windash|contains: ' -enc '
  condition: sel
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.query).toContain('winlog.event_data.CommandLine:*\\ \\-enc\\ *');
    expect(r.query).toContain('winlog.event_data.CommandLine:*\\ \\/enc\\ *');
    expect(r.query.split(' OR ').length).toBeGreaterThanOrEqual(5);
  });

  it('converts keywords, nulls, numbers, cidr and exists', () => {
    const r = sigmaToQuery(`title: t
logsource: {product: linux}
detection:
  kw:
    - 'sekurlsa*'
    - 'mimi?atz'
  sel:
    DestinationPort: 4444
    DestinationIp|cidr: 10.0.0.0/8
    User: null
    CommandLine|exists: true
  condition: kw or sel
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.query).toBe(
      '(sekurlsa* OR mimi?atz) OR (destination.port:4444 AND destination.ip:10.0.0.0/8 AND NOT user.name:* AND process.command_line:*)',
    );
  });

  it('converts most of the process_creation corpus and refuses the rest with a reason', () => {
    const dir = path.join(RULES, 'windows', 'process_creation');
    const files = readdirSync(dir);
    let ok = 0;
    for (const f of files) {
      const r = sigmaToQuery(readFileSync(path.join(dir, f), 'utf8'));
      if (r.ok) {
        ok++;
        expect(parseQuery(r.query).ok, f).toBe(true);
      } else expect(r.reason.length, f).toBeGreaterThan(5);
    }
    expect(ok / files.length).toBeGreaterThan(0.8);
  });
});

describe('converted queries run against stored events (real SQLite)', () => {
  let db: Db;
  let search: SqliteEventSearch;
  const T0 = Date.parse('2026-01-01T00:00:00.000Z');

  const sysmon = (i: number, image: string, cmd: string): VigilEvent =>
    ({
      '@timestamp': new Date(T0 + i * 1000).toISOString(),
      event: { id: `e-${i}`, ingested: new Date(T0).toISOString() },
      organization: { id: 'a' },
      host: { name: 'ws-1' },
      winlog: {
        channel: 'Microsoft-Windows-Sysmon/Operational',
        event_id: 1,
        event_data: { Image: image, CommandLine: cmd },
      },
    }) as unknown as VigilEvent;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-sigma2q-'));
    db = openDatabase(path.join(dir, 'vigil.db'));
    await new SqliteEventStore(db).append([
      sysmon(1, 'C:\\Program Files\\7-Zip\\7z.exe', '7z.exe a -pSecret out.7z C:\\loot'),
      sysmon(2, 'C:\\Program Files\\7-Zip\\7z.exe', '7z.exe x archive.7z'),
      sysmon(3, 'C:\\Windows\\System32\\notepad.exe', 'notepad.exe a -p'),
    ]);
    search = new SqliteEventSearch(db);
  });
  afterAll(() => db?.close());

  it('finds exactly the event the 7-Zip rule would have matched', async () => {
    const q = converted('windows/process_creation/proc_creation_win_7zip_password_compression.yml');
    const r = await search.search(['a'], q, { limit: 10 });
    expect(r.kind).toBe('events');
    if (r.kind !== 'events') return;
    expect(r.events.map((e) => (e as VigilEvent).event?.id)).toEqual(['e-1']);
  });
});
