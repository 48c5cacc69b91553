/**
 * Built-in SOC actions: they go through the same services as an analyst (AlertActions, CaseService),
 * so every change is checked and audited, with the playbook as the actor (`playbook:<id>`). Every
 * input is validated with zod; in a dry run each returns what it would do and changes nothing.
 */
import { z } from 'zod';
import { ALERT_STATUSES, ALERT_VERDICTS, SEVERITIES } from '../../alerts/ports.js';
import type { AlertActions } from '../../alerts/actions.js';
import type { Bus } from '../../bus/ports.js';
import type { CaseService, Caller } from '../../cases/case-service.js';
import type { ObservableType } from '../../cases/ports.js';
import type { AuditLog, EventStore, RuleExceptionStore } from '../../store/ports.js';
import type { AlertStore } from '../../alerts/ports.js';
import type { CaseStore } from '../../cases/ports.js';
import { newId } from '../../util/ids.js';
import { durationMs } from '../definition.js';
import type { Value } from '../expr/ast.js';
import type { PlaybookStore } from '../ports.js';
import type { Action, ActionContext } from '../runner.js';

export interface SocDeps {
  alerts: AlertStore;
  alertActions: AlertActions;
  cases: CaseService;
  caseStore: CaseStore;
  exceptions: RuleExceptionStore;
  events: EventStore;
  audit: AuditLog;
  bus: Bus;
  store: PlaybookStore;
}

const actor = (ctx: ActionContext) => ({ name: `playbook:${ctx.playbookId}`, ip: null });
/** Cases see the playbook as a manager of the run's tenant: it may act on restricted cases too. */
const caller = (ctx: ActionContext): Caller => ({
  name: `playbook:${ctx.playbookId}`,
  role: 'manager',
  tenants: [ctx.tenant],
  ip: null,
});
const json = (v: unknown): Value => JSON.parse(JSON.stringify(v ?? null)) as Value;

