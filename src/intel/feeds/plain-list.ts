/**
 * Plain lists and CSV (abuse.ch exports, firewall blocklists): one IOC per line, or a CSV column
 * chosen by index or header name, optionally with a column naming the type. `#` and `//` lines are
 * comments. Types are guessed per value unless the feed fixes one.
 */
import { fail, ok, type Parsed } from '../../schema/result.js';
import { guessType, INDICATOR_TYPES, normalizeValue, type IndicatorType } from '../indicator.js';
import type { FeedOptions } from '../ports.js';
import { emptyResult, withDefaults, type ImportContext, type ImportResult } from './common.js';

/** Splits one CSV line (RFC 4180 quoting; `""` is a quote inside a quoted field). */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

const TYPE_ALIASES: Record<string, IndicatorType> = {
  ip: 'ipv4',
  'ip:port': 'ipv4',
  ip_port: 'ipv4',
  hostname: 'domain',
  'sha-256': 'sha256',
  'sha-1': 'sha1',
  sha3_384: 'sha512',
  md5_hash: 'md5',
  sha256_hash: 'sha256',
};

function typeFromText(s: string): IndicatorType | undefined {
  const t = s.trim().toLowerCase();
  if ((INDICATOR_TYPES as readonly string[]).includes(t)) return t as IndicatorType;
  return TYPE_ALIASES[t];
}

export function importPlainList(text: string, opts: FeedOptions, ctx: ImportContext): Parsed<ImportResult> {
  if (text.length > 512 * 1024 * 1024) return fail('list larger than 512 MiB');
  const out = emptyResult();
  const delimiter = opts.delimiter ?? ',';
  const lines = text.split(/\r?\n/);
  let column = typeof opts.column === 'number' ? opts.column : opts.column === undefined ? 0 : -1;
  let typeColumn = typeof opts.typeColumn === 'number' ? opts.typeColumn : -1;
  let needHeader = typeof opts.column === 'string' || typeof opts.typeColumn === 'string';
  lines.forEach((line, n) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) return;
    const fields =
      opts.column === undefined && opts.typeColumn === undefined ? [trimmed] : splitCsvLine(line, delimiter);
    if (needHeader) {
      const lower = fields.map((f) => f.toLowerCase());
      if (typeof opts.column === 'string') column = lower.indexOf(opts.column.toLowerCase());
      if (typeof opts.typeColumn === 'string') typeColumn = lower.indexOf(opts.typeColumn.toLowerCase());
      needHeader = false;
      if (column === -1)
        out.rejected.push({ ref: `line ${n + 1}`, reason: `no column named ${String(opts.column)}` });
      return;
    }
    if (column === -1) return;
    let raw = fields[column];
    if (raw === undefined || raw === '') return;
    const typeText = typeColumn >= 0 ? fields[typeColumn] : undefined;
    const declared = typeText ? typeFromText(typeText) : undefined;
    let type = opts.type ?? declared ?? guessType(raw);
    // `ip:port` entries (abuse.ch botnet C2 lists) carry the address before the colon.
    if (!type && /^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(raw)) {
      raw = raw.slice(0, raw.lastIndexOf(':'));
      type = 'ipv4';
    }
    if ((type === 'ipv4' || type === 'ipv6') && raw.includes('/')) type = 'cidr';
    if (!type) {
      out.rejected.push({ ref: `line ${n + 1}`, reason: `cannot tell the type of ${raw.slice(0, 64)}` });
      return;
    }
    const v = normalizeValue(type, raw);
    if (!v.ok) {
      out.rejected.push({ ref: `line ${n + 1}`, reason: v.reason });
      return;
    }
    out.indicators.push(withDefaults(ctx, { type, value: v.value }));
  });
  return ok(out);
}
