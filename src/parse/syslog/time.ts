/**
 * Wall-clock time in an IANA zone → UTC, using only Intl (no tz database of our own).
 * Syslog senders often stamp local time without an offset, so every input names its zone.
 */

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z', 'utc', 'Universal', 'Zulu']);

interface ZoneCache {
  fmt: Intl.DateTimeFormat | null;
  /** offset in minutes keyed by 15-minute UTC bucket: DST changes never happen inside one. */
  offsets: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();
const BUCKET_MS = 15 * 60_000;
const MAX_BUCKETS = 4096;

function zone(tz: string): ZoneCache {
  let z = zones.get(tz);
  if (z) return z;
  let fmt: Intl.DateTimeFormat | null = null;
  if (!UTC_NAMES.has(tz)) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      // Unknown zone: treat as UTC rather than failing every event of that input.
      fmt = null;
    }
  }
  z = { fmt, offsets: new Map() };
  if (zones.size > 512) zones.clear();
  zones.set(tz, z);
  return z;
}

/** True when the zone name is understood by this runtime (UTC aliases included). */
export function isKnownTimeZone(tz: string): boolean {
  return UTC_NAMES.has(tz) || zone(tz).fmt !== null;
}

/** Offset of `tz` from UTC in minutes (local = utc + offset) at the instant `utcMs`. */
export function zoneOffsetMinutes(tz: string, utcMs: number): number {
  const z = zone(tz);
  if (!z.fmt || !Number.isFinite(utcMs)) return 0;
  const bucket = Math.floor(utcMs / BUCKET_MS);
  const cached = z.offsets.get(bucket);
  if (cached !== undefined) return cached;
  const at = bucket * BUCKET_MS;
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of z.fmt.formatToParts(new Date(at))) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value) % 24; break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      default: break;
    }
  }
  const off = Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - at) / 60_000);
  if (z.offsets.size >= MAX_BUCKETS) z.offsets.clear();
  z.offsets.set(bucket, off);
  return off;
}

/**
 * UTC epoch ms of a wall-clock time in `tz`. In a DST gap the result is shifted forward;
 * in an overlap one of the two instants is chosen (logs without offset are ambiguous there anyway).
 */
export function wallToUtcMs(tz: string, y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const z = zone(tz);
  if (!z.fmt) return wall;
  const off1 = zoneOffsetMinutes(tz, wall);
  const guess = wall - off1 * 60_000;
  const off2 = zoneOffsetMinutes(tz, guess);
  return off2 === off1 ? guess : wall - off2 * 60_000;
}

/** The calendar year on the wall clock of `tz` at `now`. */
export function wallYear(tz: string, now: Date): number {
  const t = now.getTime();
  return new Date(t + zoneOffsetMinutes(tz, t) * 60_000).getUTCFullYear();
}

const FUTURE_SLACK_MS = 3 * 24 * 3600_000;

/**
 * Year for a timestamp that has none (RFC 3164): the latest year that does not put the event more
 * than a few days after `now` — a Dec 31 line received on Jan 1 belongs to last year, a Jan 1 line
 * from a sender whose clock is slightly ahead belongs to next year.
 */
