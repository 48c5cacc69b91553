/**
 * Getting a feed's bytes: HTTP(S) with the feed's auth, conditional requests (ETag,
 * If-Modified-Since) and retries with exponential backoff, or a local file under an allowed
 * directory (so that a feed definition cannot read arbitrary files of the server).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedAuth } from '../ports.js';

export interface FetchOptions {
  auth?: FeedAuth;
  etag?: string | null;
  lastModified?: string | null;
  /** directories local feeds may be read from */
  fileRoots: string[];
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
  headers?: Record<string, string>;
  /** default GET; APIs that search by POST (MISP restSearch) send a JSON body */
  method?: 'GET' | 'POST';
  body?: string;
}

export type Fetched =
  | {
      status: 'ok';
      body: string;
      etag: string | null;
      lastModified: string | null;
      /** response headers (lower-case names); empty for local files */
      header: (name: string) => string | null;
    }
  | { status: 'not-modified' };

export class FeedFetchError extends Error {}

export function authHeaders(auth: FeedAuth | undefined): Record<string, string> {
  if (!auth || auth.type === 'none' || !auth.secret) return {};
  if (auth.type === 'basic')
    return {
      authorization: `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.secret}`).toString('base64')}`,
    };
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.secret}` };
  return { [(auth.header ?? 'authorization').toLowerCase()]: auth.secret };
}

function localPath(url: string): string | undefined {
  if (url.startsWith('file:')) return fileURLToPath(url);
  if (path.isAbsolute(url)) return url;
  return undefined;
}

export async function fetchFeed(url: string, o: FetchOptions): Promise<Fetched> {
  const local = localPath(url);
  if (local !== undefined) {
    const resolved = path.resolve(local);
    if (!o.fileRoots.some((r) => resolved.startsWith(path.resolve(r) + path.sep)))
      throw new FeedFetchError(
        `local feeds must be under ${o.fileRoots.join(' or ') || '(no directory allowed)'}`,
      );
    return {
      status: 'ok',
      body: await readFile(resolved, 'utf8'),
      etag: null,
      lastModified: null,
      header: () => null,
    };
  }
  if (!/^https?:\/\//i.test(url)) throw new FeedFetchError('feed URL must be http(s) or a local file');
  const attempts = o.attempts ?? 3;
  let lastErr: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0)
      await new Promise((r) => setTimeout(r, (o.backoffMs ?? 500) * 2 ** (i - 1) * (0.5 + Math.random())));
    try {
      const res = await fetch(url, {
        method: o.method ?? 'GET',
        ...(o.body !== undefined ? { body: o.body } : {}),
        headers: {
          ...authHeaders(o.auth),
          ...(o.etag ? { 'if-none-match': o.etag } : {}),
          ...(o.lastModified ? { 'if-modified-since': o.lastModified } : {}),
          ...o.headers,
        },
        signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
      });
      if (res.status === 304) return { status: 'not-modified' };
      if (res.status >= 500 || res.status === 429) {
        lastErr = new FeedFetchError(`HTTP ${res.status}`);
        continue;
      }
      if (!res.ok) throw new FeedFetchError(`HTTP ${res.status}`);
      const body = await res.text();
      if (body.length > (o.maxBytes ?? 256 * 1024 * 1024))
        throw new FeedFetchError('feed larger than the limit');
      return {
        status: 'ok',
        body,
        etag: res.headers.get('etag'),
        lastModified: res.headers.get('last-modified'),
        header: (name: string) => res.headers.get(name),
      };
    } catch (err) {
      if (err instanceof FeedFetchError) throw err;
      lastErr = err;
    }
  }
  throw new FeedFetchError(
    `unreachable after ${attempts} attempts: ${lastErr instanceof Error ? lastErr.message : String(lastErr)}`,
  );
}
