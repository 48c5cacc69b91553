import type { Db } from '../store/sqlite/db.js';
import {
  HUNT_COLUMNS,
  huntFromRow,
  type HuntProgress,
  type SigmaHunt,
  type SigmaHuntHit,
  type SigmaHuntStore,
} from './sigma-hunts.js';

type Row = Record<string, unknown>;
const toHunt = huntFromRow;
const COLS = HUNT_COLUMNS;

export class SqliteSigmaHuntStore implements SigmaHuntStore {
  constructor(private readonly db: Db) {}

  create(h: SigmaHunt, ruleYaml: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sigma_hunts (${COLS}, rule_yaml) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        h.id,
        h.tenant,
        h.status,
        JSON.stringify(h.rules),
        h.from,
        h.to,
        h.raiseAlerts ? 1 : 0,
        h.maxEvents,
        h.total,
        h.scanned,
        h.hits,
        h.error,
        h.requestedBy,
        h.createdAt,
        h.startedAt,
        h.finishedAt,
        h.cancelRequested ? 1 : 0,
        h.cursor,
        ruleYaml,
      );
    return Promise.resolve();
  }

  get(tenant: string, id: string): Promise<SigmaHunt | undefined> {
    const r = this.db
      .prepare(`SELECT ${COLS} FROM sigma_hunts WHERE tenant = ? AND id = ?`)
      .get(tenant, id) as Row | undefined;
    return Promise.resolve(r ? toHunt(r) : undefined);
  }

  list(tenants: string[], limit: number): Promise<SigmaHunt[]> {
    if (tenants.length === 0) return Promise.resolve([]);
    const rows = this.db
      .prepare(
        `SELECT ${COLS} FROM sigma_hunts WHERE tenant IN (${tenants.map(() => '?').join(',')})
         ORDER BY created_at DESC, id LIMIT ?`,
      )
      .all(...tenants, limit) as Row[];
    return Promise.resolve(rows.map(toHunt));
  }

  correlationState(id: string): Promise<string | null> {
    const r = this.db.prepare('SELECT correlation_state FROM sigma_hunts WHERE id = ?').get(id) as
      { correlation_state: string | null } | undefined;
    return Promise.resolve(r?.correlation_state ?? null);
  }

  ruleYaml(id: string): Promise<string | undefined> {
    const r = this.db.prepare(`SELECT rule_yaml FROM sigma_hunts WHERE id = ?`).get(id) as
      { rule_yaml: string } | undefined;
    return Promise.resolve(r?.rule_yaml);
  }

  requestCancel(tenant: string, id: string): Promise<SigmaHunt | undefined> {
    // A queued job never started: it is cancelled at once; a running one stops at its next page.
    this.db
      .prepare(
        `UPDATE sigma_hunts SET cancel_requested = 1,
           status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
           finished_at = CASE WHEN status = 'queued' THEN ? ELSE finished_at END
         WHERE tenant = ? AND id = ? AND status IN ('queued', 'running')`,
      )
      .run(new Date().toISOString(), tenant, id);
    return this.get(tenant, id);
  }

  claimNext(worker: string, now: Date, leaseUntil: Date): Promise<SigmaHunt | undefined> {
    const claim = this.db.transaction(() => {
      const r = this.db
        .prepare(
          `SELECT id FROM sigma_hunts
           WHERE status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < ?))
           ORDER BY created_at, id LIMIT 1`,
        )
        .get(now.toISOString()) as { id: string } | undefined;
      if (!r) return undefined;
      this.db
        .prepare(
          `UPDATE sigma_hunts SET status = 'running', worker = ?, lease_until = ?,
             started_at = COALESCE(started_at, ?) WHERE id = ?`,
        )
        .run(worker, leaseUntil.toISOString(), now.toISOString(), r.id);
      return toHunt(this.db.prepare(`SELECT ${COLS} FROM sigma_hunts WHERE id = ?`).get(r.id) as Row);
    });
    return Promise.resolve(claim.immediate());
  }

  progress(id: string, worker: string, p: HuntProgress): Promise<{ cancelRequested: boolean } | undefined> {
    const r = this.db
      .prepare(
        `UPDATE sigma_hunts SET total = ?, scanned = ?, hits = ?, cursor = ?, correlation_state = ?, lease_until = ?
         WHERE id = ? AND worker = ? AND status = 'running' RETURNING cancel_requested`,
      )
      .get(
        p.total,
        p.scanned,
        p.hits,
        p.cursor,
        p.correlationState ?? null,
        p.leaseUntil.toISOString(),
        id,
        worker,
      ) as { cancel_requested: number } | undefined;
    return Promise.resolve(r ? { cancelRequested: r.cancel_requested === 1 } : undefined);
  }

  addHits(hits: SigmaHuntHit[]): Promise<void> {
    const ins = this.db.prepare(
      `INSERT OR IGNORE INTO sigma_hunt_hits (hunt_id, event_id, rule_id, title, level, ts) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const h of hits) ins.run(h.huntId, h.eventId, h.ruleId, h.title, h.level, h.ts);
    })();
    return Promise.resolve();
  }

  async hits(
    tenant: string,
    id: string,
    opts: { limit: number; offset: number },
  ): Promise<{ total: number; hits: SigmaHuntHit[] }> {
    if (!(await this.get(tenant, id))) return { total: 0, hits: [] };
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM sigma_hunt_hits WHERE hunt_id = ?`).get(id) as { n: number }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT hunt_id AS huntId, event_id AS eventId, rule_id AS ruleId, title, level, ts
         FROM sigma_hunt_hits WHERE hunt_id = ? ORDER BY ts DESC, event_id, rule_id LIMIT ? OFFSET ?`,
      )
      .all(id, opts.limit, opts.offset) as SigmaHuntHit[];
    return { total, hits: rows };
  }

  finish(
    id: string,
    worker: string,
    status: 'done' | 'failed' | 'cancelled',
    error: string | null,
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE sigma_hunts SET status = ?, error = ?, finished_at = ?, worker = NULL, lease_until = NULL
         WHERE id = ? AND worker = ?`,
      )
      .run(status, error, new Date().toISOString(), id, worker);
    return Promise.resolve();
  }

  release(id: string, worker: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE sigma_hunts SET status = 'queued', worker = NULL, lease_until = NULL
         WHERE id = ? AND worker = ? AND status = 'running'`,
      )
      .run(id, worker);
    return Promise.resolve();
  }
}
