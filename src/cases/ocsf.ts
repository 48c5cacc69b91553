/**
 * OCSF export of a case as an Incident Finding (class 2005, category Findings), so a case can be
 * handed to a SIEM, data lake or another SOC tool that speaks OCSF.
 */
import { SEVERITIES } from '../alerts/ports.js';
import type { CaseReport } from './case-service.js';
import type { CaseResolution, CaseStatus, ObservableType } from './ports.js';

export const OCSF_VERSION = '1.3.0';
const INCIDENT_FINDING = 2005;

const STATUS_ID: Record<CaseStatus, number> = { open: 1, in_progress: 2, resolved: 4, closed: 5 };
const VERDICT_ID: Record<CaseResolution, number> = {
  false_positive: 1,
  true_positive: 2,
  benign: 5,
  indeterminate: 7,
  duplicate: 10,
  merged: 10,
  other: 99,
};
/** OCSF observable type ids (Hostname 1, IP Address 2, User Name 4, Email 5, URL 6, File Name 7, Hash 8, Process Name 9). */
const OBSERVABLE_TYPE_ID: Record<ObservableType, number> = {
  host: 1,
  domain: 1,
  ip: 2,
  user: 4,
  email: 5,
  url: 6,
  file: 7,
  md5: 8,
  sha1: 8,
  sha256: 8,
  process: 9,
  registry: 99,
  other: 99,
};
const OBSERVABLE_NAME: Record<ObservableType, string> = {
  host: 'host.hostname',
  domain: 'domain',
  ip: 'ip',
  user: 'user.name',
  email: 'email_addr',
  url: 'url',
  file: 'file.name',
  md5: 'file.hashes.value',
  sha1: 'file.hashes.value',
  sha256: 'file.hashes.value',
  process: 'process.name',
  registry: 'reg_key.path',
  other: 'other',
};

const ms = (iso: string | null): number | undefined => (iso ? Date.parse(iso) : undefined);

export function caseToOcsf(r: CaseReport, productVersion: string): Record<string, unknown> {
  const c = r.case;
  const activityId = c.status === 'closed' ? 3 : c.updatedAt === c.createdAt ? 1 : 2;
  const severityId = SEVERITIES.indexOf(c.severity) + 1;
  return {
    category_uid: 2,
    category_name: 'Findings',
    class_uid: INCIDENT_FINDING,
    class_name: 'Incident Finding',
    activity_id: activityId,
    activity_name: ({ 1: 'Create', 2: 'Update', 3: 'Close' } as Record<number, string>)[activityId],
    type_uid: INCIDENT_FINDING * 100 + activityId,
    time: ms(c.updatedAt),
    start_time: ms(c.createdAt),
    end_time: ms(c.closedAt),
    severity_id: severityId,
    severity:
      c.severity === 'informational' ? 'Informational' : c.severity[0]!.toUpperCase() + c.severity.slice(1),
    status_id: STATUS_ID[c.status],
    status: c.status,
    ...(c.resolution ? { verdict_id: VERDICT_ID[c.resolution], verdict: c.resolution } : {}),
    desc: c.description,
    ...(c.assignee ? { assignee: { name: c.assignee } } : {}),
    is_suspected_breach: c.resolution === 'true_positive' ? true : undefined,
    finding_info_list: [
      {
        uid: c.id,
        title: c.title,
        created_time: ms(c.createdAt),
        modified_time: ms(c.updatedAt),
        types: c.tags,
        related_events_count: r.alerts.reduce((n, a) => n + a.count, 0),
      },
      ...r.alerts.map((a) => ({
        uid: a.id,
        title: a.title,
        analytic: { uid: a.ruleId, type_id: 1, type: 'Rule' },
        first_seen_time: ms(a.firstSeen),
        last_seen_time: ms(a.lastSeen),
      })),
    ],
    attacks: [
      ...c.attack.techniques.map((t) => ({ technique: { uid: t.toUpperCase() }, version: 'v15' })),
      ...c.attack.tactics.map((t) => ({ tactic: { name: t } })),
    ],
    observables: r.observables.map((o) => ({
      name: OBSERVABLE_NAME[o.type],
      type_id: OBSERVABLE_TYPE_ID[o.type],
      value: o.value,
      ...(o.ioc ? { reputation: { score_id: 10, score: 'Malicious' } } : {}),
    })),
    metadata: {
      version: OCSF_VERSION,
      uid: c.id,
      tenant_uid: c.tenant,
      product: { name: 'Vigil', vendor_name: 'Vigil', version: productVersion, feature: { name: 'cases' } },
      labels: [`tlp:${c.tlp}`, `pap:${c.pap}`],
    },
    unmapped: {
      case_number: c.number,
      tlp: c.tlp,
      pap: c.pap,
      sla: c.sla,
      custom_fields: c.customFields,
      tasks: r.tasks.map((t) => ({ title: t.title, status: t.status, assignee: t.assignee })),
      evidence: r.evidence.map((e) => ({
        name: e.name,
        sha256: e.sha256,
        size: e.size,
        integrity: e.integrity,
      })),
    },
  };
}
