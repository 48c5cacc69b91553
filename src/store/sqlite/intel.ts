import type { Db } from './db.js';
import {
  ALL_TENANTS,
  indicatorId,
  type Indicator,
  type IndicatorInput,
  type IndicatorWarning,
  type Provenance,
} from '../../intel/indicator.js';
import {
  applySighting,
  epochMs,
  mergeIndicator,
  publicIndicator,
  type IndicatorRecord,
} from '../../intel/merge.js';
import type {
  Feed,
  HuntJob,
  IndicatorPageQuery,
  IndicatorQuery,
  IntelObject,
  IntelStore,
  LiveIndicator,
  Sighting,
  SightingPolicy,
  Warninglist,
} from '../../intel/ports.js';
import {
  KEEP_VERSIONS,
  servedVersion,
  versionChange,
  versionSelectionTerm,
  type IndicatorVersion,
  type IndicatorVersionQuery,
  type VersionColumns,
} from '../../intel/versions.js';
import { stixIdOf } from '../../intel/share.js';

interface IndicatorRow {
  id: string;
  tenant: string;
  type: string;
  value: string;
  name: string | null;
  description: string | null;
  confidence: number;
  raw_confidence: number | null;
  confidence_penalty: number;
  severity: string;
  tlp: string;
  first_seen: string;
  last_seen: string;
  valid_until: number | null;
  tags: string;
  attack: string;
  sources: string;
  provenance: string;
  sightings: number;
  false_positives: number;
  warning: string | null;
  created_at: string;
  updated_at: string;
}

