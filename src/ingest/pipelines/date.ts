import {
  abbrevOffsetMinutes,
  isKnownTimeZone,
  parseIsoAt,
  validDay,
  wallToUtcMs,
  wallYear,
} from '../../parse/syslog/time.js';

/**
 * The date processor's formats: ISO8601, UNIX, UNIX_MS, TAI64N, Elasticsearch's named formats
 * that shippers use, and Java DateTimeFormatter patterns (y M d H h m s S a E Z X x z VV, quoted
 * literals, [optional] sections). A pattern compiles to a regular expression built only from our
 * own fixed pieces and escaped literals, never from user regex syntax.
 */
export type DateParser = (value: string, tz: string, now: Date) => number | undefined;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_RE =
  '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)';
const DAY_RE = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)';

type Field =
  | 'year'
  | 'year2'
  | 'month'
  | 'monthName'
  | 'day'
  | 'hour'
  | 'hour12'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'ampm'
  | 'offset'
  | 'zone'
  | 'skip';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function piece(letter: string, n: number): { re: string; field: Field } {
  switch (letter) {
    case 'y':
    case 'u':
      return n === 2 ? { re: '(\\d{2})', field: 'year2' } : { re: '([+-]?\\d{4,9})', field: 'year' };
    case 'M':
    case 'L':
      return n >= 3
        ? { re: MONTH_RE, field: 'monthName' }
        : { re: n === 2 ? '(\\d{2})' : '(\\d{1,2})', field: 'month' };
    case 'd':
      return { re: n === 2 ? '(\\d{2})' : '(\\d{1,2})', field: 'day' };
    case 'H':
    case 'k':
      return { re: n === 2 ? '(\\d{2})' : '(\\d{1,2})', field: 'hour' };
    case 'h':
    case 'K':
      return { re: n === 2 ? '(\\d{2})' : '(\\d{1,2})', field: 'hour12' };
    case 'm':
      return { re: n === 2 ? '(\\d{2})' : '(\\d{1,2})', field: 'minute' };
    case 's':
      return { re: n === 2 ? '(\\d{2})' : '(\\d{1,2})', field: 'second' };
    case 'S':
    case 'n':
      return { re: `(\\d{1,${Math.max(n, 9)}})`, field: 'fraction' };
    case 'a':
      return { re: '(am|pm)', field: 'ampm' };
    case 'E':
      return { re: DAY_RE, field: 'skip' };
    case 'Z':
    case 'X':
    case 'x':
      return { re: '(z|[+-]\\d{2}(?::?\\d{2})?)', field: 'offset' };
    case 'z':
    case 'V':
    case 'O':
      return { re: '([a-z][a-z0-9_+\\-/]*)', field: 'zone' };
    default:
      throw new Error(`unsupported date pattern letter [${letter}]`);
  }
}

function compileJava(pattern: string): DateParser {
  let re = '';
  const fields: Field[] = [];
  let i = 0;
  let depth = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) re += "'";
      else if (end === -1) throw new Error('unterminated quote in date pattern');
      else re += escape(pattern.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (c === '[') {
      re += '(?:';
      depth++;
      i++;
      continue;
    }
    if (c === ']') {
      if (depth === 0) throw new Error('unbalanced ] in date pattern');
      re += ')?';
      depth--;
      i++;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (pattern[i + n] === c) n++;
      const p = piece(c, n);
      re += p.re;
      if (p.field !== 'skip') fields.push(p.field);
      i += n;
      continue;
    }
    re += escape(c);
    i++;
  }
  if (depth !== 0) throw new Error('unbalanced [ in date pattern');
  // Built from fixed pieces and escaped literals only: safe for the JS engine, and anchored.
  const rx = new RegExp(`^${re}$`, 'i');
  return (value, tz, now) => {
    const m = rx.exec(value.trim());
    if (!m) return undefined;
    let year: number | undefined;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let ms = 0;
    let pm: boolean | undefined;
    let offset: number | undefined;
    let zone: string | undefined;
    fields.forEach((f, k) => {
      const v = m[k + 1];
      if (v === undefined) return;
      switch (f) {
        case 'year':
          year = Number(v);
          break;
        case 'year2':
          year = 2000 + Number(v);
          break;
        case 'month':
          month = Number(v);
          break;
        case 'monthName':
          month = MONTHS.indexOf(v.slice(0, 3).toLowerCase()) + 1;
          break;
        case 'day':
          day = Number(v);
          break;
        case 'hour':
          hour = Number(v);
          break;
        case 'hour12':
          hour = Number(v) % 12;
          break;
        case 'minute':
          minute = Number(v);
          break;
        case 'second':
          second = Number(v);
          break;
        case 'fraction':
          ms = Math.floor(Number(`0.${v}`) * 1000);
          break;
        case 'ampm':
          pm = v.toLowerCase() === 'pm';
          break;
        case 'offset':
          offset = v.toLowerCase() === 'z' ? 0 : abbrevOffsetMinutes(v.length === 3 ? `${v}00` : v);
          break;
        case 'zone':
          zone = v;
          break;
        default:
          break;
      }
    });
    if (pm) hour += 12;
    year ??= wallYear(tz, now);
    if (month < 1 || month > 12 || !validDay(year, month, day) || hour > 23 || minute > 59 || second > 60)
      return undefined;
    if (offset !== undefined)
      return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000;
    if (zone !== undefined) {
      const fixed = abbrevOffsetMinutes(zone);
      if (fixed !== undefined)
        return Date.UTC(year, month - 1, day, hour, minute, second, ms) - fixed * 60_000;
      if (isKnownTimeZone(zone)) return wallToUtcMs(zone, year, month, day, hour, minute, second, ms);
      return undefined;
    }
    return wallToUtcMs(tz, year, month, day, hour, minute, second, ms);
  };
}

function epoch(scale: number): DateParser {
  return (value) => {
    const t = value.trim();
    if (!/^[+-]?\d+(\.\d+)?$/.test(t)) return undefined;
    return Math.round(Number(t) * scale);
  };
}

const iso: DateParser = (value, tz) => {
  const t = value.trim();
  const r = parseIsoAt(t, 0, tz, true);
  if (r && r.end === t.length) return r.ms;
  // Date-only ISO values (yyyy-MM-dd) are midnight in the zone.
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (d && validDay(Number(d[1]), Number(d[2]), Number(d[3])))
    return wallToUtcMs(tz, Number(d[1]), Number(d[2]), Number(d[3]), 0, 0, 0);
  return undefined;
};

/** TAI64N: `@` + 16 hex digits of seconds (offset by 2^62) + 8 hex digits of nanoseconds. */
const tai64n: DateParser = (value) => {
  const m = /^@?([0-9a-f]{16})([0-9a-f]{8})$/i.exec(value.trim());
  if (!m) return undefined;
  const secs = BigInt(`0x${m[1]}`) - (1n << 62n);
  // TAI runs ahead of UTC by the leap seconds since 1972 (10 s at the start of the TAI64 label).
  return Number(secs) * 1000 - 10_000 + Math.floor(Number.parseInt(m[2]!, 16) / 1e6);
};

const NAMED: Record<string, DateParser> = {
  ISO8601: iso,
  UNIX: epoch(1000),
  UNIX_MS: epoch(1),
  TAI64N: tai64n,
  epoch_second: epoch(1000),
  epoch_millis: epoch(1),
  strict_date_optional_time: iso,
  date_optional_time: iso,
  strict_date_optional_time_nanos: iso,
  strict_date_time: iso,
  date_time: iso,
};

export function compileDateFormat(format: string): DateParser {
  return NAMED[format] ?? compileJava(format);
}
