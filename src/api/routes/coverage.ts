/**
 * ATT&CK coverage: for every tactic × technique of the Enterprise matrix, how many enabled rules
 * (from their `attack.tNNNN` tags) detect it, and how many alerts of the last 30 days it produced. Sub-technique tags count for their parent cell.
 *
 * The rule list is read through GET /api/v1/rules with the caller's own credential, so coverage
 * sees exactly the rules, tenant visibility and per-tenant enabled state the rules page shows,
 * without a second copy of that logic.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ATTACK_TACTICS, ATTACK_TECHNIQUES } from '../attack-catalog.js';
import { ApiError, type ApiErrorCode } from '../errors.js';
import type { Coverage, CoverageCell } from '../coverage-types.js';
import { route } from '../route.js';

interface RuleLike {
  kind: string;
  id: string;
  title: string;
  tags?: string[];
  enabled: boolean;
}

export type { Coverage, CoverageCell } from '../coverage-types.js';

const TECHNIQUE_TAG = /^attack\.(t\d{4})(?:\.\d{3})?$/i;
const MAX_TITLES = 20;
/** Which techniques produced alerts: over this many days, and at most MAX_ALERTS of them read. */
export const ALERT_DAYS = 30;
const MAX_ALERTS = 10_000;

/** Alerts per parent technique (`t1110.001` counts for T1110). */
export function alertsByTechnique(
  alerts: ReadonlyArray<{ attack?: { techniques?: string[] } }>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of alerts) {
    const seen = new Set((a.attack?.techniques ?? []).map((t) => t.toUpperCase().split('.')[0]!));
    for (const t of seen) out.set(t, (out.get(t) ?? 0) + 1);
  }
  return out;
}

/** Pure: the heatmap from a rule list. */
export function computeCoverage(
  rules: readonly RuleLike[],
  rulesAvailable = true,
  alertCounts?: ReadonlyMap<string, number>,
): Coverage {
  const enabled = new Map<string, string[]>();
  const disabled = new Map<string, number>();
  let tagged = 0;
  const detecting = rules.filter((r) => r.kind === 'rule' || r.kind === 'correlation');
  for (const r of detecting) {
    const techniques = new Set<string>();
    for (const t of r.tags ?? []) {
      const m = TECHNIQUE_TAG.exec(t);
      if (m) techniques.add(m[1]!.toUpperCase());
    }
    if (techniques.size > 0) tagged++;
    for (const t of techniques) {
      if (r.enabled) {
        const list = enabled.get(t) ?? [];
        list.push(r.title);
        enabled.set(t, list);
      } else disabled.set(t, (disabled.get(t) ?? 0) + 1);
    }
  }
  const known = new Set(ATTACK_TECHNIQUES.map((t) => t.id));
  const cell = (id: string, name: string): CoverageCell => {
    const titles = enabled.get(id) ?? [];
    return {
      id,
      name,
      rules: titles.length,
      disabledRules: disabled.get(id) ?? 0,
      titles: titles.slice(0, MAX_TITLES),
      alerts: alertCounts?.get(id) ?? 0,
    };
  };
  const tactics = ATTACK_TACTICS.map((tactic) => {
    const techniques = ATTACK_TECHNIQUES.filter((t) => t.tactics.includes(tactic.shortname)).map((t) =>
      cell(t.id, t.name),
    );
    return { ...tactic, covered: techniques.filter((t) => t.rules > 0).length, techniques };
  });
  const unknown = [...new Set([...enabled.keys(), ...disabled.keys()])]
    .filter((id) => !known.has(id))
    .sort()
    .map((id) => ({ id, rules: enabled.get(id)?.length ?? 0 }));
  return {
    tactics,
    totals: {
      techniques: ATTACK_TECHNIQUES.length,
      covered: ATTACK_TECHNIQUES.filter((t) => (enabled.get(t.id)?.length ?? 0) > 0).length,
      rules: detecting.length,
      rulesWithAttackTags: tagged,
      alerted: ATTACK_TECHNIQUES.filter((t) => (alertCounts?.get(t.id) ?? 0) > 0).length,
    },
    unknown,
    rulesAvailable,
    alertsAvailable: alertCounts !== undefined,
    alertDays: ALERT_DAYS,
  };
}

export function coverageRoutes(app: FastifyInstance): void {
  route(app, {
    method: 'GET',
    url: '/api/v1/attack/coverage',
    access: 'rules:read',
    summary: 'ATT&CK coverage: enabled rules per tactic and technique, from the rules’ attack tags',
    tags: ['rules'],
    query: z.object({ tenant: z.string().min(1).max(63).optional() }),
    handler: async ({ req, query }) => {
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'cookie'] as const) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const qs = new URLSearchParams({ limit: '10000', ...(query.tenant ? { tenant: query.tenant } : {}) });
      const res = await app.inject({ method: 'GET', url: `/api/v1/rules?${qs}`, headers });
      const body = res.json<{ rules?: RuleLike[]; error?: { code: ApiErrorCode; message: string } }>();
      // A node without detection (cluster role) has no rules route: an empty map, said plainly.
      if (res.statusCode === 404 && body.error?.message.startsWith('no route'))
        return computeCoverage([], false);
      if (res.statusCode !== 200 || !body.rules)
        throw new ApiError(body.error?.code ?? 'internal', body.error?.message ?? 'could not read the rules');
      // Alerts through the alerts route too, so the caller's tenants and permission apply as there.
      const since = new Date(Date.now() - ALERT_DAYS * 86_400_000).toISOString();
      const alerts: Array<{ attack?: { techniques?: string[] } }> = [];
      let alertsAvailable = true;
      for (let offset = 0; offset < MAX_ALERTS; offset += 1000) {
        const aq = new URLSearchParams({
          since,
          limit: '1000',
          offset: String(offset),
          ...(query.tenant ? { tenant: query.tenant } : {}),
        });
        const r = await app.inject({ method: 'GET', url: `/api/v1/alerts?${aq}`, headers });
        if (r.statusCode !== 200) {
          alertsAvailable = false;
          break;
        }
        const page = r.json<{ alerts: Array<{ attack?: { techniques?: string[] } }> }>().alerts;
        alerts.push(...page);
        if (page.length < 1000) break;
      }
      return computeCoverage(body.rules, true, alertsAvailable ? alertsByTechnique(alerts) : undefined);
    },
  });
}
