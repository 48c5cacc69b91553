/**
 * Pulls feeds: on demand and on each feed's schedule. A failing feed records its error and
 * failure count in its health and is retried at its next turn; it never stops matching, which
 * keeps running on the indicators already stored.
 */
import type { Logger } from 'pino';
import type { Feed, FeedHealth, IntelStore } from '../ports.js';
import { emptyResult, type ImportContext, type ImportResult } from './common.js';
import { fetchFeed, type FetchOptions } from './fetch.js';
import { importMispEvent, parseMispManifest } from './misp.js';
import { importPlainList } from './plain-list.js';
import { importRss } from './rss.js';
import { importStix } from './stix-bundle.js';
import { pullMispApi } from './misp-rest.js';
import { pullTaxii } from './taxii.js';

export interface PullOutcome {
  feedId: string;
  status: 'ok' | 'not-modified' | 'failed';
  indicators: number;
  inserted: number;
  updated: number;
  rejected: number;
  skipped: number;
  error?: string;
  health: FeedHealth;
}

export interface RunnerDeps {
  store: IntelStore;
  /** stores a pull's result and refreshes matching; returns the indicator ids written */
  apply: (r: ImportResult) => Promise<{ inserted: number; updated: number }>;
  log: Logger;
  fileRoots: string[];
  fetchOptions?: Partial<FetchOptions>;
}

const parseJson = (body: string): unknown => JSON.parse(body) as unknown;

export class FeedRunner {
  private timer: NodeJS.Timeout | undefined;
  private running = new Map<string, Promise<PullOutcome>>();

  constructor(private readonly deps: RunnerDeps) {}

  /** One pull of a feed; concurrent requests for the same feed share it. */
  pull(feed: Feed): Promise<PullOutcome> {
    const cur = this.running.get(feed.id);
    if (cur) return cur;
    const p = this.doPull(feed).finally(() => this.running.delete(feed.id));
    this.running.set(feed.id, p);
    return p;
  }

  private async doPull(feed: Feed): Promise<PullOutcome> {
    const now = new Date();
    const ctx: ImportContext = {
      tenant: feed.tenant,
      source: feed.name,
      feedId: feed.id,
      confidence: feed.options.confidence,
      severity: feed.options.severity,
      tlp: feed.options.tlp,
      validDays: feed.options.validDays,
      tags: feed.options.tags,
      now,
    };
    const fo: FetchOptions = { auth: feed.auth, fileRoots: this.deps.fileRoots, ...this.deps.fetchOptions };
    const health: FeedHealth = { ...feed.health, lastPullAt: now.toISOString() };
    try {
      let result: ImportResult;
      let patch: { etag?: string | null; lastModified?: string | null; cursor?: string | null } = {};
      if (feed.kind === 'misp') {
        ({ result, cursor: patch.cursor } = await this.pullMisp(feed, ctx, fo));
      } else if (feed.kind === 'misp-api') {
        ({ result, cursor: patch.cursor } = await pullMispApi(feed, ctx, fo));
      } else if (feed.kind === 'taxii') {
        ({ result, cursor: patch.cursor } = await pullTaxii(feed, ctx, fo));
      } else {
        const got = await fetchFeed(feed.url, { ...fo, etag: feed.etag, lastModified: feed.lastModified });
        if (got.status === 'not-modified') {
          const h = { ...health, lastSuccessAt: now.toISOString(), lastError: null, consecutiveFailures: 0 };
          await this.deps.store.updateFeed(feed.id, { health: h });
          return {
            feedId: feed.id,
            status: 'not-modified',
            indicators: 0,
            inserted: 0,
            updated: 0,
            rejected: 0,
            skipped: 0,
            health: h,
          };
        }
        patch = { etag: got.etag, lastModified: got.lastModified };
        const parsed =
          feed.kind === 'csv'
            ? importPlainList(got.body, feed.options, ctx)
            : feed.kind === 'rss'
              ? importRss(got.body, ctx)
              : importStix(parseJson(got.body), ctx);
        if (!parsed.ok) throw new Error(parsed.reason);
        result = parsed.value;
      }
      const applied = await this.deps.apply(result);
      const h: FeedHealth = {
        ...health,
        lastSuccessAt: now.toISOString(),
        lastCount: result.indicators.length,
        lastError:
          result.rejected.length > 0
            ? `${result.rejected.length} entries rejected, first: ${result.rejected[0]!.reason}`
            : null,
        consecutiveFailures: 0,
      };
      await this.deps.store.updateFeed(feed.id, { health: h, ...patch });
      return {
        feedId: feed.id,
        status: 'ok',
        indicators: result.indicators.length,
        ...applied,
        rejected: result.rejected.length,
        skipped: result.skipped,
        health: h,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const h: FeedHealth = {
        ...health,
        lastError: message,
        consecutiveFailures: feed.health.consecutiveFailures + 1,
      };
      await this.deps.store.updateFeed(feed.id, { health: h });
      this.deps.log.warn({ feed: feed.name, error: message }, 'threat intel feed pull failed');
      return {
        feedId: feed.id,
        status: 'failed',
        indicators: 0,
        inserted: 0,
        updated: 0,
        rejected: 0,
        skipped: 0,
        error: message,
        health: h,
      };
    }
  }

  /** MISP feeds are directories: the manifest lists events; only those newer than the cursor are read. */
  private async pullMisp(
    feed: Feed,
    ctx: ImportContext,
    fo: FetchOptions,
  ): Promise<{ result: ImportResult; cursor: string }> {
    const base = feed.url.endsWith('/') ? feed.url : `${feed.url}/`;
    const got = await fetchFeed(`${base}manifest.json`, fo);
    if (got.status !== 'ok') throw new Error('manifest.json not returned');
    const manifest = parseMispManifest(parseJson(got.body));
    if (!manifest.ok) throw new Error(manifest.reason);
    const since = Number(feed.cursor ?? 0);
    let newest = since;
    const result = emptyResult();
    for (const entry of manifest.value) {
      if (entry.timestamp <= since) continue;
      const ev = await fetchFeed(`${base}${entry.uuid}.json`, fo);
      if (ev.status !== 'ok') continue;
      const r = importMispEvent(parseJson(ev.body), ctx);
      if (!r.ok) {
        result.rejected.push({ ref: entry.uuid, reason: r.reason });
        continue;
      }
      result.indicators.push(...r.value.indicators);
      result.objects.push(...r.value.objects);
      result.rejected.push(...r.value.rejected);
      result.skipped += r.value.skipped;
      newest = Math.max(newest, entry.timestamp);
    }
    return { result, cursor: String(newest) };
  }

  /** Checks for due feeds every `everyMs`. */
  start(everyMs = 30_000): void {
    this.timer = setInterval(
      () => void this.pullDue().catch((err: unknown) => this.deps.log.error({ err }, 'feed schedule failed')),
      everyMs,
    );
    this.timer.unref();
  }

  async pullDue(now = Date.now()): Promise<PullOutcome[]> {
    const due = (await this.deps.store.listFeeds()).filter(
      (f) =>
        f.enabled &&
        f.scheduleMinutes > 0 &&
        (f.health.lastPullAt === null || now - Date.parse(f.health.lastPullAt) >= f.scheduleMinutes * 60_000),
    );
    const out: PullOutcome[] = [];
    for (const f of due) out.push(await this.pull(f));
    return out;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }
}
