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
import type { Db } from './db.js';

/** Observables kept on one alert; a noisy alert must not grow its row without bound. */
export const MAX_OBSERVABLES = 200;
/** Detection records kept in full per alert; beyond that only the link (for idempotency) is kept. */
export const MAX_DETECTION_DOCS = 100;
const MAX_IN = 500;
/**
 * Risk adds up in hourly buckets: the window slides by the hour (a bucket counts while its start is
 * inside the window), which keeps the sum cheap for an entity with thousands of detections a day.
 */
export const RISK_BUCKET_MS = 3600_000;

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
  tags: string;
  attack: string;
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
  observables: string;
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
    tags: JSON.parse(r.tags) as string[],
    attack: JSON.parse(r.attack) as Alert['attack'],
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
    observables: JSON.parse(r.observables) as Observable[],
    caseId: r.case_id,
  };
}

/** Rule and entity: two detections with the same key fold into one open alert. */
export const dedupKey = (ruleId: string, entity: { type: string; value: string } | null): string =>
  `${ruleId}\n${entity?.type ?? ''}\n${entity?.value ?? ''}`;

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

type RiskRequest = { items: RiskContribution[]; windowMs: number; threshold: number };
interface PendingFold {
  items: AlertFold[];
  windowMs: number;
  risk: RiskRequest | undefined;
  resolve: (r: { outcomes: FoldOutcome[]; crossings: RiskCrossing[] }) => void;
  reject: (e: unknown) => void;
}

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

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(',');
const likePattern = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function chunks<T>(list: T[], size = MAX_IN): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Alerts in the embedded SQLite file. Every write is one transaction (WAL, synchronous=FULL), so a
 * resolved promise means the change survives a crash; folds are idempotent per detection id.
 */
