import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importMispEvent, parseMispHashes, parseMispManifest } from './misp.js';
import { importPlainList, splitCsvLine } from './plain-list.js';
import { importStix } from './stix-bundle.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const STIX = path.resolve(ROOT, '..', 'shared', 'data', 'ti', 'cti-stix2-json-schemas', 'examples');
const ctx = { tenant: 'default', source: 'test', now: new Date('2026-11-28T00:00:00Z') };

describe('STIX 2.1 bundle import', () => {
  it('imports the APT1 report: patterns kept, context kept, reports and techniques linked', () => {
    const doc = JSON.parse(readFileSync(path.join(STIX, 'threat-reports', 'apt1.json'), 'utf8')) as unknown;
    const r = importStix(doc, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rejected).toEqual([]);
    expect(r.value.indicators).toHaveLength(12);
    expect(r.value.indicators.every((i) => i.type === 'stix')).toBe(true);
    expect(r.value.indicators.map((i) => i.value)).toContain("[domain-name:value = 'hugesoft.org']");
    const types = new Set(r.value.objects.map((o) => o.type));
    for (const t of ['malware', 'threat-actor', 'report', 'intrusion-set', 'relationship', 'attack-pattern'])
      expect(types).toContain(t);
    expect(r.value.indicators.some((i) => i.tags?.some((t) => t.startsWith('report:')))).toBe(true);
  });

  it('reads TLP markings, confidence, validity and revocation', () => {
    const r = importStix(
      {
        type: 'bundle',
        objects: [
          {
            type: 'indicator',
            id: 'indicator--1',
            pattern: "[url:value = 'http://x.example/a']",
            pattern_type: 'stix',
            confidence: 85,
            valid_until: '2027-01-01T00:00:00Z',
            object_marking_refs: ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'],
            external_references: [{ source_name: 'mitre-attack', external_id: 'T1189' }],
          },
          { type: 'indicator', id: 'indicator--2', pattern: "[ipv4-addr:value = '10.0.0.1']", revoked: true },
          { type: 'indicator', id: 'indicator--3', pattern: '[broken' },
          { type: 'indicator', id: 'indicator--4', pattern: 'alert tcp any any', pattern_type: 'snort' },
        ],
      },
      ctx,
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.indicators[0]).toMatchObject({
      tlp: 'red',
      confidence: 85,
      validUntil: '2027-01-01T00:00:00Z',
      attack: ['T1189'],
      externalId: 'indicator--1',
    });
    expect(r.value.indicators[1]!.validUntil).toBe('2026-11-28T00:00:00.000Z');
    expect(r.value.rejected).toEqual([{ ref: 'indicator--3', reason: expect.stringContaining('expected') }]);
    expect(r.value.skipped).toBe(1);
    expect(importStix('nope', ctx).ok).toBe(false);
  });
});

describe('MISP feed format', () => {
  const event = {
    Event: {
      uuid: '5c3f7b2a-0000-4000-8000-000000000001',
      info: 'Phishing wave',
      threat_level_id: '1',
      timestamp: '1764288000',
      Tag: [
        { name: 'tlp:amber' },
        { name: 'misp-galaxy:mitre-attack-pattern="Spearphishing Link - T1566.002"' },
      ],
      Attribute: [
        { uuid: 'a1', type: 'ip-dst|port', value: '203.0.113.9|443', to_ids: true, timestamp: '1764288000' },
        { uuid: 'a2', type: 'domain', value: 'Login-Portal.Example', to_ids: true },
        { uuid: 'a3', type: 'url', value: 'https://login-portal.example/x', to_ids: false },
        { uuid: 'a4', type: 'filename|sha256', value: `invoice.exe|${'AB'.repeat(32)}`, to_ids: '1' },
        { uuid: 'a5', type: 'text', value: 'just context', to_ids: true },
        { uuid: 'a6', type: 'md5', value: 'not-a-hash', to_ids: true },
      ],
      Object: [{ Attribute: [{ uuid: 'a7', type: 'email-src', value: 'Boss@Example.com', to_ids: true }] }],
    },
  };

  it('maps attribute types, splits composites, respects to_ids and reads tags', () => {
    const r = importMispEvent(event, ctx);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.indicators.map((i) => [i.type, i.value])).toEqual([
      ['ipv4', '203.0.113.9'],
      ['domain', 'login-portal.example'],
      ['filename', 'invoice.exe'],
      ['sha256', 'ab'.repeat(32)],
      ['email', 'boss@example.com'],
    ]);
    expect(r.value.indicators[0]).toMatchObject({
      severity: 'high',
      tlp: 'amber',
      attack: ['T1566.002'],
      reference: 'misp-event:5c3f7b2a-0000-4000-8000-000000000001',
      lastSeen: '2025-11-28T00:00:00.000Z',
    });
    expect(r.value.skipped).toBe(2); // a3 (to_ids false), a5 (type not an IOC)
    expect(r.value.rejected).toEqual([{ ref: 'a6', reason: expect.stringContaining('not a md5') }]);
    expect(r.value.objects[0]).toMatchObject({ type: 'misp-event', name: 'Phishing wave' });
  });

  it('reads manifest.json and hashes.csv', () => {
    const m = parseMispManifest({
      '5c3f7b2a-0000-4000-8000-000000000001': { info: 'x', timestamp: '1764288000' },
      junk: {},
    });
    expect(m).toEqual({
      ok: true,
      value: [{ uuid: '5c3f7b2a-0000-4000-8000-000000000001', info: 'x', timestamp: 1764288000 }],
    });
    expect(parseMispHashes(`${'A'.repeat(32)},e1\nbad,e2\n`)).toEqual([{ md5: 'a'.repeat(32), event: 'e1' }]);
  });
});

describe('plain and CSV lists', () => {
  it('reads one IOC per line with guessed types, comments and ip:port entries', () => {
    const r = importPlainList(
      '# abuse.ch\n203.0.113.1\n198.51.100.0/24\nevil.example\n192.0.2.5:8080\n' + 'f'.repeat(64) + '\n???\n',
      {},
      ctx,
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.indicators.map((i) => `${i.type}:${i.value}`)).toEqual([
      'ipv4:203.0.113.1',
      'cidr:198.51.100.0/24',
      'domain:evil.example',
      'ipv4:192.0.2.5',
      `sha256:${'f'.repeat(64)}`,
    ]);
    expect(r.value.rejected).toEqual([{ ref: 'line 7', reason: 'cannot tell the type of ???' }]);
  });

  it('reads a CSV column by header name with a type column and quoted fields', () => {
    const csv =
      'first_seen,"ioc value",ioc_type,threat\n2026-01-01,"http://bad.example/a,b",url,"x, y"\n2026-01-01,bad.example,domain,z\n';
    const r = importPlainList(
      csv,
      { column: 'ioc value', typeColumn: 'ioc_type' },
      { ...ctx, validDays: 30 },
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.indicators.map((i) => `${i.type}:${i.value}`)).toEqual([
      'url:bad.example/a,b',
      'domain:bad.example',
    ]);
    expect(r.value.indicators[0]!.validUntil).toBe('2026-12-28T00:00:00.000Z');
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom(undefined, 0, 2, 'x'), (text, column) => {
        const r = importPlainList(text, column === undefined ? {} : { column }, ctx);
        expect(r.ok).toBe(true);
        expect(splitCsvLine(text).length).toBeGreaterThan(0);
      }),
    );
  });
});
