import {
  SEVERITIES,
  severityRank,
  type Alert,
  type AlertChange,
  type AlertComment,
  type AlertFold,
  type AlertGroup,
  type AlertGroupQuery,
  type AlertQuery,
  type AlertSort,
  type AlertStatus,
  type AlertStore,
  type AlertTiming,
  type AlertVerdict,
  type FoldOutcome,
  type Observable,
  type RiskContribution,
  type RiskCrossing,
  type Severity,
  type SimilarAlerts,
} from '../../alerts/ports.js';
import { newEventId } from '../../util/ids.js';
import { alertGroupsParams, alertGroupsSql, toAlertGroup, type AlertGroupRow } from '../alert-groups.js';
import { dedupKey, MAX_DETECTION_DOCS, MAX_OBSERVABLES, RISK_BUCKET_MS } from '../sqlite/alerts.js';
import { inTransaction, type Pool } from './db.js';
import { changes, inList, lockKeys, one, rows, type Queryable } from './sql.js';
import type pg from 'pg';

interface Row {
  id: string;
  tenant: string;
  kind: string;
  rule_id: string;
  title: string;
  severity_rank: number;
  status: string;
  verdict: string | null;
  assignee: string | null;
  tags: string[];
  attack: Alert['attack'];
  entity_type: string | null;
  entity_value: string | null;
  count: number;
  first_seen: number;
  last_seen: number;
  first_event_at: number;
  created_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  closed_at: number | null;
  observables: Observable[];
  case_id: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
const msOrNull = (s: string | null | undefined): number | null => (s ? Date.parse(s) : null);

function toAlert(r: Row): Alert {
  return {
    id: r.id,
    tenant: r.tenant,
    kind: r.kind,
    ruleId: r.rule_id,
    title: r.title,
    severity: SEVERITIES[r.severity_rank] ?? 'informational',
    status: r.status as AlertStatus,
    verdict: r.verdict as AlertVerdict | null,
    assignee: r.assignee,
    tags: r.tags,
    attack: r.attack,
    entity:
      r.entity_type !== null && r.entity_value !== null
        ? { type: r.entity_type, value: r.entity_value }
        : null,
    count: r.count,
    firstSeen: iso(r.first_seen),
    lastSeen: iso(r.last_seen),
    firstEventAt: iso(r.first_event_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    closedAt: isoOrNull(r.closed_at),
    observables: r.observables,
    caseId: r.case_id,
  };
}

const obsKey = (o: Observable): string => `${o.type}\n${o.value}`;

function mergeObservables(into: Observable[], add: Observable[]): Observable[] {
  if (into.length >= MAX_OBSERVABLES) return into;
  const seen = new Set(into.map(obsKey));
  const out = [...into];
  for (const o of add) {
    if (out.length >= MAX_OBSERVABLES) break;
    const k = obsKey(o);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(o);
  }
  return out;
}

const union = (a: string[], b: string[]): string[] => [...new Set([...a, ...b])];

const SORTS: Record<AlertSort, string> = {
  lastSeen: 'last_seen ASC, seq ASC',
  '-lastSeen': 'last_seen DESC, seq DESC',
  severity: 'severity_rank ASC, last_seen DESC',
  '-severity': 'severity_rank DESC, last_seen DESC',
  createdAt: 'created_at ASC, seq ASC',
  '-createdAt': 'created_at DESC, seq DESC',
  count: 'count ASC, last_seen DESC',
  '-count': 'count DESC, last_seen DESC',
};

const likePattern = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Lock names: one per dedup key and one per risk entity, so that folds on any node serialise per key. */
const foldLock = (tenant: string, key: string): string => `alert-fold\n${tenant}\n${key}`;
const riskLock = (c: RiskContribution): string =>
  `alert-risk\n${c.tenant}\n${c.entity.type}\n${c.entity.value}`;

/**
 * Alerts in PostgreSQL, shared by every node of a cluster. A fold takes a transaction-scoped
 * advisory lock per (tenant, rule + entity) before it looks for an open alert, so two detection
 * workers folding the same key one after the other see each other's alert instead of opening two;
 * the detection link's primary key keeps a redelivered detection from counting twice.
 */
export class PostgresAlertStore implements AlertStore {
  constructor(private readonly pool: Pool) {}

  async count(tenants: string[]): Promise<number> {
    if (tenants.length === 0) return 0;
    const r = await one<{ n: number }>(
      this.pool,
      `SELECT count(*)::int AS n FROM alerts WHERE tenant IN (${inList(tenants.length)})`,
      tenants,
    );
    return r?.n ?? 0;
  }

  async get(tenant: string, ids: string[]): Promise<Alert[]> {
    if (ids.length === 0) return [];
    const r = await rows<Row>(
      this.pool,
      'SELECT * FROM alerts WHERE tenant = ? AND id = ANY(?::text[]) ORDER BY seq',
      [tenant, [...new Set(ids)]],
    );
    return r.map(toAlert);
  }

  async setCase(tenant: string, ids: string[], caseId: string | null): Promise<number> {
    if (ids.length === 0) return 0;
    return changes(
      this.pool,
      'UPDATE alerts SET case_id = ?, updated_at = ? WHERE tenant = ? AND id = ANY(?::text[]) AND case_id IS DISTINCT FROM ?',
      [caseId, Date.now(), tenant, [...new Set(ids)], caseId],
    );
  }

  async byCase(tenant: string, caseId: string): Promise<Alert[]> {
    const r = await rows<Row>(
      this.pool,
      'SELECT * FROM alerts WHERE tenant = ? AND case_id = ? ORDER BY created_at, seq',
      [tenant, caseId],
    );
    return r.map(toAlert);
  }

  async fold(
    items: AlertFold[],
    windowMs: number,
    risk?: { items: RiskContribution[]; windowMs: number; threshold: number },
  ): Promise<{ outcomes: FoldOutcome[]; crossings: RiskCrossing[] }> {
    if (items.length === 0 && !risk?.items.length) return { outcomes: [], crossings: [] };
    return inTransaction(this.pool, async (c) => {
      await lockKeys(c, [
        ...items.map((i) => foldLock(i.tenant, dedupKey(i.ruleId, i.entity))),
        ...(risk?.items ?? []).map(riskLock),
      ]);
      const outcomes: FoldOutcome[] = [];
      for (const item of items) outcomes.push(await this.foldOne(c, item, windowMs));
      const crossings = risk ? await this.scoreRisk(c, risk.items, risk.windowMs, risk.threshold) : [];
      return { outcomes, crossings };
    });
  }

  private async foldOne(c: pg.PoolClient, item: AlertFold, windowMs: number): Promise<FoldOutcome> {
    const linked = await one<{ alert_id: string }>(
      c,
      'SELECT alert_id FROM alert_detections WHERE tenant = ? AND detection_id = ?',
      [item.tenant, item.detectionId],
    );
    if (linked) return { detectionId: item.detectionId, alertId: linked.alert_id, result: 'duplicate' };
    const now = Date.now();
    const ts = Date.parse(item.ts);
    const firstEvent = Math.min(Date.parse(item.firstEventAt), ts);
    const key = dedupKey(item.ruleId, item.entity);
    const open = await one<Row>(
      c,
      "SELECT * FROM alerts WHERE tenant = ? AND dedup_key = ? AND status != 'closed' AND last_seen >= ? ORDER BY last_seen DESC LIMIT 1 FOR UPDATE",
      [item.tenant, key, ts - windowMs],
    );
    let alertId: string;
    let count: number;
    if (open) {
      alertId = open.id;
      count = open.count + 1;
      await c.query(
        `UPDATE alerts SET count = count + 1, first_seen = $1, last_seen = $2, first_event_at = $3,
         severity_rank = $4, tags = $5, observables = $6, updated_at = $7 WHERE id = $8`,
        [
          Math.min(open.first_seen, ts),
          Math.max(open.last_seen, ts),
          Math.min(open.first_event_at, firstEvent),
          Math.max(open.severity_rank, severityRank(item.severity)),
          JSON.stringify(union(open.tags, item.tags)),
          JSON.stringify(mergeObservables(open.observables, item.observables)),
          now,
          alertId,
        ],
      );
    } else {
      alertId = newEventId(now);
      count = 1;
      await c.query(
        `INSERT INTO alerts (id, tenant, kind, rule_id, title, severity_rank, status, verdict, assignee,
         tags, attack, entity_type, entity_value, dedup_key, count, first_seen, last_seen, first_event_at, created_at, updated_at,
         acknowledged_at, closed_at, observables, case_id)
         VALUES ($1, $2, $3, $4, $5, $6, 'new', NULL, NULL, $7, $8, $9, $10, $11, 1, $12, $12, $13, $14, $14, NULL, NULL, $15, NULL)`,
        [
          alertId,
          item.tenant,
          item.kind,
          item.ruleId,
          item.title,
          severityRank(item.severity),
          JSON.stringify(item.tags),
          JSON.stringify(item.attack),
          item.entity?.type ?? null,
          item.entity?.value ?? null,
          key,
          ts,
          firstEvent,
          now,
          JSON.stringify(mergeObservables([], item.observables)),
        ],
      );
    }
    await c.query(
      'INSERT INTO alert_detections (tenant, detection_id, alert_id, ts, doc) VALUES ($1, $2, $3, $4, $5)',
      [
        item.tenant,
        item.detectionId,
        alertId,
        ts,
        count <= MAX_DETECTION_DOCS ? JSON.stringify(item.detection) : null,
      ],
    );
    if (item.eventIds.length > 0) {
      await c.query(
        `INSERT INTO alert_events (alert_id, event_id, ts) SELECT $1, e, $3 FROM unnest($2::text[]) AS e
         ON CONFLICT DO NOTHING`,
        [alertId, [...new Set(item.eventIds)], ts],
      );
    }
    if (item.observables.length > 0) {
      await c.query(
        `INSERT INTO alert_observables (tenant, type, value, alert_id)
         SELECT $1, t, v, $4 FROM unnest($2::text[], $3::text[]) AS o(t, v) ON CONFLICT DO NOTHING`,
        [item.tenant, item.observables.map((o) => o.type), item.observables.map((o) => o.value), alertId],
      );
    }
    return { detectionId: item.detectionId, alertId, result: open ? 'merged' : 'created' };
  }

  private async scoreRisk(
    c: pg.PoolClient,
    items: RiskContribution[],
    windowMs: number,
    threshold: number,
  ): Promise<RiskCrossing[]> {
    const crossings: RiskCrossing[] = [];
    for (const r of items) {
      const ts = Date.parse(r.ts);
      const inserted = await changes(
        c,
        `INSERT INTO risk_contributions (tenant, detection_id, entity_type, entity_value, score, ts)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [r.tenant, r.detectionId, r.entity.type, r.entity.value, r.score, ts],
      );
      if (inserted === 0) continue;
      const bucket = Math.floor(ts / RISK_BUCKET_MS) * RISK_BUCKET_MS;
      await changes(
        c,
        `INSERT INTO risk_buckets (tenant, entity_type, entity_value, bucket, score) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, entity_type, entity_value, bucket) DO UPDATE SET score = risk_buckets.score + excluded.score`,
        [r.tenant, r.entity.type, r.entity.value, bucket, r.score],
      );
      const sum = await one<{ total: number }>(
        c,
        'SELECT coalesce(sum(score), 0)::float8 AS total FROM risk_buckets WHERE tenant = ? AND entity_type = ? AND entity_value = ? AND bucket > ? AND bucket <= ?',
        [r.tenant, r.entity.type, r.entity.value, ts - windowMs, ts],
      );
      const total = sum?.total ?? 0;
      if (total >= threshold && total - r.score < threshold) {
        crossings.push({
          tenant: r.tenant,
          entity: r.entity,
          score: total,
          detectionId: r.detectionId,
          ts: r.ts,
        });
      }
    }
    return crossings;
  }

  private async byId(c: Queryable, id: string, lock = false): Promise<Row | undefined> {
    return one<Row>(c, `SELECT * FROM alerts WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [id]);
  }

  async find(tenants: string[], id: string): Promise<Alert | undefined> {
    const row = await this.byId(this.pool, id);
    return row && tenants.includes(row.tenant) ? toAlert(row) : undefined;
  }

  /** The WHERE clause of a query's filters, with its parameters. */
  private filter(q: Omit<AlertQuery, 'limit'>): { clause: string; params: unknown[] } {
    const where = [`tenant IN (${inList(q.tenants.length)})`];
    const params: unknown[] = [...q.tenants];
    if (q.status?.length) {
      where.push(`status IN (${inList(q.status.length)})`);
      params.push(...q.status);
    }
    if (q.severity?.length) {
      where.push(`severity_rank IN (${inList(q.severity.length)})`);
      params.push(...q.severity.map(severityRank));
    }
    if (q.ruleId) {
      where.push('rule_id = ?');
      params.push(q.ruleId);
    }
    if (q.entity === null) where.push('entity_value IS NULL');
    else if (q.entity) {
      where.push('entity_type = ? AND entity_value = ?');
      params.push(q.entity.type, q.entity.value);
    }
    if (q.assignee) {
      where.push('assignee = ?');
      params.push(q.assignee);
    }
    if (q.tag) {
      where.push('tags @> jsonb_build_array(?::text)');
      params.push(q.tag);
    }
    if (q.text) {
      const p = likePattern(q.text);
      // ILIKE: SQLite's LIKE is case-insensitive, and both adapters must answer alike.
      where.push(`(title ILIKE ? OR rule_id ILIKE ? OR entity_value ILIKE ?
        OR EXISTS (SELECT 1 FROM alert_observables o WHERE o.alert_id = alerts.id AND o.value ILIKE ?))`);
      params.push(p, p, p, p);
    }
    if (q.since) {
      where.push('last_seen >= ?');
      params.push(q.since.getTime());
    }
    if (q.until) {
      where.push('last_seen < ?');
      params.push(q.until.getTime());
    }
    return { clause: where.join(' AND '), params };
  }

  async groups(q: AlertGroupQuery): Promise<{ total: number; groups: AlertGroup[] }> {
    if (q.tenants.length === 0) return { total: 0, groups: [] };
    const { clause, params } = this.filter(q);
    const sql = alertGroupsSql(clause, q.by);
    const total = Number((await one<{ n: string }>(this.pool, sql.count, params))?.n ?? 0);
    const found = await rows<AlertGroupRow>(this.pool, sql.page, alertGroupsParams(q, params));
    return { total, groups: found.map((r) => toAlertGroup(r, q.by)) };
  }

  async list(q: AlertQuery): Promise<{ total: number; alerts: Alert[] }> {
    if (q.tenants.length === 0) return { total: 0, alerts: [] };
    const { clause, params } = this.filter(q);
    const total =
      (await one<{ n: number }>(this.pool, `SELECT count(*)::int AS n FROM alerts WHERE ${clause}`, params))
        ?.n ?? 0;
    const r = await rows<Row>(
      this.pool,
      `SELECT * FROM alerts WHERE ${clause} ORDER BY ${SORTS[q.sort ?? '-lastSeen']} LIMIT ? OFFSET ?`,
      [...params, q.limit, q.offset ?? 0],
    );
    return { total, alerts: r.map(toAlert) };
  }

  async update(
    tenant: string,
    id: string,
    change: (current: Alert) => AlertChange,
    now: string,
  ): Promise<{ before: Alert; after: Alert } | undefined> {
    // The row lock holds another node's update back until this read-decide-write commits.
    return inTransaction(this.pool, async (c) => {
      const row = await this.byId(c, id, true);
      if (!row || row.tenant !== tenant) return undefined;
      const before = toAlert(row);
      const ch = change(before);
      const after: Alert = {
        ...before,
        status: ch.status ?? before.status,
        severity: ch.severity ?? before.severity,
        verdict: ch.verdict === undefined ? before.verdict : ch.verdict,
        assignee: ch.assignee === undefined ? before.assignee : ch.assignee,
        tags: ch.tags ?? before.tags,
        acknowledgedAt: ch.acknowledgedAt === undefined ? before.acknowledgedAt : ch.acknowledgedAt,
        closedAt: ch.closedAt === undefined ? before.closedAt : ch.closedAt,
        updatedAt: now,
      };
      await changes(
        c,
        `UPDATE alerts SET status = ?, severity_rank = ?, verdict = ?, assignee = ?, tags = ?,
         acknowledged_at = ?, closed_at = ?, updated_at = ? WHERE id = ?`,
        [
          after.status,
          severityRank(after.severity),
          after.verdict,
          after.assignee,
          JSON.stringify(after.tags),
          msOrNull(after.acknowledgedAt),
          msOrNull(after.closedAt),
          Date.parse(now),
          id,
        ],
      );
      return { before, after };
    });
  }

  async detectionsOf(tenant: string, id: string, limit: number): Promise<unknown[]> {
    const r = await rows<{ detection_id: string; doc: unknown }>(
      this.pool,
      'SELECT detection_id, doc FROM alert_detections WHERE alert_id = ? AND tenant = ? ORDER BY ts DESC LIMIT ?',
      [id, tenant, limit],
    );
    return r.map((x) => x.doc ?? { id: x.detection_id });
  }

  async eventIdsOf(tenant: string, id: string, limit: number): Promise<string[]> {
    const r = await rows<{ event_id: string }>(
      this.pool,
      'SELECT e.event_id FROM alert_events e JOIN alerts a ON a.id = e.alert_id WHERE e.alert_id = ? AND a.tenant = ? ORDER BY e.ts, e.event_id LIMIT ?',
      [id, tenant, limit],
    );
    return r.map((x) => x.event_id);
  }

  async addComment(c: Omit<AlertComment, 'id'>): Promise<AlertComment> {
    const comment = { ...c, id: newEventId() };
    await changes(
      this.pool,
      'INSERT INTO alert_comments (id, alert_id, tenant, author, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [comment.id, c.alertId, c.tenant, c.author, c.body, Date.parse(c.createdAt)],
    );
    return comment;
  }

  async comments(tenant: string, alertId: string): Promise<AlertComment[]> {
    const r = await rows<{
      id: string;
      alert_id: string;
      tenant: string;
      author: string;
      body: string;
      created_at: number;
    }>(
      this.pool,
      'SELECT id, alert_id, tenant, author, body, created_at FROM alert_comments WHERE alert_id = ? AND tenant = ? ORDER BY created_at, id',
      [alertId, tenant],
    );
    return r.map((x) => ({
      id: x.id,
      alertId: x.alert_id,
      tenant: x.tenant,
      author: x.author,
      body: x.body,
      createdAt: iso(x.created_at),
    }));
  }

  async similar(tenant: string, id: string, limit: number): Promise<SimilarAlerts> {
    const row = await this.byId(this.pool, id);
    if (!row || row.tenant !== tenant) return { sameRule: [], sameEntity: [], sharedObservables: [] };
    const sameRule = (
      await rows<Row>(
        this.pool,
        'SELECT * FROM alerts WHERE tenant = ? AND rule_id = ? AND id != ? ORDER BY last_seen DESC LIMIT ?',
        [tenant, row.rule_id, id, limit],
      )
    ).map(toAlert);
    const sameEntity =
      row.entity_type === null
        ? []
        : (
            await rows<Row>(
              this.pool,
              'SELECT * FROM alerts WHERE tenant = ? AND entity_type = ? AND entity_value = ? AND id != ? ORDER BY last_seen DESC LIMIT ?',
              [tenant, row.entity_type, row.entity_value, id, limit],
            )
          ).map(toAlert);
    const pairs = await rows<{ alert_id: string; type: string; value: string }>(
      this.pool,
      `SELECT o2.alert_id AS alert_id, o2.type AS type, o2.value AS value FROM alert_observables o1
       JOIN alert_observables o2 ON o2.tenant = o1.tenant AND o2.type = o1.type AND o2.value = o1.value AND o2.alert_id != o1.alert_id
       WHERE o1.alert_id = ? AND o1.tenant = ? LIMIT 5000`,
      [id, tenant],
    );
    const shared = new Map<string, Observable[]>();
    for (const p of pairs) {
      const list = shared.get(p.alert_id) ?? [];
      list.push({ type: p.type, value: p.value });
      shared.set(p.alert_id, list);
    }
    const top = [...shared].sort((a, b) => b[1].length - a[1].length).slice(0, limit);
    const byId = new Map(
      (
        await this.get(
          tenant,
          top.map(([a]) => a),
        )
      ).map((a) => [a.id, a]),
    );
    const sharedObservables = top.flatMap(([a, obs]) => {
      const alert = byId.get(a);
      return alert ? [{ alert, shared: obs }] : [];
    });
    return { sameRule, sameEntity, sharedObservables };
  }

  async timings(tenants: string[], from: Date, to: Date): Promise<AlertTiming[]> {
    if (tenants.length === 0) return [];
    const r = await rows<Row>(
      this.pool,
      `SELECT id, tenant, rule_id, title, severity_rank, status, verdict, assignee, first_event_at, created_at,
       acknowledged_at, closed_at FROM alerts WHERE tenant IN (${inList(tenants.length)}) AND created_at >= ? AND created_at < ?`,
      [...tenants, from.getTime(), to.getTime()],
    );
    return r.map((x) => ({
      id: x.id,
      tenant: x.tenant,
      ruleId: x.rule_id,
      title: x.title,
      severity: SEVERITIES[x.severity_rank] ?? 'informational',
      status: x.status as AlertStatus,
      verdict: x.verdict as AlertVerdict | null,
      assignee: x.assignee,
      firstEventAt: iso(x.first_event_at),
      createdAt: iso(x.created_at),
      acknowledgedAt: isoOrNull(x.acknowledged_at),
      closedAt: isoOrNull(x.closed_at),
    }));
  }

  async openWork(
    tenants: string[],
  ): Promise<Array<{ severity: Severity; createdAt: string; assignee: string | null }>> {
    if (tenants.length === 0) return [];
    const r = await rows<{ severity_rank: number; created_at: number; assignee: string | null }>(
      this.pool,
      `SELECT severity_rank, created_at, assignee FROM alerts WHERE tenant IN (${inList(tenants.length)}) AND status != 'closed'`,
      tenants,
    );
    return r.map((x) => ({
      severity: SEVERITIES[x.severity_rank] ?? 'informational',
      createdAt: iso(x.created_at),
      assignee: x.assignee,
    }));
  }
}
