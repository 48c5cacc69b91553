/**
 * Observables: typing, validation and the key under which two observables are "the same". Pure
 * functions; values come from alerts and from analysts, so nothing here trusts its input.
 */
import { isIP } from 'node:net';
import type { Observable } from '../alerts/ports.js';
import { fail, ok, type Parsed } from '../schema/result.js';
import { OBSERVABLE_TYPES, type ObservableType } from './ports.js';

const HEX = /^[0-9a-f]+$/i;
const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\.?$/i;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;
export const MAX_OBSERVABLE_LENGTH = 2048;

/** Types whose values compare case-insensitively; the rest (paths, users, processes) keep case. */
const CASE_INSENSITIVE = new Set<ObservableType>(['domain', 'md5', 'sha1', 'sha256', 'host', 'email']);

/** The comparison key of a value: the same observable seen in two places has the same key. */
export function observableKey(type: ObservableType, value: string): string {
  const v = value.trim();
  if (type === 'domain') return v.toLowerCase().replace(/\.$/, '');
  return CASE_INSENSITIVE.has(type) ? v.toLowerCase() : v;
}

/** Checks a value against its type; hand-entered observables are refused when they cannot be what they claim. */
export function parseObservable(
  type: string,
  value: string,
): Parsed<{ type: ObservableType; value: string }> {
  if (!(OBSERVABLE_TYPES as readonly string[]).includes(type))
    return fail(`unknown observable type ${JSON.stringify(type)}`);
  const t = type as ObservableType;
  const v = value.trim();
  if (v.length === 0) return fail('empty value');
  if (v.length > MAX_OBSERVABLE_LENGTH) return fail(`value longer than ${MAX_OBSERVABLE_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(v) && t !== 'other') return fail('value contains control characters');
  switch (t) {
    case 'ip':
      return isIP(v)
        ? ok({ type: t, value: v })
        : fail(`not an IP address: ${JSON.stringify(v.slice(0, 64))}`);
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const len = { md5: 32, sha1: 40, sha256: 64 }[t];
      return v.length === len && HEX.test(v)
        ? ok({ type: t, value: v.toLowerCase() })
        : fail(`not a ${t} hash (${len} hex digits)`);
    }
    case 'domain':
      return DOMAIN.test(v) ? ok({ type: t, value: v }) : fail('not a domain name');
    case 'email':
      return EMAIL.test(v) ? ok({ type: t, value: v }) : fail('not an email address');
    case 'url': {
      try {
        const u = new URL(v);
        return u.protocol ? ok({ type: t, value: v }) : fail('not a URL');
      } catch {
        return fail('not a URL');
      }
    }
    default:
      return ok({ type: t, value: v });
  }
}

/**
 * Maps an alert's observable onto our types. Alerts may say `hash` (told apart by length here),
 * `hostname`, `username`, `file_hash`...; what cannot be placed becomes `other` rather than being lost.
 */
export function fromAlertObservable(o: Observable): { type: ObservableType; value: string } | undefined {
  const raw = String(o.value ?? '').trim();
  if (!raw || raw.length > MAX_OBSERVABLE_LENGTH) return undefined;
  const t = String(o.type ?? '').toLowerCase();
  const aliases: Record<string, ObservableType> = {
    ip: 'ip',
    ipv4: 'ip',
    ipv6: 'ip',
    'ip-src': 'ip',
    'ip-dst': 'ip',
    address: 'ip',
    domain: 'domain',
    fqdn: 'domain',
    hostname: 'host',
    host: 'host',
    url: 'url',
    uri: 'url',
    email: 'email',
    'email-src': 'email',
    'email-dst': 'email',
    user: 'user',
    username: 'user',
    account: 'user',
    file: 'file',
    filename: 'file',
    'file.name': 'file',
    'file.path': 'file',
    path: 'file',
    registry: 'registry',
    'registry-key': 'registry',
    regkey: 'registry',
    process: 'process',
    'process.name': 'process',
    'process.executable': 'process',
    md5: 'md5',
    sha1: 'sha1',
    sha256: 'sha256',
  };
  let type: ObservableType | undefined = aliases[t];
  if (!type && (t === 'hash' || t === 'file_hash' || t === 'filehash')) {
    type = ({ 32: 'md5', 40: 'sha1', 64: 'sha256' } as Record<number, ObservableType>)[raw.length];
  }
  const parsed = parseObservable(type ?? 'other', raw);
  return parsed.ok ? parsed.value : { type: 'other', value: raw };
}
