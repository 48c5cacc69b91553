import { SEVERITIES } from '../../alerts/ports.js';
import { observableKey } from '../../cases/observables.js';
import type {
  Case,
  CaseActivity,
  CaseAlertLink,
  CaseComment,
  CaseEvidence,
  CaseFilter,
  CaseSort,
  CaseObservable,
  CasePatch,
  CaseStore,
  CaseTask,
  CaseTemplate,
  CustodyEntry,
  NewActivity,
  NewCase,
  NewCustody,
  ObservableType,
  PinnedEvent,
  Sighting,
  SlaPolicy,
} from '../../cases/ports.js';
import { inTransaction, type Pool } from './db.js';
import { changes, inList, lockKeys, one, rows, type Queryable } from './sql.js';
import type pg from 'pg';

const SORTS: Record<CaseSort, string> = {
  '-updated': 'c.updated_ms DESC, c.number DESC',
  updated: 'c.updated_ms ASC, c.number ASC',
  '-created': 'c.created_ms DESC, c.number DESC',
  created: 'c.created_ms ASC, c.number ASC',
  '-severity': 'c.severity_rank DESC, c.updated_ms DESC',
  severity: 'c.severity_rank ASC, c.updated_ms DESC',
  // Cases without a due date last either way.
  due: 'c.due_ms IS NULL, c.due_ms ASC, c.number ASC',
  '-due': 'c.due_ms IS NULL, c.due_ms DESC, c.number DESC',
  '-number': 'c.number DESC',
  number: 'c.number ASC',
};

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
const rank = (s: string): number => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
const docs = <T>(r: Array<{ doc: T }>): T[] => r.map((x) => x.doc);

/** Done time for the SLA: when the case was resolved, else closed; NULL while it is worked. */
const doneMs = (c: Case): number | null =>
  c.status === 'resolved' || c.status === 'closed' ? ms(c.resolvedAt ?? c.closedAt ?? c.updatedAt) : null;

/** Visibility of restricted cases: members only, unless the viewer is undefined (manager/admin). */
function visibility(alias: string, viewer: string | undefined, params: unknown[]): string {
  if (viewer === undefined) return 'true';
  params.push(viewer);
  return `(${alias}.restricted = false OR ${alias}.members @> jsonb_build_array(?::text))`;
}

/**
 * Cases in PostgreSQL. Mirrors the SQLite adapter; what spans records (create with its tasks and
 * links, merge, read-modify-write updates) runs in one transaction with the case row locked, and
 * case numbers are handed out under a per-tenant advisory lock so two API nodes never share one.
 */
export class PostgresCaseStore implements CaseStore {
  constructor(private readonly pool: Pool) {}

  async count(tenants: string[]): Promise<number> {
    if (tenants.length === 0) return 0;
    return (
      (
        await one<{ n: number }>(
          this.pool,
          `SELECT count(*)::int AS n FROM cases WHERE tenant IN (${inList(tenants.length)})`,
          tenants,
        )
      )?.n ?? 0
    );
  }

