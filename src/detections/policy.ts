import { getField } from '../schema/fields.js';
import type { RuleException } from '../store/ports.js';
import { GLOBAL, type RuleSetting } from './ports.js';
import type { RuleOrigin } from './rule-set.js';

/**
 * Which rule runs for which tenant, and which of its detections an exception suppresses. Pure and
 * in memory: live detection consults it for every detection, and it is rebuilt from the stores when
 * settings or exceptions change.
 */
export class RulePolicy {
  /** rule id → tenant (or `*`) → enabled */
  private readonly settings = new Map<string, Map<string, boolean>>();
  /** tenant → exceptions (of a rule or `*`) */
  private readonly exceptions = new Map<string, RuleException[]>();

  constructor(settings: readonly RuleSetting[] = [], exceptions: readonly RuleException[] = []) {
    for (const s of settings) {
      let m = this.settings.get(s.ruleId);
      if (!m) this.settings.set(s.ruleId, (m = new Map()));
      m.set(s.tenant, s.enabled);
    }
    for (const e of exceptions) {
      const list = this.exceptions.get(e.tenant) ?? [];
      list.push(e);
      this.exceptions.set(e.tenant, list);
    }
  }

  withExceptions(exceptions: readonly RuleException[]): RulePolicy {
    const p = new RulePolicy([], exceptions);
    for (const [k, v] of this.settings) p.settings.set(k, v);
    return p;
  }

  withSettings(settings: readonly RuleSetting[]): RulePolicy {
    const p = new RulePolicy(settings, []);
    for (const [k, v] of this.exceptions) p.exceptions.set(k, v);
    return p;
  }

  /** A tenant's own setting wins over the global one; rules are on unless switched off. */
  enabledFor(ruleId: string, tenant: string, origin?: RuleOrigin): boolean {
    if (origin?.tenant != null && origin.tenant !== tenant) return false;
    const m = this.settings.get(ruleId);
    if (!m) return true;
    return m.get(tenant) ?? m.get(GLOBAL) ?? true;
  }

  /** The global setting alone (what a tenant without its own setting gets). */
  globallyEnabled(ruleId: string): boolean {
    return this.settings.get(ruleId)?.get(GLOBAL) ?? true;
  }

  /** Tenants with their own setting for the rule. */
  tenantSettings(ruleId: string): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const [t, on] of this.settings.get(ruleId) ?? []) if (t !== GLOBAL) out[t] = on;
    return out;
  }

  /** Off for every tenant, so the engine need not evaluate it at all. */
  offEverywhere(ruleId: string): boolean {
    const m = this.settings.get(ruleId);
    if (!m || m.get(GLOBAL) !== false) return false;
    for (const [t, on] of m) if (t !== GLOBAL && on) return false;
    return true;
  }

  hasExceptions(tenant: string): boolean {
    return (this.exceptions.get(tenant)?.length ?? 0) > 0;
  }

  /**
   * The first unexpired exception of the tenant for this rule (or `*`) whose every match field
   * equals (case-insensitively) the event's value, or the value the rule matched on under that
   * (Sigma) field name — an analyst tunes with whichever name the detection showed.
   */
  exceptionFor(
    tenant: string,
    ruleId: string,
    event: unknown,
    matchedFields: readonly Record<string, unknown>[] = [],
    nowMs = Date.now(),
  ): RuleException | undefined {
    const list = this.exceptions.get(tenant);
    if (!list) return undefined;
    for (const e of list) {
      if (e.ruleId !== ruleId && e.ruleId !== '*') continue;
      if (e.expiresAt !== null && Date.parse(e.expiresAt) <= nowMs) continue;
      if (e.match.length === 0) continue;
      if (e.match.every((m) => fieldEquals(event, matchedFields, m.field, m.value))) return e;
    }
    return undefined;
  }
}

function valueEquals(v: unknown, want: string): boolean {
  if (Array.isArray(v)) return v.some((x) => valueEquals(x, want));
  if (typeof v === 'string') return v.toLowerCase() === want;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v).toLowerCase() === want;
  return false;
}

function fieldEquals(
  event: unknown,
  matched: readonly Record<string, unknown>[],
  field: string,
  value: string,
): boolean {
  const want = value.toLowerCase();
  if (valueEquals(getField(event, field), want)) return true;
  return matched.some((m) => Object.prototype.hasOwnProperty.call(m, field) && valueEquals(m[field], want));
}
