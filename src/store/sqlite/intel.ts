import type { Db } from './db.js';
import {
  ALL_TENANTS,
  indicatorId,
  SEVERITIES,
  type Indicator,
  type IndicatorInput,
  type Provenance,
} from '../../intel/indicator.js';
import type {
  Feed,
  HuntJob,
  IndicatorQuery,
  IntelObject,
  IntelStore,
  LiveIndicator,
} from '../../intel/ports.js';

interface IndicatorRow {
  id: string;
  tenant: string;
  type: string;
  value: string;
  name: string | null;
  description: string | null;
  confidence: number;
  severity: string;
  tlp: string;
  first_seen: string;
  last_seen: string;
  valid_until: number | null;
  tags: string;
  attack: string;
  sources: string;
  provenance: string;
  created_at: string;
  updated_at: string;
}

const toIndicator = (r: IndicatorRow): Indicator => ({
  id: r.id,
  tenant: r.tenant,
  type: r.type as Indicator['type'],
  value: r.value,
  name: r.name,
  description: r.description,
  confidence: r.confidence,
  severity: r.severity as Indicator['severity'],
  tlp: r.tlp as Indicator['tlp'],
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  validUntil: r.valid_until === null ? null : new Date(r.valid_until).toISOString(),
  tags: JSON.parse(r.tags) as string[],
  attack: JSON.parse(r.attack) as string[],
  sources: JSON.parse(r.sources) as string[],
  provenance: JSON.parse(r.provenance) as Provenance[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const union = (a: string[], b: string[] | undefined): string[] => (b ? [...new Set([...a, ...b])] : a);
const later = (a: string, b: string | undefined): string => (b !== undefined && b > a ? b : a);
const earlier = (a: string, b: string | undefined): string => (b !== undefined && b < a ? b : a);
const sevRank = (s: string): number => SEVERITIES.indexOf(s as Indicator['severity']);
const ms = (iso: string | null | undefined): number | null => {
  if (iso === null || iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

/** Tenants a reader sees: its own and the global indicators. */
const readable = (tenants: string[]): string[] => [...new Set([...tenants, ALL_TENANTS])];
const placeholders = (n: number): string => Array(n).fill('?').join(',');

export class SqliteIntelStore implements IntelStore {
  constructor(private readonly db: Db) {}

  /**
   * Merging keeps one record per IOC: provenance holds each source's latest report, confidence
   * and severity are the highest any source gave, first/last seen widen, and a new report
   * renews validity (the later end wins; a report with an explicit null end removes it, one that states
   * nothing keeps it), so a re-reported indicator matches again even after it had expired.
   */
  upsertIndicators(
    items: IndicatorInput[],
    now = new Date(),
  ): Promise<{ inserted: number; updated: number; ids: string[]; newIds: string[] }> {
    const get = this.db.prepare('SELECT * FROM intel_indicators WHERE id = ?');
    const insert = this.db.prepare(`INSERT INTO intel_indicators (id, tenant, type, value, name, description,
      confidence, severity, tlp, first_seen, last_seen, valid_until, tags, attack, sources, provenance,
      created_at, updated_at) VALUES (@id, @tenant, @type, @value, @name, @description, @confidence, @severity,
      @tlp, @first_seen, @last_seen, @valid_until, @tags, @attack, @sources, @provenance, @created_at, @updated_at)
      ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description,
      confidence = excluded.confidence, severity = excluded.severity, tlp = excluded.tlp,
      first_seen = excluded.first_seen, last_seen = excluded.last_seen, valid_until = excluded.valid_until,
      tags = excluded.tags, attack = excluded.attack, sources = excluded.sources, provenance = excluded.provenance,
      updated_at = excluded.updated_at`);
    const nowIso = now.toISOString();
    let inserted = 0;
    let updated = 0;
    const ids: string[] = [];
    const newIds: string[] = [];
    this.db.transaction(() => {
      for (const it of items) {
        const id = indicatorId(it.tenant, it.type, it.value);
        ids.push(id);
        const prov: Provenance = {
          source: it.source,
          seenAt: it.lastSeen ?? nowIso,
          ...(it.feedId ? { feedId: it.feedId } : {}),
          ...(it.externalId ? { externalId: it.externalId } : {}),
          ...(it.reference ? { reference: it.reference } : {}),
          ...(it.confidence !== undefined ? { confidence: it.confidence } : {}),
          ...(it.severity ? { severity: it.severity } : {}),
        };
        const row = get.get(id) as IndicatorRow | undefined;
        const validUntil = it.validUntil === undefined ? null : ms(it.validUntil);
        if (!row) {
          inserted++;
          newIds.push(id);
          insert.run({
            id,
            tenant: it.tenant,
            type: it.type,
            value: it.value,
            name: it.name ?? null,
            description: it.description ?? null,
            confidence: it.confidence ?? 50,
            severity: it.severity ?? 'medium',
            tlp: it.tlp ?? 'amber',
            first_seen: it.firstSeen ?? it.lastSeen ?? nowIso,
            last_seen: it.lastSeen ?? nowIso,
            valid_until: validUntil,
            tags: JSON.stringify(it.tags ?? []),
            attack: JSON.stringify(it.attack ?? []),
            sources: JSON.stringify([it.source]),
            provenance: JSON.stringify([prov]),
            created_at: nowIso,
            updated_at: nowIso,
          });
          continue;
        }
        updated++;
        const cur = toIndicator(row);
        const provenance = [...cur.provenance.filter((p) => p.source !== it.source), prov];
        insert.run({
          id,
          tenant: cur.tenant,
          type: cur.type,
          value: cur.value,
          name: it.name ?? cur.name,
          description: it.description ?? cur.description,
          confidence: Math.max(cur.confidence, it.confidence ?? 0),
          severity: it.severity && sevRank(it.severity) > sevRank(cur.severity) ? it.severity : cur.severity,
          tlp: it.tlp ?? cur.tlp,
          first_seen: earlier(cur.firstSeen, it.firstSeen ?? it.lastSeen),
          last_seen: later(cur.lastSeen, it.lastSeen ?? nowIso),
          valid_until:
            it.validUntil === undefined
              ? row.valid_until
              : validUntil === null || row.valid_until === null
                ? null
                : Math.max(validUntil, row.valid_until),
          tags: JSON.stringify(union(cur.tags, it.tags)),
          attack: JSON.stringify(union(cur.attack, it.attack)),
          sources: JSON.stringify(union(cur.sources, [it.source])),
          provenance: JSON.stringify(provenance),
          created_at: cur.createdAt,
          updated_at: nowIso,
        });
      }
    })();
    return Promise.resolve({ inserted, updated, ids, newIds });
  }

  getIndicator(tenants: string[], id: string): Promise<Indicator | undefined> {
    const t = readable(tenants);
    const row = this.db
      .prepare(`SELECT * FROM intel_indicators WHERE id = ? AND tenant IN (${placeholders(t.length)})`)
      .get(id, ...t) as IndicatorRow | undefined;
    return Promise.resolve(row ? toIndicator(row) : undefined);
  }

  getIndicators(ids: string[]): Promise<Indicator[]> {
    if (ids.length === 0) return Promise.resolve([]);
    const rows = this.db
      .prepare(`SELECT * FROM intel_indicators WHERE id IN (${placeholders(ids.length)})`)
      .all(...ids) as IndicatorRow[];
    return Promise.resolve(rows.map(toIndicator));
  }

  searchIndicators(
    tenants: string[],
    q: IndicatorQuery,
    now = new Date(),
  ): Promise<{ total: number; indicators: Indicator[] }> {
    const t = readable(tenants);
    const where = [`tenant IN (${placeholders(t.length)})`];
    const args: unknown[] = [...t];
    const add = (clause: string, ...values: unknown[]): void => {
      where.push(clause);
      args.push(...values);
    };
    if (q.type) add('type = ?', q.type);
    if (q.value) add('value = ?', q.value);
    if (q.text) {
      where.push(
        "(instr(lower(value), ?) > 0 OR instr(lower(coalesce(name, '')), ?) > 0 OR instr(lower(tags), ?) > 0)",
      );
      const s = q.text.toLowerCase();
      args.push(s, s, s);
    }
    if (q.source) add('EXISTS (SELECT 1 FROM json_each(sources) WHERE value = ?)', q.source);
    if (!q.includeExpired) add('(valid_until IS NULL OR valid_until > ?)', now.getTime());
    const w = where.join(' AND ');
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM intel_indicators WHERE ${w}`).get(...args) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM intel_indicators WHERE ${w} ORDER BY updated_at DESC, id LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset ?? 0) as IndicatorRow[];
    return Promise.resolve({ total, indicators: rows.map(toIndicator) });
  }

  async expireIndicator(tenants: string[], id: string, at: Date): Promise<Indicator | undefined> {
    const found = await this.getIndicator(tenants, id);
    if (!found) return undefined;
    this.db
      .prepare('UPDATE intel_indicators SET valid_until = ?, updated_at = ? WHERE id = ?')
      .run(at.getTime(), at.toISOString(), id);
    return this.getIndicator(tenants, id);
  }

  /** Reads in slices by rowid and yields between them, so a large load never stalls the event loop. */
  async forEachLive(now: Date, cb: (row: LiveIndicator) => void): Promise<number> {
    const stmt = this.db
      .prepare(
        'SELECT rowid, id, tenant, type, value, valid_until FROM intel_indicators WHERE rowid > ? AND (valid_until IS NULL OR valid_until > ?) ORDER BY rowid LIMIT ?',
      )
      .raw();
    let n = 0;
    let after = 0;
    for (;;) {
      const rows = stmt.all(after, now.getTime(), 20_000) as Array<
        [number, string, string, string, string, number | null]
      >;
      for (const [, id, tenant, type, value, vu] of rows)
        cb({ id, tenant, type: type as LiveIndicator['type'], value, validUntil: vu ?? Infinity });
      n += rows.length;
      if (rows.length < 20_000) return n;
      after = rows[rows.length - 1]![0];
      await new Promise((r) => setImmediate(r));
    }
  }

  countIndicators(tenants?: string[]): Promise<number> {
    const row = tenants
      ? this.db
          .prepare(
            `SELECT count(*) AS n FROM intel_indicators WHERE tenant IN (${placeholders(tenants.length)})`,
          )
          .get(...tenants)
      : this.db.prepare('SELECT count(*) AS n FROM intel_indicators').get();
    return Promise.resolve((row as { n: number }).n);
  }

  putObjects(objs: IntelObject[]): Promise<number> {
    const stmt = this.db.prepare(`INSERT INTO intel_objects (id, tenant, type, name, feed_id, modified, doc)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(tenant, id) DO UPDATE SET type = excluded.type, name = excluded.name,
      feed_id = excluded.feed_id, modified = excluded.modified, doc = excluded.doc
      WHERE excluded.modified IS NULL OR intel_objects.modified IS NULL OR excluded.modified >= intel_objects.modified`);
    let n = 0;
    this.db.transaction(() => {
      for (const o of objs)
        n += stmt.run(o.id, o.tenant, o.type, o.name, o.feedId, o.modified, JSON.stringify(o.doc)).changes;
    })();
    return Promise.resolve(n);
  }

  listObjects(tenants: string[], opts: { type?: string; limit: number }): Promise<IntelObject[]> {
    const t = readable(tenants);
    const rows = this.db
      .prepare(
        `SELECT * FROM intel_objects WHERE tenant IN (${placeholders(t.length)}) ${opts.type ? 'AND type = ?' : ''} ORDER BY modified DESC LIMIT ?`,
      )
      .all(...t, ...(opts.type ? [opts.type] : []), opts.limit) as Array<{
      id: string;
      tenant: string;
      type: string;
      name: string | null;
      feed_id: string | null;
      modified: string | null;
      doc: string;
    }>;
    return Promise.resolve(
      rows.map((r) => ({
        id: r.id,
        tenant: r.tenant,
        type: r.type,
        name: r.name,
        feedId: r.feed_id,
        modified: r.modified,
        doc: JSON.parse(r.doc) as Record<string, unknown>,
      })),
    );
  }

  createFeed(f: Feed): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO intel_feeds (id, tenant, name, kind, url, schedule_minutes, enabled, auth, options, health,
         etag, last_modified, cursor, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        f.id,
        f.tenant,
        f.name,
        f.kind,
        f.url,
        f.scheduleMinutes,
        f.enabled ? 1 : 0,
        JSON.stringify(f.auth),
        JSON.stringify(f.options),
        JSON.stringify(f.health),
        f.etag,
        f.lastModified,
        f.cursor,
        f.createdBy,
        f.createdAt,
      );
    return Promise.resolve();
  }

  listFeeds(tenants?: string[]): Promise<Feed[]> {
    const rows = (
      tenants
        ? this.db
            .prepare(
              `SELECT * FROM intel_feeds WHERE tenant IN (${placeholders(readable(tenants).length)}) ORDER BY name`,
            )
            .all(...readable(tenants))
        : this.db.prepare('SELECT * FROM intel_feeds ORDER BY name').all()
    ) as FeedRow[];
    return Promise.resolve(rows.map(toFeed));
  }

  getFeed(id: string): Promise<Feed | undefined> {
    const row = this.db.prepare('SELECT * FROM intel_feeds WHERE id = ?').get(id) as FeedRow | undefined;
    return Promise.resolve(row ? toFeed(row) : undefined);
  }

  updateFeed(id: string, patch: Parameters<IntelStore['updateFeed']>[1]): Promise<void> {
    const sets: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      sets.push(clause);
      args.push(value);
    };
    if (patch.health) add('health = ?', JSON.stringify(patch.health));
    if (patch.etag !== undefined) add('etag = ?', patch.etag);
    if (patch.lastModified !== undefined) add('last_modified = ?', patch.lastModified);
    if (patch.cursor !== undefined) add('cursor = ?', patch.cursor);
    if (patch.enabled !== undefined) add('enabled = ?', patch.enabled ? 1 : 0);
    if (patch.scheduleMinutes !== undefined) add('schedule_minutes = ?', patch.scheduleMinutes);
    if (sets.length > 0)
      this.db.prepare(`UPDATE intel_feeds SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    return Promise.resolve();
  }

  deleteFeed(id: string): Promise<boolean> {
    return Promise.resolve(this.db.prepare('DELETE FROM intel_feeds WHERE id = ?').run(id).changes > 0);
  }

  putHunt(h: HuntJob): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO intel_hunts (id, tenant, doc, started_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc',
      )
      .run(h.id, h.tenant, JSON.stringify(h), h.startedAt);
    return Promise.resolve();
  }

  getHunt(tenants: string[], id: string): Promise<HuntJob | undefined> {
    const row = this.db
      .prepare(
        `SELECT doc FROM intel_hunts WHERE id = ? AND tenant IN (${placeholders(tenants.length || 1)})`,
      )
      .get(id, ...(tenants.length ? tenants : [''])) as { doc: string } | undefined;
    return Promise.resolve(row ? (JSON.parse(row.doc) as HuntJob) : undefined);
  }

  listHunts(tenants: string[], limit: number): Promise<HuntJob[]> {
    if (tenants.length === 0) return Promise.resolve([]);
    const rows = this.db
      .prepare(
        `SELECT doc FROM intel_hunts WHERE tenant IN (${placeholders(tenants.length)}) ORDER BY started_at DESC LIMIT ?`,
      )
      .all(...tenants, limit) as Array<{ doc: string }>;
    return Promise.resolve(rows.map((r) => JSON.parse(r.doc) as HuntJob));
  }
}

interface FeedRow {
  id: string;
  tenant: string;
  name: string;
  kind: string;
  url: string;
  schedule_minutes: number;
  enabled: number;
  auth: string;
  options: string;
  health: string;
  etag: string | null;
  last_modified: string | null;
  cursor: string | null;
  created_by: string;
  created_at: string;
}

const toFeed = (r: FeedRow): Feed => ({
  id: r.id,
  tenant: r.tenant,
  name: r.name,
  kind: r.kind as Feed['kind'],
  url: r.url,
  scheduleMinutes: r.schedule_minutes,
  enabled: r.enabled === 1,
  auth: JSON.parse(r.auth) as Feed['auth'],
  options: JSON.parse(r.options) as Feed['options'],
  health: JSON.parse(r.health) as Feed['health'],
  etag: r.etag,
  lastModified: r.last_modified,
  cursor: r.cursor,
  createdBy: r.created_by,
  createdAt: r.created_at,
});
