import type { Bus } from '../bus/ports.js';
import { getField } from '../schema/fields.js';
import type { AuditLog, EventStore, RuleException, RuleExceptionStore } from '../store/ports.js';
import { newId } from '../util/ids.js';
import { groupFields } from './entity.js';
import { TriageError, triage, type TriageRequest } from './lifecycle.js';
import type { Alert, AlertComment, AlertStore, Severity } from './ports.js';
import { alertNotification } from './notification.js';

export interface Actor {
  name: string;
  ip: string | null;
}

/** What an audit record keeps of an alert: the fields triage changes. */
const triageView = (a: Alert) => ({
  status: a.status,
  severity: a.severity,
  verdict: a.verdict,
  assignee: a.assignee,
  tags: a.tags,
  acknowledgedAt: a.acknowledgedAt,
  closedAt: a.closedAt,
});

export class NotFound extends Error {}

export type BulkAction =
  | { action: 'ack' }
  | { action: 'assign'; assignee: string | null }
  | { action: 'close'; verdict: NonNullable<TriageRequest['verdict']> }
  | { action: 'tag'; tags: string[] }
  | { action: 'severity'; severity: Severity };

/** Analyst actions on alerts; every change is written to the audit trail with before and after. */
export class AlertActions {
  constructor(
    private readonly alerts: AlertStore,
    private readonly events: EventStore,
    private readonly audit: AuditLog,
    private readonly exceptions: RuleExceptionStore,
    private readonly bus: Bus,
  ) {}

  async update(actor: Actor, tenants: string[], id: string, req: TriageRequest): Promise<Alert> {
    const found = await this.alerts.find(tenants, id);
    if (!found) throw new NotFound(`no alert ${id}`);
    const now = new Date().toISOString();
    const r = await this.alerts.update(found.tenant, id, (cur) => triage(cur, req, now), now);
    if (!r) throw new NotFound(`no alert ${id}`);
    await this.audit.append({
      actor: actor.name,
      tenant: found.tenant,
      action: 'alert.update',
      target: id,
      ip: actor.ip,
      before: triageView(r.before),
      after: triageView(r.after),
    });
    await this.announceAssignment(r.before, r.after);
    return r.after;
  }

  /** A new assignee hears about it (through the notification channels that listen for assignments). */
  private async announceAssignment(before: Alert, after: Alert): Promise<void> {
    if (after.assignee && after.assignee !== before.assignee) {
      await this.bus.publish(`notifications.${after.tenant}`, alertNotification(after, 'alert.assigned'));
    }
  }

  /** Applies one action to many alerts; each alert succeeds or fails on its own. */
  async bulk(
    actor: Actor,
    tenants: string[],
    ids: string[],
    action: BulkAction,
  ): Promise<{ updated: string[]; failed: Array<{ id: string; reason: string }> }> {
    const req: TriageRequest =
      action.action === 'ack'
        ? { status: 'acknowledged' }
        : action.action === 'assign'
          ? { assignee: action.assignee }
          : action.action === 'close'
            ? { status: 'closed', verdict: action.verdict }
            : action.action === 'tag'
              ? { addTags: action.tags }
              : { severity: action.severity };
    const updated: string[] = [];
    const failed: Array<{ id: string; reason: string }> = [];
    for (const id of new Set(ids)) {
      try {
        const cur = await this.alerts.find(tenants, id);
        // Acknowledging an alert that is already past `new` is already done, not an error.
        if (action.action === 'ack' && cur && cur.status !== 'new') {
          updated.push(id);
          continue;
        }
        await this.update(actor, tenants, id, req);
        updated.push(id);
      } catch (e) {
        if (e instanceof NotFound || e instanceof TriageError) failed.push({ id, reason: e.message });
        else throw e;
      }
    }
    return { updated, failed };
  }

  async comment(actor: Actor, tenants: string[], id: string, body: string): Promise<AlertComment> {
    const alert = await this.alerts.find(tenants, id);
    if (!alert) throw new NotFound(`no alert ${id}`);
    const c = await this.alerts.addComment({
      alertId: id,
      tenant: alert.tenant,
      author: actor.name,
      body,
      createdAt: new Date().toISOString(),
    });
    await this.audit.append({
      actor: actor.name,
      tenant: alert.tenant,
      action: 'alert.comment',
      target: id,
      ip: actor.ip,
      before: null,
      after: { commentId: c.id, body },
    });
    return c;
  }

  /**
   * "Don't alert on this again": a rule exception whose match values come from the alert itself
   * (its events, or a correlation's group-by values), so tuning cannot silence more than was seen.
   */
  async tune(
    actor: Actor,
    tenants: string[],
    id: string,
    req: {
      fields: Array<{ field: string; value?: string }>;
      reason: string;
      expiresAt: string | null;
      allRules?: boolean;
    },
  ): Promise<RuleException> {
    const alert = await this.alerts.find(tenants, id);
    if (!alert) throw new NotFound(`no alert ${id}`);
    const eventIds = await this.alerts.eventIdsOf(alert.tenant, id, 50);
    const docs: unknown[] = (
      await Promise.all(eventIds.map((e) => this.events.get([alert.tenant], e)))
    ).filter((e) => e !== undefined);
    const groups = (await this.alerts.detectionsOf(alert.tenant, id, 50)).map(groupFields);
    const candidates = (field: string): string[] => {
      const out = new Set<string>();
      for (const d of docs) {
        const v = getField(d, field);
        for (const x of Array.isArray(v) ? v : [v])
          if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.add(String(x));
      }
      for (const g of groups) if (g[field] !== undefined) out.add(g[field]);
      return [...out];
    };
    const match = req.fields.map(({ field, value }) => {
      const seen = candidates(field);
      if (value === undefined) {
        if (seen.length === 0)
          throw new TriageError('bad_request', `body.fields: the alert's events have no ${field}`);
        return { field, value: seen[0]! };
      }
      if (!seen.some((s) => s.toLowerCase() === value.toLowerCase()))
        throw new TriageError(
          'bad_request',
          `body.fields: ${field}=${value} does not occur in the alert's events`,
        );
      return { field, value };
    });
    if (req.expiresAt !== null && Date.parse(req.expiresAt) <= Date.now())
      throw new TriageError('bad_request', 'body.expiresAt: must be in the future');
    const exception: RuleException = {
      id: newId(),
      tenant: alert.tenant,
      ruleId: req.allRules ? '*' : alert.ruleId,
      match,
      reason: req.reason,
      createdBy: actor.name,
      createdAt: new Date().toISOString(),
      expiresAt: req.expiresAt,
    };
    await this.exceptions.add(exception);
    await this.audit.append({
      actor: actor.name,
      tenant: alert.tenant,
      action: 'rule_exception.create',
      target: exception.id,
      ip: actor.ip,
      before: null,
      after: { ...exception, fromAlert: id },
    });
    await this.bus.publish(`control.rules.changed.${alert.tenant}`, {});
    return exception;
  }
}
