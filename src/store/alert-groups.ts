import { SEVERITIES, type AlertGroup, type AlertGroupQuery } from '../alerts/ports.js';

/**
 * The alert queue's group-by in SQL both stores run (SQLite and PostgreSQL read it alike): one
 * row per rule or entity over the query's filters, worst severity then most recent first. A
 * rule's label is the title of its newest matching alert.
 */
export function alertGroupsSql(clause: string, by: AlertGroupQuery['by']): { count: string; page: string } {
  const keys = by === 'rule' ? 'rule_id' : 'entity_type, entity_value';
  const label =
    by === 'rule'
      ? `(SELECT title FROM alerts WHERE ${clause} AND alerts.rule_id = g.rule_id ORDER BY last_seen DESC LIMIT 1)`
      : 'NULL';
  return {
    count: `SELECT count(*) AS n FROM (SELECT 1 AS x FROM alerts WHERE ${clause} GROUP BY ${keys}) c`,
    page: `WITH g AS (
        SELECT ${keys}, count(*) AS n, max(severity_rank) AS worst, max(last_seen) AS latest
        FROM alerts WHERE ${clause} GROUP BY ${keys})
      SELECT g.*, ${label} AS label FROM g
      ORDER BY worst DESC, latest DESC, ${by === 'rule' ? 'rule_id' : 'entity_type, entity_value'} LIMIT ? OFFSET ?`,
  };
}

/** Parameters of `page`: the filters twice for rule groups (their label's subquery reads them too). */
export const alertGroupsParams = (q: AlertGroupQuery, params: unknown[]): unknown[] => [
  ...params,
  ...(q.by === 'rule' ? params : []),
  q.limit,
  q.offset ?? 0,
];

export interface AlertGroupRow {
  rule_id?: string | null;
  entity_type?: string | null;
  entity_value?: string | null;
  n: number | string;
  worst: number | string;
  latest: number | string;
  label: string | null;
}

export function toAlertGroup(r: AlertGroupRow, by: AlertGroupQuery['by']): AlertGroup {
  const entity =
    r.entity_type != null && r.entity_value != null ? { type: r.entity_type, value: r.entity_value } : null;
  const base = {
    count: Number(r.n),
    worst: SEVERITIES[Number(r.worst)] ?? 'informational',
    latest: new Date(Number(r.latest)).toISOString(),
  };
  if (by === 'rule') {
    const ruleId = r.rule_id ?? '';
    return { key: ruleId, ruleId, entity: null, label: r.label ?? ruleId, ...base };
  }
  return {
    key: entity ? `${entity.type}:${entity.value}` : '',
    ruleId: null,
    entity,
    label: entity ? `${entity.type}: ${entity.value}` : 'no entity',
    ...base,
  };
}