function define<S extends z.ZodType>(
  name: string,
  safeToRetry: boolean,
  schema: S,
  run: (input: z.infer<S>, ctx: ActionContext) => Promise<unknown>,
): Action {
  return {
    name,
    safeToRetry,
    async run(raw, ctx) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success)
        throw new Error(
          `${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'with'}: ${i.message}`).join('; ')}`,
        );
      return json(await run(parsed.data, ctx));
    },
  };
}

const id = z.string().min(1).max(200);
const severity = z.enum(SEVERITIES);

export function socActions(d: SocDeps): Action[] {
  return [
    define(
      'alert.update',
      false,
      z
        .object({
          alert: id,
          status: z.enum(ALERT_STATUSES).optional(),
          verdict: z.enum(ALERT_VERDICTS).optional(),
          assignee: z.string().max(200).nullable().optional(),
          tags: z.array(z.string().max(100)).max(100).optional(),
          add_tags: z.array(z.string().max(100)).max(100).optional(),
        })
        .strict(),
      async (i, ctx) => {
        const req = {
          status: i.status,
          verdict: i.verdict,
          assignee: i.assignee,
          tags: i.tags,
          addTags: i.add_tags,
        };
        if (ctx.dryRun) {
          const found = await d.alerts.find([ctx.tenant], i.alert);
          if (!found) throw new Error(`alert.update: no alert ${i.alert}`);
          return { dryRun: true, alert: i.alert, change: json(req) };
        }
        const a = await d.alertActions.update(actor(ctx), [ctx.tenant], i.alert, req);
        return { alert: a.id, status: a.status, assignee: a.assignee, tags: a.tags };
      },
    ),
    define(
      'alert.comment',
      false,
      z.object({ alert: id, body: z.string().min(1).max(20_000) }).strict(),
      async (i, ctx) => {
        if (ctx.dryRun) return { dryRun: true, alert: i.alert, body: i.body };
        const c = await d.alertActions.comment(actor(ctx), [ctx.tenant], i.alert, i.body);
        return { comment: c.id };
      },
    ),
    define(
      'case.create',
      false,
      z
        .object({
          alerts: z.array(id).max(1000).default([]),
          template: z.string().max(100).optional(),
          title: z.string().min(1).max(500).optional(),
          description: z.string().max(50_000).optional(),
          severity: severity.optional(),
          tags: z.array(z.string().max(100)).max(100).optional(),
          assignee: z.string().max(200).nullable().optional(),
        })
        .strict(),
      async (i, ctx) => {
        // An alert already in a case: the playbook joins that case rather than failing.
        const existing = (await d.alerts.get(ctx.tenant, i.alerts)).find((a) => a.caseId);
        if (existing) return { case: existing.caseId, created: false };
        if (ctx.dryRun) return { dryRun: true, would: json(i) };
        const c = await d.cases.create(caller(ctx), ctx.tenant, {
          alertIds: i.alerts,
          template: i.template,
          title: i.title,
          description: i.description,
          severity: i.severity,
          tags: i.tags,
          assignee: i.assignee,
        });
        return { case: c.id, number: c.number, created: true };
      },
    ),
    define(
      'case.comment',
      false,
      z.object({ case: id, body: z.string().min(1).max(20_000) }).strict(),
      async (i, ctx) => {
        if (ctx.dryRun) return { dryRun: true, case: i.case, body: i.body };
        const c = await d.cases.addComment(caller(ctx), i.case, i.body);
        return { comment: c.id };
      },
    ),
    define(
      'case.task',
      false,
      z
        .object({
          case: id,
          title: z.string().min(1).max(500),
          description: z.string().max(20_000).optional(),
          assignee: z.string().max(200).nullable().optional(),
        })
        .strict(),
      async (i, ctx) => {
        if (ctx.dryRun) return { dryRun: true, would: json(i) };
        const t = await d.cases.addTask(caller(ctx), i.case, i);
        return { task: t.id };
      },
    ),
    define(
      'exception.add',
      false,
      z
        .object({
          rule: z.string().min(1).max(200),
          match: z
            .array(z.object({ field: z.string().min(1).max(200), value: z.string().max(1000) }).strict())
            .min(1)
            .max(20),
          reason: z.string().min(1).max(2000),
          expires_in: z
            .string()
            .regex(/^\d+(ms|s|m|h)$/)
            .optional(),
        })
        .strict(),
      async (i, ctx) => {
        const now = new Date();
        const exception = {
          id: newId(),
          tenant: ctx.tenant,
          ruleId: i.rule,
          match: i.match,
          reason: i.reason,
          createdBy: actor(ctx).name,
          createdAt: now.toISOString(),
          expiresAt: i.expires_in ? new Date(now.getTime() + durationMs(i.expires_in)).toISOString() : null,
        };
        if (ctx.dryRun) return { dryRun: true, exception: json(exception) };
        await d.exceptions.add(exception);
        await d.audit.append({
          actor: exception.createdBy,
          tenant: ctx.tenant,
          action: 'rule_exception.create',
          target: exception.id,
          ip: null,
          before: null,
          after: { ...exception, fromRun: ctx.runId },
        });
        await d.bus.publish(`control.rules.changed.${ctx.tenant}`, {});
        return { exception: exception.id, expiresAt: exception.expiresAt };
      },
    ),
    define(
      'search.events',
      true,
      z
        .object({
          text: z.union([z.string().min(1).max(500), z.array(z.string().min(1).max(500)).max(20)]).optional(),
          filters: z
            .array(
              z
                .object({
                  field: z.string().min(1).max(200),
                  op: z.enum(['eq', 'contains', 'exists']).default('eq'),
                  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
                })
                .strict(),
            )
            .max(20)
            .default([]),
          last: z
            .string()
            .regex(/^\d+(ms|s|m|h)$/)
            .default('24h'),
          limit: z.number().int().min(1).max(500).default(50),
        })
        .strict(),
      async (i, ctx) => {
        const now = new Date();
        const page = await d.events.search({
          tenants: [ctx.tenant],
          from: new Date(now.getTime() - durationMs(i.last)),
          to: now,
          text: i.text === undefined ? undefined : Array.isArray(i.text) ? i.text : i.text.split(/\s+/),
          filters: i.filters,
          limit: i.limit,
        });
        return { total: page.total, events: json(page.events) };
      },
    ),
    define(
      'intel.lookup',
      true,
      z
        .object({
          type: z.enum([
            'ip',
            'domain',
            'url',
            'hash',
            'user',
            'host',
            'email',
            'file',
            'process',
            'registry',
          ]),
          value: z.string().min(1).max(2000),
        })
        .strict(),
      async (i, ctx) => {
        // Local knowledge only: where the value was seen before (cases and alerts of this tenant).
        const cases = await d.caseStore.sightings(
          ctx.tenant,
          i.type as ObservableType,
          i.value,
          '',
          undefined,
        );
        const { alerts } = await d.alerts.list({ tenants: [ctx.tenant], text: i.value, limit: 200 });
        const seen = alerts.filter(
          (a) =>
            a.observables.some((o) => o.value.toLowerCase() === i.value.toLowerCase()) ||
            a.entity?.value.toLowerCase() === i.value.toLowerCase(),
        );
        return {
          type: i.type,
          value: i.value,
          hit: cases.some((c) => c.ioc),
          cases: json(
            cases.map((c) => ({ id: c.caseId, number: c.caseNumber, title: c.caseTitle, ioc: c.ioc })),
          ),
          alerts: seen.length,
          alertIds: seen.slice(0, 20).map((a) => a.id),
        };
      },
    ),
    define(
      'assign.rotation',
      false,
      z
        .object({
          rotation: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/),
          users: z.array(z.string().min(1).max(200)).min(1).max(100),
          alert: id.optional(),
          case: id.optional(),
        })
        .strict(),
      async (i, ctx) => {
        const key = `rotation:${i.rotation}`;
        // A dry run peeks at the position without moving it.
        const pos = ctx.dryRun
          ? Number((await d.store.getState(ctx.tenant, key)) ?? 0)
          : await d.store.advance(ctx.tenant, key);
        const user = i.users[pos % i.users.length]!;
        if (ctx.dryRun) return { dryRun: true, assignee: user, alert: i.alert ?? null, case: i.case ?? null };
        if (i.alert) await d.alertActions.update(actor(ctx), [ctx.tenant], i.alert, { assignee: user });
        if (i.case) await d.cases.update(caller(ctx), i.case, { assignee: user });
        return { assignee: user };
      },
    ),
  ];
}
