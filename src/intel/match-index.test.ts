import { describe, expect, it } from 'vitest';
import type { VigilEvent } from '../schema/ecs.js';
import { indicatorId, normalizeValue, type IndicatorType } from './indicator.js';
import { IndicatorIndex } from './match-index.js';
import type { LiveIndicator } from './ports.js';

const ev = (
  id: string,
  over: Record<string, unknown>,
  tenant = 'default',
  ts = '2026-11-28T09:00:00.000Z',
): VigilEvent => ({
  '@timestamp': ts,
  event: { id, ingested: ts },
  organization: { id: tenant },
  ...over,
});

function ind(type: IndicatorType, value: string, tenant = 'default', validUntil = Infinity): LiveIndicator {
  const n = normalizeValue(type, value);
  if (!n.ok) throw new Error(n.reason);
  return { id: indicatorId(tenant, type, n.value), tenant, type, value: n.value, validUntil };
}

describe('indicator match index', () => {
  const idx = new IndicatorIndex();
  const ip = ind('ipv4', '203.0.113.7');
  const net = ind('cidr', '198.51.100.0/24');
  const v6 = ind('cidr', '2001:db8:dead::/48');
  const dom = ind('domain', 'Evil.Example.');
  const url = ind('url', 'HTTP://Bad.Example:80/dl/x.exe?a=1#frag');
  const sha = ind('sha256', 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F');
  const other = ind('ipv4', '192.0.2.1', 'acme');
  const global = ind('ipv4', '192.0.2.2', '*');
  const expired = ind('ipv4', '192.0.2.3', 'default', Date.now() - 1000);
  const fname = ind('filename', 'Mimikatz.EXE');
  for (const i of [ip, net, v6, dom, url, sha, other, global, expired, fname]) idx.add(i);

  const ids = (e: VigilEvent) => idx.match(e).map((h) => [h.indicator.id, h.field, h.value]);

  it('matches exact addresses, networks (v4 and v6) and reports the field', () => {
    expect(ids(ev('1', { source: { ip: '203.0.113.7' } }))).toEqual([[ip.id, 'source.ip', '203.0.113.7']]);
    expect(ids(ev('2', { destination: { ip: '198.51.100.200' } }))).toEqual([
      [net.id, 'destination.ip', '198.51.100.200'],
    ]);
    expect(ids(ev('3', { related: { ip: ['10.0.0.1', '2001:DB8:dead:1::5'] } }))).toEqual([
      [v6.id, 'related.ip', '2001:DB8:dead:1::5'],
    ]);
    expect(ids(ev('4', { source: { ip: '198.51.101.1' } }))).toEqual([]);
  });

  it('matches a domain and its subdomains, but not look-alikes', () => {
    expect(ids(ev('5', { dns: { question: { name: 'a.b.EVIL.example' } } }))).toEqual([
      [dom.id, 'dns.question.name', 'a.b.EVIL.example'],
    ]);
    expect(ids(ev('6', { url: { domain: 'notevil.example' } }))).toEqual([]);
  });

  it('matches URLs after normalization, hashes and file names without regard to case', () => {
    expect(ids(ev('7', { url: { full: 'https://bad.example/dl/x.exe?a=1' } }))).toEqual([
      [url.id, 'url.full', 'https://bad.example/dl/x.exe?a=1'],
    ]);
    expect(
      ids(ev('8', { process: { hash: { sha256: sha.value.toUpperCase() }, name: 'mimikatz.exe' } })),
    ).toEqual([
      [sha.id, 'process.hash.sha256', sha.value.toUpperCase()],
      [fname.id, 'process.name', 'mimikatz.exe'],
    ]);
  });

  it('keeps tenants apart, applies global indicators everywhere and ignores expired ones', () => {
    expect(ids(ev('9', { source: { ip: '192.0.2.1' } }))).toEqual([]);
    expect(ids(ev('10', { source: { ip: '192.0.2.1' } }, 'acme'))).toEqual([
      [other.id, 'source.ip', '192.0.2.1'],
    ]);
    expect(ids(ev('11', { source: { ip: '192.0.2.2' } }, 'acme'))).toEqual([
      [global.id, 'source.ip', '192.0.2.2'],
    ]);
    expect(ids(ev('12', { source: { ip: '192.0.2.3' } }))).toEqual([]);
  });

  it('registers STIX patterns under their values and evaluates the whole pattern on a hit', () => {
    const i2 = new IndicatorIndex();
    const p = ind('stix', "[ipv4-addr:value = '198.51.100.0/24' AND network-traffic:dst_port = 443]");
    const regex = ind('stix', "[process:command_line MATCHES '(?i)invoke-mimikatz']");
    i2.add(p);
    i2.add(regex);
    expect(i2.unindexedPatterns).toBe(1);
    expect(
      i2.match(ev('a', { destination: { ip: '198.51.100.9', port: 443 } })).map((h) => h.indicator.id),
    ).toEqual([p.id]);
    expect(i2.match(ev('b', { destination: { ip: '198.51.100.9', port: 80 } }))).toEqual([]);
    expect(
      i2
        .match(ev('c', { process: { command_line: 'powershell Invoke-Mimikatz -Dump' } }))
        .map((h) => h.indicator.id),
    ).toEqual([regex.id]);
  });

  it('tracks FOLLOWEDBY ... WITHIN across events and reports the match once, with its events', () => {
    const i3 = new IndicatorIndex();
    const seq = ind(
      'stix',
      "([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) WITHIN 300 SECONDS",
    );
    i3.add(seq);
    const md5 = { file: { hash: { md5: '79054025255fb1a26e4bc422aef54eb4' } } };
    const reg = { registry: { path: 'HKEY_LOCAL_MACHINE\\foo\\bar' } };
    expect(i3.match(ev('r0', reg, 'default', '2026-11-28T08:59:00.000Z'))).toEqual([]);
    expect(i3.match(ev('m1', md5, 'default', '2026-11-28T09:00:00.000Z'))).toEqual([]);
    expect(i3.match(ev('r1', reg, 'default', '2026-11-28T09:10:00.000Z'))).toEqual([]); // 10 min: outside WITHIN
    expect(i3.match(ev('m2', md5, 'default', '2026-11-28T09:11:00.000Z'))).toEqual([]);
    const hits = i3.match(ev('r2', reg, 'default', '2026-11-28T09:12:00.000Z'));
    expect(hits.map((h) => h.eventIds)).toEqual([['m2', 'r2']]);
  });

  it('updates validity in place: re-adding renews, expire stops matching, without a rebuild', () => {
    const i4 = new IndicatorIndex();
    const a = ind('ipv4', '192.0.2.50', 'default', Date.now() - 1);
    i4.add(a);
    const e = ev('v', { source: { ip: '192.0.2.50' } });
    expect(i4.match(e)).toEqual([]);
    i4.add({ ...a, validUntil: Infinity });
    expect(i4.size).toBe(1);
    expect(i4.match(e)).toHaveLength(1);
    expect(i4.expire(a.id, Date.now())).toBe(true);
    expect(i4.match(e)).toEqual([]);
    expect(i4.expire('nope', 0)).toBe(false);
  });
});
