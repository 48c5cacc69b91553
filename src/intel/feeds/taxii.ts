/**
 * TAXII 2.1 client: discovery → API root → collections → objects, paging with `next` while the
 * server says `more`, asking only for what was added after the last pull (`added_after`, from the
 * `X-TAXII-Date-Added-Last` header of the previous pull) and for `match[...]` filters.
 */
import { fail, ok, type Parsed } from '../../schema/result.js';
import type { Feed } from '../ports.js';
import { emptyResult, type ImportContext, type ImportResult } from './common.js';
import { fetchFeed, type FetchOptions } from './fetch.js';
import { importStix } from './stix-bundle.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
const MAX_PAGES = 1000;

type Obj = Record<string, unknown>;

async function getJson(
  url: string,
  fo: FetchOptions,
): Promise<{ doc: Obj; header: (n: string) => string | null }> {
  const got = await fetchFeed(url, {
    ...fo,
    etag: null,
    lastModified: null,
    headers: { accept: TAXII_MEDIA_TYPE, ...fo.headers },
  });
  if (got.status !== 'ok') throw new Error(`${url}: unexpected 304`);
  const doc = JSON.parse(got.body) as unknown;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new Error(`${url}: not a TAXII JSON object`);
  return { doc: doc as Obj, header: got.header };
}

const withSlash = (u: string): string => (u.endsWith('/') ? u : `${u}/`);

/** Picks the collection a feed names (id or title), or the only readable one. */
export function pickCollection(collections: Obj[], wanted: string | undefined): Parsed<Obj> {
  const readable = collections.filter((c) => c.can_read === true);
  if (wanted) {
    const c = collections.find((x) => x.id === wanted || x.title === wanted);
    if (!c)
      return fail(
        `no collection ${wanted}; readable: ${readable.map((x) => String(x.id)).join(', ') || 'none'}`,
      );
    return c.can_read === true ? ok(c) : fail(`collection ${wanted} is not readable with these credentials`);
  }
  if (readable.length === 1) return ok(readable[0]!);
  return fail(
    `options.collection must name one of: ${readable.map((x) => `${String(x.id)} (${String(x.title)})`).join(', ')}`,
  );
}

export async function pullTaxii(
  feed: Feed,
  ctx: ImportContext,
  fetchOptions: FetchOptions,
): Promise<{ result: ImportResult; cursor: string | null; pages: number }> {
  const fo: FetchOptions = { ...fetchOptions, auth: feed.auth };
  let apiRoot = feed.options.apiRoot;
  if (!apiRoot) {
    const { doc } = await getJson(feed.url, fo);
    const roots = Array.isArray(doc.api_roots)
      ? (doc.api_roots as unknown[]).filter((x): x is string => typeof x === 'string')
      : [];
    apiRoot = typeof doc.default === 'string' ? doc.default : roots[0];
    if (!apiRoot) throw new Error('discovery names no API root; set options.apiRoot');
    apiRoot = new URL(apiRoot, feed.url).href;
  }
  const root = withSlash(apiRoot);
  const { doc: cols } = await getJson(`${root}collections/`, fo);
  const collection = pickCollection(
    Array.isArray(cols.collections) ? (cols.collections as Obj[]) : [],
    feed.options.collection,
  );
  if (!collection.ok) throw new Error(collection.reason);
  const base = `${root}collections/${encodeURIComponent(String(collection.value.id))}/objects/`;
  const params = new URLSearchParams();
  if (feed.cursor) params.set('added_after', feed.cursor);
  params.set('limit', String(feed.options.limit ?? 1000));
  for (const [k, v] of Object.entries(feed.options.match ?? {})) params.set(`match[${k}]`, v);
  const objects: unknown[] = [];
  let cursor = feed.cursor;
  let pages = 0;
  for (; pages < MAX_PAGES;) {
    const { doc, header } = await getJson(`${base}?${params.toString()}`, fo);
    pages++;
    if (Array.isArray(doc.objects)) objects.push(...(doc.objects as unknown[]));
    cursor = header('x-taxii-date-added-last') ?? cursor;
    if (doc.more !== true || typeof doc.next !== 'string') break;
    params.set('next', doc.next);
  }
  if (objects.length === 0) return { result: emptyResult(), cursor, pages };
  const r = importStix({ objects }, ctx);
  if (!r.ok) throw new Error(r.reason);
  return { result: r.value, cursor, pages };
}
