/**
 * The case workflow: everything an analyst does to a case goes through here, is checked against the
 * caller's tenants and the case's member list, and lands in the audit trail with before and after.
 * Routes (api/routes/cases.ts) only validate and translate; this module owns the rules.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { SEVERITIES, type Alert, type AlertStore, type Severity } from '../alerts/ports.js';
import type { TokenRole } from '../auth/roles.js';
import type { Notification } from '../notify/ports.js';
import type { AuditLog, EventStore, IdentityRepo } from '../store/ports.js';
import type { EvidenceVault } from './evidence-vault.js';
import { renderMarkdown } from './markdown.js';
import { fromAlertObservable, observableKey, parseObservable } from './observables.js';
import type {
  Case,
  CaseActivity,
  CaseComment,
  CaseEvidence,
  CaseFilter,
  CaseObservable,
  CasePatch,
  CaseResolution,
  CaseStatus,
  CaseStore,
  CaseTask,
  CaseTemplate,
  CustodyEntry,
  CustomValue,
  NewActivity,
  Pap,
  PinnedEvent,
  Sighting,
  SlaPolicy,
  SlaState,
  TaskStatus,
  Tlp,
} from './ports.js';
import { DEFAULT_SLA, dueFromSla, slaView } from './sla.js';

/** Largest evidence file accepted, until the configuration has a key for it. */
export const DEFAULT_EVIDENCE_MAX_BYTES = 1024 * 1024 * 1024;
const MAX_ALERTS_PER_CALL = 1000;

export type CaseErrorCode = 'not_found' | 'conflict' | 'bad_request' | 'payload_too_large';
export class CaseError extends Error {
  constructor(
    readonly code: CaseErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Who is acting, as far as cases care. */
export interface Caller {
  name: string;
  role: TokenRole;
  tenants: string[];
  ip: string | null;
}

/** Managers and admins see restricted cases of their tenants; everyone else must be a member. */
export const seesRestricted = (c: Caller): boolean => c.role === 'admin' || c.role === 'manager';

export interface CaseInput {
  title?: string;
  description?: string;
  severity?: Severity;
  tlp?: Tlp;
  pap?: Pap;
  tags?: string[];
  customFields?: Record<string, CustomValue>;
  assignee?: string | null;
  dueAt?: string | null;
  attack?: { techniques: string[]; tactics: string[] };
  members?: string[];
  template?: string;
  alertIds?: string[];
}

export interface CaseUpdate {
  title?: string;
  description?: string;
  severity?: Severity;
  status?: CaseStatus;
  resolution?: CaseResolution | null;
  tlp?: Tlp;
  pap?: Pap;
  tags?: string[];
  customFields?: Record<string, CustomValue | null>;
  assignee?: string | null;
  dueAt?: string | null;
  attack?: { techniques: string[]; tactics: string[] };
}

export interface TimelineItem {
  at: string;
  kind: string;
  actor: string | null;
  summary: string;
  ref?: { type: string; id: string };
}

export interface CaseView extends Case {
  sla: { state: SlaState; dueAt: string | null; remainingSeconds: number | null };
}

export interface CaseReport {
  case: CaseView;
  alerts: Alert[];
  alertLinks: Array<{ alertId: string; addedBy: string; addedAt: string }>;
  tasks: CaseTask[];
  observables: CaseObservable[];
  comments: CaseComment[];
  evidence: Array<CaseEvidence & { custody: CustodyEntry[] }>;
  timeline: TimelineItem[];
  generatedAt: string;
  generatedBy: string;
}

/** Alert tags worth carrying to the case: ATT&CK tags are already in the case's ATT&CK fields. */
const alertTags = (alerts: Alert[]): string[] =>
  alerts.flatMap((a) => a.tags).filter((t) => !t.toLowerCase().startsWith('attack.'));
const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];
const maxSeverity = (xs: Severity[]): Severity =>
  xs.reduce<Severity>((m, s) => (SEVERITIES.indexOf(s) > SEVERITIES.indexOf(m) ? s : m), 'informational');

export class CaseService {
  private readonly builtin: CaseTemplate[];

  constructor(
    private readonly deps: {
      cases: CaseStore;
      alerts: AlertStore;
      events: EventStore;
      audit: AuditLog;
      identity: IdentityRepo;
      vault: EvidenceVault;
      builtinTemplates: CaseTemplate[];
      /** Hands a notification (assignment, SLA breach) to the notifier; absent: none are sent. */
      notify?: (n: Notification) => Promise<void>;
      /** Announces case facts on the bus (`cases.created.<tenant>`, `cases.status.<tenant>`) for playbooks. */
      publish?: (subject: string, data: unknown) => Promise<void>;
      /** Tenants to watch for SLA breaches. */
      tenants?: () => Promise<string[]>;
      now?: () => Date;
    },
  ) {
    this.builtin = deps.builtinTemplates;
  }

  get evidenceMaxBytes(): number {
    return this.deps.vault.maxBytes;
  }

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  private async audit(
    c: Caller,
    tenant: string,
    action: string,
    target: string,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    await this.deps.audit.append({ actor: c.name, tenant, action, target, ip: c.ip, before, after });
  }

  private act(
    c: Case,
    caller: Caller,
    kind: string,
    summary: string,
    data: Record<string, unknown> = {},
    at?: string,
  ): NewActivity {
    return {
      tenant: c.tenant,
      caseId: c.id,
      at: at ?? this.now().toISOString(),
      actor: caller.name,
      kind,
      summary,
      data,
    };
  }

  /** Records that a case's indicators were exported (for the auditor: what left, in which form). */
  async noteIocExport(caller: Caller, c: Case, format: string, exported: number): Promise<void> {
    await this.audit(caller, c.tenant, 'case.iocs.export', c.id, null, { format, exported });
  }

  async sla(tenant: string): Promise<SlaPolicy> {
    return (await this.deps.cases.slaPolicy(tenant)) ?? DEFAULT_SLA;
  }

  async setSla(caller: Caller, tenant: string, policy: SlaPolicy): Promise<SlaPolicy> {
    const before = await this.sla(tenant);
    await this.deps.cases.setSlaPolicy(tenant, policy);
    await this.audit(caller, tenant, 'case.sla.update', tenant, before, policy);
    return policy;
  }

  private async view(c: Case): Promise<CaseView> {
    const policy = await this.sla(c.tenant);
    return { ...c, sla: slaView(c, this.now(), policy.atRiskFraction) };
  }

