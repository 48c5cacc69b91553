import type { IndicatorType } from '../intel/indicator.js';
import { normalizeValue } from '../intel/indicator.js';
import type { IntelStore } from '../intel/ports.js';
import type { Observable } from './ports.js';

/** The strongest live indicator among an alert's observables, if any. */
export interface IntelHit {
  indicatorId: string;
  type: IndicatorType;
  value: string;
  confidence: number;
}

export type IntelLookup = (tenant: string, observables: Observable[]) => Promise<IntelHit | null>;

const HASH_BY_LENGTH: Record<number, IndicatorType> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };

/** Parent domains are asked too: an indicator on evil.example covers a.b.evil.example. */
const MAX_PARENT_LEVELS = 4;

/** The indicator types and normalized values an observable could be recorded under. */
export function candidatesOf(o: Observable): Array<{ type: IndicatorType; value: string }> {
  const one = (type: IndicatorType, raw: string): Array<{ type: IndicatorType; value: string }> => {
    const n = normalizeValue(type, raw);
    return n.ok ? [{ type, value: n.value }] : [];
  };
  switch (o.type) {
    case 'ip':
      return one(o.value.includes(':') ? 'ipv6' : 'ipv4', o.value);
    case 'domain': {
      const labels = o.value.toLowerCase().replace(/\.$/, '').split('.');
      const out: Array<{ type: IndicatorType; value: string }> = [];
      for (let i = 0; i <= MAX_PARENT_LEVELS && labels.length - i >= 2; i++)
        out.push(...one('domain', labels.slice(i).join('.')));
      return out;
    }
    case 'url':
      return one('url', o.value);
    case 'email':
      return one('email', o.value);
    case 'file':
      return one('filename', o.value);
    case 'registry':
      return one('registry-key', o.value);
    default: {
      const hashType = /^[0-9a-f]+$/i.test(o.value) ? HASH_BY_LENGTH[o.value.length] : undefined;
      // Alerts say `hash`; case observables name the algorithm (md5, sha1, sha256).
      const hashLike =
        o.type.startsWith('hash') || o.type === 'md5' || o.type === 'sha1' || o.type === 'sha256';
      return hashLike && hashType ? one(hashType, o.value) : [];
    }
  }
}

/** Observables looked at per alert: an alert over a big correlation should not mean hundreds of reads. */
const MAX_LOOKUPS = 32;
const CACHE_ENTRIES = 50_000;

/**
 * Looks observables up in the indicator store. Answers are cached for `ttlMs` so a burst of
 * detections about the same host does not read the store each time; an indicator added or expired
 * meanwhile takes effect within that time.
 */
export function intelLookupFrom(store: IntelStore, ttlMs = 60_000, now = () => Date.now()): IntelLookup {
  const cache = new Map<string, { at: number; hit: IntelHit | null }>();
  const lookupOne = async (tenant: string, type: IndicatorType, value: string): Promise<IntelHit | null> => {
    const key = `${tenant}\n${type}\n${value}`;
    const cached = cache.get(key);
    if (cached && now() - cached.at < ttlMs) return cached.hit;
    const { indicators } = await store.searchIndicators([tenant], { type, value, limit: 5 }, new Date(now()));
    const best = indicators.reduce<IntelHit | null>(
      (b, i) =>
        b && b.confidence >= i.confidence
          ? b
          : { indicatorId: i.id, type: i.type, value: i.value, confidence: i.confidence },
      null,
    );
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, { at: now(), hit: best });
    return best;
  };
  return async (tenant, observables) => {
    let best: IntelHit | null = null;
    const seen = new Set<string>();
    for (const o of observables) {
      for (const c of candidatesOf(o)) {
        const k = `${c.type}\n${c.value}`;
        if (seen.has(k) || seen.size >= MAX_LOOKUPS) continue;
        seen.add(k);
        const hit = await lookupOne(tenant, c.type, c.value);
        if (hit && (!best || hit.confidence > best.confidence)) best = hit;
      }
    }
    return best;
  };
}
