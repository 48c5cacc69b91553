import { describe, expect, it } from 'vitest';
import type { Case, CaseObservable } from '../cases/ports.js';
import { caseIndicators, caseMispEvent, caseStixBundle } from './case-export.js';
import { importMispEvent } from './feeds/misp.js';
import { parsePattern } from './stix/pattern-parser.js';

const c: Case = {
  id: 'case-1',
  tenant: 'default',
  number: 42,
  title: 'Phishing wave "Q4"',
  description: 'Invoices with a macro',
  severity: 'high',
  status: 'in_progress',
  resolution: null,
  tlp: 'amber',
  pap: 'amber',
  tags: ['phishing'],
  customFields: {},
  assignee: null,
  dueAt: null,
  dueSource: null,
  attack: { techniques: ['t1566.001'], tactics: ['initial-access'] },
  members: [],
  template: null,
  mergedInto: null,
  createdBy: 'ann',
  createdAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:00.000Z',
  resolvedAt: null,
  closedAt: null,
};

let n = 0;
const obs = (type: CaseObservable['type'], value: string, ioc = true): CaseObservable => ({
  id: `o${++n}`,
  tenant: 'default',
  caseId: 'case-1',
  type,
  value,
  ioc,
  description: '',
  tags: [],
  manual: true,
  alertIds: [],
  createdBy: 'ann',
  createdAt: '2026-11-20T11:00:00.000Z',
  updatedAt: '2026-11-20T11:00:00.000Z',
});

const observables = [
  obs('ip', '203.0.113.7'),
  obs('domain', 'evil.example'),
  obs('url', 'http://evil.example/a\\b?x=1'),
  obs('sha256', 'A'.repeat(64)),
  obs('email', 'billing@evil.example'),
  obs('file', "invoice 'Q4'.docm"),
  obs('user', 'alice'),
  obs('domain', 'not-an-ioc.example', false),
];

describe('case IOC export', () => {
  it('keeps IOC observables of indicator types, says which were left out and why', () => {
    const iocs = caseIndicators(c, observables);
    expect(iocs.indicators.map((i) => i.type)).toEqual([
      'ipv4',
      'domain',
      'url',
      'sha256',
      'email',
      'filename',
    ]);
    expect(iocs.skipped).toEqual([{ type: 'user', value: 'alice', reason: 'user is not an indicator type' }]);
    expect(caseIndicators(c, observables, true).indicators).toHaveLength(7);
  });

  it('writes a STIX 2.1 bundle whose patterns parse (quotes and backslashes escaped) and a report naming them', () => {
    const b = caseStixBundle(c, caseIndicators(c, observables)) as {
      objects: Array<Record<string, unknown>>;
    };
    const inds = b.objects.filter((o) => o.type === 'indicator');
    expect(inds).toHaveLength(6);
    for (const i of inds) expect(parsePattern(String(i.pattern)).ok, String(i.pattern)).toBe(true);
    const report = b.objects.find((o) => o.type === 'report')!;
    expect(report.name).toBe('Case #42: Phishing wave "Q4"');
    expect(report.object_refs).toEqual(inds.map((i) => i.id));
    expect(report.object_marking_refs).toEqual(['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82']);
  });

  it('writes a MISP event that our own MISP import reads back, TLP and ATT&CK included', () => {
    const e = caseMispEvent(c, caseIndicators(c, observables));
    expect(e.Event).toMatchObject({ info: 'Case #42: Phishing wave "Q4"', threat_level_id: '1' });
    const back = importMispEvent(JSON.parse(JSON.stringify(e)), { tenant: 'other', source: 'misp-test' });
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.indicators.map((i) => [i.type, i.value]).sort()).toEqual(
      [
        ['domain', 'evil.example'],
        ['email', 'billing@evil.example'],
        ['filename', "invoice 'q4'.docm"],
        ['ipv4', '203.0.113.7'],
        ['sha256', 'a'.repeat(64)],
        // Values come back as the intel store normalizes them.
        ['url', 'evil.example/a/b?x=1'],
      ].sort(),
    );
    expect(back.value.indicators.every((i) => i.tlp === 'amber')).toBe(true);
  });
});
