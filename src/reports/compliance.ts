/**
 * The auditor's compliance report for a period: how fast the SOC detected, acknowledged and
 * resolved (per severity), how much of it was noise, who was given or lost access, what was
 * searched and exported, and whether the audit trail is intact. Evidence for ISO 27001 A.5.25-28 /
 * SOC 2 CC7 style reviews, as JSON or Markdown; built only from what Vigil records.
 */
import type { AlertStore } from '../alerts/ports.js';
import { computeSocMetrics, type SocMetrics } from '../alerts/soc-metrics.js';
import { verifyAuditChain, type ChainVerdict } from '../auth/audit-chain.js';
import type { AuditLog, AuditRecord } from '../store/ports.js';

/** Audit actions that change who may do what. */
const ACCESS_CHANGES = /^(user\.(create|update)|token\.(create|revoke)|tenant\.create)$/;
/** Audit actions that read data out in bulk or reveal what was looked for. */
const DATA_ACCESS = /^(search\.(run|export)|hunt\.sigma\.create)$|export|download/;

export interface ComplianceReport {
  period: { from: string; to: string };
  tenants: string[];
  generatedAt: string;
  generatedBy: string;
  response: Pick<SocMetrics, 'alerts' | 'mttd' | 'mtta' | 'mttr' | 'openByAge'> & {
    /** Rules with the most false positives among closed alerts. */
    noisiestRules: SocMetrics['rules'];
  };
  access: {
    logins: number;
    failedLogins: number;
    lockouts: number;
    /** Every change of users, roles, tokens and tenants in the period. */
    changes: Array<Pick<AuditRecord, 'ts' | 'actor' | 'action' | 'target' | 'tenant'>>;
  };
  dataAccess: { byAction: Record<string, number>; byActor: Record<string, number> };
  audit: { recordsInPeriod: number; byAction: Record<string, number>; chain: ChainVerdict };
}

export async function complianceReport(
  deps: { alerts: AlertStore; audit: AuditLog },
  o: { tenants: string[]; from: Date; to: Date; now: Date; by: string },
): Promise<ComplianceReport> {
  const [rows, open] = await Promise.all([
    deps.alerts.timings(o.tenants, o.from, o.to),
    deps.alerts.openWork(o.tenants),
  ]);
  const soc = computeSocMetrics(rows, open, { from: o.from, to: o.to }, o.now);
  const fromIso = o.from.toISOString();
  const toIso = o.to.toISOString();
  const byAction: Record<string, number> = {};
  const dataByAction: Record<string, number> = {};
  const dataByActor: Record<string, number> = {};
  const changes: ComplianceReport['access']['changes'] = [];
  let inPeriod = 0;
  // One pass over the trail: the chain is verified on every record, the period's are counted.
  const tenants = new Set(o.tenants);
  async function* counted(): AsyncIterable<AuditRecord> {
    for await (const r of deps.audit.all()) {
      yield r;
      if (r.ts < fromIso || r.ts >= toIso) continue;
      // Records without a tenant (sign-ins, system changes) concern every tenant.
      if (r.tenant !== null && !tenants.has(r.tenant)) continue;
      inPeriod++;
      byAction[r.action] = (byAction[r.action] ?? 0) + 1;
      if (ACCESS_CHANGES.test(r.action))
        changes.push({ ts: r.ts, actor: r.actor, action: r.action, target: r.target, tenant: r.tenant });
      if (DATA_ACCESS.test(r.action)) {
        dataByAction[r.action] = (dataByAction[r.action] ?? 0) + 1;
        dataByActor[r.actor] = (dataByActor[r.actor] ?? 0) + 1;
      }
    }
  }
  const chain = await verifyAuditChain(counted());
  return {
    period: { from: fromIso, to: toIso },
    tenants: o.tenants,
    generatedAt: o.now.toISOString(),
    generatedBy: o.by,
    response: {
      alerts: soc.alerts,
      mttd: soc.mttd,
      mtta: soc.mtta,
      mttr: soc.mttr,
      openByAge: soc.openByAge,
      noisiestRules: soc.rules
        .filter((r) => r.falsePositives > 0)
        .sort((a, b) => b.falsePositives - a.falsePositives)
        .slice(0, 10),
    },
    access: {
      logins: byAction['auth.login'] ?? 0,
      failedLogins: byAction['auth.login_failed'] ?? 0,
      lockouts: byAction['auth.lockout'] ?? 0,
      changes: changes.slice(0, 1000),
    },
    dataAccess: { byAction: dataByAction, byActor: dataByActor },
    audit: { recordsInPeriod: inPeriod, byAction, chain },
  };
}

