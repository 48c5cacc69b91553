import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Warninglist } from './ports.js';
import { parseMispWarninglist, WarninglistFilter } from './warninglists.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LISTS = path.resolve(ROOT, '..', 'shared', 'data', 'ti', 'misp-warninglists', 'lists');

function sampleLists(): Warninglist[] {
  return readdirSync(LISTS).map((dir) => {
    const parsed = parseMispWarninglist(JSON.parse(readFileSync(path.join(LISTS, dir, 'list.json'), 'utf8')));
    if (!parsed.ok) throw new Error(`${dir}: ${parsed.reason}`);
    const d = parsed.value;
    return {
      id: `wl-${dir}`,
      tenant: '*',
      kind: 'warninglist',
      name: d.name,
      description: d.description,
      type: d.type,
      version: d.version,
      entries: d.list,
      matchingAttributes: d.matching_attributes ?? [],
      enabled: true,
      updatedBy: 'test',
      updatedAt: '2026-11-28T00:00:00.000Z',
    };
  });
}

describe('MISP warninglists', () => {
  it('parses every sample list (all five types) against the schema', () => {
    const lists = sampleLists();
    expect(lists).toHaveLength(10);
    expect(new Set(lists.map((l) => l.type))).toEqual(
      new Set(['string', 'substring', 'hostname', 'cidr', 'regex']),
    );
  });

  it('rejects what the schema rejects, naming the field', () => {
    const r = parseMispWarninglist({ name: 'x', description: 'd', version: 1, type: 'glob', list: [] });
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^type: /) as unknown });
    expect(
      parseMispWarninglist({ name: 'x', description: 'd', version: 1, type: 'string', list: [], extra: 1 })
        .ok,
    ).toBe(false);
  });

  const f = new WarninglistFilter(sampleLists());

  it.each([
    ['cidr (rfc1918)', 'ipv4', '10.20.30.40', /10\.20\.30\.40 is in 10\.0\.0\.0\/8/],
    ['cidr, a network inside a listed one', 'cidr', '192.168.7.0/24', /in 192\.168\.0\.0\/16/],
    ['cidr, IPv6 link-local', 'ipv6', 'fe80::1', /in FE80::\/10/],
    [
      'string (empty file sha512)',
      'sha512',
      'CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE47D0D13C5D85F2B0FF8318D2877EEC2F63B931BD47417A81A538327AF927DA3E'.toLowerCase(),
      /is listed/,
    ],
    ['hostname, a subdomain of a listed one', 'domain', 'www.bmw.de', /www\.bmw\.de is under bmw\.de/],
    ['hostname, in a URL', 'url', 'hit-botnet.opendns.com/block?x=1', /hit-botnet\.opendns\.com is listed/],
    ['substring', 'domain', 'sub.analyze.intezer.com', /contains analyze\.intezer\.com/],
    ['regex (RE2)', 'email', 'abuse@example.org', /matches \/\^\(security/],
  ] as const)('flags %s', (_name, type, value, reason) => {
    const w = f.check('default', type, value);
    expect(w?.kind).toBe('warninglist');
    expect(w?.reason).toMatch(reason);
  });

  it.each([
    ['a public address', 'ipv4', '198.51.100.7'],
    ['an address whose type the list is not for', 'md5', '10.0.0.1'.padEnd(32, '0')],
    ['a domain that only ends like a listed one', 'domain', 'notbmw.de'],
    ['an email the regex does not cover', 'email', 'ceo@example.org'],
    ['a wide network that merely contains a listed one', 'cidr', '0.0.0.0/0'],
    ['a STIX pattern', 'stix', "[ipv4-addr:value = '10.0.0.1']"],
  ] as const)('does not flag %s', (_name, type, value) => {
    expect(f.check('default', type, value)).toBeUndefined();
  });

  it('applies a tenant allowlist to that tenant only, before warninglists, and skips disabled lists', () => {
    const allow: Warninglist = {
      ...sampleLists()[0]!,
      id: 'al-acme',
      tenant: 'acme',
      kind: 'allowlist',
      name: 'acme own',
      type: 'hostname',
      entries: ['acme.example', 'analyze.intezer.com'],
      matchingAttributes: [],
    };
    const off: Warninglist = { ...allow, id: 'al-off', tenant: 'default', name: 'off', enabled: false };
    const g = new WarninglistFilter([...sampleLists(), allow, off]);
    expect(g.check('acme', 'url', 'portal.acme.example/login')).toMatchObject({
      kind: 'allowlist',
      list: 'acme own',
    });
    expect(g.check('acme', 'domain', 'analyze.intezer.com')).toMatchObject({ kind: 'allowlist' });
    expect(g.check('default', 'url', 'portal.acme.example/login')).toBeUndefined();
    expect(g.check('*', 'url', 'portal.acme.example/login')).toBeUndefined();
  });

  it('keeps a hostile regex linear (RE2) and ignores an invalid one', () => {
    const base = sampleLists()[0]!;
    const g = new WarninglistFilter([
      { ...base, type: 'regex', entries: ['/(a+)+$/', '/[unclosed/'], matchingAttributes: [] },
    ]);
    expect(g.check('default', 'filename', `${'a'.repeat(50_000)}!`)).toBeUndefined();
    expect(g.check('default', 'filename', 'aaa')?.reason).toMatch(/matches/);
  });
});
