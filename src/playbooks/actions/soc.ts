/**
 * Built-in SOC actions: they go through the same services as an analyst (AlertActions, CaseService),
 * so every change is checked and audited, with the playbook as the actor (`playbook:<id>`). Every
 * input is validated with zod; in a dry run each returns what it would do and changes nothing.
 */
import { z } from 'zod';
import type { IpAsnTable } from '../../enrich/ip-asn.js';
import { ALERT_STATUSES, ALERT_VERDICTS, SEVERITIES } from '../../alerts/ports.js';
import type { AlertActions } from '../../alerts/actions.js';
import type { Bus } from '../../bus/ports.js';
import type { CaseService, Caller } from '../../cases/case-service.js';
import type { ObservableType } from '../../cases/ports.js';
import type { AuditLog, EventStore, RuleExceptionStore } from '../../store/ports.js';
import type { AlertStore } from '../../alerts/ports.js';
import type { IntelLookup } from '../../alerts/intel-severity.js';
import { DetectionEngine } from '../../detect/engine.js';
import { loadRulesFromText } from '../../detect/sigma/loader.js';
import type { RuleStore } from '../../detections/ports.js';
import { indicatorId, INDICATOR_TYPES, normalizeValue, type IndicatorInput } from '../../intel/indicator.js';
import { CASE_RESOLUTIONS, CASE_STATUSES, type CaseStore } from '../../cases/ports.js';
import { newId } from '../../util/ids.js';
import { durationMs } from '../definition.js';
import type { Value } from '../expr/ast.js';
import { isTimeZone, onCallAt, shiftSchema } from '../oncall.js';
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
  /** Threat-intelligence indicators (live, this tenant's and global): a match makes a lookup a hit. */
  intel?: IntelLookup;
  /** Records indicators (through the intel service when this node runs it: warninglists, retro-hunts). */
  addIndicators?: (items: IndicatorInput[], by: string) => Promise<{ inserted: number; updated: number }>;
  /** Uploaded Sigma rules, for `sigma.hunt` by rule id. */
  rules?: Pick<RuleStore, 'findUpload'>;
  /** Address → AS and country (enrichment.ipAsnFiles); absent when no table is configured. */
  network?: Pick<IpAsnTable, 'lookup' | 'size'>;
}