  /**
   * The case if the caller may see it. A case of another tenant, or a restricted case the caller is
   * not a member of, is "not found": its existence is not disclosed.
   */
  async access(caller: Caller, id: string): Promise<Case> {
    const c = await this.deps.cases.find(caller.tenants, id);
    if (!c || (c.members.length > 0 && !seesRestricted(caller) && !c.members.includes(caller.name))) {
      throw new CaseError('not_found', `no case ${id}`);
    }
    return c;
  }

  private async writable(caller: Caller, id: string): Promise<Case> {
    const c = await this.access(caller, id);
    if (c.mergedInto)
      throw new CaseError('conflict', `case ${id} was merged into ${c.mergedInto}; work on that case`);
    return c;
  }

  // ---- notifications ---------------------------------------------------------------------------

  private async notifyAssigned(c: Case, at: string): Promise<void> {
    if (!this.deps.notify || !c.assignee) return;
    await this.deps.notify({
      id: `case.assigned:${c.id}:${c.assignee}:${at}`,
      kind: 'case.assigned',
      tenant: c.tenant,
      severity: c.severity,
      title: `Case #${c.number}: ${c.title}`,
      subject: { type: 'case', id: c.id },
      assignee: c.assignee,
      at,
      details: { case: `#${c.number}`, status: c.status, ...(c.dueAt ? { due: c.dueAt } : {}) },
    });
  }

  /**
   * Announces open cases whose SLA broke since the last look, once per due date (a new due date can
   * breach again). Returns how many were announced. Run periodically by the capability.
   */
  async checkSla(): Promise<number> {
    if (!this.deps.notify || !this.deps.tenants) return 0;
    const tenants = await this.deps.tenants();
    let n = 0;
    for (const tenant of tenants) {
      const { cases } = await this.deps.cases.list({
        tenants: [tenant],
        status: ['open', 'in_progress'],
        sla: 'breached',
        now: this.now(),
        atRiskFraction: (await this.sla(tenant)).atRiskFraction,
        limit: 500,
        offset: 0,
      });
      for (const c of cases) {
        if (!c.dueAt || c.slaNotifiedDueAt === c.dueAt) continue;
        const at = this.now().toISOString();
        await this.deps.notify({
          id: `case.sla_breached:${c.id}:${c.dueAt}`,
          kind: 'case.sla_breached',
          tenant,
          severity: c.severity,
          title: `SLA breached: case #${c.number}: ${c.title}`,
          subject: { type: 'case', id: c.id },
          assignee: c.assignee,
          at,
          details: { case: `#${c.number}`, due: c.dueAt, status: c.status },
        });
        // The patch leaves updatedAt alone: a breach noticed is not a change of the case.
        await this.deps.cases.update(tenant, c.id, { slaNotifiedDueAt: c.dueAt }, [
          {
            tenant,
            caseId: c.id,
            at,
            actor: 'system',
            kind: 'sla_breached',
            summary: `SLA breached (due ${c.dueAt})`,
            data: { dueAt: c.dueAt },
          },
        ]);
        n++;
      }
    }
    return n;
  }

  // ---- templates -------------------------------------------------------------------------------

  async templates(tenant: string): Promise<Array<CaseTemplate & { source: 'builtin' | 'tenant' }>> {
    const own = await this.deps.cases.templates(tenant);
    const ids = new Set(own.map((t) => t.id));
    return [
      ...this.builtin.filter((t) => !ids.has(t.id)).map((t) => ({ ...t, source: 'builtin' as const })),
      ...own.map((t) => ({ ...t, source: 'tenant' as const })),
    ].sort((a, b) => a.id.localeCompare(b.id));
  }

  async saveTemplate(caller: Caller, tenant: string, t: CaseTemplate): Promise<CaseTemplate> {
    const before = (await this.deps.cases.templates(tenant)).find((x) => x.id === t.id) ?? null;
    await this.deps.cases.saveTemplate(tenant, t);
    await this.audit(caller, tenant, 'case.template.save', t.id, before, t);
    return t;
  }

  async removeTemplate(caller: Caller, tenant: string, id: string): Promise<void> {
    const before = (await this.deps.cases.templates(tenant)).find((x) => x.id === id);
    if (!before || !(await this.deps.cases.removeTemplate(tenant, id)))
      throw new CaseError('not_found', `no tenant template ${id}`);
    await this.audit(caller, tenant, 'case.template.remove', id, before, null);
  }

  // ---- cases -----------------------------------------------------------------------------------

  /** Alerts by id that are free to join a case; unknown ids and alerts already in a case are refused. */
  private async freeAlerts(tenant: string, ids: string[], exceptCase?: string): Promise<Alert[]> {
    const wanted = uniq(ids);
    if (wanted.length > MAX_ALERTS_PER_CALL)
      throw new CaseError('bad_request', `at most ${MAX_ALERTS_PER_CALL} alerts at once`);
    const alerts = await this.deps.alerts.get(tenant, wanted);
    const found = new Set(alerts.map((a) => a.id));
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw new CaseError('bad_request', `unknown alert ids: ${missing.slice(0, 10).join(', ')}`, {
        missing,
      });
    const linked = await this.deps.cases.caseOfAlerts(tenant, wanted);
    for (const a of alerts) {
      const other = linked.get(a.id) ?? a.caseId;
      if (other && other !== exceptCase) {
        throw new CaseError(
          'conflict',
          `alert ${a.id} already belongs to case ${other}; split it out of that case first`,
          {
            alertId: a.id,
            caseId: other,
          },
        );
      }
    }
    return alerts;
  }

  private observablesFromAlerts(
    tenant: string,
    caseId: string,
    alerts: Alert[],
    by: string,
    at: string,
  ): CaseObservable[] {
    const out: CaseObservable[] = [];
    for (const a of alerts) {
      const raw = [...(a.observables ?? []), ...(a.entity ? [a.entity] : [])];
      for (const o of raw) {
        const typed = fromAlertObservable(o);
        if (!typed) continue;
        out.push({
          id: randomUUID(),
          tenant,
          caseId,
          type: typed.type,
          value: typed.value,
          ioc: false,
          description: '',
          tags: [],
          manual: false,
          alertIds: [a.id],
          createdBy: by,
          createdAt: at,
          updatedAt: at,
        });
      }
    }
    return out;
  }

