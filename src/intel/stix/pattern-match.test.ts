import { describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../schema/ecs.js';
import { matchPattern } from './pattern-match.js';
import { parsePattern } from './pattern-parser.js';

const ev = (id: string, over: Record<string, unknown>, ts = '2026-11-28T09:00:00.000Z'): VigilEvent => ({
  '@timestamp': ts,
  event: { id, ingested: ts },
  organization: { id: 'default' },
  ...over,
});

function matches(pattern: string, events: VigilEvent[]): number[] | undefined {
  const p = parsePattern(pattern);
  if (!p.ok) throw new Error(p.reason);
  return matchPattern(p.value, events);
}

const e = ev('1', {
  source: { ip: '10.1.2.3', port: 51515 },
  destination: { ip: '203.0.113.33', port: 443, domain: 'www.example.com' },
  network: { transport: 'tcp' },
  file: { name: 'Report.exe', size: 371712, hash: { sha256: 'ABCDEF' }, created: '2014-01-13T07:03:17Z' },
  process: { command_line: 'certutil -add GlobalSign.cer', pid: 42 },
  user: { id: '1007', name: 'Peter' },
});

describe('STIX pattern matching against ECS events', () => {
  it.each([
    ["[ipv4-addr:value = '203.0.113.33']", true],
    ["[ipv4-addr:value = '203.0.113.0/24']", true],
    ["[ipv4-addr:value != '203.0.113.33']", true], // the source address differs
    ["[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/25']", true],
    ["[network-traffic:dst_ref.value ISSUBSET '203.0.113.128/25']", false],
    ["[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_port = 443]", true],
    ['[network-traffic:dst_port > 1024]', false],
    ['[network-traffic:src_port >= 51515 AND network-traffic:src_port <= 51515]', true],
    ["[network-traffic:protocols[*] = 'tcp']", true],
    ["[file:hashes.'SHA-256' = 'abcdef']", true],
    ["[file:name LIKE 'Rep%.e_e']", true],
    ["[file:name LIKE 'rep%']", false],
    ["[file:name MATCHES '^R.+\\\\.exe$']", true],
    ["[file:name NOT MATCHES '^R']", false],
    ['[file:size IN (1, 371712)]', true],
    ['[file:size NOT IN (371712)]', false],
    ["[file:size = '371712']", true],
    ["[file:created = t'2014-01-13T07:03:17Z']", true],
    ["[file:created > t'2015-01-01T00:00:00Z']", false],
    ['[EXISTS process:pid]', true],
    ['[EXISTS process:parent_ref.name]', false],
    ["[domain-name:value = 'WWW.example.com']", true],
    ["[user-account:user_id = '1007' AND user-account:account_login = 'Peter']", true],
    ["[user-account:user_id = '1007' AND user-account:account_login = 'Paul']", false],
    ["[user-account:user_id = '1' OR (process:pid = 42 AND user-account:account_login = 'Peter')]", true],
    ["[x-usb-device:usbdrive.serial_number = '5']", false],
  ])('%s → %s', (pattern, expected) => {
    expect(matches(pattern, [e]) !== undefined).toBe(expected);
  });

  const a = (id: string, ts: string) => ev(id, { file: { name: 'a.exe' } }, ts);
  const b = (id: string, ts: string) => ev(id, { file: { name: 'b.exe' } }, ts);

  it('FOLLOWEDBY needs the order, AND needs two distinct events', () => {
    const seq = [b('b1', '2026-11-28T09:00:00Z'), a('a1', '2026-11-28T09:01:00Z')];
    expect(matches("[file:name = 'a.exe'] FOLLOWEDBY [file:name = 'b.exe']", seq)).toBeUndefined();
    expect(matches("[file:name = 'b.exe'] FOLLOWEDBY [file:name = 'a.exe']", seq)).toEqual([0, 1]);
    expect(matches("[file:name = 'a.exe'] AND [file:name = 'b.exe']", seq)).toEqual([0, 1]);
    expect(matches("[file:name = 'a.exe'] AND [file:name = 'a.exe']", seq)).toBeUndefined();
  });

  it('REPEATS counts distinct events, WITHIN bounds their span, START/STOP their interval', () => {
    const seq = [
      a('1', '2026-11-28T09:00:00Z'),
      a('2', '2026-11-28T09:00:20Z'),
      a('3', '2026-11-28T09:05:00Z'),
    ];
    expect(matches("[file:name = 'a.exe'] REPEATS 3 TIMES", seq)).toEqual([0, 1, 2]);
    expect(matches("[file:name = 'a.exe'] REPEATS 4 TIMES", seq)).toBeUndefined();
    expect(matches("[file:name = 'a.exe'] REPEATS 3 TIMES WITHIN 60 SECONDS", seq)).toBeUndefined();
    expect(matches("[file:name = 'a.exe'] REPEATS 2 TIMES WITHIN 60 SECONDS", seq)).toEqual([0, 1]);
    expect(
      matches("[file:name = 'a.exe'] START t'2026-11-28T09:01:00Z' STOP t'2026-11-28T09:06:00Z'", seq),
    ).toEqual([2]);
  });

  it('stays bounded on a pattern with a combinatorial number of bindings', () => {
    const many = Array.from({ length: 64 }, (_, i) =>
      a(String(i), `2026-11-28T09:00:${String(i % 60).padStart(2, '0')}Z`),
    );
    const started = Date.now();
    expect(matches("[file:name = 'a.exe'] REPEATS 20 TIMES", many)).toBeDefined();
    expect(
      matches(
        "([file:name = 'a.exe'] AND [file:name = 'a.exe'] AND [file:name = 'a.exe']) FOLLOWEDBY [file:name = 'b.exe']",
        many,
      ),
    ).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
