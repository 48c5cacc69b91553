import { getField } from '../schema/fields.js';
import { entityTypeOf, normalizeValue } from './entity.js';
import type { Observable } from './ports.js';

/** Event fields that carry observables, with their type. Arrays contribute every element. */
const FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['source.ip', 'ip'],
  ['destination.ip', 'ip'],
  ['client.ip', 'ip'],
  ['server.ip', 'ip'],
  ['host.ip', 'ip'],
  ['related.ip', 'ip'],
  ['dns.question.name', 'domain'],
  ['url.domain', 'domain'],
  ['destination.domain', 'domain'],
  ['source.domain', 'domain'],
  ['url.full', 'url'],
  ['url.original', 'url'],
  ['file.hash.md5', 'hash'],
  ['file.hash.sha1', 'hash'],
  ['file.hash.sha256', 'hash'],
  ['process.hash.md5', 'hash'],
  ['process.hash.sha1', 'hash'],
  ['process.hash.sha256', 'hash'],
  ['related.hash', 'hash'],
  ['file.path', 'file'],
  ['user.name', 'user'],
  ['user.target.name', 'user'],
  ['source.user.name', 'user'],
  ['destination.user.name', 'user'],
  ['related.user', 'user'],
  ['user.email', 'email'],
  ['email.from.address', 'email'],
  ['email.to.address', 'email'],
  ['host.name', 'host'],
  ['related.hosts', 'host'],
  ['process.executable', 'process'],
  ['process.parent.executable', 'process'],
  ['registry.path', 'registry'],
];

/** Used only when the fuller field above is absent (a file name without a path, a process without an executable). */
const FALLBACKS: ReadonlyArray<readonly [string, string, string]> = [
  ['file.name', 'file', 'file.path'],
  ['process.name', 'process', 'process.executable'],
];

const MAX_VALUE = 2048;

function values(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(values);
  if (typeof v === 'string') {
    const s = v.trim();
    return s === '' || s === '-' || s.length > MAX_VALUE ? [] : [s];
  }
  return [];
}

/** Observables of one event, deduplicated, in field order. */
export function observablesOfEvent(event: unknown): Observable[] {
  const out: Observable[] = [];
  const seen = new Set<string>();
  const add = (type: string, raw: string): void => {
    const value = normalizeValue(type, raw);
    const k = `${type}\n${value}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ type, value });
  };
  for (const [field, type] of FIELDS) for (const v of values(getField(event, field))) add(type, v);
  for (const [field, type, preferred] of FALLBACKS) {
    if (values(getField(event, preferred)).length > 0) continue;
    for (const v of values(getField(event, field))) add(type, v);
  }
  return out;
}

/** Observables of a detection: its events' plus its correlation group values. */
export function observablesOf(events: unknown[], group: Record<string, string>): Observable[] {
  const out: Observable[] = [];
  const seen = new Set<string>();
  const push = (o: Observable): void => {
    const k = `${o.type}\n${o.value}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(o);
    }
  };
  for (const [field, value] of Object.entries(group)) {
    const type = entityTypeOf(field);
    push({ type, value: normalizeValue(type, value) });
  }
  for (const e of events) for (const o of observablesOfEvent(e)) push(o);
  return out;
}