  private tasksFromTemplate(
    t: CaseTemplate,
    tenant: string,
    caseId: string,
    by: string,
    at: string,
  ): CaseTask[] {
    return t.tasks.map((x, i) => ({
      id: randomUUID(),
      tenant,
      caseId,
      title: x.title,
      description: x.description,
      group: x.group,
      order: i,
      assignee: null,
      status: 'todo' as const,
      dueAt: x.dueInHours === null ? null : new Date(Date.parse(at) + x.dueInHours * 3600_000).toISOString(),
      createdBy: by,
      createdAt: at,
      updatedAt: at,
      completedAt: null,
    }));
  }

  private async checkMembers(members: string[]): Promise<void> {
    for (const m of members) {
      if (m.startsWith('token:')) continue;
      if (!(await this.deps.identity.getUserByName(m)))
        throw new CaseError('bad_request', `members: no user ${m}`);
    }
  }

  async create(caller: Caller, tenant: string, input: CaseInput): Promise<CaseView> {
    const at = this.now().toISOString();
    const id = randomUUID();
    const alerts = input.alertIds?.length ? await this.freeAlerts(tenant, input.alertIds) : [];
    let template: CaseTemplate | undefined;
    if (input.template) {
      template = (await this.templates(tenant)).find((t) => t.id === input.template);
      if (!template) throw new CaseError('bad_request', `template: no case template ${input.template}`);
    }
    const title =
      input.title ??
      (alerts.length === 1
        ? alerts[0]!.title
        : alerts.length > 1
          ? `${[...alerts].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity))[0]!.title} (+${alerts.length - 1} alerts)`
          : template?.name);
    if (!title)
      throw new CaseError(
        'bad_request',
        'title: required when the case is made from no alert and no template',
      );
    const severity =
      input.severity ??
      (alerts.length ? maxSeverity(alerts.map((a) => a.severity)) : (template?.severity ?? 'medium'));
    const policy = await this.sla(tenant);
    let members = uniq(input.members ?? []);
    if (members.length > 0 && !seesRestricted(caller) && !members.includes(caller.name))
      members = [...members, caller.name];
    await this.checkMembers(members);
    const c = {
      id,
      tenant,
      title,
      description: input.description ?? template?.description ?? '',
      severity,
      status: 'open' as const,
      resolution: null,
      tlp: input.tlp ?? template?.tlp ?? 'amber',
      pap: input.pap ?? template?.pap ?? 'amber',
      tags: uniq([...(input.tags ?? []), ...(template?.tags ?? []), ...alertTags(alerts)]),
      customFields: { ...(template?.customFields ?? {}), ...(input.customFields ?? {}) },
      assignee: input.assignee ?? null,
      dueAt: input.dueAt !== undefined ? input.dueAt : dueFromSla(policy, severity, at),
      dueSource:
        input.dueAt !== undefined ? (input.dueAt === null ? null : ('manual' as const)) : ('sla' as const),
      attack: {
        techniques: uniq([
          ...(input.attack?.techniques ?? []),
          ...alerts.flatMap((a) => a.attack.techniques),
        ]),
        tactics: uniq([...(input.attack?.tactics ?? []), ...alerts.flatMap((a) => a.attack.tactics)]),
      },
      members,
      template: template?.id ?? null,
      createdBy: caller.name,
      createdAt: at,
    };
    const tasks = template ? this.tasksFromTemplate(template, tenant, id, caller.name, at) : [];
    const links = alerts.map((a) => ({
      tenant,
      caseId: id,
      alertId: a.id,
      addedBy: caller.name,
      addedAt: at,
    }));
    const observables = this.observablesFromAlerts(tenant, id, alerts, caller.name, at);
    const seed = { tenant, caseId: id, at, actor: caller.name };
    const activity: NewActivity[] = [
      {
        ...seed,
        kind: 'created',
        summary: `case created${template ? ` from template ${template.id}` : ''}`,
        data: { template: template?.id ?? null },
      },
      ...(alerts.length
        ? [
            {
              ...seed,
              kind: 'alerts_added',
              summary: `${alerts.length} alert(s) linked`,
              data: { alertIds: alerts.map((a) => a.id) },
            },
          ]
        : []),
    ];
    const created = await this.deps.cases.create(c, { tasks, links, observables, activity });
    if (created.assignee) await this.notifyAssigned(created, at);
    if (alerts.length)
      await this.deps.alerts.setCase(
        tenant,
        alerts.map((a) => a.id),
        id,
      );
    await this.audit(caller, tenant, 'case.create', id, null, {
      ...created,
      tasks: tasks.length,
      alertIds: alerts.map((a) => a.id),
    });
    await this.deps.publish?.(`cases.created.${tenant}`, { caseId: id });
    return this.view(created);
  }

  async get(
    caller: Caller,
    id: string,
  ): Promise<CaseView & { descriptionHtml: string; counts: Record<string, number> }> {
    const c = await this.access(caller, id);
    const [links, tasks, obs, comments, evidence] = await Promise.all([
      this.deps.cases.links(c.tenant, id),
      this.deps.cases.tasks(c.tenant, id),
      this.deps.cases.observables(c.tenant, id),
      this.deps.cases.comments(c.tenant, id),
      this.deps.cases.evidence(c.tenant, id),
    ]);
    return {
      ...(await this.view(c)),
      descriptionHtml: renderMarkdown(c.description),
      counts: {
        alerts: links.length,
        tasks: tasks.length,
        tasksOpen: tasks.filter((t) => t.status === 'todo' || t.status === 'in_progress').length,
        observables: obs.length,
        iocs: obs.filter((o) => o.ioc).length,
        comments: comments.length,
        evidence: evidence.length,
      },
    };
  }

  async list(
    caller: Caller,
    tenants: string[],
    f: Omit<CaseFilter, 'tenants' | 'viewer' | 'now' | 'atRiskFraction'>,
  ): Promise<{ total: number; cases: CaseView[] }> {
    // One tenant's policy decides "at risk" for the filter; lists across tenants use the first one's.
    const policy = await this.sla(tenants[0] ?? 'default');
    const r = await this.deps.cases.list({
      ...f,
      tenants,
      viewer: seesRestricted(caller) ? undefined : caller.name,
      now: this.now(),
      atRiskFraction: policy.atRiskFraction,
    });
    return { total: r.total, cases: await Promise.all(r.cases.map((c) => this.view(c))) };
  }

