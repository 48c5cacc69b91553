/** Which playbooks a fact starts: pure matching of triggers against alerts and cases. */
import { severityRank, type Alert, type Severity } from '../alerts/ports.js';
import type { Playbook } from './definition.js';

/** `changed`: for `updated`, the alert fields the change touched. */
export function alertMatches(
  pb: Playbook,
  a: Alert,
  event: 'created' | 'updated',
  changed: string[] = [],
): boolean {
  if (!pb.enabled) return false;
  return pb.triggers.some((t) => {
    if (!('alert' in t)) return false;
    const f = t.alert;
    if (f.event !== event) return false;
    if (f.fields && !f.fields.some((x) => changed.includes(x))) return false;
    if (severityRank(a.severity) < severityRank(f.minSeverity)) return false;
    if (f.rules && !f.rules.includes(a.ruleId)) return false;
    if (f.tags && !f.tags.some((tag) => a.tags.includes(tag))) return false;
    return true;
  });
}

export function caseMatches(
  pb: Playbook,
  c: { severity: Severity },
  event: 'created' | 'status_changed',
): boolean {
  if (!pb.enabled) return false;
  return pb.triggers.some(
    (t) =>
      'case' in t && t.case.event === event && severityRank(c.severity) >= severityRank(t.case.minSeverity),
  );
}

export const schedulesOf = (pb: Playbook): string[] =>
  pb.enabled ? pb.triggers.flatMap((t) => ('schedule' in t ? [t.schedule] : [])) : [];

export const webhookSecretOf = (pb: Playbook): string | undefined => {
  for (const t of pb.triggers) if ('webhook' in t) return t.webhook.secretRef;
  return undefined;
};