export class SqliteAlertStore implements AlertStore {
  private readonly s;
  private pending: PendingFold[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {
    this.s = {
      link: db.prepare('SELECT alert_id FROM alert_detections WHERE tenant = ? AND detection_id = ?'),
      findOpen: db.prepare(
        "SELECT * FROM alerts WHERE tenant = ? AND dedup_key = ? AND status != 'closed' AND last_seen >= ? ORDER BY last_seen DESC LIMIT 1",
      ),
      insertAlert:
        db.prepare(`INSERT INTO alerts (id, tenant, kind, rule_id, title, severity_rank, status, verdict, assignee,
        tags, attack, entity_type, entity_value, dedup_key, count, first_seen, last_seen, first_event_at, created_at, updated_at,
        acknowledged_at, closed_at, observables, case_id)
        VALUES (?, ?, ?, ?, ?, ?, 'new', NULL, NULL, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, NULL, NULL, ?, NULL)`),
      mergeAlert:
        db.prepare(`UPDATE alerts SET count = count + 1, first_seen = ?, last_seen = ?, first_event_at = ?,
        severity_rank = ?, tags = ?, observables = ?, updated_at = ? WHERE id = ?`),
      insertLink: db.prepare(
        'INSERT INTO alert_detections (tenant, detection_id, alert_id, ts, doc) VALUES (?, ?, ?, ?, ?)',
      ),
      insertEvent: db.prepare('INSERT OR IGNORE INTO alert_events (alert_id, event_id, ts) VALUES (?, ?, ?)'),
      insertObservable: db.prepare(
        'INSERT OR IGNORE INTO alert_observables (tenant, type, value, alert_id) VALUES (?, ?, ?, ?)',
      ),
      insertRisk: db.prepare(
        'INSERT OR IGNORE INTO risk_contributions (tenant, detection_id, entity_type, entity_value, score, ts) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      addBucket: db.prepare(
        `INSERT INTO risk_buckets (tenant, entity_type, entity_value, bucket, score) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, entity_type, entity_value, bucket) DO UPDATE SET score = score + excluded.score`,
      ),
      riskSum: db.prepare(
        'SELECT coalesce(sum(score), 0) AS total FROM risk_buckets WHERE tenant = ? AND entity_type = ? AND entity_value = ? AND bucket > ? AND bucket <= ?',
      ),
      byId: db.prepare('SELECT * FROM alerts WHERE id = ?'),
      updateTriage:
        db.prepare(`UPDATE alerts SET status = ?, severity_rank = ?, verdict = ?, assignee = ?, tags = ?,
        acknowledged_at = ?, closed_at = ?, updated_at = ? WHERE id = ?`),
    };
  }

  async count(tenants: string[]): Promise<number> {
    if (tenants.length === 0) return 0;
    return (
      this.db
        .prepare(`SELECT count(*) AS n FROM alerts WHERE tenant IN (${placeholders(tenants.length)})`)
        .get(...tenants) as { n: number }
    ).n;
  }

  async get(tenant: string, ids: string[]): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const part of chunks([...new Set(ids)])) {
      const rows = this.db
        .prepare(
          `SELECT * FROM alerts WHERE tenant = ? AND id IN (${placeholders(part.length)}) ORDER BY seq`,
        )
        .all(tenant, ...part) as Row[];
      out.push(...rows.map(toAlert));
    }
    return out;
  }

  async setCase(tenant: string, ids: string[], caseId: string | null): Promise<number> {
    const now = Date.now();
    let changed = 0;
    this.db.transaction(() => {
      for (const part of chunks([...new Set(ids)])) {
        changed += this.db
          .prepare(
            `UPDATE alerts SET case_id = ?, updated_at = ? WHERE tenant = ? AND id IN (${placeholders(part.length)}) AND case_id IS NOT ?`,
          )
          .run(caseId, now, tenant, ...part, caseId).changes;
      }
    })();
    return changed;
  }

  async byCase(tenant: string, caseId: string): Promise<Alert[]> {
    const rows = this.db
      .prepare('SELECT * FROM alerts WHERE tenant = ? AND case_id = ? ORDER BY created_at, seq')
      .all(tenant, caseId) as Row[];
    return rows.map(toAlert);
  }

  fold(
    items: AlertFold[],
    windowMs: number,
    risk?: RiskRequest,
  ): Promise<{ outcomes: FoldOutcome[]; crossings: RiskCrossing[] }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ items, windowMs, risk, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Group commit: every fold issued in one turn of the event loop (concurrent bus messages) shares
   * one transaction and one fsync; each caller's promise resolves after that commit. Folds run in
   * the order they were issued, so dedup sees each earlier fold of the same transaction.
   */
  private flush(): void {
    const groups = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      const results = this.db.transaction(() => groups.map((g) => this.foldGroup(g)))();
      groups.forEach((g, i) => g.resolve(results[i]!));
    } catch {
      // One caller's failure must not fail the others: retry each group in its own transaction.
      for (const g of groups) {
        try {
          g.resolve(this.db.transaction(() => this.foldGroup(g))());
        } catch (e) {
          g.reject(e);
        }
      }
    }
  }

  private foldGroup(g: PendingFold): { outcomes: FoldOutcome[]; crossings: RiskCrossing[] } {
    const outcomes = g.items.map((item) => this.foldOne(item, g.windowMs));
    const crossings = g.risk ? this.scoreRisk(g.risk.items, g.risk.windowMs, g.risk.threshold) : [];
    return { outcomes, crossings };
  }

  private foldOne(item: AlertFold, windowMs: number): FoldOutcome {
    const s = this.s;
    const linked = s.link.get(item.tenant, item.detectionId) as { alert_id: string } | undefined;
    if (linked) return { detectionId: item.detectionId, alertId: linked.alert_id, result: 'duplicate' };
    const now = Date.now();
    const ts = Date.parse(item.ts);
    const firstEvent = Math.min(Date.parse(item.firstEventAt), ts);
    const key = dedupKey(item.ruleId, item.entity);
    const open = s.findOpen.get(item.tenant, key, ts - windowMs) as Row | undefined;
    let alertId: string;
    let count: number;
    if (open) {
      alertId = open.id;
      count = open.count + 1;
      s.mergeAlert.run(
        Math.min(open.first_seen, ts),
        Math.max(open.last_seen, ts),
        Math.min(open.first_event_at, firstEvent),
        Math.max(open.severity_rank, severityRank(item.severity)),
        JSON.stringify(union(JSON.parse(open.tags) as string[], item.tags)),
        JSON.stringify(mergeObservables(JSON.parse(open.observables) as Observable[], item.observables)),
        now,
        alertId,
      );
    } else {
      alertId = newEventId(now);
      count = 1;
      s.insertAlert.run(
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
        ts,
        firstEvent,
        now,
        now,
        JSON.stringify(mergeObservables([], item.observables)),
      );
    }
    s.insertLink.run(
      item.tenant,
      item.detectionId,
      alertId,
      ts,
      count <= MAX_DETECTION_DOCS ? JSON.stringify(item.detection) : null,
    );
    for (const e of item.eventIds) s.insertEvent.run(alertId, e, ts);
    for (const o of item.observables) s.insertObservable.run(item.tenant, o.type, o.value, alertId);
    return { detectionId: item.detectionId, alertId, result: open ? 'merged' : 'created' };
  }

  private scoreRisk(items: RiskContribution[], windowMs: number, threshold: number): RiskCrossing[] {
    const crossings: RiskCrossing[] = [];
    for (const c of items) {
      const ts = Date.parse(c.ts);
      const inserted = this.s.insertRisk.run(
        c.tenant,
        c.detectionId,
        c.entity.type,
        c.entity.value,
        c.score,
        ts,
      );
      if (inserted.changes === 0) continue;
      const bucket = Math.floor(ts / RISK_BUCKET_MS) * RISK_BUCKET_MS;
      this.s.addBucket.run(c.tenant, c.entity.type, c.entity.value, bucket, c.score);
      const { total } = this.s.riskSum.get(c.tenant, c.entity.type, c.entity.value, ts - windowMs, ts) as {
        total: number;
      };
      if (total >= threshold && total - c.score < threshold) {
        crossings.push({
          tenant: c.tenant,
          entity: c.entity,
          score: total,
          detectionId: c.detectionId,
          ts: c.ts,
        });
      }
    }
    return crossings;
  }

  async find(tenants: string[], id: string): Promise<Alert | undefined> {
    const row = this.s.byId.get(id) as Row | undefined;
    return row && tenants.includes(row.tenant) ? toAlert(row) : undefined;
  }

  /** The WHERE clause of a query's filters, with its parameters. */
  private filter(q: Omit<AlertQuery, 'limit'>): { clause: string; params: unknown[] } {
    const where = [`tenant IN (${placeholders(q.tenants.length)})`];
    const params: unknown[] = [...q.tenants];
    if (q.status?.length) {
      where.push(`status IN (${placeholders(q.status.length)})`);
      params.push(...q.status);
    }
    if (q.severity?.length) {
      where.push(`severity_rank IN (${placeholders(q.severity.length)})`);
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
      where.push('EXISTS (SELECT 1 FROM json_each(alerts.tags) t WHERE t.value = ?)');
      params.push(q.tag);
    }
    if (q.text) {
      const p = likePattern(q.text);
      where.push(`(title LIKE ? ESCAPE '\\' OR rule_id LIKE ? ESCAPE '\\' OR entity_value LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM alert_observables o WHERE o.alert_id = alerts.id AND o.value LIKE ? ESCAPE '\\'))`);
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
    const total = (this.db.prepare(sql.count).get(...params) as { n: number }).n;
    const found = this.db.prepare(sql.page).all(...alertGroupsParams(q, params)) as AlertGroupRow[];
    return { total, groups: found.map((r) => toAlertGroup(r, q.by)) };
  }

  async list(q: AlertQuery): Promise<{ total: number; alerts: Alert[] }> {
    if (q.tenants.length === 0) return { total: 0, alerts: [] };
    const { clause, params } = this.filter(q);
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM alerts WHERE ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts WHERE ${clause} ORDER BY ${SORTS[q.sort ?? '-lastSeen']} LIMIT ? OFFSET ?`,
      )
      .all(...params, q.limit, q.offset ?? 0) as Row[];
    return { total, alerts: rows.map(toAlert) };
  }

  async update(
    tenant: string,
    id: string,
    change: (current: Alert) => AlertChange,
    now: string,
  ): Promise<{ before: Alert; after: Alert } | undefined> {
    // better-sqlite3 is synchronous: read, decide and write happen without another writer in between.
    return this.db.transaction(() => {
      const row = this.s.byId.get(id) as Row | undefined;
      if (!row || row.tenant !== tenant) return undefined;
      const before = toAlert(row);
      const c = change(before);
      const after: Alert = {
        ...before,
        status: c.status ?? before.status,
        severity: c.severity ?? before.severity,
        verdict: c.verdict === undefined ? before.verdict : c.verdict,
        assignee: c.assignee === undefined ? before.assignee : c.assignee,
        tags: c.tags ?? before.tags,
        acknowledgedAt: c.acknowledgedAt === undefined ? before.acknowledgedAt : c.acknowledgedAt,
        closedAt: c.closedAt === undefined ? before.closedAt : c.closedAt,
        updatedAt: now,
      };
      this.s.updateTriage.run(
        after.status,
        severityRank(after.severity),
        after.verdict,
        after.assignee,
        JSON.stringify(after.tags),
        msOrNull(after.acknowledgedAt),
        msOrNull(after.closedAt),
        Date.parse(now),
        id,
      );
      return { before, after };
    })();
  }

  async detectionsOf(tenant: string, id: string, limit: number): Promise<unknown[]> {
    const rows = this.db
      .prepare(
        'SELECT detection_id, doc FROM alert_detections WHERE alert_id = ? AND tenant = ? ORDER BY ts DESC LIMIT ?',
      )
      .all(id, tenant, limit) as Array<{ detection_id: string; doc: string | null }>;
    return rows.map((r) => (r.doc ? (JSON.parse(r.doc) as unknown) : { id: r.detection_id }));
  }

  async eventIdsOf(tenant: string, id: string, limit: number): Promise<string[]> {
    const rows = this.db
      .prepare(
        'SELECT e.event_id FROM alert_events e JOIN alerts a ON a.id = e.alert_id WHERE e.alert_id = ? AND a.tenant = ? ORDER BY e.ts, e.event_id LIMIT ?',
      )
      .all(id, tenant, limit) as Array<{ event_id: string }>;
    return rows.map((r) => r.event_id);
  }

  async addComment(c: Omit<AlertComment, 'id'>): Promise<AlertComment> {
    const comment = { ...c, id: newEventId() };
    this.db
      .prepare(
        'INSERT INTO alert_comments (id, alert_id, tenant, author, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(comment.id, c.alertId, c.tenant, c.author, c.body, Date.parse(c.createdAt));
    return comment;
  }

  async comments(tenant: string, alertId: string): Promise<AlertComment[]> {
    const rows = this.db
      .prepare(
        'SELECT id, alert_id, tenant, author, body, created_at FROM alert_comments WHERE alert_id = ? AND tenant = ? ORDER BY created_at, id',
      )
      .all(alertId, tenant) as Array<{
      id: string;
      alert_id: string;
      tenant: string;
      author: string;
      body: string;
      created_at: number;
    }>;
    return rows.map((r) => ({
      id: r.id,
      alertId: r.alert_id,
      tenant: r.tenant,
      author: r.author,
      body: r.body,
      createdAt: iso(r.created_at),
    }));
  }

  async similar(tenant: string, id: string, limit: number): Promise<SimilarAlerts> {
    const row = this.s.byId.get(id) as Row | undefined;
    if (!row || row.tenant !== tenant) return { sameRule: [], sameEntity: [], sharedObservables: [] };
    const sameRule = (
      this.db
        .prepare(
          'SELECT * FROM alerts WHERE tenant = ? AND rule_id = ? AND id != ? ORDER BY last_seen DESC LIMIT ?',
        )
        .all(tenant, row.rule_id, id, limit) as Row[]
    ).map(toAlert);
    const sameEntity =
      row.entity_type === null
        ? []
        : (
            this.db
              .prepare(
                'SELECT * FROM alerts WHERE tenant = ? AND entity_type = ? AND entity_value = ? AND id != ? ORDER BY last_seen DESC LIMIT ?',
              )
              .all(tenant, row.entity_type, row.entity_value, id, limit) as Row[]
          ).map(toAlert);
    const pairs = this.db
      .prepare(
        `SELECT o2.alert_id AS alert_id, o2.type AS type, o2.value AS value FROM alert_observables o1
         JOIN alert_observables o2 ON o2.tenant = o1.tenant AND o2.type = o1.type AND o2.value = o1.value AND o2.alert_id != o1.alert_id
         WHERE o1.alert_id = ? AND o1.tenant = ? LIMIT 5000`,
      )
      .all(id, tenant) as Array<{ alert_id: string; type: string; value: string }>;
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
    const rows = this.db
      .prepare(
        `SELECT id, tenant, rule_id, title, severity_rank, status, verdict, assignee, first_event_at, created_at,
         acknowledged_at, closed_at FROM alerts WHERE tenant IN (${placeholders(tenants.length)}) AND created_at >= ? AND created_at < ?`,
      )
      .all(...tenants, from.getTime(), to.getTime()) as Row[];
    return rows.map((r) => ({
      id: r.id,
      tenant: r.tenant,
      ruleId: r.rule_id,
      title: r.title,
      severity: SEVERITIES[r.severity_rank] ?? 'informational',
      status: r.status as AlertStatus,
      verdict: r.verdict as AlertVerdict | null,
      assignee: r.assignee,
      firstEventAt: iso(r.first_event_at),
      createdAt: iso(r.created_at),
      acknowledgedAt: isoOrNull(r.acknowledged_at),
      closedAt: isoOrNull(r.closed_at),
    }));
  }

  async openWork(
    tenants: string[],
  ): Promise<Array<{ severity: Severity; createdAt: string; assignee: string | null }>> {
    if (tenants.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT severity_rank, created_at, assignee FROM alerts WHERE tenant IN (${placeholders(tenants.length)}) AND status != 'closed'`,
      )
      .all(...tenants) as Array<{ severity_rank: number; created_at: number; assignee: string | null }>;
    return rows.map((r) => ({
      severity: SEVERITIES[r.severity_rank] ?? 'informational',
      createdAt: iso(r.created_at),
      assignee: r.assignee,
    }));
  }
}