  async update(caller: Caller, id: string, u: CaseUpdate): Promise<CaseView> {
    const c = await this.writable(caller, id);
    const at = this.now().toISOString();
    const patch: CasePatch = { updatedAt: at };
    const acts: NewActivity[] = [];
    for (const k of ['title', 'description', 'tlp', 'pap', 'tags', 'attack'] as const) {
      if (u[k] !== undefined) (patch as Record<string, unknown>)[k] = k === 'tags' ? uniq(u.tags!) : u[k];
    }
    if (u.title !== undefined && u.title !== c.title)
      acts.push(this.act(c, caller, 'title', `title changed to ${u.title}`, {}, at));
    if (u.customFields) {
      const cf = { ...c.customFields };
      for (const [k, v] of Object.entries(u.customFields)) {
        if (v === null) delete cf[k];
        else cf[k] = v;
      }
      if (Object.keys(cf).length > 100)
        throw new CaseError('bad_request', 'customFields: at most 100 fields');
      patch.customFields = cf;
    }
    if (u.assignee !== undefined && u.assignee !== c.assignee) {
      patch.assignee = u.assignee;
      acts.push(
        this.act(
          c,
          caller,
          'assigned',
          u.assignee ? `assigned to ${u.assignee}` : 'unassigned',
          { from: c.assignee, to: u.assignee },
          at,
        ),
      );
    }
    const severity = u.severity ?? c.severity;
    if (u.severity && u.severity !== c.severity) {
      patch.severity = u.severity;
      acts.push(
        this.act(
          c,
          caller,
          'severity',
          `severity ${c.severity} → ${u.severity}`,
          { from: c.severity, to: u.severity },
          at,
        ),
      );
      if (c.dueSource === 'sla' && u.dueAt === undefined)
        patch.dueAt = dueFromSla(await this.sla(c.tenant), severity, c.createdAt);
    }
    if (u.dueAt !== undefined) {
      patch.dueAt = u.dueAt;
      patch.dueSource = u.dueAt === null ? null : 'manual';
      acts.push(
        this.act(
          c,
          caller,
          'due',
          u.dueAt ? `due date set to ${u.dueAt}` : 'due date removed',
          { from: c.dueAt, to: u.dueAt },
          at,
        ),
      );
    }
    if (u.resolution !== undefined) patch.resolution = u.resolution;
    if (u.status && u.status !== c.status) {
      const done = u.status === 'resolved' || u.status === 'closed';
      const resolution = u.resolution !== undefined ? u.resolution : c.resolution;
      if (done && !resolution)
        throw new CaseError('bad_request', `resolution: required to set status ${u.status}`);
      patch.status = u.status;
      if (u.status === 'resolved') patch.resolvedAt = at;
      if (u.status === 'closed') {
        patch.closedAt = at;
        patch.resolvedAt = c.resolvedAt ?? at;
      }
      if (!done) {
        patch.resolvedAt = null;
        patch.closedAt = null;
        patch.resolution = null;
      }
      acts.push(
        this.act(
          c,
          caller,
          'status',
          `status ${c.status} → ${u.status}${done ? ` (${resolution})` : ''}`,
          { from: c.status, to: u.status, resolution },
          at,
        ),
      );
    }
    const next = await this.deps.cases.update(c.tenant, id, patch, acts);
    if (!next) throw new CaseError('not_found', `no case ${id}`);
    if (next.assignee && next.assignee !== c.assignee) await this.notifyAssigned(next, at);
    await this.audit(
      caller,
      c.tenant,
      u.status && u.status !== c.status ? `case.status.${u.status}` : 'case.update',
      id,
      c,
      next,
    );
    if (u.status && u.status !== c.status)
      await this.deps.publish?.(`cases.status.${c.tenant}`, { caseId: id, status: u.status });
    return this.view(next);
  }

  async setMembers(caller: Caller, id: string, members: string[]): Promise<CaseView> {
    const c = await this.writable(caller, id);
    let list = uniq(members);
    // Restricting a case must not lock its author out.
    if (list.length > 0 && !seesRestricted(caller) && !list.includes(caller.name))
      list = [...list, caller.name];
    await this.checkMembers(list);
    const at = this.now().toISOString();
    const next = await this.deps.cases.update(c.tenant, id, { members: list, updatedAt: at }, [
      this.act(
        c,
        caller,
        'members',
        list.length ? `restricted to ${list.join(', ')}` : 'restriction lifted',
        { from: c.members, to: list },
        at,
      ),
    ]);
    await this.audit(caller, c.tenant, 'case.members', id, { members: c.members }, { members: list });
    return this.view(next!);
  }

  async addAlerts(caller: Caller, id: string, alertIds: string[]): Promise<CaseView> {
    const c = await this.writable(caller, id);
    const alerts = await this.freeAlerts(c.tenant, alertIds, id);
    const already = new Set((await this.deps.cases.links(c.tenant, id)).map((l) => l.alertId));
    const fresh = alerts.filter((a) => !already.has(a.id));
    if (fresh.length === 0) return this.view(c);
    const at = this.now().toISOString();
    await this.deps.cases.linkAlerts(
      fresh.map((a) => ({ tenant: c.tenant, caseId: id, alertId: a.id, addedBy: caller.name, addedAt: at })),
    );
    await this.deps.cases.upsertObservables(this.observablesFromAlerts(c.tenant, id, fresh, caller.name, at));
    const next = await this.deps.cases.update(
      c.tenant,
      id,
      {
        updatedAt: at,
        attack: {
          techniques: uniq([...c.attack.techniques, ...fresh.flatMap((a) => a.attack.techniques)]),
          tactics: uniq([...c.attack.tactics, ...fresh.flatMap((a) => a.attack.tactics)]),
        },
        tags: uniq([...c.tags, ...alertTags(fresh)]),
      },
      [
        this.act(
          c,
          caller,
          'alerts_added',
          `${fresh.length} alert(s) linked`,
          { alertIds: fresh.map((a) => a.id) },
          at,
        ),
      ],
    );
    await this.deps.alerts.setCase(
      c.tenant,
      fresh.map((a) => a.id),
      id,
    );
    await this.audit(
      caller,
      c.tenant,
      'case.alerts.add',
      id,
      { alertIds: [...already] },
      { alertIds: [...already, ...fresh.map((a) => a.id)] },
    );
    return this.view(next!);
  }

