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
import type { Db } from './db.js';

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
const inList = (n: number): string => Array.from({ length: n }, () => '?').join(',');
const parse = <T>(rows: Array<{ doc: string }>): T[] => rows.map((r) => JSON.parse(r.doc) as T);

/** Done time for the SLA: when the case was resolved, else closed; NULL while it is worked. */
const doneMs = (c: Case): number | null =>
  c.status === 'resolved' || c.status === 'closed' ? ms(c.resolvedAt ?? c.closedAt ?? c.updatedAt) : null;

/** Visibility of restricted cases: members only, unless the viewer is undefined (manager/admin). */
function visibility(alias: string, viewer: string | undefined, params: unknown[]): string {
  if (viewer === undefined) return '1';
  params.push(viewer);
  return `(${alias}.restricted = 0 OR EXISTS (SELECT 1 FROM json_each(${alias}.members) WHERE value = ?))`;
}

export class SqliteCaseStore implements CaseStore {
  constructor(private readonly db: Db) {}

  async count(tenants: string[]): Promise<number> {
    if (tenants.length === 0) return 0;
    return (
      this.db
        .prepare(`SELECT count(*) AS n FROM cases WHERE tenant IN (${inList(tenants.length)})`)
        .get(...tenants) as {
        n: number;
      }
    ).n;
  }

