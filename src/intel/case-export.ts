/**
 * A case's indicators of compromise shared out: as a STIX 2.1 bundle (indicators and a report
 * naming the case) or as a MISP event. The observables become indicators in memory only (typed and
 * normalized as the intel store would), then go through the same STIX and MISP writers as the
 * intel exports. TLP:RED never leaves: a red case exports nothing.
 */
import type { Case, CaseObservable, ObservableType } from '../cases/ports.js';
import { normalizeValue, type Indicator, type IndicatorType } from './indicator.js';
import { mispEvent, stableUuid, stixBundle, TLP_MARKING } from './share.js';

export const CASE_EXPORT_FORMATS = ['stix', 'misp'] as const;
export type CaseExportFormat = (typeof CASE_EXPORT_FORMATS)[number];

/** What an analyst confirmed on a case: confident, but not a feed's word for it. */
const CASE_CONFIDENCE = 75;

function indicatorType(o: Pick<CaseObservable, 'type' | 'value'>): IndicatorType | undefined {
  const byType: Partial<Record<ObservableType, IndicatorType>> = {
    domain: 'domain',
    url: 'url',
    md5: 'md5',
    sha1: 'sha1',
    sha256: 'sha256',
    email: 'email',
    file: 'filename',
    registry: 'registry-key',
  };
  if (o.type === 'ip') return o.value.includes('/') ? 'cidr' : o.value.includes(':') ? 'ipv6' : 'ipv4';
  return byType[o.type];
}

export interface CaseIocs {
  indicators: Indicator[];
  /** Observables left out, with why (a user or host is no shareable indicator; a bad value). */
  skipped: Array<{ type: string; value: string; reason: string }>;
}

/** The observables of a case as indicators; `all` includes those not flagged as IOC. */
export function caseIndicators(c: Case, observables: CaseObservable[], all = false): CaseIocs {
  const indicators: Indicator[] = [];
  const skipped: CaseIocs['skipped'] = [];
  for (const o of observables) {
    if (!all && !o.ioc) continue;
    const type = indicatorType(o);
    if (!type) {
      skipped.push({ type: o.type, value: o.value, reason: `${o.type} is not an indicator type` });
      continue;
    }
    const n = normalizeValue(type, o.value);
    if (!n.ok) {
      skipped.push({ type: o.type, value: o.value, reason: n.reason });
      continue;
    }
    indicators.push({
      id: `case:${c.id}:${o.id}`,
      tenant: c.tenant,
      type,
      value: n.value,
      name: `${o.type} ${n.value}`.slice(0, 250),
      description: o.description || `Case #${c.number}: ${c.title}`,
      confidence: CASE_CONFIDENCE,
      severity: c.severity,
      tlp: c.tlp,
      firstSeen: o.createdAt,
      lastSeen: o.updatedAt,
      validUntil: null,
      tags: [...o.tags, `vigil-case:${c.number}`],
      attack: c.attack.techniques,
      sources: ['vigil-case'],
      provenance: [],
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    });
  }
  return { indicators, skipped };
}

/** A STIX 2.1 bundle: one indicator per IOC and an incident report that refers to them all. */
export function caseStixBundle(c: Case, iocs: CaseIocs, now = new Date()): Record<string, unknown> {
  const bundle = stixBundle(iocs.indicators, `case ${c.id}`);
  const objects = bundle.objects as Array<{ id: string }>;
  const report = {
    type: 'report',
    spec_version: '2.1',
    id: `report--${stableUuid(`case-report:${c.id}`)}`,
    created: c.createdAt,
    modified: now.toISOString(),
    name: `Case #${c.number}: ${c.title}`.slice(0, 250),
    ...(c.description ? { description: c.description } : {}),
    report_types: ['incident'],
    published: now.toISOString(),
    // A report must refer to something: with no IOC it names the case's own identity.
    object_refs: objects.length > 0 ? objects.map((o) => o.id) : [`identity--${stableUuid('vigil')}`],
    labels: c.tags,
    object_marking_refs: [TLP_MARKING[c.tlp]],
  };
  return { ...bundle, objects: [...objects, report] };
}

/** A MISP event: the IOCs as `to_ids` attributes, the case's TLP as the event's tag. */
export function caseMispEvent(c: Case, iocs: CaseIocs): { Event: Record<string, unknown> } {
  const e = mispEvent(iocs.indicators, {
    uuid: stableUuid(`case-event:${c.id}`),
    info: `Case #${c.number}: ${c.title}`,
    orgName: 'Vigil',
    date: c.createdAt,
  });
  const level: Record<Case['severity'], string> = {
    critical: '1',
    high: '1',
    medium: '2',
    low: '3',
    informational: '4',
  };
  return {
    Event: {
      ...e.Event,
      threat_level_id: level[c.severity],
      Tag: [{ name: `tlp:${c.tlp}` }, ...c.tags.map((name) => ({ name }))],
    },
  };
}