const dur = (s: number | null): string =>
  s === null
    ? '—'
    : s < 90
      ? `${Math.round(s)} s`
      : s < 5400
        ? `${Math.round(s / 60)} min`
        : `${(s / 3600).toFixed(1)} h`;

/** Markdown cells: user text can hold pipes and line breaks. */
const cell = (v: string | null | undefined): string =>
  (v ?? '—').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

export function complianceMarkdown(r: ComplianceReport): string {
  const out: string[] = [];
  out.push(`# SOC compliance report`, '');
  out.push(`Period ${r.period.from} – ${r.period.to}; tenants ${r.tenants.map(cell).join(', ')}.`);
  out.push(`Generated ${r.generatedAt} by ${cell(r.generatedBy)}.`, '');
  out.push('## Detection and response', '');
  const a = r.response.alerts;
  out.push(
    `Alerts created ${a.created}, acknowledged ${a.acknowledged}, closed ${a.closed}; open now ${a.open}.`,
    '',
  );
  out.push(
    '| severity | MTTD mean | MTTA mean | MTTA p90 | MTTR mean | MTTR p90 | closed |',
    '|---|---|---|---|---|---|---|',
  );
  for (const sev of ['critical', 'high', 'medium', 'low', 'informational'] as const) {
    const d = r.response.mttd.bySeverity[sev];
    const ta = r.response.mtta.bySeverity[sev];
    const tr = r.response.mttr.bySeverity[sev];
    out.push(
      `| ${sev} | ${dur(d.meanSeconds)} | ${dur(ta.meanSeconds)} | ${dur(ta.p90Seconds)} | ${dur(tr.meanSeconds)} | ${dur(tr.p90Seconds)} | ${tr.count} |`,
    );
  }
  out.push('', '### Open alerts by age', '');
  out.push('| age | open |', '|---|---|');
  for (const b of r.response.openByAge.buckets) out.push(`| ${b.bucket} | ${b.count} |`);
  if (r.response.noisiestRules.length > 0) {
    out.push(
      '',
      '### Rules with the most false positives',
      '',
      '| rule | alerts | false positives | rate |',
      '|---|---|---|---|',
    );
    for (const x of r.response.noisiestRules)
      out.push(
        `| ${cell(x.title)} | ${x.alerts} | ${x.falsePositives} | ${x.falsePositiveRate === null ? '—' : `${Math.round(x.falsePositiveRate * 100)} %`} |`,
      );
  }
  out.push('', '## Access control', '');
  out.push(
    `Sign-ins ${r.access.logins}, failed sign-ins ${r.access.failedLogins}, lockouts ${r.access.lockouts}.`,
    '',
  );
  if (r.access.changes.length === 0) out.push('No user, role, token or tenant changed in the period.');
  else {
    out.push('| time | actor | change | target | tenant |', '|---|---|---|---|---|');
    for (const c of r.access.changes)
      out.push(`| ${c.ts} | ${cell(c.actor)} | ${cell(c.action)} | ${cell(c.target)} | ${cell(c.tenant)} |`);
  }
  out.push('', '## Data access (searches, exports, downloads, hunts)', '');
  const actors = Object.entries(r.dataAccess.byActor).sort((x, y) => y[1] - x[1]);
  if (actors.length === 0) out.push('None recorded in the period.');
  else {
    out.push('| who | requests |', '|---|---|');
    for (const [who, n] of actors) out.push(`| ${cell(who)} | ${n} |`);
  }
  out.push('', '## Audit trail', '');
  out.push(`${r.audit.recordsInPeriod} records in the period.`);
  out.push(
    r.audit.chain.ok
      ? `Hash chain verified: all ${r.audit.chain.records} records intact.`
      : `**Hash chain broken** at record ${r.audit.chain.seq}: ${cell(r.audit.chain.problem)}.`,
  );
  return out.join('\n') + '\n';
}