  private writeCase(c: Case, insert: boolean): void {
    const cols = [
      c.title,
      c.status,
      rank(c.severity),
      c.assignee,
      JSON.stringify(c.tags),
      JSON.stringify(c.members),
      c.members.length > 0 ? 1 : 0,
      c.mergedInto,
      ms(c.createdAt),
      ms(c.updatedAt),
      ms(c.dueAt),
      doneMs(c),
      JSON.stringify(c),
    ];
    if (insert) {
      this.db
        .prepare(
          `INSERT INTO cases (id, tenant, number, title, status, severity_rank, assignee, tags, members, restricted, merged_into,
             created_ms, updated_ms, due_ms, done_ms, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(c.id, c.tenant, c.number, ...cols);
    } else {
      this.db
        .prepare(
          `UPDATE cases SET title = ?, status = ?, severity_rank = ?, assignee = ?, tags = ?, members = ?, restricted = ?,
             merged_into = ?, created_ms = ?, updated_ms = ?, due_ms = ?, done_ms = ?, doc = ? WHERE tenant = ? AND id = ?`,
        )
        .run(...cols, c.tenant, c.id);
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
    return this.db.transaction(() => {
      const { n } = this.db
        .prepare('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM cases WHERE tenant = ?')
        .get(nc.tenant) as {
        n: number;
      };
      const c: Case = {
        ...nc,
        number: n,
        updatedAt: nc.createdAt,
        resolvedAt: null,
        closedAt: null,
        mergedInto: null,
      };
      this.writeCase(c, true);
      this.insertTasks(extras.tasks);
      this.insertLinks(extras.links);
      this.upsertObservablesTx(extras.observables);
      this.insertActivity(extras.activity);
      return c;
    })();
  }

  async get(tenant: string, id: string): Promise<Case | undefined> {
    const row = this.db.prepare('SELECT doc FROM cases WHERE tenant = ? AND id = ?').get(tenant, id) as
      { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Case) : undefined;
  }

  async find(tenants: string[], id: string): Promise<Case | undefined> {
    if (tenants.length === 0) return undefined;
    const row = this.db
      .prepare(`SELECT doc FROM cases WHERE id = ? AND tenant IN (${inList(tenants.length)})`)
      .get(id, ...tenants) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Case) : undefined;
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
      where.push('EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = ?)');
      params.push(f.tag);
    }
    if (f.text) {
      for (const word of f.text.split(/\s+/).filter(Boolean)) {
        where.push("c.title LIKE ? ESCAPE '\\'");
        params.push(`%${word.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
      }
    }
    if (f.sla) {
      const now = f.now.getTime();
      const breached =
        '(c.due_ms IS NOT NULL AND ((c.done_ms IS NOT NULL AND c.done_ms > c.due_ms) OR (c.done_ms IS NULL AND ? > c.due_ms)))';
      const atRisk =
        '(c.due_ms IS NOT NULL AND c.done_ms IS NULL AND ? <= c.due_ms AND (c.due_ms - ?) < ? * (c.due_ms - c.created_ms))';
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
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM cases c WHERE ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT doc FROM cases c WHERE ${clause} ORDER BY ${SORTS[f.sort ?? '-updated']} LIMIT ? OFFSET ?`,
      )
      .all(...params, f.limit, f.offset) as Array<{ doc: string }>;
    return { total, cases: parse<Case>(rows) };
  }

  async update(
    tenant: string,
    id: string,
    patch: CasePatch,
    activity: NewActivity[],
  ): Promise<Case | undefined> {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT doc FROM cases WHERE tenant = ? AND id = ?').get(tenant, id) as
        { doc: string } | undefined;
      if (!row) return undefined;
      const c = { ...(JSON.parse(row.doc) as Case), ...patch, id, tenant };
      this.writeCase(c, false);
      this.insertActivity(activity);
      return c;
    })();
  }

  private insertLinks(links: CaseAlertLink[]): void {
    const stmt = this.db.prepare(
      'INSERT INTO case_alerts (tenant, alert_id, case_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const l of links) stmt.run(l.tenant, l.alertId, l.caseId, l.addedBy, l.addedAt);
  }

  async linkAlerts(links: CaseAlertLink[]): Promise<void> {
    this.db.transaction(() => this.insertLinks(links))();
  }

  async unlinkAlerts(tenant: string, caseId: string, alertIds: string[]): Promise<number> {
    if (alertIds.length === 0) return 0;
    return this.db
      .prepare(
        `DELETE FROM case_alerts WHERE tenant = ? AND case_id = ? AND alert_id IN (${inList(alertIds.length)})`,
      )
      .run(tenant, caseId, ...alertIds).changes;
  }

  async links(tenant: string, caseId: string): Promise<CaseAlertLink[]> {
    const rows = this.db
      .prepare(
        'SELECT tenant, case_id, alert_id, added_by, added_at FROM case_alerts WHERE tenant = ? AND case_id = ? ORDER BY added_at, alert_id',
      )
      .all(tenant, caseId) as Array<{
      tenant: string;
      case_id: string;
      alert_id: string;
      added_by: string;
      added_at: string;
    }>;
    return rows.map((r) => ({
      tenant: r.tenant,
      caseId: r.case_id,
      alertId: r.alert_id,
      addedBy: r.added_by,
      addedAt: r.added_at,
    }));
  }

  async caseOfAlerts(tenant: string, alertIds: string[]): Promise<Map<string, string>> {
    if (alertIds.length === 0) return new Map();
    const rows = this.db
      .prepare(
        `SELECT alert_id, case_id FROM case_alerts WHERE tenant = ? AND alert_id IN (${inList(alertIds.length)})`,
      )
      .all(tenant, ...alertIds) as Array<{ alert_id: string; case_id: string }>;
    return new Map(rows.map((r) => [r.alert_id, r.case_id]));
  }

  async merge(tenant: string, sourceId: string, targetId: string, by: string, at: string): Promise<void> {
    this.db.transaction(() => {
      const source = this.getSync(tenant, sourceId);
      const target = this.getSync(tenant, targetId);
      if (!source || !target) throw new Error('merge: case not found');
      const movedEvidence = parse<CaseEvidence>(
        this.db
          .prepare('SELECT doc FROM case_evidence WHERE tenant = ? AND case_id = ?')
          .all(tenant, sourceId) as Array<{
          doc: string;
        }>,
      );
      this.db
        .prepare('UPDATE case_alerts SET case_id = ? WHERE tenant = ? AND case_id = ?')
        .run(targetId, tenant, sourceId);
      for (const table of ['case_tasks', 'case_comments', 'case_evidence', 'case_activity']) {
        this.db
          .prepare(
            `UPDATE ${table} SET case_id = ?, doc = json_set(doc, '$.caseId', ?) WHERE tenant = ? AND case_id = ?`,
          )
          .run(targetId, targetId, tenant, sourceId);
      }
      // Pins of an event already pinned on the target would break its uniqueness: keep the target's.
      this.db
        .prepare(
          `DELETE FROM case_pins WHERE tenant = ? AND case_id = ? AND event_id IN (SELECT event_id FROM case_pins WHERE case_id = ?)`,
        )
        .run(tenant, sourceId, targetId);
      this.db
        .prepare(
          `UPDATE case_pins SET case_id = ?, doc = json_set(doc, '$.caseId', ?) WHERE tenant = ? AND case_id = ?`,
        )
        .run(targetId, targetId, tenant, sourceId);
      const moved = parse<CaseObservable>(
        this.db
          .prepare('SELECT doc FROM case_observables WHERE tenant = ? AND case_id = ?')
          .all(tenant, sourceId) as Array<{
          doc: string;
        }>,
      );
      this.db.prepare('DELETE FROM case_observables WHERE tenant = ? AND case_id = ?').run(tenant, sourceId);
      this.upsertObservablesTx(moved.map((o) => ({ ...o, caseId: targetId })));
      for (const e of movedEvidence) {
        this.insertCustody({
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
      this.writeCase(
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
    })();
  }

  private getSync(tenant: string, id: string): Case | undefined {
    const row = this.db.prepare('SELECT doc FROM cases WHERE tenant = ? AND id = ?').get(tenant, id) as
      { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Case) : undefined;
  }

  private insertTasks(tasks: CaseTask[]): void {
    const stmt = this.db.prepare(
      'INSERT INTO case_tasks (id, tenant, case_id, ord, doc) VALUES (?, ?, ?, ?, ?)',
    );
    for (const t of tasks) stmt.run(t.id, t.tenant, t.caseId, t.order, JSON.stringify(t));
  }

  async addTasks(tasks: CaseTask[]): Promise<void> {
    this.db.transaction(() => this.insertTasks(tasks))();
  }

  async tasks(tenant: string, caseId: string): Promise<CaseTask[]> {
    return parse<CaseTask>(
      this.db
        .prepare('SELECT doc FROM case_tasks WHERE tenant = ? AND case_id = ? ORDER BY ord, rowid')
        .all(tenant, caseId) as Array<{ doc: string }>,
    );
  }

  async updateTask(
    tenant: string,
    caseId: string,
    taskId: string,
    patch: Partial<CaseTask>,
    activity: NewActivity[],
  ): Promise<CaseTask | undefined> {
    return this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT doc FROM case_tasks WHERE tenant = ? AND case_id = ? AND id = ?')
        .get(tenant, caseId, taskId) as { doc: string } | undefined;
      if (!row) return undefined;
      const t: CaseTask = { ...(JSON.parse(row.doc) as CaseTask), ...patch, id: taskId, tenant, caseId };
      this.db.prepare('UPDATE case_tasks SET doc = ? WHERE id = ?').run(JSON.stringify(t), taskId);
      this.insertActivity(activity);
      return t;
    })();
  }

  private upsertObservablesTx(obs: CaseObservable[]): CaseObservable[] {
    const find = this.db.prepare(
      'SELECT doc FROM case_observables WHERE case_id = ? AND type = ? AND norm_value = ?',
    );
    const insert = this.db.prepare(
      'INSERT INTO case_observables (id, tenant, case_id, type, norm_value, doc) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const update = this.db.prepare('UPDATE case_observables SET doc = ? WHERE id = ?');
    const out: CaseObservable[] = [];
    for (const o of obs) {
      const key = observableKey(o.type, o.value);
      const row = find.get(o.caseId, o.type, key) as { doc: string } | undefined;
      if (!row) {
        insert.run(o.id, o.tenant, o.caseId, o.type, key, JSON.stringify(o));
        out.push(o);
        continue;
      }
      const cur = JSON.parse(row.doc) as CaseObservable;
      const merged: CaseObservable = {
        ...cur,
        ioc: cur.ioc || o.ioc,
        manual: cur.manual || o.manual,
        alertIds: [...new Set([...cur.alertIds, ...o.alertIds])],
        tags: [...new Set([...cur.tags, ...o.tags])],
        description: cur.description || o.description,
        updatedAt: o.updatedAt > cur.updatedAt ? o.updatedAt : cur.updatedAt,
      };
      update.run(JSON.stringify(merged), cur.id);
      out.push(merged);
    }
    return out;
  }

  async upsertObservables(obs: CaseObservable[]): Promise<CaseObservable[]> {
    return this.db.transaction(() => this.upsertObservablesTx(obs))();
  }

  async observables(tenant: string, caseId: string): Promise<CaseObservable[]> {
    return parse<CaseObservable>(
      this.db
        .prepare(
          'SELECT doc FROM case_observables WHERE tenant = ? AND case_id = ? ORDER BY type, norm_value',
        )
        .all(tenant, caseId) as Array<{ doc: string }>,
    );
  }

  async updateObservable(
    tenant: string,
    caseId: string,
    id: string,
    patch: Partial<Pick<CaseObservable, 'ioc' | 'description' | 'tags'>> & { updatedAt?: string },
  ): Promise<CaseObservable | undefined> {
    return this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT doc FROM case_observables WHERE tenant = ? AND case_id = ? AND id = ?')
        .get(tenant, caseId, id) as { doc: string } | undefined;
      if (!row) return undefined;
      const o: CaseObservable = { ...(JSON.parse(row.doc) as CaseObservable), ...patch };
      this.db.prepare('UPDATE case_observables SET doc = ? WHERE id = ?').run(JSON.stringify(o), id);
      return o;
    })();
  }

  async removeObservable(tenant: string, caseId: string, id: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM case_observables WHERE tenant = ? AND case_id = ? AND id = ?')
        .run(tenant, caseId, id).changes > 0
    );
  }

  async detachAlertObservables(tenant: string, caseId: string, alertIds: string[]): Promise<void> {
    const gone = new Set(alertIds);
    this.db.transaction(() => {
      for (const o of parse<CaseObservable>(
        this.db
          .prepare('SELECT doc FROM case_observables WHERE tenant = ? AND case_id = ?')
          .all(tenant, caseId) as Array<{
          doc: string;
        }>,
      )) {
        if (!o.alertIds.some((a) => gone.has(a))) continue;
        const left = o.alertIds.filter((a) => !gone.has(a));
        if (left.length === 0 && !o.manual)
          this.db.prepare('DELETE FROM case_observables WHERE id = ?').run(o.id);
        else
          this.db
            .prepare('UPDATE case_observables SET doc = ? WHERE id = ?')
            .run(JSON.stringify({ ...o, alertIds: left }), o.id);
      }
    })();
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
    const rows = this.db
      .prepare(
        `SELECT o.doc AS odoc, c.doc AS cdoc FROM case_observables o JOIN cases c ON c.id = o.case_id
         WHERE o.tenant = ? AND o.type = ? AND o.norm_value = ? AND o.case_id != ? AND ${vis}
         ORDER BY c.updated_ms DESC LIMIT 200`,
      )
      .all(...params) as Array<{ odoc: string; cdoc: string }>;
    return rows.map((r) => {
      const o = JSON.parse(r.odoc) as CaseObservable;
      const c = JSON.parse(r.cdoc) as Case;
      return {
        caseId: c.id,
        caseNumber: c.number,
        caseTitle: c.title,
        caseStatus: c.status,
        ioc: o.ioc,
        alertIds: o.alertIds,
      };
    });
  }

  async addComment(c: CaseComment): Promise<void> {
    this.db
      .prepare('INSERT INTO case_comments (id, tenant, case_id, created_ms, doc) VALUES (?, ?, ?, ?, ?)')
      .run(c.id, c.tenant, c.caseId, Date.parse(c.createdAt), JSON.stringify(c));
  }

  async comments(tenant: string, caseId: string): Promise<CaseComment[]> {
    return parse<CaseComment>(
      this.db
        .prepare('SELECT doc FROM case_comments WHERE tenant = ? AND case_id = ? ORDER BY created_ms, rowid')
        .all(tenant, caseId) as Array<{ doc: string }>,
    );
  }

  async editComment(
    tenant: string,
    caseId: string,
    id: string,
    body: string,
    at: string,
  ): Promise<CaseComment | undefined> {
    return this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT doc FROM case_comments WHERE tenant = ? AND case_id = ? AND id = ?')
        .get(tenant, caseId, id) as { doc: string } | undefined;
      if (!row) return undefined;
      const c: CaseComment = { ...(JSON.parse(row.doc) as CaseComment), body, editedAt: at };
      this.db.prepare('UPDATE case_comments SET doc = ? WHERE id = ?').run(JSON.stringify(c), id);
      return c;
    })();
  }

  async addEvidence(e: CaseEvidence, custody: NewCustody): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO case_evidence (id, tenant, case_id, sha256, doc) VALUES (?, ?, ?, ?, ?)')
        .run(e.id, e.tenant, e.caseId, e.sha256, JSON.stringify(e));
      this.insertCustody(custody);
    })();
  }

  async evidence(tenant: string, caseId: string): Promise<CaseEvidence[]> {
    return parse<CaseEvidence>(
      this.db
        .prepare('SELECT doc FROM case_evidence WHERE tenant = ? AND case_id = ? ORDER BY rowid')
        .all(tenant, caseId) as Array<{ doc: string }>,
    );
  }

  async getEvidence(tenant: string, caseId: string, id: string): Promise<CaseEvidence | undefined> {
    const row = this.db
      .prepare('SELECT doc FROM case_evidence WHERE tenant = ? AND case_id = ? AND id = ?')
      .get(tenant, caseId, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as CaseEvidence) : undefined;
  }

  async markEvidence(
    tenant: string,
    id: string,
    integrity: 'ok' | 'mismatch',
    verifiedAt: string,
  ): Promise<void> {
    this.db
      .prepare(
        "UPDATE case_evidence SET doc = json_set(doc, '$.integrity', ?, '$.lastVerifiedAt', ?) WHERE tenant = ? AND id = ?",
      )
      .run(integrity, verifiedAt, tenant, id);
  }

  private insertCustody(e: NewCustody): void {
    const { seq } = this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM case_custody').get() as {
      seq: number;
    };
    this.db
      .prepare('INSERT INTO case_custody (seq, tenant, evidence_id, doc) VALUES (?, ?, ?, ?)')
      .run(seq, e.tenant, e.evidenceId, JSON.stringify({ seq, ...e }));
  }

  async addCustody(entry: NewCustody): Promise<void> {
    this.db.transaction(() => this.insertCustody(entry))();
  }

  async custody(tenant: string, evidenceId: string): Promise<CustodyEntry[]> {
    return parse<CustodyEntry>(
      this.db
        .prepare('SELECT doc FROM case_custody WHERE tenant = ? AND evidence_id = ? ORDER BY seq')
        .all(tenant, evidenceId) as Array<{ doc: string }>,
    );
  }

  async pin(p: PinnedEvent): Promise<boolean> {
    return (
      this.db
        .prepare(
          'INSERT OR IGNORE INTO case_pins (id, tenant, case_id, event_id, doc) VALUES (?, ?, ?, ?, ?)',
        )
        .run(p.id, p.tenant, p.caseId, p.eventId, JSON.stringify(p)).changes > 0
    );
  }

  async unpin(tenant: string, caseId: string, id: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM case_pins WHERE tenant = ? AND case_id = ? AND id = ?')
        .run(tenant, caseId, id).changes > 0
    );
  }

  async pins(tenant: string, caseId: string): Promise<PinnedEvent[]> {
    return parse<PinnedEvent>(
      this.db
        .prepare('SELECT doc FROM case_pins WHERE tenant = ? AND case_id = ? ORDER BY rowid')
        .all(tenant, caseId) as Array<{
        doc: string;
      }>,
    );
  }

  private insertActivity(a: NewActivity[]): void {
    const stmt = this.db.prepare('INSERT INTO case_activity (tenant, case_id, doc) VALUES (?, ?, ?)');
    for (const x of a) stmt.run(x.tenant, x.caseId, JSON.stringify(x));
  }

  async addActivity(a: NewActivity[]): Promise<void> {
    this.db.transaction(() => this.insertActivity(a))();
  }

  async activity(tenant: string, caseId: string): Promise<CaseActivity[]> {
    const rows = this.db
      .prepare('SELECT seq, doc FROM case_activity WHERE tenant = ? AND case_id = ? ORDER BY seq')
      .all(tenant, caseId) as Array<{ seq: number; doc: string }>;
    return rows.map((r) => ({ ...(JSON.parse(r.doc) as NewActivity), seq: r.seq }));
  }

  async slaPolicy(tenant: string): Promise<SlaPolicy | undefined> {
    const row = this.db.prepare('SELECT doc FROM case_sla_policies WHERE tenant = ?').get(tenant) as
      { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as SlaPolicy) : undefined;
  }

  async setSlaPolicy(tenant: string, policy: SlaPolicy): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO case_sla_policies (tenant, doc) VALUES (?, ?) ON CONFLICT(tenant) DO UPDATE SET doc = excluded.doc',
      )
      .run(tenant, JSON.stringify(policy));
  }

  async templates(tenant: string): Promise<CaseTemplate[]> {
    return parse<CaseTemplate>(
      this.db.prepare('SELECT doc FROM case_templates WHERE tenant = ? ORDER BY id').all(tenant) as Array<{
        doc: string;
      }>,
    );
  }

  async saveTemplate(tenant: string, t: CaseTemplate): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO case_templates (tenant, id, doc) VALUES (?, ?, ?) ON CONFLICT(tenant, id) DO UPDATE SET doc = excluded.doc',
      )
      .run(tenant, t.id, JSON.stringify(t));
  }

  async removeTemplate(tenant: string, id: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM case_templates WHERE tenant = ? AND id = ?').run(tenant, id).changes > 0
    );
  }
}