  /** Takes alerts out of a case: into a new case (`to: 'new'`) or into none. */
  async split(
    caller: Caller,
    id: string,
    alertIds: string[],
    to: 'new' | 'none',
    title?: string,
  ): Promise<{ source: CaseView; created: CaseView | null }> {
    const c = await this.writable(caller, id);
    const linked = new Set((await this.deps.cases.links(c.tenant, id)).map((l) => l.alertId));
    const ids = uniq(alertIds);
    const strangers = ids.filter((a) => !linked.has(a));
    if (strangers.length)
      throw new CaseError('bad_request', `alerts not in case ${id}: ${strangers.slice(0, 10).join(', ')}`);
    const at = this.now().toISOString();
    await this.deps.cases.unlinkAlerts(c.tenant, id, ids);
    await this.deps.cases.detachAlertObservables(c.tenant, id, ids);
    await this.deps.alerts.setCase(c.tenant, ids, null);
    await this.deps.cases.addActivity([
      this.act(
        c,
        caller,
        'alerts_split',
        `${ids.length} alert(s) split out${to === 'new' ? ' into a new case' : ''}`,
        { alertIds: ids, to },
        at,
      ),
    ]);
    let created: CaseView | null = null;
    if (to === 'new') {
      created = await this.create(caller, c.tenant, {
        title,
        alertIds: ids,
        tlp: c.tlp,
        pap: c.pap,
        members: c.members,
        assignee: c.assignee,
      });
      await this.deps.cases.addActivity([
        {
          tenant: c.tenant,
          caseId: created.id,
          at,
          actor: caller.name,
          kind: 'split_from',
          summary: `split from case #${c.number}`,
          data: { caseId: id },
        },
      ]);
    }
    const next = await this.deps.cases.update(c.tenant, id, { updatedAt: at }, []);
    await this.audit(
      caller,
      c.tenant,
      'case.split',
      id,
      { alertIds: [...linked] },
      { alertIds: [...linked].filter((a) => !ids.includes(a)), movedTo: created?.id ?? null },
    );
    return { source: await this.view(next!), created };
  }

  /** Merges case `sourceId` into `targetId`: its alerts, tasks, observables, comments, evidence and pins move. */
  async merge(caller: Caller, sourceId: string, targetId: string): Promise<CaseView> {
    if (sourceId === targetId)
      throw new CaseError('bad_request', 'into: a case cannot be merged into itself');
    const source = await this.writable(caller, sourceId);
    const target = await this.writable(caller, targetId);
    if (source.tenant !== target.tenant)
      throw new CaseError('bad_request', 'into: cases of different tenants cannot be merged');
    // A restricted case's content may only flow to a case that is at least as restricted.
    if (
      source.members.length > 0 &&
      (target.members.length === 0 || target.members.some((m) => !source.members.includes(m)))
    ) {
      throw new CaseError(
        'conflict',
        `case ${sourceId} is restricted to ${source.members.join(', ')}: restrict case ${targetId} to (some of) them before merging`,
      );
    }
    const at = this.now().toISOString();
    const alertIds = (await this.deps.cases.links(source.tenant, sourceId)).map((l) => l.alertId);
    await this.deps.cases.merge(source.tenant, sourceId, targetId, caller.name, at);
    if (alertIds.length) await this.deps.alerts.setCase(source.tenant, alertIds, targetId);
    const severity = maxSeverity([source.severity, target.severity]);
    const next = await this.deps.cases.update(
      target.tenant,
      targetId,
      {
        updatedAt: at,
        severity,
        tags: uniq([...target.tags, ...source.tags]),
        attack: {
          techniques: uniq([...target.attack.techniques, ...source.attack.techniques]),
          tactics: uniq([...target.attack.tactics, ...source.attack.tactics]),
        },
        customFields: { ...source.customFields, ...target.customFields },
      },
      [
        this.act(
          target,
          caller,
          'merged_from',
          `case #${source.number} (${source.title}) merged into this case`,
          { caseId: sourceId, alertIds },
          at,
        ),
        this.act(
          source,
          caller,
          'merged_into',
          `merged into case #${target.number}`,
          { caseId: targetId },
          at,
        ),
      ],
    );
    await this.audit(
      caller,
      source.tenant,
      'case.merge',
      sourceId,
      { source, target },
      { source: await this.deps.cases.get(source.tenant, sourceId), target: next },
    );
    return this.view(next!);
  }

  async alerts(
    caller: Caller,
    id: string,
  ): Promise<{ links: Array<{ alertId: string; addedBy: string; addedAt: string }>; alerts: Alert[] }> {
    const c = await this.access(caller, id);
    const [links, alerts] = await Promise.all([
      this.deps.cases.links(c.tenant, id),
      this.deps.alerts.byCase(c.tenant, id),
    ]);
    return {
      links: links.map((l) => ({ alertId: l.alertId, addedBy: l.addedBy, addedAt: l.addedAt })),
      alerts,
    };
  }

  // ---- tasks -----------------------------------------------------------------------------------

  async tasks(caller: Caller, id: string): Promise<CaseTask[]> {
    const c = await this.access(caller, id);
    return this.deps.cases.tasks(c.tenant, id);
  }

  async addTask(
    caller: Caller,
    id: string,
    t: {
      title: string;
      description?: string;
      group?: string | null;
      assignee?: string | null;
      dueAt?: string | null;
    },
  ): Promise<CaseTask> {
    const c = await this.writable(caller, id);
    const at = this.now().toISOString();
    const existing = await this.deps.cases.tasks(c.tenant, id);
    const task: CaseTask = {
      id: randomUUID(),
      tenant: c.tenant,
      caseId: id,
      title: t.title,
      description: t.description ?? '',
      group: t.group ?? null,
      order: existing.reduce((m, x) => Math.max(m, x.order), -1) + 1,
      assignee: t.assignee ?? null,
      status: 'todo',
      dueAt: t.dueAt ?? null,
      createdBy: caller.name,
      createdAt: at,
      updatedAt: at,
      completedAt: null,
    };
    await this.deps.cases.addTasks([task]);
    await this.deps.cases.addActivity([
      this.act(c, caller, 'task_added', `task added: ${task.title}`, { taskId: task.id }, at),
    ]);
    await this.audit(caller, c.tenant, 'case.task.create', `${id}/${task.id}`, null, task);
    return task;
  }

