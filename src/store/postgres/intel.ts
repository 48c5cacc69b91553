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
import { inTransaction, type Pool } from './db.js';
import { changes, inList, lockKeys, one, rows, type Queryable } from './sql.js';

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
  tags: string[];
  attack: string[];
  sources: string[];
  provenance: Provenance[];
  sightings: number;
  false_positives: number;
  warning: IndicatorWarning | null;
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
  tags: r.tags,
  attack: r.attack,
  sources: r.sources,
  provenance: r.provenance,
  sightings: r.sightings,
  falsePositives: r.false_positives,
  warning: r.warning,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toIndicator = (r: IndicatorRow): Indicator => publicIndicator(toRecord(r));

const COLUMNS = [
  'id',
  'tenant',
  'type',
  'value',
  'name',
  'description',
  'confidence',
  'raw_confidence',
  'confidence_penalty',
  'severity',
  'tlp',
  'first_seen',
  'last_seen',
  'valid_until',
  'tags',
  'attack',
  'sources',
  'provenance',
  'sightings',
  'false_positives',
  'warning',
  'created_at',
  'updated_at',
] as const;
/** Columns a merge rewrites: all but the key, tenant, type, value and creation time. */
const MUTABLE = COLUMNS.filter((c) => !['id', 'tenant', 'type', 'value', 'created_at'].includes(c));

const values = (x: IndicatorRecord): unknown[] => [
  x.id,
  x.tenant,
  x.type,
  x.value,
  x.name,
  x.description,
  x.confidence,
  x.rawConfidence,
  x.confidencePenalty,
  x.severity,
  x.tlp,
  x.firstSeen,
  x.lastSeen,
  epochMs(x.validUntil),
  JSON.stringify(x.tags),
  JSON.stringify(x.attack),
  JSON.stringify(x.sources),
  JSON.stringify(x.provenance),
  x.sightings,
  x.falsePositives,
  x.warning ? JSON.stringify(x.warning) : null,
  x.createdAt,
  x.updatedAt,
];

/** Writes merged records, many per statement (PostgreSQL takes at most 65535 parameters). */
async function writeRecords(c: Queryable, recs: IndicatorRecord[]): Promise<void> {
  const per = 1000;
  for (let i = 0; i < recs.length; i += per) {
    const slice = recs.slice(i, i + per);
    const tuple = `(${inList(COLUMNS.length)})`;
    await changes(
      c,
      `INSERT INTO intel_indicators (${COLUMNS.join(', ')}) VALUES ${slice.map(() => tuple).join(', ')}
       ON CONFLICT (id) DO UPDATE SET ${MUTABLE.map((col) => `${col} = excluded.${col}`).join(', ')}`,
      slice.flatMap(values),
    );
  }
}

/**
 * Appends a version to each record whose STIX form changed (see intel/versions.ts); the version
 * it supersedes gets its STIX written out from `prevs` (the records before this change).
 */
async function recordVersions(
  c: Queryable,
  recs: Indicator[],
  prevs: ReadonlyMap<string, Indicator> = new Map(),
): Promise<void> {
  const made = recs
    .map((r) => versionChange(r, prevs.get(r.id)))
    .filter((x): x is NonNullable<typeof x> => x !== undefined);
  for (let i = 0; i < made.length; i += 1000) {
    const slice = made.slice(i, i + 1000);
    const past = slice.filter((x) => x.supersedes !== undefined);
    // The latest version is the one whose STIX is not written out; its time goes into it.
    if (past.length)
      await changes(
        c,
        `UPDATE intel_indicator_versions v SET stix = jsonb_set(d.stix::jsonb, '{modified}', to_jsonb(v.modified))::text
         FROM (VALUES ${past.map(() => '(?::text, ?::text)').join(', ')}) AS d(stix_id, stix)
         WHERE v.stix_id = d.stix_id AND v.stix IS NULL`,
        past.flatMap((x) => [x.row.stixId, x.supersedes]),
      );
    await changes(
      c,
      `INSERT INTO intel_indicator_versions (stix_id, modified, indicator_id, tenant, tlp)
       VALUES ${slice.map(() => '(?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (stix_id, modified) DO UPDATE SET tlp = excluded.tlp, stix = NULL`,
      slice.flatMap(({ row: v }) => [v.stixId, v.modified, v.indicatorId, v.tenant, v.tlp]),
    );
    if (past.length)
      await changes(
        c,
        `DELETE FROM intel_indicator_versions v WHERE v.stix_id = ANY(?) AND v.modified < (SELECT k.modified
         FROM intel_indicator_versions k WHERE k.stix_id = v.stix_id ORDER BY k.modified DESC OFFSET ? LIMIT 1)`,
        [past.map((x) => x.row.stixId), KEEP_VERSIONS - 1],
      );
  }
}