  private async writeCase(c: Queryable, k: Case, insert: boolean): Promise<void> {
    const cols = [
      k.title,
      k.status,
      rank(k.severity),
      k.assignee,
      JSON.stringify(k.tags),
      JSON.stringify(k.members),
      k.members.length > 0,
      k.mergedInto,
      ms(k.createdAt),
      ms(k.updatedAt),
      ms(k.dueAt),
      doneMs(k),
      JSON.stringify(k),
    ];
    if (insert) {
      await changes(
        c,
        `INSERT INTO cases (id, tenant, number, title, status, severity_rank, assignee, tags, members, restricted, merged_into,
           created_ms, updated_ms, due_ms, done_ms, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [k.id, k.tenant, k.number, ...cols],
      );
    } else {
      await changes(
        c,
        `UPDATE cases SET title = ?, status = ?, severity_rank = ?, assignee = ?, tags = ?, members = ?, restricted = ?,
           merged_into = ?, created_ms = ?, updated_ms = ?, due_ms = ?, done_ms = ?, doc = ? WHERE tenant = ? AND id = ?`,
        [...cols, k.tenant, k.id],
      );
    }
  }

  async create(
    nc: NewCase,
    extras: {
      tasks: CaseTask[];
      links: CaseAlertLink[];
      observables: CaseObservable[];
      activity: NewActivity[];
    },
  ): Promise<Case> {
    return inTransaction(this.pool, async (c) => {
      await lockKeys(c, [`case-number\n${nc.tenant}`]);
      const n =
        (
          await one<{ n: number }>(
            c,
            'SELECT (COALESCE(MAX(number), 0) + 1)::int AS n FROM cases WHERE tenant = ?',
            [nc.tenant],
          )
        )?.n ?? 1;
      const k: Case = {
        ...nc,
        number: n,
        updatedAt: nc.createdAt,
        resolvedAt: null,
        closedAt: null,
        mergedInto: null,
      };
      await this.writeCase(c, k, true);
      await this.insertTasks(c, extras.tasks);
      await this.insertLinks(c, extras.links);
      await this.upsertObservablesTx(c, extras.observables);
      await this.insertActivity(c, extras.activity);
      return k;
    });
  }

  private async getIn(c: Queryable, tenant: string, id: string, lock = false): Promise<Case | undefined> {
    return (
      await one<{ doc: Case }>(
        c,
        `SELECT doc FROM cases WHERE tenant = ? AND id = ?${lock ? ' FOR UPDATE' : ''}`,
        [tenant, id],
      )
    )?.doc;
  }

  async get(tenant: string, id: string): Promise<Case | undefined> {
    return this.getIn(this.pool, tenant, id);
  }

  async find(tenants: string[], id: string): Promise<Case | undefined> {
    if (tenants.length === 0) return undefined;
    return (
      await one<{ doc: Case }>(
        this.pool,
        `SELECT doc FROM cases WHERE id = ? AND tenant IN (${inList(tenants.length)})`,
        [id, ...tenants],
      )
    )?.doc;
  }

  async list(f: CaseFilter): Promise<{ total: number; cases: Case[] }> {
    if (f.tenants.length === 0) return { total: 0, cases: [] };
    const params: unknown[] = [...f.tenants];
    const where = [`c.tenant IN (${inList(f.tenants.length)})`];
    if (!f.includeMerged) where.push('c.merged_into IS NULL');
    if (f.status?.length) {
      where.push(`c.status IN (${inList(f.status.length)})`);
      params.push(...f.status);
    }
    if (f.severity?.length) {
      where.push(`c.severity_rank IN (${inList(f.severity.length)})`);
      params.push(...f.severity.map(rank));
    }
    if (f.assignee !== undefined) {
      where.push('c.assignee = ?');
      params.push(f.assignee);
    }
    if (f.tag !== undefined) {
      where.push('c.tags @> jsonb_build_array(?::text)');
      params.push(f.tag);
    }
    if (f.text) {
      for (const word of f.text.split(/\s+/).filter(Boolean)) {
        where.push('c.title ILIKE ?');
        params.push(`%${word.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
      }
    }
    if (f.sla) {
      const now = f.now.getTime();
      const breached =
        '(c.due_ms IS NOT NULL AND ((c.done_ms IS NOT NULL AND c.done_ms > c.due_ms) OR (c.done_ms IS NULL AND ?::bigint > c.due_ms)))';
      const atRisk =
        '(c.due_ms IS NOT NULL AND c.done_ms IS NULL AND ?::bigint <= c.due_ms AND (c.due_ms - ?::bigint) < ?::float8 * (c.due_ms - c.created_ms))';
      if (f.sla === 'breached') {
        where.push(breached);
        params.push(now);
      } else if (f.sla === 'at_risk') {
        where.push(atRisk);
        params.push(now, now, f.atRiskFraction);
      } else {
        where.push(`NOT ${breached} AND NOT ${atRisk}`);
        params.push(now, now, now, f.atRiskFraction);
      }
    }
    where.push(visibility('c', f.viewer, params));
    const clause = where.join(' AND ');
    const total =
      (await one<{ n: number }>(this.pool, `SELECT count(*)::int AS n FROM cases c WHERE ${clause}`, params))
        ?.n ?? 0;
    const r = await rows<{ doc: Case }>(
      this.pool,
      `SELECT doc FROM cases c WHERE ${clause} ORDER BY ${SORTS[f.sort ?? '-updated']} LIMIT ? OFFSET ?`,
      [...params, f.limit, f.offset],
    );
    return { total, cases: docs(r) };
  }

  async update(
    tenant: string,
    id: string,
    patch: CasePatch,
    activity: NewActivity[],
  ): Promise<Case | undefined> {
    return inTransaction(this.pool, async (c) => {
      const cur = await this.getIn(c, tenant, id, true);
      if (!cur) return undefined;
      const k = { ...cur, ...patch, id, tenant };
      await this.writeCase(c, k, false);
      await this.insertActivity(c, activity);
      return k;
    });
  }

  private async insertLinks(c: Queryable, links: CaseAlertLink[]): Promise<void> {
    for (const l of links) {
      await changes(
        c,
        'INSERT INTO case_alerts (tenant, alert_id, case_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)',
        [l.tenant, l.alertId, l.caseId, l.addedBy, l.addedAt],
      );
    }
  }

  async linkAlerts(links: CaseAlertLink[]): Promise<void> {
    await inTransaction(this.pool, (c) => this.insertLinks(c, links));
  }

  async unlinkAlerts(tenant: string, caseId: string, alertIds: string[]): Promise<number> {
    if (alertIds.length === 0) return 0;
    return changes(
      this.pool,
      'DELETE FROM case_alerts WHERE tenant = ? AND case_id = ? AND alert_id = ANY(?::text[])',
      [tenant, caseId, alertIds],
    );
  }

  async links(tenant: string, caseId: string): Promise<CaseAlertLink[]> {
    const r = await rows<{
      tenant: string;
      case_id: string;
      alert_id: string;
      added_by: string;
      added_at: string;
    }>(
      this.pool,
      'SELECT tenant, case_id, alert_id, added_by, added_at FROM case_alerts WHERE tenant = ? AND case_id = ? ORDER BY added_at, alert_id',
      [tenant, caseId],
    );
    return r.map((x) => ({
      tenant: x.tenant,
      caseId: x.case_id,
      alertId: x.alert_id,
      addedBy: x.added_by,
      addedAt: x.added_at,
    }));
  }

  async caseOfAlerts(tenant: string, alertIds: string[]): Promise<Map<string, string>> {
    if (alertIds.length === 0) return new Map();
    const r = await rows<{ alert_id: string; case_id: string }>(
      this.pool,
      'SELECT alert_id, case_id FROM case_alerts WHERE tenant = ? AND alert_id = ANY(?::text[])',
      [tenant, alertIds],
    );
    return new Map(r.map((x) => [x.alert_id, x.case_id]));
  }

  async merge(tenant: string, sourceId: string, targetId: string, by: string, at: string): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      // Both rows locked in id order, so two merges touching the same cases cannot deadlock.
      const [first, second] = [sourceId, targetId].sort();
      const a = await this.getIn(c, tenant, first!, true);
      const b = await this.getIn(c, tenant, second!, true);
      const source = a?.id === sourceId ? a : b;
      const target = a?.id === targetId ? a : b;
      if (!source || !target || source.id !== sourceId || target.id !== targetId)
        throw new Error('merge: case not found');
      const movedEvidence = docs(
        await rows<{ doc: CaseEvidence }>(
          c,
          'SELECT doc FROM case_evidence WHERE tenant = ? AND case_id = ?',
          [tenant, sourceId],
        ),
      );
      await changes(c, 'UPDATE case_alerts SET case_id = ? WHERE tenant = ? AND case_id = ?', [
        targetId,
        tenant,
        sourceId,
      ]);
      for (const table of ['case_tasks', 'case_comments', 'case_evidence', 'case_activity']) {
        await changes(
          c,
          `UPDATE ${table} SET case_id = ?, doc = jsonb_set(doc, '{caseId}', to_jsonb(?::text)) WHERE tenant = ? AND case_id = ?`,
          [targetId, targetId, tenant, sourceId],
        );
      }
      // Pins of an event already pinned on the target would break its uniqueness: keep the target's.
      await changes(
        c,
        'DELETE FROM case_pins WHERE tenant = ? AND case_id = ? AND event_id IN (SELECT event_id FROM case_pins WHERE case_id = ?)',
        [tenant, sourceId, targetId],
      );
      await changes(
        c,
        `UPDATE case_pins SET case_id = ?, doc = jsonb_set(doc, '{caseId}', to_jsonb(?::text)) WHERE tenant = ? AND case_id = ?`,
        [targetId, targetId, tenant, sourceId],
      );
      const moved = docs(
        await rows<{ doc: CaseObservable }>(
          c,
          'SELECT doc FROM case_observables WHERE tenant = ? AND case_id = ? ORDER BY type, norm_value',
          [tenant, sourceId],
        ),
      );
      await changes(c, 'DELETE FROM case_observables WHERE tenant = ? AND case_id = ?', [tenant, sourceId]);
      await this.upsertObservablesTx(
        c,
        moved.map((o) => ({ ...o, caseId: targetId })),
      );
      for (const e of movedEvidence) {
        await this.insertCustody(c, {
          tenant,
          evidenceId: e.id,
          caseId: targetId,
          action: 'moved',
          actor: by,
          ip: null,
          at,
          sha256: e.sha256,
          detail: `case ${sourceId} merged into ${targetId}`,
        });
      }
      await this.writeCase(
        c,
        {
          ...source,
          status: 'closed',
          resolution: 'merged',
          mergedInto: targetId,
          updatedAt: at,
          closedAt: at,
        },
        false,
      );
    });
  }

  private async insertTasks(c: Queryable, tasks: CaseTask[]): Promise<void> {
    for (const t of tasks) {
      await changes(c, 'INSERT INTO case_tasks (id, tenant, case_id, ord, doc) VALUES (?, ?, ?, ?, ?)', [
        t.id,
        t.tenant,
        t.caseId,
        t.order,
        JSON.stringify(t),
      ]);
    }
  }

  async addTasks(tasks: CaseTask[]): Promise<void> {
    await inTransaction(this.pool, (c) => this.insertTasks(c, tasks));
  }

  async tasks(tenant: string, caseId: string): Promise<CaseTask[]> {
    return docs(
      await rows<{ doc: CaseTask }>(
        this.pool,
        'SELECT doc FROM case_tasks WHERE tenant = ? AND case_id = ? ORDER BY ord, seq',
        [tenant, caseId],
      ),
    );
  }

  async updateTask(
    tenant: string,
    caseId: string,
    taskId: string,
    patch: Partial<CaseTask>,
    activity: NewActivity[],
  ): Promise<CaseTask | undefined> {
    return inTransaction(this.pool, async (c) => {
      const row = await one<{ doc: CaseTask }>(
        c,
        'SELECT doc FROM case_tasks WHERE tenant = ? AND case_id = ? AND id = ? FOR UPDATE',
        [tenant, caseId, taskId],
      );
      if (!row) return undefined;
      const t: CaseTask = { ...row.doc, ...patch, id: taskId, tenant, caseId };
      await changes(c, 'UPDATE case_tasks SET doc = ? WHERE id = ?', [JSON.stringify(t), taskId]);
      await this.insertActivity(c, activity);
      return t;
    });
  }

  private async upsertObservablesTx(c: pg.PoolClient, obs: CaseObservable[]): Promise<CaseObservable[]> {
    const out: CaseObservable[] = [];
    for (const o of obs) {
      const key = observableKey(o.type, o.value);
      // Insert-or-nothing first, so two nodes adding the same observable cannot both insert it.
      const inserted = await changes(
        c,
        `INSERT INTO case_observables (id, tenant, case_id, type, norm_value, doc) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (case_id, type, norm_value) DO NOTHING`,
        [o.id, o.tenant, o.caseId, o.type, key, JSON.stringify(o)],
      );
      if (inserted > 0) {
        out.push(o);
        continue;
      }
      const row = await one<{ doc: CaseObservable }>(
        c,
        'SELECT doc FROM case_observables WHERE case_id = ? AND type = ? AND norm_value = ? FOR UPDATE',
        [o.caseId, o.type, key],
      );
      if (!row) continue;
      const cur = row.doc;
      const merged: CaseObservable = {
        ...cur,
        ioc: cur.ioc || o.ioc,
        manual: cur.manual || o.manual,
        alertIds: [...new Set([...cur.alertIds, ...o.alertIds])],
        tags: [...new Set([...cur.tags, ...o.tags])],
        description: cur.description || o.description,
        updatedAt: o.updatedAt > cur.updatedAt ? o.updatedAt : cur.updatedAt,
      };
      await changes(c, 'UPDATE case_observables SET doc = ? WHERE id = ?', [JSON.stringify(merged), cur.id]);
      out.push(merged);
    }
    return out;
  }

  async upsertObservables(obs: CaseObservable[]): Promise<CaseObservable[]> {
    return inTransaction(this.pool, (c) => this.upsertObservablesTx(c, obs));
  }

  async observables(tenant: string, caseId: string): Promise<CaseObservable[]> {
    return docs(
      await rows<{ doc: CaseObservable }>(
        this.pool,
        'SELECT doc FROM case_observables WHERE tenant = ? AND case_id = ? ORDER BY type, norm_value',
        [tenant, caseId],
      ),
    );
  }

  async updateObservable(
    tenant: string,
    caseId: string,
    id: string,
    patch: Partial<Pick<CaseObservable, 'ioc' | 'description' | 'tags'>> & { updatedAt?: string },
  ): Promise<CaseObservable | undefined> {
    return inTransaction(this.pool, async (c) => {
      const row = await one<{ doc: CaseObservable }>(
        c,
        'SELECT doc FROM case_observables WHERE tenant = ? AND case_id = ? AND id = ? FOR UPDATE',
        [tenant, caseId, id],
      );
      if (!row) return undefined;
      const o: CaseObservable = { ...row.doc, ...patch };
      await changes(c, 'UPDATE case_observables SET doc = ? WHERE id = ?', [JSON.stringify(o), id]);
      return o;
    });
  }

  async removeObservable(tenant: string, caseId: string, id: string): Promise<boolean> {
    return (
      (await changes(this.pool, 'DELETE FROM case_observables WHERE tenant = ? AND case_id = ? AND id = ?', [
        tenant,
        caseId,
        id,
      ])) > 0
    );
  }

  async detachAlertObservables(tenant: string, caseId: string, alertIds: string[]): Promise<void> {
    const gone = new Set(alertIds);
    await inTransaction(this.pool, async (c) => {
      const all = docs(
        await rows<{ doc: CaseObservable }>(
          c,
          'SELECT doc FROM case_observables WHERE tenant = ? AND case_id = ? FOR UPDATE',
          [tenant, caseId],
        ),
      );
      for (const o of all) {
        if (!o.alertIds.some((a) => gone.has(a))) continue;
        const left = o.alertIds.filter((a) => !gone.has(a));
        if (left.length === 0 && !o.manual)
          await changes(c, 'DELETE FROM case_observables WHERE id = ?', [o.id]);
        else
          await changes(c, 'UPDATE case_observables SET doc = ? WHERE id = ?', [
            JSON.stringify({ ...o, alertIds: left }),
            o.id,
          ]);
      }
    });
  }

  async sightings(
    tenant: string,
    type: ObservableType,
    value: string,
    excludeCaseId: string,
    viewer: string | undefined,
  ): Promise<Sighting[]> {
    const params: unknown[] = [tenant, type, observableKey(type, value), excludeCaseId];
    const vis = visibility('c', viewer, params);
    const r = await rows<{ odoc: CaseObservable; cdoc: Case }>(
      this.pool,
      `SELECT o.doc AS odoc, c.doc AS cdoc FROM case_observables o JOIN cases c ON c.id = o.case_id
       WHERE o.tenant = ? AND o.type = ? AND o.norm_value = ? AND o.case_id != ? AND ${vis}
       ORDER BY c.updated_ms DESC LIMIT 200`,
      params,
    );
    return r.map(({ odoc: o, cdoc: c }) => ({
      caseId: c.id,
      caseNumber: c.number,
      caseTitle: c.title,
      caseStatus: c.status,
      ioc: o.ioc,
      alertIds: o.alertIds,
    }));
  }

  async addComment(c: CaseComment): Promise<void> {
    await changes(
      this.pool,
      'INSERT INTO case_comments (id, tenant, case_id, created_ms, doc) VALUES (?, ?, ?, ?, ?)',
      [c.id, c.tenant, c.caseId, Date.parse(c.createdAt), JSON.stringify(c)],
    );
  }

  async comments(tenant: string, caseId: string): Promise<CaseComment[]> {
    return docs(
      await rows<{ doc: CaseComment }>(
        this.pool,
        'SELECT doc FROM case_comments WHERE tenant = ? AND case_id = ? ORDER BY created_ms, seq',
        [tenant, caseId],
      ),
    );
  }

  async editComment(
    tenant: string,
    caseId: string,
    id: string,
    body: string,
    at: string,
  ): Promise<CaseComment | undefined> {
    return inTransaction(this.pool, async (c) => {
      const row = await one<{ doc: CaseComment }>(
        c,
        'SELECT doc FROM case_comments WHERE tenant = ? AND case_id = ? AND id = ? FOR UPDATE',
        [tenant, caseId, id],
      );
      if (!row) return undefined;
      const k: CaseComment = { ...row.doc, body, editedAt: at };
      await changes(c, 'UPDATE case_comments SET doc = ? WHERE id = ?', [JSON.stringify(k), id]);
      return k;
    });
  }

  async addEvidence(e: CaseEvidence, custody: NewCustody): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await changes(
        c,
        'INSERT INTO case_evidence (id, tenant, case_id, sha256, doc) VALUES (?, ?, ?, ?, ?)',
        [e.id, e.tenant, e.caseId, e.sha256, JSON.stringify(e)],
      );
      await this.insertCustody(c, custody);
    });
  }

  async evidence(tenant: string, caseId: string): Promise<CaseEvidence[]> {
    return docs(
      await rows<{ doc: CaseEvidence }>(
        this.pool,
        'SELECT doc FROM case_evidence WHERE tenant = ? AND case_id = ? ORDER BY seq',
        [tenant, caseId],
      ),
    );
  }

  async getEvidence(tenant: string, caseId: string, id: string): Promise<CaseEvidence | undefined> {
    return (
      await one<{ doc: CaseEvidence }>(
        this.pool,
        'SELECT doc FROM case_evidence WHERE tenant = ? AND case_id = ? AND id = ?',
        [tenant, caseId, id],
      )
    )?.doc;
  }

  async markEvidence(
    tenant: string,
    id: string,
    integrity: 'ok' | 'mismatch',
    verifiedAt: string,
  ): Promise<void> {
    await changes(
      this.pool,
      "UPDATE case_evidence SET doc = doc || jsonb_build_object('integrity', ?::text, 'lastVerifiedAt', ?::text) WHERE tenant = ? AND id = ?",
      [integrity, verifiedAt, tenant, id],
    );
  }

  private async insertCustody(c: Queryable, e: NewCustody): Promise<void> {
    // A sequence, not MAX(seq) + 1: two nodes adding custody at once must not collide.
    await changes(
      c,
      `WITH s AS (SELECT nextval('case_custody_seq') AS seq)
       INSERT INTO case_custody (seq, tenant, evidence_id, doc)
       SELECT s.seq, ?, ?, jsonb_build_object('seq', s.seq) || ?::jsonb FROM s`,
      [e.tenant, e.evidenceId, JSON.stringify(e)],
    );
  }

  async addCustody(entry: NewCustody): Promise<void> {
    await this.insertCustody(this.pool, entry);
  }

  async custody(tenant: string, evidenceId: string): Promise<CustodyEntry[]> {
    return docs(
      await rows<{ doc: CustodyEntry }>(
        this.pool,
        'SELECT doc FROM case_custody WHERE tenant = ? AND evidence_id = ? ORDER BY seq',
        [tenant, evidenceId],
      ),
    );
  }

  async pin(p: PinnedEvent): Promise<boolean> {
    return (
      (await changes(
        this.pool,
        'INSERT INTO case_pins (id, tenant, case_id, event_id, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [p.id, p.tenant, p.caseId, p.eventId, JSON.stringify(p)],
      )) > 0
    );
  }

  async unpin(tenant: string, caseId: string, id: string): Promise<boolean> {
    return (
      (await changes(this.pool, 'DELETE FROM case_pins WHERE tenant = ? AND case_id = ? AND id = ?', [
        tenant,
        caseId,
        id,
      ])) > 0
    );
  }

  async pins(tenant: string, caseId: string): Promise<PinnedEvent[]> {
    return docs(
      await rows<{ doc: PinnedEvent }>(
        this.pool,
        'SELECT doc FROM case_pins WHERE tenant = ? AND case_id = ? ORDER BY seq',
        [tenant, caseId],
      ),
    );
  }

  private async insertActivity(c: Queryable, a: NewActivity[]): Promise<void> {
    for (const x of a) {
      await changes(c, 'INSERT INTO case_activity (tenant, case_id, doc) VALUES (?, ?, ?)', [
        x.tenant,
        x.caseId,
        JSON.stringify(x),
      ]);
    }
  }

  async addActivity(a: NewActivity[]): Promise<void> {
    await inTransaction(this.pool, (c) => this.insertActivity(c, a));
  }

  async activity(tenant: string, caseId: string): Promise<CaseActivity[]> {
    const r = await rows<{ seq: number; doc: NewActivity }>(
      this.pool,
      'SELECT seq, doc FROM case_activity WHERE tenant = ? AND case_id = ? ORDER BY seq',
      [tenant, caseId],
    );
    return r.map((x) => ({ ...x.doc, seq: x.seq }));
  }

  async slaPolicy(tenant: string): Promise<SlaPolicy | undefined> {
    return (
      await one<{ doc: SlaPolicy }>(this.pool, 'SELECT doc FROM case_sla_policies WHERE tenant = ?', [tenant])
    )?.doc;
  }

  async setSlaPolicy(tenant: string, policy: SlaPolicy): Promise<void> {
    await changes(
      this.pool,
      'INSERT INTO case_sla_policies (tenant, doc) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET doc = excluded.doc',
      [tenant, JSON.stringify(policy)],
    );
  }

  async templates(tenant: string): Promise<CaseTemplate[]> {
    return docs(
      await rows<{ doc: CaseTemplate }>(
        this.pool,
        'SELECT doc FROM case_templates WHERE tenant = ? ORDER BY id',
        [tenant],
      ),
    );
  }

  async saveTemplate(tenant: string, t: CaseTemplate): Promise<void> {
    await changes(
      this.pool,
      'INSERT INTO case_templates (tenant, id, doc) VALUES (?, ?, ?) ON CONFLICT (tenant, id) DO UPDATE SET doc = excluded.doc',
      [tenant, t.id, JSON.stringify(t)],
    );
  }

  async removeTemplate(tenant: string, id: string): Promise<boolean> {
    return (
      (await changes(this.pool, 'DELETE FROM case_templates WHERE tenant = ? AND id = ?', [tenant, id])) > 0
    );
  }
}