  async updateTask(
    caller: Caller,
    id: string,
    taskId: string,
    u: {
      title?: string;
      description?: string;
      group?: string | null;
      assignee?: string | null;
      status?: TaskStatus;
      dueAt?: string | null;
    },
  ): Promise<CaseTask> {
    const c = await this.writable(caller, id);
    const before = (await this.deps.cases.tasks(c.tenant, id)).find((t) => t.id === taskId);
    if (!before) throw new CaseError('not_found', `no task ${taskId} in case ${id}`);
    const at = this.now().toISOString();
    const patch: Partial<CaseTask> = { ...u, updatedAt: at };
    const acts: NewActivity[] = [];
    if (u.status && u.status !== before.status) {
      patch.completedAt = u.status === 'done' || u.status === 'cancelled' ? at : null;
      acts.push(
        this.act(
          c,
          caller,
          'task_status',
          `task "${before.title}": ${before.status} → ${u.status}`,
          { taskId, from: before.status, to: u.status },
          at,
        ),
      );
    }
    if (u.assignee !== undefined && u.assignee !== before.assignee) {
      acts.push(
        this.act(
          c,
          caller,
          'task_assigned',
          `task "${before.title}" ${u.assignee ? `assigned to ${u.assignee}` : 'unassigned'}`,
          { taskId, to: u.assignee },
          at,
        ),
      );
    }
    const next = await this.deps.cases.updateTask(c.tenant, id, taskId, patch, acts);
    await this.deps.cases.update(c.tenant, id, { updatedAt: at }, []);
    await this.audit(caller, c.tenant, 'case.task.update', `${id}/${taskId}`, before, next);
    return next!;
  }

  // ---- observables -----------------------------------------------------------------------------

  async observables(caller: Caller, id: string): Promise<Array<CaseObservable & { sightings: number }>> {
    const c = await this.access(caller, id);
    const viewer = seesRestricted(caller) ? undefined : caller.name;
    const obs = await this.deps.cases.observables(c.tenant, id);
    return Promise.all(
      obs.map(async (o) => ({
        ...o,
        sightings: (await this.deps.cases.sightings(c.tenant, o.type, o.value, id, viewer)).length,
      })),
    );
  }

  async addObservables(
    caller: Caller,
    id: string,
    items: Array<{ type: string; value: string; ioc?: boolean; description?: string; tags?: string[] }>,
  ): Promise<CaseObservable[]> {
    const c = await this.writable(caller, id);
    const at = this.now().toISOString();
    const obs: CaseObservable[] = items.map((it, i) => {
      const p = parseObservable(it.type, it.value);
      if (!p.ok) throw new CaseError('bad_request', `observables.${i}: ${p.reason}`);
      return {
        id: randomUUID(),
        tenant: c.tenant,
        caseId: id,
        type: p.value.type,
        value: p.value.value,
        ioc: it.ioc ?? false,
        description: it.description ?? '',
        tags: uniq(it.tags ?? []),
        manual: true,
        alertIds: [],
        createdBy: caller.name,
        createdAt: at,
        updatedAt: at,
      };
    });
    const saved = await this.deps.cases.upsertObservables(obs);
    await this.deps.cases.addActivity([
      this.act(
        c,
        caller,
        'observables_added',
        `${saved.length} observable(s) added`,
        { ids: saved.map((o) => o.id) },
        at,
      ),
    ]);
    await this.audit(caller, c.tenant, 'case.observable.add', id, null, saved);
    return saved;
  }

  async updateObservable(
    caller: Caller,
    id: string,
    oid: string,
    u: { ioc?: boolean; description?: string; tags?: string[] },
  ): Promise<CaseObservable> {
    const c = await this.writable(caller, id);
    const before = (await this.deps.cases.observables(c.tenant, id)).find((o) => o.id === oid);
    if (!before) throw new CaseError('not_found', `no observable ${oid} in case ${id}`);
    const next = await this.deps.cases.updateObservable(c.tenant, id, oid, {
      ...u,
      ...(u.tags ? { tags: uniq(u.tags) } : {}),
      updatedAt: this.now().toISOString(),
    } as Partial<CaseObservable>);
    if (u.ioc !== undefined && u.ioc !== before.ioc) {
      await this.deps.cases.addActivity([
        this.act(
          c,
          caller,
          'ioc',
          `${before.type} ${before.value} ${u.ioc ? 'flagged' : 'unflagged'} as IOC`,
          { observableId: oid },
        ),
      ]);
    }
    await this.audit(caller, c.tenant, 'case.observable.update', `${id}/${oid}`, before, next);
    return next!;
  }

  async removeObservable(caller: Caller, id: string, oid: string): Promise<void> {
    const c = await this.writable(caller, id);
    const before = (await this.deps.cases.observables(c.tenant, id)).find((o) => o.id === oid);
    if (!before || !(await this.deps.cases.removeObservable(c.tenant, id, oid)))
      throw new CaseError('not_found', `no observable ${oid} in case ${id}`);
    await this.audit(caller, c.tenant, 'case.observable.remove', `${id}/${oid}`, before, null);
  }

  /**
   * Where else this observable was seen: other cases of the tenant the caller may see, and alerts
   * (in a case or not) carrying the same value as an observable or as their entity.
   */
  async sightings(
    caller: Caller,
    id: string,
    oid: string,
  ): Promise<{
    observable: CaseObservable;
    cases: Sighting[];
    alerts: Array<{
      id: string;
      title: string;
      severity: Severity;
      status: string;
      caseId: string | null;
      lastSeen: string;
    }>;
  }> {
    const c = await this.access(caller, id);
    const o = (await this.deps.cases.observables(c.tenant, id)).find((x) => x.id === oid);
    if (!o) throw new CaseError('not_found', `no observable ${oid} in case ${id}`);
    const cases = await this.deps.cases.sightings(
      c.tenant,
      o.type,
      o.value,
      id,
      seesRestricted(caller) ? undefined : caller.name,
    );
    const key = observableKey(o.type, o.value);
    const visibleCases = new Set([id, ...cases.map((s) => s.caseId)]);
    const { alerts: candidates } = await this.deps.alerts.list({
      tenants: [c.tenant],
      text: o.value,
      limit: 500,
    });
    const alerts = candidates
      .filter((a) =>
        [...(a.observables ?? []), ...(a.entity ? [a.entity] : [])].some((x) => {
          const t = fromAlertObservable(x);
          return t !== undefined && t.type === o.type && observableKey(t.type, t.value) === key;
        }),
      )
      // An alert inside a restricted case the caller cannot see stays hidden with its case.
      .filter((a) => !a.caseId || visibleCases.has(a.caseId) || seesRestricted(caller))
      .filter((a) => !o.alertIds.includes(a.id))
      .map((a) => ({
        id: a.id,
        title: a.title,
        severity: a.severity,
        status: a.status,
        caseId: a.caseId,
        lastSeen: a.lastSeen,
      }));
    return { observable: o, cases, alerts };
  }