/** A hunt reads at most this many events per page from the store. */
const HUNT_PAGE = 1000;

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
          severity: severity.optional(),
          verdict: z.enum(ALERT_VERDICTS).optional(),
          assignee: z.string().max(200).nullable().optional(),
          tags: z.array(z.string().max(100)).max(100).optional(),
          add_tags: z.array(z.string().max(100)).max(100).optional(),
        })
        .strict(),
      async (i, ctx) => {
        const req = {
          status: i.status,
          severity: i.severity,
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
        return { alert: a.id, status: a.status, severity: a.severity, assignee: a.assignee, tags: a.tags };
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
      'case.update',
      false,
      z
        .object({
          case: id,
          status: z.enum(CASE_STATUSES).optional(),
          /** Required by the case service to resolve or close. */
          resolution: z.enum(CASE_RESOLUTIONS).nullable().optional(),
          severity: severity.optional(),
          assignee: z.string().max(200).nullable().optional(),
          tags: z.array(z.string().max(100)).max(100).optional(),
          title: z.string().min(1).max(500).optional(),
        })
        .strict(),
      async (i, ctx) => {
        const { case: caseId, ...change } = i;
        if (ctx.dryRun) {
          if (!(await d.caseStore.get(ctx.tenant, caseId))) throw new Error(`case.update: no case ${caseId}`);
          return { dryRun: true, case: caseId, change: json(change) };
        }
        const c = await d.cases.update(caller(ctx), caseId, change);
        return { case: c.id, status: c.status, severity: c.severity, assignee: c.assignee };
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
      'indicator.add',
      false,
      z
        .object({
          type: z.enum(INDICATOR_TYPES),
          value: z.string().min(1).max(8192),
          confidence: z.number().int().min(0).max(100).default(75),
          severity: severity.optional(),
          description: z.string().max(5000).optional(),
          tags: z.array(z.string().min(1).max(100)).max(50).optional(),
          /** How long it stays live; without it, until it is expired by hand or by feedback. */
          valid_for: z
            .string()
            .regex(/^\d+(ms|s|m|h)$/)
            .optional(),
        })
        .strict(),
      async (i, ctx) => {
        const n = normalizeValue(i.type, i.value);
        if (!n.ok) throw new Error(`indicator.add: ${i.type} ${i.value}: ${n.reason}`);
        const id = indicatorId(ctx.tenant, i.type, n.value);
        const item: IndicatorInput = {
          tenant: ctx.tenant,
          type: i.type,
          value: n.value,
          source: `playbook:${ctx.playbookId}`,
          confidence: i.confidence,
          severity: i.severity,
          description: i.description,
          tags: i.tags,
          validUntil: i.valid_for ? new Date(Date.now() + durationMs(i.valid_for)).toISOString() : undefined,
        };
        if (ctx.dryRun) return { dryRun: true, indicator: id, would: json(item) };
        if (!d.addIndicators) throw new Error('indicator.add: threat intelligence is not available');
        const r = await d.addIndicators([item], `playbook:${ctx.playbookId}`);
        await d.audit.append({
          actor: `playbook:${ctx.playbookId}`,
          tenant: ctx.tenant,
          action: 'intel.indicators.add',
          target: id,
          ip: null,
          before: null,
          after: { type: i.type, value: n.value, inserted: r.inserted, fromRun: ctx.runId },
        });
        return { indicator: id, type: i.type, value: n.value, created: r.inserted > 0 };
      },
    ),
    define(
      'sigma.hunt',
      true,
      z
        .object({
          /** A Sigma rule (YAML text), e.g. from a block scalar in the playbook. */
          rule: z.string().min(1).max(200_000).optional(),
          /** Or the id of an uploaded rule of this tenant (or of every tenant). */
          rule_id: z.string().min(1).max(200).optional(),
          last: z
            .string()
            .regex(/^\d+(ms|s|m|h)$/)
            .default('24h'),
          max_events: z.number().int().min(1).max(1_000_000).default(50_000),
          limit: z.number().int().min(1).max(500).default(50),
        })
        .strict()
        .refine((i) => (i.rule === undefined) !== (i.rule_id === undefined), 'give either rule or rule_id'),
      async (i, ctx) => {
        let text = i.rule;
        if (i.rule_id !== undefined) {
          const up = await d.rules?.findUpload(i.rule_id);
          if (!up || (up.tenant !== null && up.tenant !== ctx.tenant))
            throw new Error(`sigma.hunt: no uploaded rule ${i.rule_id} (paste a shipped rule as \`rule\`)`);
          text = up.yaml;
        }
        const loaded = loadRulesFromText(text!, 'playbook');
        const rules = i.rule_id ? loaded.rules.filter((r) => r.id === i.rule_id) : loaded.rules;
        if (rules.length === 0)
          throw new Error(
            `sigma.hunt: no usable rule (${loaded.rejected[0]?.reason ?? 'the text holds none'})`,
          );
        const engine = new DetectionEngine(rules, { filters: loaded.filters });
        const to = new Date();
        const from = new Date(to.getTime() - durationMs(i.last));
        const byRule: Record<string, { title: string; level: string; count: number }> = {};
        const hits: Value[] = [];
        let scanned = 0;
        let total = 0;
        let count = 0;
        // Newest first, page by page, up to max_events: a hunt over a busy month stays bounded.
        while (scanned < i.max_events) {
          if (ctx.signal.aborted) throw new Error('sigma.hunt: timed out');
          const page = await d.events.search({
            tenants: [ctx.tenant],
            from,
            to,
            limit: Math.min(HUNT_PAGE, i.max_events - scanned),
            offset: scanned,
          });
          total = page.total;
          if (page.events.length === 0) break;
          for (const det of engine.evaluate(page.events)) {
            count++;
            const r = (byRule[det.ruleId] ??= { title: det.title, level: det.level, count: 0 });
            r.count++;
            if (hits.length < i.limit) {
              const ev = page.events[det.eventIndex]!;
              hits.push(json({ rule: det.ruleId, title: det.title, level: det.level, event: ev }));
            }
          }
          scanned += page.events.length;
          if (page.events.length < HUNT_PAGE) break;
        }
        return {
          scanned,
          total,
          hits: count,
          truncated: total > scanned,
          byRule: json(byRule),
          events: hits,
        };
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
        // Local knowledge: where the value was seen (cases, alerts of this tenant) and the indicators.
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
        const indicator = d.intel ? await d.intel(ctx.tenant, [{ type: i.type, value: i.value }]) : null;
        return {
          type: i.type,
          value: i.value,
          hit: cases.some((c) => c.ioc) || indicator !== null,
          indicator: json(indicator),
          cases: json(
            cases.map((c) => ({ id: c.caseId, number: c.caseNumber, title: c.caseTitle, ioc: c.ioc })),
          ),
          alerts: seen.length,
          alertIds: seen.slice(0, 20).map((a) => a.id),
          network: i.type === 'ip' ? json(d.network?.lookup(i.value) ?? null) : null,
        };
      },
    ),
    define('enrich.network', true, z.object({ ip: z.string().min(1).max(100) }).strict(), async (i) => {
      if (!d.network || d.network.size === 0)
        throw new Error('no address table configured (enrichment.ipAsnFiles); network enrichment is off');
      const info = d.network.lookup(i.ip);
      return info
        ? { ip: i.ip, found: true, asn: info.asn, organization: info.organization, country: info.country }
        : { ip: i.ip, found: false, asn: null, organization: null, country: null };
    }),
    define(
      'assign.oncall',
      false,
      z
        .object({
          shifts: z.array(shiftSchema).min(1).max(200),
          timezone: z
            .string()
            .refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Paris')
            .default('UTC'),
          /** Who gets it when no shift covers the moment; without it the step fails. */
          fallback: z.string().min(1).max(200).optional(),
          alert: id.optional(),
          case: id.optional(),
        })
        .strict(),
      async (i, ctx) => {
        const user = onCallAt(i.shifts, i.timezone, new Date()) ?? i.fallback;
        if (!user) throw new Error('assign.oncall: nobody is on call now and there is no fallback');
        if (ctx.dryRun) return { dryRun: true, assignee: user, alert: i.alert ?? null, case: i.case ?? null };
        if (i.alert) await d.alertActions.update(actor(ctx), [ctx.tenant], i.alert, { assignee: user });
        if (i.case) await d.cases.update(caller(ctx), i.case, { assignee: user });
        return { assignee: user };
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
