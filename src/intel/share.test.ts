import { describe, expect, it } from 'vitest';
import { importMispEvent } from './feeds/misp.js';
import { importPlainList } from './feeds/plain-list.js';
import { importStix } from './feeds/stix-bundle.js';
import { indicatorId, normalizeValue, type Indicator, type IndicatorType } from './indicator.js';
import {
  indicatorsCsv,
  mispEvent,
  mispHashes,
  stableUuid,
  stixBundle,
  stixPattern,
  toStixIndicator,
} from './share.js';
import { parsePattern } from './stix/pattern-parser.js';

const ind = (type: IndicatorType, value: string, over: Partial<Indicator> = {}): Indicator => ({
  id: indicatorId('default', type, value),
  tenant: 'default',
  type,
  value,
  name: null,
  description: null,
  confidence: 80,
  severity: 'high',
  tlp: 'green',
  firstSeen: '2026-11-01T00:00:00.000Z',
  lastSeen: '2026-11-02T00:00:00.000Z',
  validUntil: null,
  tags: ['c2'],
  attack: ['T1071.001'],
  sources: ['feed-a'],
  provenance: [],
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-02T00:00:00.000Z',
  ...over,
});

const SAMPLES: Array<[IndicatorType, string]> = [
  ['ipv4', '198.51.100.7'],
  ['ipv6', '2001:db8::7'],
  ['cidr', '198.51.100.0/24'],
  ['domain', 'evil.example'],
  ['url', "evil.example/a'b\\c"],
  ['md5', 'a'.repeat(32)],
  ['sha1', 'b'.repeat(40)],
  ['sha256', 'c'.repeat(64)],
  ['sha512', 'd'.repeat(128)],
  ['email', 'bad@evil.example'],
  ['filename', 'invoice.pdf.exe'],
  ['user-agent', 'Mozilla/4.0 (evil)'],
  ['registry-key', 'hklm\\software\\run'],
  ['asn', '64500'],
];

describe('sharing out', () => {
  it('writes a STIX pattern our own parser accepts for every type, quotes escaped', () => {
    for (const [type, value] of SAMPLES) {
      const p = stixPattern(type, value)!;
      const parsed = parsePattern(p);
      expect(parsed.ok, `${type}: ${p}`).toBe(true);
    }
    expect(stixPattern('url', "evil.example/a'b\\c")).toBe("[url:value = 'evil.example/a\\'b\\\\c']");
  });

  it('makes STIX 2.1 indicators with TLP markings, ATT&CK references and stable ids, which import back', () => {
    const list = SAMPLES.map(([t, v]) => ind(t, v));
    const bundle = stixBundle(list, 'x');
    const objects = bundle.objects as Array<Record<string, unknown>>;
    expect(objects).toHaveLength(SAMPLES.length);
    expect(objects[0]).toMatchObject({
      type: 'indicator',
      spec_version: '2.1',
      pattern_type: 'stix',
      object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'],
      external_references: [{ source_name: 'mitre-attack', external_id: 'T1071.001' }],
    });
    expect(toStixIndicator(list[0]!)!.id).toBe(toStixIndicator(ind('ipv4', '198.51.100.7'))!.id);
    expect(String(objects[0]!.id)).toMatch(
      /^indicator--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const back = importStix(bundle, { tenant: 'default', source: 'roundtrip' });
    expect(back.ok && back.value.rejected).toEqual([]);
    expect(back.ok && back.value.indicators.map((i) => i.tlp)).toEqual(SAMPLES.map(() => 'green'));
  });

  it('writes CSV with quoting and without spreadsheet formulas, which our list importer reads back', () => {
    const csv = indicatorsCsv([
      ind('domain', 'evil.example'),
      ind('filename', '=cmd|calc.exe', { tags: ['a,b'] }),
    ]);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'type,value,confidence,severity,tlp,first_seen,last_seen,valid_until,sources,tags,attack',
    );
    expect(lines[2]).toContain("'=cmd|calc.exe");
    expect(lines[2]).toContain('"a,b"');
    const back = importPlainList(
      csv,
      { column: 'value', typeColumn: 'type' },
      { tenant: 'default', source: 'csv' },
    );
    expect(back.ok && back.value.indicators.map((i) => i.value)).toEqual(['evil.example', "'=cmd|calc.exe"]);
  });

  it('writes a MISP event (to_ids attributes, TLP and ATT&CK tags) our MISP importer maps back', () => {
    const list = SAMPLES.map(([t, v]) => ind(t, v, { tlp: 'amber' }));
    const ev = mispEvent(list, { uuid: stableUuid('e'), info: 'Vigil', orgName: 'Vigil' });
    const back = importMispEvent(ev, { tenant: 'default', source: 'misp' });
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.rejected).toEqual([]);
    // values come back as the importer normalizes them (a URL's backslash becomes a slash)
    const normalized = SAMPLES.map(([t, v]) => {
      const n = normalizeValue(t, v);
      return [t, n.ok ? n.value : v];
    });
    expect(back.value.indicators.map((i) => [i.type, i.value])).toEqual(normalized);
    expect(back.value.indicators.every((i) => i.tlp === 'amber' && i.attack?.includes('T1071.001'))).toBe(
      true,
    );
    expect(ev.Event.threat_level_id).toBe('1');
    const hashes = mispHashes([ev]).trim().split('\n');
    expect(hashes).toHaveLength(SAMPLES.length);
    expect(hashes[0]).toMatch(new RegExp(`^[0-9a-f]{32},${String(ev.Event.uuid)}$`));
  });
});