  // ---- comments --------------------------------------------------------------------------------

  /** Comments as written, with `bodyHtml` from the whitelist renderer for display. */
  async comments(caller: Caller, id: string): Promise<Array<CaseComment & { bodyHtml: string }>> {
    const c = await this.access(caller, id);
    return (await this.deps.cases.comments(c.tenant, id)).map((x) => ({
      ...x,
      bodyHtml: renderMarkdown(x.body),
    }));
  }

  async addComment(caller: Caller, id: string, body: string): Promise<CaseComment> {
    const c = await this.writable(caller, id);
    const at = this.now().toISOString();
    const comment: CaseComment = {
      id: randomUUID(),
      tenant: c.tenant,
      caseId: id,
      author: caller.name,
      body,
      createdAt: at,
      editedAt: null,
    };
    await this.deps.cases.addComment(comment);
    await this.deps.cases.update(c.tenant, id, { updatedAt: at }, []);
    await this.audit(caller, c.tenant, 'case.comment.add', `${id}/${comment.id}`, null, comment);
    return comment;
  }

  async editComment(caller: Caller, id: string, cid: string, body: string): Promise<CaseComment> {
    const c = await this.writable(caller, id);
    const before = (await this.deps.cases.comments(c.tenant, id)).find((x) => x.id === cid);
    if (!before) throw new CaseError('not_found', `no comment ${cid} in case ${id}`);
    // Only its author may reword a comment; the audit trail keeps the original either way.
    if (before.author !== caller.name)
      throw new CaseError('conflict', 'only the author of a comment may edit it');
    const next = await this.deps.cases.editComment(c.tenant, id, cid, body, this.now().toISOString());
    await this.audit(caller, c.tenant, 'case.comment.edit', `${id}/${cid}`, before, next);
    return next!;
  }

  // ---- evidence --------------------------------------------------------------------------------

  async evidence(caller: Caller, id: string): Promise<CaseEvidence[]> {
    const c = await this.access(caller, id);
    return this.deps.cases.evidence(c.tenant, id);
  }

  async uploadEvidence(
    caller: Caller,
    id: string,
    body: Readable,
    meta: { name: string; contentType: string; description: string },
  ): Promise<CaseEvidence> {
    const c = await this.writable(caller, id);
    const { sha256, size } = await this.deps.vault.store(body);
    const at = this.now().toISOString();
    const e: CaseEvidence = {
      id: randomUUID(),
      tenant: c.tenant,
      caseId: id,
      sha256,
      size,
      name: meta.name,
      contentType: meta.contentType,
      description: meta.description,
      addedBy: caller.name,
      addedAt: at,
      integrity: 'ok',
      lastVerifiedAt: at,
    };
    await this.deps.cases.addEvidence(e, {
      tenant: c.tenant,
      evidenceId: e.id,
      caseId: id,
      action: 'added',
      actor: caller.name,
      ip: caller.ip,
      at,
      sha256,
      detail: `${size} bytes`,
    });
    await this.deps.cases.addActivity([
      this.act(
        c,
        caller,
        'evidence_added',
        `evidence added: ${e.name} (${size} bytes, sha256 ${sha256})`,
        { evidenceId: e.id },
        at,
      ),
    ]);
    await this.deps.cases.update(c.tenant, id, { updatedAt: at }, []);
    await this.audit(caller, c.tenant, 'case.evidence.add', `${id}/${e.id}`, null, e);
    return e;
  }

  private async evidenceItem(caller: Caller, id: string, eid: string): Promise<{ c: Case; e: CaseEvidence }> {
    const c = await this.access(caller, id);
    const e = await this.deps.cases.getEvidence(c.tenant, id, eid);
    if (!e) throw new CaseError('not_found', `no evidence ${eid} in case ${id}`);
    return { c, e };
  }

  /** Re-hashes the stored file; a mismatch flags the item for good and is logged in its custody chain. */
  async verifyEvidence(
    caller: Caller,
    id: string,
    eid: string,
    action: 'verified' | 'downloaded' = 'verified',
  ): Promise<{ evidence: CaseEvidence; ok: boolean; actual: string | null }> {
    const { c, e } = await this.evidenceItem(caller, id, eid);
    const r = await this.deps.vault.verify(e.sha256);
    const at = this.now().toISOString();
    const ok = r.ok && e.integrity === 'ok';
    if (!r.ok) {
      await this.deps.cases.markEvidence(c.tenant, eid, 'mismatch', at);
      await this.deps.cases.addCustody({
        tenant: c.tenant,
        evidenceId: eid,
        caseId: id,
        action: 'integrity_failed',
        actor: caller.name,
        ip: caller.ip,
        at,
        sha256: e.sha256,
        detail: r.actual ? `stored bytes hash to ${r.actual}` : 'stored file is missing',
      });
      if (e.integrity === 'ok')
        await this.audit(
          caller,
          c.tenant,
          'case.evidence.integrity_failed',
          `${id}/${eid}`,
          { integrity: 'ok' },
          { integrity: 'mismatch', actual: r.actual },
        );
    } else {
      await this.deps.cases.markEvidence(c.tenant, eid, e.integrity, at);
      if (action === 'verified') {
        await this.deps.cases.addCustody({
          tenant: c.tenant,
          evidenceId: eid,
          caseId: id,
          action: 'verified',
          actor: caller.name,
          ip: caller.ip,
          at,
          sha256: e.sha256,
          detail: null,
        });
      }
    }
    return {
      evidence: { ...e, integrity: r.ok ? e.integrity : 'mismatch', lastVerifiedAt: at },
      ok,
      actual: r.actual,
    };
  }

  /** Checks the file, records the download in the custody chain, and hands back a stream of it. */
  async downloadEvidence(
    caller: Caller,
    id: string,
    eid: string,
  ): Promise<{ evidence: CaseEvidence; stream: Readable }> {
    const v = await this.verifyEvidence(caller, id, eid, 'downloaded');
    if (!v.ok)
      throw new CaseError(
        'conflict',
        `evidence ${eid} failed its integrity check (expected sha256 ${v.evidence.sha256}); download refused`,
        { expected: v.evidence.sha256, actual: v.actual },
      );
    await this.deps.cases.addCustody({
      tenant: v.evidence.tenant,
      evidenceId: eid,
      caseId: id,
      action: 'downloaded',
      actor: caller.name,
      ip: caller.ip,
      at: this.now().toISOString(),
      sha256: v.evidence.sha256,
      detail: null,
    });
    return { evidence: v.evidence, stream: this.deps.vault.open(v.evidence.sha256) };
  }