const toRecord = (r: IndicatorRow): IndicatorRecord => ({
  id: r.id,
  tenant: r.tenant,
  type: r.type as Indicator['type'],
  value: r.value,
  name: r.name,
  description: r.description,
  confidence: r.confidence,
  rawConfidence: r.raw_confidence ?? r.confidence,
  confidencePenalty: r.confidence_penalty,
  severity: r.severity as Indicator['severity'],
  tlp: r.tlp as Indicator['tlp'],
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  validUntil: r.valid_until === null ? null : new Date(r.valid_until).toISOString(),
  tags: JSON.parse(r.tags) as string[],
  attack: JSON.parse(r.attack) as string[],
  sources: JSON.parse(r.sources) as string[],
  provenance: JSON.parse(r.provenance) as Provenance[],
  sightings: r.sightings,
  falsePositives: r.false_positives,
  warning: r.warning === null ? null : (JSON.parse(r.warning) as IndicatorWarning),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toIndicator = (r: IndicatorRow): Indicator => publicIndicator(toRecord(r));

const toRow = (x: IndicatorRecord): IndicatorRow => ({
  id: x.id,
  tenant: x.tenant,
  type: x.type,
  value: x.value,
  name: x.name,
  description: x.description,
  confidence: x.confidence,
  raw_confidence: x.rawConfidence,
  confidence_penalty: x.confidencePenalty,
  severity: x.severity,
  tlp: x.tlp,
  first_seen: x.firstSeen,
  last_seen: x.lastSeen,
  valid_until: epochMs(x.validUntil),
  tags: JSON.stringify(x.tags),
  attack: JSON.stringify(x.attack),
  sources: JSON.stringify(x.sources),
  provenance: JSON.stringify(x.provenance),
  sightings: x.sightings,
  false_positives: x.falsePositives,
  warning: x.warning ? JSON.stringify(x.warning) : null,
  created_at: x.createdAt,
  updated_at: x.updatedAt,
});

/** Tenants a reader sees: its own and the global indicators. */
const readable = (tenants: string[]): string[] => [...new Set([...tenants, ALL_TENANTS])];
const placeholders = (n: number): string => Array(n).fill('?').join(',');

export class SqliteIntelStore implements IntelStore {
  constructor(private readonly db: Db) {}

  private writeRow(): { run: (row: IndicatorRow) => unknown } {
    return this.db.prepare(`INSERT INTO intel_indicators (id, tenant, type, value, name, description,
      confidence, raw_confidence, confidence_penalty, severity, tlp, first_seen, last_seen, valid_until, tags,
      attack, sources, provenance, sightings, false_positives, warning, created_at, updated_at)
      VALUES (@id, @tenant, @type, @value, @name, @description, @confidence, @raw_confidence,
      @confidence_penalty, @severity, @tlp, @first_seen, @last_seen, @valid_until, @tags, @attack, @sources,
      @provenance, @sightings, @false_positives, @warning, @created_at, @updated_at)
      ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description,
      confidence = excluded.confidence, raw_confidence = excluded.raw_confidence,
      confidence_penalty = excluded.confidence_penalty, severity = excluded.severity, tlp = excluded.tlp,
      first_seen = excluded.first_seen, last_seen = excluded.last_seen, valid_until = excluded.valid_until,
      tags = excluded.tags, attack = excluded.attack, sources = excluded.sources, provenance = excluded.provenance,
      sightings = excluded.sightings, false_positives = excluded.false_positives, warning = excluded.warning,
      updated_at = excluded.updated_at`);
  }

  /** Each input merges into its record (see mergeIndicator), all in one transaction. */
  upsertIndicators(
    items: IndicatorInput[],
    now = new Date(),
  ): Promise<{ inserted: number; updated: number; ids: string[]; newIds: string[] }> {
    const get = this.db.prepare('SELECT * FROM intel_indicators WHERE id = ?');
    const write = this.writeRow();
    const nowIso = now.toISOString();
    let inserted = 0;
    let updated = 0;
    const ids: string[] = [];
    const newIds: string[] = [];
    this.db.transaction(() => {
      for (const it of items) {
        const id = indicatorId(it.tenant, it.type, it.value);
        ids.push(id);
        const row = get.get(id) as IndicatorRow | undefined;
        if (row) updated++;
        else {
          inserted++;
          newIds.push(id);
        }
        const prev = row ? toRecord(row) : undefined;
        const merged = mergeIndicator(id, prev, it, nowIso);
        write.run(toRow(merged));
        this.recordVersion(merged, prev);
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
    if (q.values)
      add(
        q.values.length === 0 ? '0 = 1' : `value IN (${placeholders(q.values.length)})`,
        ...q.values.slice(0, 500),
      );
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
    this.db.transaction(() => {
      const get = this.db.prepare('SELECT * FROM intel_indicators WHERE id = ?');
      const prev = toRecord(get.get(id) as IndicatorRow);
      this.db
        .prepare('UPDATE intel_indicators SET valid_until = ?, updated_at = ? WHERE id = ?')
        .run(at.getTime(), at.toISOString(), id);
      this.recordVersion(toRecord(get.get(id) as IndicatorRow), prev);
    })();
    return this.getIndicator(tenants, id);
  }

  /**
   * Appends a version when what consumers see of the record changed (see intel/versions.ts); the
   * superseded one gets its STIX written out from `prev`, the record before this change.
   */
  private recordVersion(rec: Indicator, prev?: Indicator): void {
    const change = versionChange(rec, prev);
    if (!change) return;
    const q = (this.versionSql ??= this.prepareVersionSql());
    const v = change.row;
    if (change.supersedes !== undefined) q.writeOut.run(change.supersedes, v.stixId);
    q.insert.run(v.stixId, v.modified, v.indicatorId, v.tenant, v.tlp);
    if (prev) q.prune.run(v.stixId, v.stixId, KEEP_VERSIONS - 1);
  }

  private versionSql: ReturnType<SqliteIntelStore['prepareVersionSql']> | undefined;
  private prepareVersionSql() {
    const t = 'intel_indicator_versions';
    return {
      // The latest version is the one whose STIX is not written out; its time goes into it.
      writeOut: this.db.prepare(
        `UPDATE ${t} SET stix = json_set(?, '$.modified', modified) WHERE stix_id = ? AND stix IS NULL`,
      ),
      insert: this.db.prepare(
        `INSERT OR REPLACE INTO ${t} (stix_id, modified, indicator_id, tenant, tlp, stix) VALUES (?, ?, ?, ?, ?, NULL)`,
      ),
      prune: this.db.prepare(
        `DELETE FROM ${t} WHERE stix_id = ? AND modified < (SELECT modified FROM ${t}
         WHERE stix_id = ? ORDER BY modified DESC LIMIT 1 OFFSET ?)`,
      ),
      has: this.db.prepare(`SELECT 1 FROM ${t} WHERE stix_id = ? LIMIT 1`).pluck(),
    };
  }

  /** Gives records stored before versions were kept their first version (once per store). */
  private versionsBackfilled = false;
  private async backfillVersions(): Promise<void> {
    if (this.versionsBackfilled) return;
    const q = (this.versionSql ??= this.prepareVersionSql());
    const stmt = this.db.prepare('SELECT * FROM intel_indicators WHERE id > ? ORDER BY id LIMIT 2000');
    let after = '';
    for (;;) {
      const rows = stmt.all(after) as IndicatorRow[];
      this.db.transaction(() => {
        for (const r of rows) if (q.has.get(stixIdOf(r)) === undefined) this.recordVersion(toRecord(r));
      })();
      if (rows.length < 2000) break;
      after = rows[rows.length - 1]!.id;
      await new Promise((r) => setImmediate(r));
    }
    this.versionsBackfilled = true;
  }

  deleteIndicatorVersions(tenant: string, id: string, versions: string[]): Promise<number> {
    if (versions.length === 0) return Promise.resolve(0);
    const stixId = stixIdOf({ id });
    const r = this.db
      .prepare(
        `DELETE FROM intel_indicator_versions WHERE stix_id = ? AND tenant = ?
         AND modified IN (${placeholders(versions.length)})
         AND modified < (SELECT max(modified) FROM intel_indicator_versions WHERE stix_id = ?)`,
      )
      .run(stixId, tenant, ...versions, stixId);
    return Promise.resolve(r.changes);
  }

  async pageIndicatorVersions(tenants: string[], q: IndicatorVersionQuery): Promise<IndicatorVersion[]> {
    await this.backfillVersions();
    const t = readable(tenants);
    const tlps = q.tlps.length ? q.tlps : [''];
    const where = [
      `v.tenant IN (${placeholders(t.length)})`,
      `v.tlp IN (${placeholders(tlps.length)})`,
      `i.tlp IN (${placeholders(tlps.length)})`,
      'i.warning IS NULL',
    ];
    const args: unknown[] = [...t, ...tlps, ...tlps];
    if (q.after) {
      where.push('(v.modified > ? OR (v.modified = ? AND v.indicator_id > ?))');
      args.push(q.after.modified, q.after.modified, q.after.id);
    }
    if (q.stixIds) {
      where.push(`v.stix_id IN (${placeholders(q.stixIds.length || 1)})`);
      args.push(...(q.stixIds.length ? q.stixIds : ['']));
    }
    const chosen = versionSelectionTerm(q.select, placeholders);
    if (chosen) {
      where.push(chosen.sql);
      args.push(...chosen.args);
    }
    const rows = this.db
      .prepare(
        `SELECT v.stix_id AS v_stix_id, v.modified AS v_modified, v.stix AS v_stix, i.*
         FROM intel_indicator_versions v JOIN intel_indicators i ON i.id = v.indicator_id
         WHERE ${where.join(' AND ')} ORDER BY v.modified, v.indicator_id LIMIT ?`,
      )
      .all(...args, q.limit) as Array<IndicatorRow & VersionColumns>;
    return rows.map((r) => servedVersion(r, toIndicator));
  }

  /** Reads in slices by rowid and yields between them, so a large load never stalls the event loop. */
  async forEachLive(now: Date, cb: (row: LiveIndicator) => void): Promise<number> {
    const stmt = this.db
      .prepare(
        'SELECT rowid, id, tenant, type, value, valid_until FROM intel_indicators WHERE rowid > ? AND (valid_until IS NULL OR valid_until > ?) AND warning IS NULL ORDER BY rowid LIMIT ?',
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

  changeMark(): Promise<string> {
    const r = this.db
      .prepare(
        `SELECT (SELECT max(updated_at) FROM intel_indicators) AS i, (SELECT count(*) FROM intel_warninglists) AS n,
         (SELECT max(updated_at) FROM intel_warninglists) AS w, (SELECT max(deleted_at) FROM intel_deleted) AS d`,
      )
      .get() as { i: string | null; n: number; w: string | null; d: string | null };
    return Promise.resolve(`${r.i ?? ''}|${r.n}|${r.w ?? ''}|${r.d ?? ''}`);
  }

  deleteIndicator(tenant: string, id: string): Promise<boolean> {
    return Promise.resolve(
      this.db.transaction(() => {
        const gone = this.db
          .prepare('DELETE FROM intel_indicators WHERE id = ? AND tenant = ?')
          .run(id, tenant);
        if (gone.changes === 0) return false;
        this.db.prepare('DELETE FROM intel_sightings WHERE indicator_id = ?').run(id);
        this.db.prepare('DELETE FROM intel_indicator_versions WHERE stix_id = ?').run(stixIdOf({ id }));
        this.db
          .prepare(
            'INSERT INTO intel_deleted (id, tenant, deleted_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET deleted_at = excluded.deleted_at',
          )
          .run(id, tenant, new Date().toISOString());
        return true;
      })(),
    );
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

  addSighting(s: Sighting, policy: SightingPolicy): Promise<Indicator | undefined> {
    const get = this.db.prepare('SELECT * FROM intel_indicators WHERE id = ?');
    return Promise.resolve(
      this.db.transaction(() => {
        const row = get.get(s.indicatorId) as IndicatorRow | undefined;
        if (!row) return undefined;
        const added = this.db
          .prepare(
            `INSERT OR IGNORE INTO intel_sightings (id, tenant, indicator_id, kind, count, source, note, event_id, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(s.id, s.tenant, s.indicatorId, s.kind, s.count, s.source, s.note, s.eventId, s.at);
        // A sighting id seen before (a redelivered verdict) has already had its effect.
        if (added.changes === 0) return publicIndicator(toRecord(row));
        const next = applySighting(toRecord(row), s, policy);
        this.writeRow().run(toRow(next));
        this.recordVersion(next, toRecord(row));
        return publicIndicator(next);
      })(),
    );
  }

  listSightings(tenants: string[], indicatorId: string, limit: number): Promise<Sighting[]> {
    const t = readable(tenants);
    const rows = this.db
      .prepare(
        `SELECT * FROM intel_sightings WHERE indicator_id = ? AND tenant IN (${placeholders(t.length)})
         ORDER BY at DESC, id LIMIT ?`,
      )
      .all(indicatorId, ...t, limit) as SightingRow[];
    return Promise.resolve(rows.map(toSighting));
  }

  pageSightings(
    tenants: string[],
    q: { after?: { at: string; id: string }; tlps: string[]; limit: number },
  ): Promise<Sighting[]> {
    const args: unknown[] = [...tenants, ...(q.tlps.length ? q.tlps : [''])];
    let after = '';
    if (q.after) {
      after = 'AND (s.at > ? OR (s.at = ? AND s.id > ?))';
      args.push(q.after.at, q.after.at, q.after.id);
    }
    const rows = this.db
      .prepare(
        `SELECT s.* FROM intel_sightings s JOIN intel_indicators i ON i.id = s.indicator_id
         WHERE s.tenant IN (${placeholders(tenants.length || 1)}) AND i.tlp IN (${placeholders(q.tlps.length || 1)})
         AND s.kind != 'suppressed' ${after} ORDER BY s.at, s.id LIMIT ?`,
      )
      .all(...(tenants.length ? [] : ['']), ...args, q.limit) as SightingRow[];
    return Promise.resolve(rows.map(toSighting));
  }

  pageIndicators(tenants: string[], q: IndicatorPageQuery): Promise<Indicator[]> {
    const t = readable(tenants);
    const where = [`tenant IN (${placeholders(t.length)})`, `tlp IN (${placeholders(q.tlps.length || 1)})`];
    const args: unknown[] = [...t, ...(q.tlps.length ? q.tlps : [''])];
    if (q.after) {
      where.push('(updated_at > ? OR (updated_at = ? AND id > ?))');
      args.push(q.after.updatedAt, q.after.updatedAt, q.after.id);
    }
    if (q.until) {
      where.push('updated_at <= ?');
      args.push(q.until);
    }
    if (q.ids) {
      where.push(`id IN (${placeholders(q.ids.length || 1)})`);
      args.push(...(q.ids.length ? q.ids : ['']));
    }
    if (q.types) {
      where.push(`type IN (${placeholders(q.types.length || 1)})`);
      args.push(...(q.types.length ? q.types : ['']));
    }
    const rows = this.db
      .prepare(`SELECT * FROM intel_indicators WHERE ${where.join(' AND ')} ORDER BY updated_at, id LIMIT ?`)
      .all(...args, q.limit) as IndicatorRow[];
    return Promise.resolve(rows.map(toIndicator));
  }

  setWarnings(items: Array<{ id: string; warning: IndicatorWarning | null }>, at: Date): Promise<number> {
    const stmt = this.db.prepare('UPDATE intel_indicators SET warning = ?, updated_at = ? WHERE id = ?');
    let n = 0;
    this.db.transaction(() => {
      for (const it of items)
        n += stmt.run(it.warning ? JSON.stringify(it.warning) : null, at.toISOString(), it.id).changes;
    })();
    return Promise.resolve(n);
  }

  clearWarnings(list: Pick<Warninglist, 'name' | 'kind' | 'tenant'>, at: Date): Promise<string[]> {
    const scope = list.tenant === ALL_TENANTS ? '' : 'AND tenant = ?';
    const args = [list.name, list.kind, ...(list.tenant === ALL_TENANTS ? [] : [list.tenant])];
    const where = `warning IS NOT NULL AND json_extract(warning, '$.list') = ? AND json_extract(warning, '$.kind') = ? ${scope}`;
    return Promise.resolve(
      this.db.transaction(() => {
        const ids = (
          this.db.prepare(`SELECT id FROM intel_indicators WHERE ${where}`).all(...args) as Array<{
            id: string;
          }>
        ).map((r) => r.id);
        this.db
          .prepare(`UPDATE intel_indicators SET warning = NULL, updated_at = ? WHERE ${where}`)
          .run(at.toISOString(), ...args);
        return ids;
      })(),
    );
  }

  putWarninglist(w: Warninglist): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO intel_warninglists (id, tenant, kind, name, doc, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, doc = excluded.doc, updated_at = excluded.updated_at`,
      )
      .run(w.id, w.tenant, w.kind, w.name, JSON.stringify(w), w.updatedAt);
    return Promise.resolve();
  }

  listWarninglists(tenants?: string[]): Promise<Warninglist[]> {
    const rows = (
      tenants
        ? this.db
            .prepare(
              `SELECT doc FROM intel_warninglists WHERE tenant IN (${placeholders(readable(tenants).length)}) ORDER BY kind, name, id`,
            )
            .all(...readable(tenants))
        : this.db.prepare('SELECT doc FROM intel_warninglists ORDER BY kind, name, id').all()
    ) as Array<{ doc: string }>;
    return Promise.resolve(rows.map((r) => JSON.parse(r.doc) as Warninglist));
  }

  getWarninglist(id: string): Promise<Warninglist | undefined> {
    const row = this.db.prepare('SELECT doc FROM intel_warninglists WHERE id = ?').get(id) as
      { doc: string } | undefined;
    return Promise.resolve(row ? (JSON.parse(row.doc) as Warninglist) : undefined);
  }

  deleteWarninglist(id: string): Promise<boolean> {
    return Promise.resolve(
      this.db.prepare('DELETE FROM intel_warninglists WHERE id = ?').run(id).changes > 0,
    );
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

interface SightingRow {
  id: string;
  tenant: string;
  indicator_id: string;
  kind: string;
  count: number;
  source: string;
  note: string | null;
  event_id: string | null;
  at: string;
}

const toSighting = (r: SightingRow): Sighting => ({
  id: r.id,
  tenant: r.tenant,
  indicatorId: r.indicator_id,
  kind: r.kind as Sighting['kind'],
  count: r.count,
  source: r.source,
  note: r.note,
  eventId: r.event_id,
  at: r.at,
});