/** Tenants a reader sees: its own and the global indicators. */
const readable = (tenants: string[]): string[] => [...new Set([...tenants, ALL_TENANTS])];
/** Byte order, as SQLite sorts text, so both adapters page alike. */
const C = 'COLLATE "C"';

export class PostgresIntelStore implements IntelStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Each input merges into its record (see mergeIndicator) in one transaction. Merging reads then
   * writes, so imports into one tenant are serialized across nodes (one lock per tenant, not per
   * IOC, which would cost a round trip each): two nodes importing the same IOC at once would
   * otherwise each drop the other's provenance.
   */
  upsertIndicators(
    items: IndicatorInput[],
    now = new Date(),
  ): Promise<{ inserted: number; updated: number; ids: string[]; newIds: string[] }> {
    const nowIso = now.toISOString();
    const ids = items.map((it) => indicatorId(it.tenant, it.type, it.value));
    return inTransaction(this.pool, async (c) => {
      await lockKeys(
        c,
        items.map((it) => `intel-indicators:${it.tenant}`),
      );
      const merged = new Map<string, IndicatorRecord>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += 5000) {
        const found = await rows<IndicatorRow>(c, 'SELECT * FROM intel_indicators WHERE id = ANY(?)', [
          unique.slice(i, i + 5000),
        ]);
        for (const r of found) merged.set(r.id, toRecord(r));
      }
      const prevs = new Map(merged);
      let inserted = 0;
      let updated = 0;
      const newIds: string[] = [];
      items.forEach((it, i) => {
        const id = ids[i]!;
        const cur = merged.get(id);
        if (cur) updated++;
        else {
          inserted++;
          newIds.push(id);
        }
        merged.set(id, mergeIndicator(id, cur, it, nowIso));
      });
      const recs = unique.map((id) => merged.get(id)!);
      await writeRecords(c, recs);
      await recordVersions(c, recs, prevs);
      return { inserted, updated, ids, newIds };
    });
  }

  async getIndicator(tenants: string[], id: string): Promise<Indicator | undefined> {
    const t = readable(tenants);
    const row = await one<IndicatorRow>(
      this.pool,
      `SELECT * FROM intel_indicators WHERE id = ? AND tenant IN (${inList(t.length)})`,
      [id, ...t],
    );
    return row ? toIndicator(row) : undefined;
  }

  async getIndicators(ids: string[]): Promise<Indicator[]> {
    if (ids.length === 0) return [];
    return (
      await rows<IndicatorRow>(this.pool, 'SELECT * FROM intel_indicators WHERE id = ANY(?)', [ids])
    ).map(toIndicator);
  }

  async searchIndicators(
    tenants: string[],
    q: IndicatorQuery,
    now = new Date(),
  ): Promise<{ total: number; indicators: Indicator[] }> {
    const t = readable(tenants);
    const where = [`tenant IN (${inList(t.length)})`];
    const args: unknown[] = [...t];
    const add = (clause: string, ...v: unknown[]): void => {
      where.push(clause);
      args.push(...v);
    };
    if (q.type) add('type = ?', q.type);
    if (q.value) add('value = ?', q.value);
    if (q.values)
      add(
        q.values.length === 0 ? '0 = 1' : `value IN (${inList(q.values.length)})`,
        ...q.values.slice(0, 500),
      );
    if (q.text) {
      const s = q.text.toLowerCase();
      add(
        "(strpos(lower(value), ?) > 0 OR strpos(lower(coalesce(name, '')), ?) > 0 OR strpos(lower(tags::text), ?) > 0)",
        s,
        s,
        s,
      );
    }
    if (q.source) add('sources @> ?::jsonb', JSON.stringify([q.source]));
    if (!q.includeExpired) add('(valid_until IS NULL OR valid_until > ?)', now.getTime());
    const w = where.join(' AND ');
    const total = (await one<{ n: number }>(
      this.pool,
      `SELECT count(*)::int AS n FROM intel_indicators WHERE ${w}`,
      args,
    ))!.n;
    const found = await rows<IndicatorRow>(
      this.pool,
      `SELECT * FROM intel_indicators WHERE ${w} ORDER BY updated_at ${C} DESC, id ${C} LIMIT ? OFFSET ?`,
      [...args, q.limit, q.offset ?? 0],
    );
    return { total, indicators: found.map(toIndicator) };
  }

  async expireIndicator(tenants: string[], id: string, at: Date): Promise<Indicator | undefined> {
    const found = await this.getIndicator(tenants, id);
    if (!found) return undefined;
    await inTransaction(this.pool, async (c) => {
      const prev = await one<IndicatorRow>(c, 'SELECT * FROM intel_indicators WHERE id = ? FOR UPDATE', [id]);
      const row = await one<IndicatorRow>(
        c,
        'UPDATE intel_indicators SET valid_until = ?, updated_at = ? WHERE id = ? RETURNING *',
        [at.getTime(), at.toISOString(), id],
      );
      if (row && prev) await recordVersions(c, [toRecord(row)], new Map([[id, toRecord(prev)]]));
    });
    return this.getIndicator(tenants, id);
  }

  /** Gives records stored before versions were kept their first version (once per store). */
  private versionsBackfilled = false;
  private async backfillVersions(): Promise<void> {
    if (this.versionsBackfilled) return;
    let after = '';
    for (;;) {
      const found = await rows<IndicatorRow>(
        this.pool,
        `SELECT * FROM intel_indicators WHERE id ${C} > ? ORDER BY id ${C} LIMIT 2000`,
        [after],
      );
      const have = new Set(
        (
          await rows<{ stix_id: string }>(
            this.pool,
            'SELECT DISTINCT stix_id FROM intel_indicator_versions WHERE stix_id = ANY(?)',
            [found.map((r) => stixIdOf(r))],
          )
        ).map((r) => r.stix_id),
      );
      const missing = found.filter((r) => !have.has(stixIdOf(r))).map(toRecord);
      if (missing.length) await inTransaction(this.pool, (c) => recordVersions(c, missing));
      if (found.length < 2000) break;
      after = found[found.length - 1]!.id;
    }
    this.versionsBackfilled = true;
  }

  async deleteIndicatorVersions(tenant: string, id: string, versions: string[]): Promise<number> {
    if (versions.length === 0) return 0;
    const stixId = stixIdOf({ id });
    return changes(
      this.pool,
      `DELETE FROM intel_indicator_versions WHERE stix_id = ? AND tenant = ? AND modified = ANY(?)
       AND modified < (SELECT max(modified) FROM intel_indicator_versions WHERE stix_id = ?)`,
      [stixId, tenant, versions, stixId],
    );
  }

  async pageIndicatorVersions(tenants: string[], q: IndicatorVersionQuery): Promise<IndicatorVersion[]> {
    await this.backfillVersions();
    const where = ['v.tenant = ANY(?)', 'v.tlp = ANY(?)', 'i.tlp = ANY(?)', 'i.warning IS NULL'];
    const args: unknown[] = [readable(tenants), q.tlps, q.tlps];
    if (q.after) {
      where.push(`(v.modified > ? OR (v.modified = ? AND v.indicator_id ${C} > ?))`);
      args.push(q.after.modified, q.after.modified, q.after.id);
    }
    if (q.stixIds) {
      where.push('v.stix_id = ANY(?)');
      args.push(q.stixIds);
    }
    const chosen = versionSelectionTerm(q.select, inList);
    if (chosen) {
      where.push(chosen.sql);
      args.push(...chosen.args);
    }
    const found = await rows<IndicatorRow & VersionColumns>(
      this.pool,
      `SELECT v.stix_id AS v_stix_id, v.modified AS v_modified, v.stix AS v_stix, i.*
       FROM intel_indicator_versions v JOIN intel_indicators i ON i.id = v.indicator_id
       WHERE ${where.join(' AND ')} ORDER BY v.modified, v.indicator_id ${C} LIMIT ?`,
      [...args, q.limit],
    );
    return found.map((r) => servedVersion(r, toIndicator));
  }

  /** Reads in keyset slices, so a million indicators never sit in one result set. */
  async forEachLive(now: Date, cb: (row: LiveIndicator) => void): Promise<number> {
    let n = 0;
    let after = '';
    for (;;) {
      const found = await rows<{
        id: string;
        tenant: string;
        type: string;
        value: string;
        valid_until: number | null;
      }>(
        this.pool,
        `SELECT id, tenant, type, value, valid_until FROM intel_indicators
         WHERE id ${C} > ? AND (valid_until IS NULL OR valid_until > ?) AND warning IS NULL
         ORDER BY id ${C} LIMIT ?`,
        [after, now.getTime(), 20_000],
      );
      for (const r of found)
        cb({
          id: r.id,
          tenant: r.tenant,
          type: r.type as LiveIndicator['type'],
          value: r.value,
          validUntil: r.valid_until ?? Infinity,
        });
      n += found.length;
      if (found.length < 20_000) return n;
      after = found[found.length - 1]!.id;
    }
  }

  async countIndicators(tenants?: string[]): Promise<number> {
    const row = tenants
      ? await one<{ n: number }>(
          this.pool,
          `SELECT count(*)::int AS n FROM intel_indicators WHERE tenant IN (${inList(tenants.length || 1)})`,
          tenants.length ? tenants : [''],
        )
      : await one<{ n: number }>(this.pool, 'SELECT count(*)::int AS n FROM intel_indicators');
    return row!.n;
  }

  async changeMark(): Promise<string> {
    const r = (await one<{ i: string | null; n: number; w: string | null; d: string | null }>(
      this.pool,
      `SELECT (SELECT max(updated_at ${C}) FROM intel_indicators) AS i,
       (SELECT count(*)::int FROM intel_warninglists) AS n, (SELECT max(updated_at) FROM intel_warninglists) AS w,
       (SELECT max(deleted_at) FROM intel_deleted) AS d`,
    ))!;
    return `${r.i ?? ''}|${r.n}|${r.w ?? ''}|${r.d ?? ''}`;
  }

  deleteIndicator(tenant: string, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      if ((await changes(c, 'DELETE FROM intel_indicators WHERE id = ? AND tenant = ?', [id, tenant])) === 0)
        return false;
      await changes(c, 'DELETE FROM intel_sightings WHERE indicator_id = ?', [id]);
      await changes(c, 'DELETE FROM intel_indicator_versions WHERE stix_id = ?', [stixIdOf({ id })]);
      await changes(
        c,
        'INSERT INTO intel_deleted (id, tenant, deleted_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET deleted_at = excluded.deleted_at',
        [id, tenant, new Date().toISOString()],
      );
      return true;
    });
  }

  putObjects(objs: IntelObject[]): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      let n = 0;
      for (const o of objs)
        n += await changes(
          c,
          `INSERT INTO intel_objects (id, tenant, type, name, feed_id, modified, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (tenant, id) DO UPDATE SET type = excluded.type, name = excluded.name,
           feed_id = excluded.feed_id, modified = excluded.modified, doc = excluded.doc
           WHERE excluded.modified IS NULL OR intel_objects.modified IS NULL
             OR excluded.modified ${C} >= intel_objects.modified ${C}`,
          [o.id, o.tenant, o.type, o.name, o.feedId, o.modified, JSON.stringify(o.doc)],
        );
      return n;
    });
  }

  async listObjects(tenants: string[], opts: { type?: string; limit: number }): Promise<IntelObject[]> {
    const t = readable(tenants);
    const found = await rows<{
      id: string;
      tenant: string;
      type: string;
      name: string | null;
      feed_id: string | null;
      modified: string | null;
      doc: Record<string, unknown>;
    }>(
      this.pool,
      `SELECT * FROM intel_objects WHERE tenant IN (${inList(t.length)}) ${opts.type ? 'AND type = ?' : ''}
       ORDER BY modified ${C} DESC NULLS LAST LIMIT ?`,
      [...t, ...(opts.type ? [opts.type] : []), opts.limit],
    );
    return found.map((r) => ({
      id: r.id,
      tenant: r.tenant,
      type: r.type,
      name: r.name,
      feedId: r.feed_id,
      modified: r.modified,
      doc: r.doc,
    }));
  }

  async createFeed(f: Feed): Promise<void> {
    await changes(
      this.pool,
      `INSERT INTO intel_feeds (id, tenant, name, kind, url, schedule_minutes, enabled, auth, options, health,
       etag, last_modified, cursor, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        f.id,
        f.tenant,
        f.name,
        f.kind,
        f.url,
        f.scheduleMinutes,
        f.enabled,
        JSON.stringify(f.auth),
        JSON.stringify(f.options),
        JSON.stringify(f.health),
        f.etag,
        f.lastModified,
        f.cursor,
        f.createdBy,
        f.createdAt,
      ],
    );
  }

  async listFeeds(tenants?: string[]): Promise<Feed[]> {
    const t = tenants ? readable(tenants) : undefined;
    const found = t
      ? await rows<FeedRow>(
          this.pool,
          `SELECT * FROM intel_feeds WHERE tenant IN (${inList(t.length)}) ORDER BY name ${C}`,
          t,
        )
      : await rows<FeedRow>(this.pool, `SELECT * FROM intel_feeds ORDER BY name ${C}`);
    return found.map(toFeed);
  }

  async getFeed(id: string): Promise<Feed | undefined> {
    const row = await one<FeedRow>(this.pool, 'SELECT * FROM intel_feeds WHERE id = ?', [id]);
    return row ? toFeed(row) : undefined;
  }

  async updateFeed(id: string, patch: Parameters<IntelStore['updateFeed']>[1]): Promise<void> {
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
    if (patch.enabled !== undefined) add('enabled = ?', patch.enabled);
    if (patch.scheduleMinutes !== undefined) add('schedule_minutes = ?', patch.scheduleMinutes);
    if (sets.length > 0)
      await changes(this.pool, `UPDATE intel_feeds SET ${sets.join(', ')} WHERE id = ?`, [...args, id]);
  }

  async deleteFeed(id: string): Promise<boolean> {
    return (await changes(this.pool, 'DELETE FROM intel_feeds WHERE id = ?', [id])) > 0;
  }

  addSighting(s: Sighting, policy: SightingPolicy): Promise<Indicator | undefined> {
    return inTransaction(this.pool, async (c) => {
      const row = await one<IndicatorRow>(c, 'SELECT * FROM intel_indicators WHERE id = ? FOR UPDATE', [
        s.indicatorId,
      ]);
      if (!row) return undefined;
      const added = await changes(
        c,
        `INSERT INTO intel_sightings (id, tenant, indicator_id, kind, count, source, note, event_id, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        [s.id, s.tenant, s.indicatorId, s.kind, s.count, s.source, s.note, s.eventId, s.at],
      );
      // A sighting id seen before (a redelivered verdict) has already had its effect.
      if (added === 0) return publicIndicator(toRecord(row));
      const next = applySighting(toRecord(row), s, policy);
      await writeRecords(c, [next]);
      await recordVersions(c, [next], new Map([[next.id, toRecord(row)]]));
      return publicIndicator(next);
    });
  }

  async listSightings(tenants: string[], indicatorId: string, limit: number): Promise<Sighting[]> {
    const t = readable(tenants);
    const found = await rows<SightingRow>(
      this.pool,
      `SELECT * FROM intel_sightings WHERE indicator_id = ? AND tenant IN (${inList(t.length)})
       ORDER BY at ${C} DESC, id ${C} LIMIT ?`,
      [indicatorId, ...t, limit],
    );
    return found.map(toSighting);
  }

  async pageSightings(
    tenants: string[],
    q: { after?: { at: string; id: string }; tlps: string[]; limit: number },
  ): Promise<Sighting[]> {
    const args: unknown[] = [tenants, q.tlps];
    let after = '';
    if (q.after) {
      after = `AND (s.at ${C} > ? OR (s.at = ? AND s.id ${C} > ?))`;
      args.push(q.after.at, q.after.at, q.after.id);
    }
    const found = await rows<SightingRow>(
      this.pool,
      `SELECT s.* FROM intel_sightings s JOIN intel_indicators i ON i.id = s.indicator_id
       WHERE s.tenant = ANY(?) AND i.tlp = ANY(?) AND s.kind <> 'suppressed' ${after}
       ORDER BY s.at ${C}, s.id ${C} LIMIT ?`,
      [...args, q.limit],
    );
    return found.map(toSighting);
  }

  async pageIndicators(tenants: string[], q: IndicatorPageQuery): Promise<Indicator[]> {
    const t = readable(tenants);
    const where = [`tenant IN (${inList(t.length)})`, 'tlp = ANY(?)'];
    const args: unknown[] = [...t, q.tlps];
    if (q.after) {
      where.push(`(updated_at ${C} > ? OR (updated_at = ? AND id ${C} > ?))`);
      args.push(q.after.updatedAt, q.after.updatedAt, q.after.id);
    }
    if (q.until) {
      where.push(`updated_at ${C} <= ?`);
      args.push(q.until);
    }
    if (q.ids) {
      where.push('id = ANY(?)');
      args.push(q.ids);
    }
    if (q.types) {
      where.push('type = ANY(?)');
      args.push(q.types);
    }
    const found = await rows<IndicatorRow>(
      this.pool,
      `SELECT * FROM intel_indicators WHERE ${where.join(' AND ')} ORDER BY updated_at ${C}, id ${C} LIMIT ?`,
      [...args, q.limit],
    );
    return found.map(toIndicator);
  }

  setWarnings(items: Array<{ id: string; warning: IndicatorWarning | null }>, at: Date): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      let n = 0;
      for (const it of items)
        n += await changes(c, 'UPDATE intel_indicators SET warning = ?, updated_at = ? WHERE id = ?', [
          it.warning ? JSON.stringify(it.warning) : null,
          at.toISOString(),
          it.id,
        ]);
      return n;
    });
  }

  async clearWarnings(list: Pick<Warninglist, 'name' | 'kind' | 'tenant'>, at: Date): Promise<string[]> {
    const scoped = list.tenant !== ALL_TENANTS;
    const found = await rows<{ id: string }>(
      this.pool,
      `UPDATE intel_indicators SET warning = NULL, updated_at = ?
       WHERE warning->>'list' = ? AND warning->>'kind' = ? ${scoped ? 'AND tenant = ?' : ''} RETURNING id`,
      [at.toISOString(), list.name, list.kind, ...(scoped ? [list.tenant] : [])],
    );
    return found.map((r) => r.id);
  }

  async putWarninglist(w: Warninglist): Promise<void> {
    await changes(
      this.pool,
      `INSERT INTO intel_warninglists (id, tenant, kind, name, doc, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc = excluded.doc, updated_at = excluded.updated_at`,
      [w.id, w.tenant, w.kind, w.name, JSON.stringify(w), w.updatedAt],
    );
  }

  async listWarninglists(tenants?: string[]): Promise<Warninglist[]> {
    const t = tenants ? readable(tenants) : undefined;
    const order = `ORDER BY kind ${C}, name ${C}, id ${C}`;
    const found = t
      ? await rows<{ doc: Warninglist }>(
          this.pool,
          `SELECT doc FROM intel_warninglists WHERE tenant IN (${inList(t.length)}) ${order}`,
          t,
        )
      : await rows<{ doc: Warninglist }>(this.pool, `SELECT doc FROM intel_warninglists ${order}`);
    return found.map((r) => r.doc);
  }

  async getWarninglist(id: string): Promise<Warninglist | undefined> {
    return (
      await one<{ doc: Warninglist }>(this.pool, 'SELECT doc FROM intel_warninglists WHERE id = ?', [id])
    )?.doc;
  }

  async deleteWarninglist(id: string): Promise<boolean> {
    return (await changes(this.pool, 'DELETE FROM intel_warninglists WHERE id = ?', [id])) > 0;
  }

  async putHunt(h: HuntJob): Promise<void> {
    await changes(
      this.pool,
      `INSERT INTO intel_hunts (id, tenant, doc, started_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
      [h.id, h.tenant, JSON.stringify(h), h.startedAt],
    );
  }

  async getHunt(tenants: string[], id: string): Promise<HuntJob | undefined> {
    if (tenants.length === 0) return undefined;
    return (
      await one<{ doc: HuntJob }>(
        this.pool,
        `SELECT doc FROM intel_hunts WHERE id = ? AND tenant IN (${inList(tenants.length)})`,
        [id, ...tenants],
      )
    )?.doc;
  }

  async listHunts(tenants: string[], limit: number): Promise<HuntJob[]> {
    if (tenants.length === 0) return [];
    return (
      await rows<{ doc: HuntJob }>(
        this.pool,
        `SELECT doc FROM intel_hunts WHERE tenant IN (${inList(tenants.length)}) ORDER BY started_at ${C} DESC LIMIT ?`,
        [...tenants, limit],
      )
    ).map((r) => r.doc);
  }
}

interface FeedRow {
  id: string;
  tenant: string;
  name: string;
  kind: string;
  url: string;
  schedule_minutes: number;
  enabled: boolean;
  auth: Feed['auth'];
  options: Feed['options'];
  health: Feed['health'];
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
  enabled: r.enabled,
  auth: r.auth,
  options: r.options,
  health: r.health,
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