  async custody(
    caller: Caller,
    id: string,
    eid: string,
  ): Promise<{ evidence: CaseEvidence; custody: CustodyEntry[] }> {
    const { c, e } = await this.evidenceItem(caller, id, eid);
    return { evidence: e, custody: await this.deps.cases.custody(c.tenant, eid) };
  }

  // ---- pinned events and timeline --------------------------------------------------------------

  async pin(caller: Caller, id: string, eventId: string, note: string): Promise<PinnedEvent> {
    const c = await this.writable(caller, id);
    const ev = await this.deps.events.get([c.tenant], eventId);
    if (!ev) throw new CaseError('not_found', `no event ${eventId} in tenant ${c.tenant}`);
    const e = ev as unknown as Record<string, unknown>;
    const pick = (k: string): unknown =>
      k
        .split('.')
        .reduce<unknown>(
          (o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined),
          e,
        ) ?? e[k];
    const summary = [
      'message',
      'event.action',
      'host.name',
      'user.name',
      'source.ip',
      'destination.ip',
      'process.name',
    ]
      .map((k) => [k, pick(k)] as const)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => `${k}=${String(v).slice(0, 300)}`)
      .join(' ');
    const at = this.now().toISOString();
    const ts =
      typeof e['@timestamp'] === 'string' && !Number.isNaN(Date.parse(e['@timestamp']))
        ? new Date(e['@timestamp']).toISOString()
        : at;
    const p: PinnedEvent = {
      id: randomUUID(),
      tenant: c.tenant,
      caseId: id,
      eventId,
      eventTime: ts,
      summary,
      note,
      pinnedBy: caller.name,
      pinnedAt: at,
    };
    if (!(await this.deps.cases.pin(p)))
      throw new CaseError('conflict', `event ${eventId} is already pinned to case ${id}`);
    await this.deps.cases.addActivity([
      this.act(c, caller, 'event_pinned', `event ${eventId} pinned`, { pinId: p.id, eventId }, at),
    ]);
    await this.audit(caller, c.tenant, 'case.event.pin', `${id}/${eventId}`, null, p);
    return p;
  }

  async unpin(caller: Caller, id: string, pinId: string): Promise<void> {
    const c = await this.writable(caller, id);
    const before = (await this.deps.cases.pins(c.tenant, id)).find((p) => p.id === pinId);
    if (!before || !(await this.deps.cases.unpin(c.tenant, id, pinId)))
      throw new CaseError('not_found', `no pin ${pinId} in case ${id}`);
    await this.deps.cases.addActivity([
      this.act(c, caller, 'event_unpinned', `event ${before.eventId} unpinned`, { eventId: before.eventId }),
    ]);
    await this.audit(caller, c.tenant, 'case.event.unpin', `${id}/${before.eventId}`, before, null);
  }

  async pins(caller: Caller, id: string): Promise<PinnedEvent[]> {
    const c = await this.access(caller, id);
    return this.deps.cases.pins(c.tenant, id);
  }

  /** Everything that happened to a case, in time order: alerts, actions, comments and pinned events. */
  async timeline(caller: Caller, id: string): Promise<TimelineItem[]> {
    const c = await this.access(caller, id);
    return this.buildTimeline(c);
  }

  private async buildTimeline(c: Case): Promise<TimelineItem[]> {
    const [activity, comments, pins, alerts] = await Promise.all([
      this.deps.cases.activity(c.tenant, c.id),
      this.deps.cases.comments(c.tenant, c.id),
      this.deps.cases.pins(c.tenant, c.id),
      this.deps.alerts.byCase(c.tenant, c.id),
    ]);
    const items: TimelineItem[] = [
      ...alerts.map((a) => ({
        at: a.firstSeen,
        kind: 'alert',
        actor: null,
        summary: `[${a.severity}] ${a.title}${a.count > 1 ? ` (×${a.count})` : ''}`,
        ref: { type: 'alert', id: a.id },
      })),
      ...activity.map((a: CaseActivity) => ({ at: a.at, kind: a.kind, actor: a.actor, summary: a.summary })),
      ...comments.map((x) => ({
        at: x.createdAt,
        kind: 'comment',
        actor: x.author,
        summary: x.body.length > 500 ? `${x.body.slice(0, 500)}…` : x.body,
        ref: { type: 'comment', id: x.id },
      })),
      ...pins.map((p) => ({
        at: p.eventTime,
        kind: 'event',
        actor: p.pinnedBy,
        summary: p.note ? `${p.summary} — ${p.note}` : p.summary,
        ref: { type: 'event', id: p.eventId },
      })),
    ];
    return items
      .map((x, i) => ({ x, i }))
      .sort((a, b) => Date.parse(a.x.at) - Date.parse(b.x.at) || a.i - b.i)
      .map(({ x }) => x);
  }

  // ---- reports ---------------------------------------------------------------------------------

  async report(caller: Caller, id: string): Promise<CaseReport> {
    const c = await this.access(caller, id);
    const [alerts, links, tasks, observables, comments, evidence, timeline] = await Promise.all([
      this.deps.alerts.byCase(c.tenant, id),
      this.deps.cases.links(c.tenant, id),
      this.deps.cases.tasks(c.tenant, id),
      this.deps.cases.observables(c.tenant, id),
      this.deps.cases.comments(c.tenant, id),
      this.deps.cases.evidence(c.tenant, id),
      this.buildTimeline(c),
    ]);
    const withCustody = await Promise.all(
      evidence.map(async (e) => ({ ...e, custody: await this.deps.cases.custody(c.tenant, e.id) })),
    );
    await this.audit(caller, c.tenant, 'case.report', id, null, { generatedBy: caller.name });
    return {
      case: await this.view(c),
      alerts,
      alertLinks: links.map((l) => ({ alertId: l.alertId, addedBy: l.addedBy, addedAt: l.addedAt })),
      tasks,
      observables,
      comments,
      evidence: withCustody,
      timeline,
      generatedAt: this.now().toISOString(),
      generatedBy: caller.name,
    };
  }
}