export function resolveYearless(tz: string, now: Date, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number {
  const nowMs = now.getTime();
  const y = Number.isFinite(nowMs) ? wallYear(tz, now) : 1970;
  // Next year is only possible for a January line received in late December.
  const first = mo === 1 && d <= 7 ? y + 1 : y;
  for (let cand = first; cand >= y - 1; cand--) {
    if (!validDay(cand, mo, d)) continue;
    const t = wallToUtcMs(tz, cand, mo, d, h, mi, s, ms);
    if (t <= nowMs + FUTURE_SLACK_MS) return t;
  }
  // Feb 29 with no leap year nearby, or `now` invalid: fall back to the wall clock of year y.
  return wallToUtcMs(tz, y, mo, Math.min(d, daysInMonth(y, mo)), h, mi, s, ms);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return MONTH_DAYS[mo - 1] ?? 0;
}

export function validDay(y: number, mo: number, d: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** Month number from a three-letter English abbreviation (case-insensitive), or 0. */
export function monthFromAbbrev(s: string, at = 0): number {
  if (s.length < at + 3) return 0;
  return MONTHS[s.slice(at, at + 3).toLowerCase()] ?? 0;
}

/** Fixed offsets of the zone abbreviations devices print (Cisco, CEF `zzz`). Ambiguous ones left out. */
const ABBREV_OFFSETS: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, UT: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600,
  WET: 0, WEST: 60, BST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180, MSK: 180,
  JST: 540, KST: 540, HKT: 480, SGT: 480, AEST: 600, AEDT: 660, ACST: 570, AWST: 480, NZST: 720, NZDT: 780,
};

/** Offset in minutes for an abbreviation like `CET` or a numeric `+0100`/`-05:00`, else undefined. */
export function abbrevOffsetMinutes(s: string): number | undefined {
  const fixed = ABBREV_OFFSETS[s.toUpperCase()];
  if (fixed !== undefined) return fixed;
  return numericOffsetMinutes(s);
}

/** `+01:00`, `+0100`, `-05`, `Z` → minutes; undefined otherwise. */
export function numericOffsetMinutes(s: string): number | undefined {
  if (s === 'Z' || s === 'z') return 0;
  const sign = s.charCodeAt(0) === 43 ? 1 : s.charCodeAt(0) === 45 ? -1 : 0;
  if (sign === 0) return undefined;
  const body = s.length === 6 && s[3] === ':' ? s.slice(1, 3) + s.slice(4) : s.slice(1);
  if (!/^\d{2}(\d{2})?$/.test(body)) return undefined;
  const h = Number(body.slice(0, 2));
  const m = body.length === 4 ? Number(body.slice(2)) : 0;
  if (h > 18 || m > 59) return undefined;
  return sign * (h * 60 + m);
}

/** Epoch ms → ISO string, or undefined for values Date cannot represent. */
export function toIso(ms: number): string | undefined {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

/** Reads `n` ASCII digits at `at`; -1 if any is not a digit. */
export function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9 || Number.isNaN(c)) return -1;
    v = v * 10 + c;
  }
  return v;
}

export interface IsoParse {
  ms: number;
  /** index just past the timestamp */
  end: number;
  hasOffset: boolean;
}

/**
 * ISO 8601 / RFC 3339 at `at`: `YYYY-MM-DD[T ]hh:mm[:ss[.frac]][Z|±hh:mm|±hhmm]`.
 * Without an offset the wall time is read in `tz`.
 */
export function parseIsoAt(s: string, at: number, tz: string, allowSpace = false): IsoParse | undefined {
  const y = digits(s, at, 4);
  if (y < 0 || s[at + 4] !== '-') return undefined;
  const mo = digits(s, at + 5, 2);
  if (mo < 1 || mo > 12 || s[at + 7] !== '-') return undefined;
  const d = digits(s, at + 8, 2);
  if (d < 1 || !validDay(y, mo, d)) return undefined;
  const sep = s[at + 10];
  if (sep !== 'T' && sep !== 't' && !(allowSpace && sep === ' ')) return undefined;
  const h = digits(s, at + 11, 2);
  if (h < 0 || h > 23 || s[at + 13] !== ':') return undefined;
  const mi = digits(s, at + 14, 2);
  if (mi < 0 || mi > 59) return undefined;
  let i = at + 16;
  let sec = 0;
  if (s[i] === ':') {
    sec = digits(s, i + 1, 2);
    if (sec < 0 || sec > 60) return undefined;
    if (sec === 60) sec = 59; // leap second: keep it inside the minute
    i += 3;
  }
  let ms = 0;
  if (s[i] === '.' || s[i] === ',') {
    let j = i + 1;
    let frac = 0;
    let scale = 100;
    while (j < s.length) {
      const c = s.charCodeAt(j) - 48;
      if (c < 0 || c > 9) break;
      frac += c * scale;
      scale /= 10;
      j++;
    }
    if (j === i + 1) return undefined;
    ms = Math.floor(frac);
    i = j;
  }
  const c = s[i];
  let off: number | undefined;
  if (c === 'Z' || c === 'z') {
    off = 0;
    i++;
  } else if (c === '+' || c === '-') {
    const hh = digits(s, i + 1, 2);
    if (hh < 0 || hh > 18) return undefined;
    let mm = 0;
    if (s[i + 3] === ':') {
      mm = digits(s, i + 4, 2);
      if (mm < 0) return undefined;
      off = hh * 60 + mm;
      i += 6;
    } else {
      const m4 = digits(s, i + 3, 2);
      if (m4 >= 0) {
        mm = m4;
        i += 5;
      } else i += 3;
      off = hh * 60 + mm;
    }
    if (mm > 59) return undefined;
    if (c === '-') off = -off;
  }
  if (off !== undefined) {
    return { ms: Date.UTC(y, mo - 1, d, h, mi, sec, ms) - off * 60_000, end: i, hasOffset: true };
  }
  return { ms: wallToUtcMs(tz, y, mo, d, h, mi, sec, ms), end: i, hasOffset: false };
}
