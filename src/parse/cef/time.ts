import { abbrevOffsetMinutes, digits, monthFromAbbrev, parseIsoAt, resolveYearless, toIso, validDay, wallToUtcMs } from '../syslog/time.js';

/**
 * Timestamps as CEF (`rt`, `start`, `end`) and similar device fields carry them: epoch
 * milliseconds (or seconds when 10 digits or fewer), ISO 8601, or
 * `MMM dd [yyyy] HH:mm:ss[.SSS] [zzz]` read in `tz` when it has no zone. Returns ISO UTC or undefined.
 */
export function parseLooseTime(raw: string, tz: string, now: Date): string | undefined {
  const s = raw.trim();
  if (s.length === 0) return undefined;
  if (/^\d{1,16}$/.test(s)) {
    const n = Number(s);
    return toIso(s.length <= 10 ? n * 1000 : n);
  }
  const iso = parseIsoAt(s, 0, tz, true);
  if (iso && (iso.end === s.length || s[iso.end] === ' ')) return toIso(iso.ms);
  const mo = monthFromAbbrev(s);
  if (mo === 0) return undefined;
  let i = 3;
  while (s[i] === ' ') i++;
  const dStart = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const d = digits(s, dStart, i - dStart);
  if (i === dStart || i - dStart > 2 || d < 1 || d > 31 || s[i] !== ' ') return undefined;
  i++;
  let year: number | undefined;
  if (s[i + 4] === ' ') {
    const y = digits(s, i, 4);
    if (y < 0) return undefined;
    year = y;
    i += 5;
  }
  const h = digits(s, i, 2);
  const mi = digits(s, i + 3, 2);
  const sec = digits(s, i + 6, 2);
  if (h < 0 || h > 23 || s[i + 2] !== ':' || mi < 0 || mi > 59 || s[i + 5] !== ':' || sec < 0 || sec > 60) return undefined;
  i += 8;
  let ms = 0;
  if (s[i] === '.') {
    const j = i + 1;
    let k = j;
    while (k < s.length && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
    if (k === j) return undefined;
    ms = Math.floor(Number('0.' + s.slice(j, k)) * 1000);
    i = k;
  }
  let off: number | undefined;
  const rest = s.slice(i).trim();
  if (rest.length > 0) {
    off = abbrevOffsetMinutes(rest);
    if (off === undefined) {
      // An IANA name (`Europe/Paris`) in place of zzz.
      if (/^[A-Za-z_]+\/[A-Za-z_/+-]+$/.test(rest)) tz = rest;
      else return undefined;
    }
  }
  const sec2 = Math.min(sec, 59);
  if (off !== undefined) {
    if (year === undefined) {
      const t = resolveYearless('UTC', new Date(now.getTime() + off * 60_000), mo, d, h, mi, sec2, ms);
      return toIso(t - off * 60_000);
    }
    if (!validDay(year, mo, d)) return undefined;
    return toIso(Date.UTC(year, mo - 1, d, h, mi, sec2, ms) - off * 60_000);
  }
  if (year === undefined) return toIso(resolveYearless(tz, now, mo, d, h, mi, sec2, ms));
  if (!validDay(year, mo, d)) return undefined;
  return toIso(wallToUtcMs(tz, year, mo, d, h, mi, sec2, ms));
}
