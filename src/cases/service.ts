/** The cases capability: loads the shipped case templates, builds the service and mounts its routes. */
import path from 'node:path';
import { caseRoutes } from '../api/routes/cases.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { runsDuty } from '../cluster/roles.js';
import { CaseService } from './case-service.js';
import { EvidenceVault } from './evidence-vault.js';
import { BUILTIN_TEMPLATES_DIR, loadTemplateDir } from './templates.js';

/** How often open cases are checked for a broken SLA. */
const SLA_CHECK_MS = 60_000;

export function startCases(ctx: CapabilityContext): Promise<Capability> {
  const { templates, rejected } = loadTemplateDir(BUILTIN_TEMPLATES_DIR);
  for (const r of rejected) ctx.log.warn({ file: r.file, reason: r.reason }, 'case template rejected');
  const service = new CaseService({
    cases: ctx.storage.cases,
    alerts: ctx.storage.alerts,
    events: ctx.storage.events,
    audit: ctx.storage.audit,
    identity: ctx.storage.identity,
    vault: new EvidenceVault(path.join(ctx.config.dataDir, 'evidence'), ctx.config.cases.evidenceMaxBytes),
    builtinTemplates: templates,
    notify: (n) => ctx.bus.publish(`notifications.${n.tenant}`, n),
    publish: (subject, data) => ctx.bus.publish(subject, data),
    tenants: async () => (await ctx.storage.identity.listTenants()).map((t) => t.id),
  });
  caseRoutes(ctx.http, service, ctx.storage.audit);
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (!runsDuty(ctx, 'worker')) return;
    running ??= service
      .checkSla()
      .catch((err: unknown) => ctx.log.warn({ err }, 'case SLA check failed'))
      .finally(() => (running = undefined));
  }, SLA_CHECK_MS);
  timer.unref();
  return Promise.resolve({
    close: async () => {
      clearInterval(timer);
      await running;
    },
  });
}
