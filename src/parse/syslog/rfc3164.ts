import { abbrevOffsetMinutes, digits, monthFromAbbrev, parseIsoAt, resolveYearless, validDay, wallToUtcMs } from './time.js';

export interface Rfc3164Header {
  /** epoch ms; undefined when the line carries no timestamp we can read */
  time?: number;
  /** Cisco IOS marks an unsynchronised clock with `*` (or `.`): the time is not trustworthy. */
  clockUnsynced?: boolean;
  hostname?: string;
  tag?: string;
  pid?: string;
  /** Cisco IOS/ASA message sequence number (`<189>123: ...`) */
  sequence?: number;
  msg: string;
}

interface TimeRead { ms: number; end: number }

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `Mmm dd [yyyy] hh:mm:ss[.fff] [TZ[:]| TZ yyyy]` at `at` (day may be space-padded). */
function readBsdTime(s: string, at: number, tz: string, now: Date): TimeRead | undefined {
  const mo = monthFromAbbrev(s, at);
  if (mo === 0 || s.charCodeAt(at + 3) !== 32) return undefined;
  let i = at + 4;
  if (s.charCodeAt(i) === 32) i++;
  const dStart = i;
  while (isDigit(s.charCodeAt(i)) && i - dStart < 2) i++;
  if (i === dStart || s.charCodeAt(i) !== 32) return undefined;
  const d = digits(s, dStart, i - dStart);
  if (d < 1 || d > 31) return undefined;
  i++;
  let year: number | undefined;
  if (s.charCodeAt(i + 4) === 32 && isDigit(s.charCodeAt(i))) {
    const y = digits(s, i, 4);
    if (y < 0) return undefined;
    year = y;
    i += 5;
  }
  const h = digits(s, i, 2);
  const mi = digits(s, i + 3, 2);
  const sec = digits(s, i + 6, 2);
  if (h < 0 || h > 23 || s.charCodeAt(i + 2) !== 58 || mi < 0 || mi > 59 || s.charCodeAt(i + 5) !== 58 || sec < 0 || sec > 60) {
    return undefined;
  }
  i += 8;
  let ms = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    let j = i + 1;
    let scale = 100;
    let frac = 0;
    while (isDigit(s.charCodeAt(j))) {
      frac += (s.charCodeAt(j) - 48) * scale;
      scale /= 10;
      j++;
    }
    if (j > i + 1) {
      ms = Math.floor(frac);
      i = j;
    }
  }
  // Optional zone: `... 18:48:50.483 UTC: %SYS` (Cisco) or `... 05:34:00 CST 1987 host` (RFC 3164 §5.4).
  let off: number | undefined;
  if (s.charCodeAt(i) === 32) {
    let j = i + 1;
    while (j < s.length && j - i <= 6 && s.charCodeAt(j) >= 65 && s.charCodeAt(j) <= 90) j++;
    if (j - i >= 3) {
      const z = abbrevOffsetMinutes(s.slice(i + 1, j));
      if (z !== undefined) {
        if (s.charCodeAt(j) === 58) {
          off = z;
          i = j;
        } else if (s.charCodeAt(j) === 32 && year === undefined && s.charCodeAt(j + 5) === 32 && digits(s, j + 1, 4) >= 0) {
          off = z;
          year = digits(s, j + 1, 4);
          i = j + 5;
        }
      }
    }
  }
  const sec2 = Math.min(sec, 59);
  let t: number;
  if (off !== undefined) {
    if (year !== undefined) {
      if (!validDay(year, mo, d)) return undefined;
      t = Date.UTC(year, mo - 1, d, h, mi, sec2, ms) - off * 60_000;
    } else {
      t = resolveYearless('UTC', new Date(now.getTime() + off * 60_000), mo, d, h, mi, sec2, ms) - off * 60_000;
    }
  } else if (year !== undefined) {
    if (!validDay(year, mo, d)) return undefined;
    t = wallToUtcMs(tz, year, mo, d, h, mi, sec2, ms);
  } else {
    t = resolveYearless(tz, now, mo, d, h, mi, sec2, ms);
  }
  return { ms: t, end: i };
}

function isHostChar(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95;
}

/** `name[pid]:` / `name:` / `name[pid]` → [name, pid]; undefined when the token is not a tag. */
function readTag(tok: string): [string, string | undefined] | undefined {
  if (tok.length < 2 || tok.length > 128 || tok.charCodeAt(0) === 37 /* % */) return undefined;
  let end = tok.length;
  const colon = tok.charCodeAt(end - 1) === 58;
  if (colon) end--;
  let pid: string | undefined;
  let nameEnd = end;
  if (tok.charCodeAt(end - 1) === 93 /* ] */) {
    const open = tok.lastIndexOf('[', end - 1);
    if (open <= 0) return undefined;
    pid = tok.slice(open + 1, end - 1);
    nameEnd = open;
  } else if (!colon) {
    return undefined;
  }
  if (nameEnd === 0) return undefined;
  for (let i = 0; i < nameEnd; i++) {
    const c = tok.charCodeAt(i);
    if (c === 58 || c === 91 || c === 93 || c === 61 || c === 34 || c === 44) return undefined;
  }
  return [tok.slice(0, nameEnd), pid];
}

/**
 * RFC 3164 and the variants devices send: `TIMESTAMP HOST TAG[PID]: MSG` where each part may be
 * missing, the timestamp may be BSD (`Mmm dd hh:mm:ss`, with year, Cisco `*`/ms/zone), ISO 8601,
 * or absent, and Cisco prefixes a sequence number. `at` is just after `<PRI>`. Never fails:
 * whatever is not header is message.
 */
export function parse3164(line: string, at: number, tz: string, now: Date): Rfc3164Header {
  const n = line.length;
  let i = at;
  const out: Rfc3164Header = { msg: '' };
  if (line.charCodeAt(i) === 0xfeff) i++;
  while (line.charCodeAt(i) === 32) i++;

  // Cisco IOS: `123: ` sequence number, then maybe `host: ` before the timestamp.
  let seqHost: string | undefined;
  {
    let j = i;
    while (isDigit(line.charCodeAt(j)) && j - i < 10) j++;
    if (j > i && line.charCodeAt(j) === 58 && line.charCodeAt(j + 1) === 32) {
      out.sequence = Number(line.slice(i, j));
      i = j + 2;
      const sp = line.indexOf(' ', i);
      if (sp > i + 1 && line.charCodeAt(sp - 1) === 58) {
        const after = line.charCodeAt(sp + 1);
        if (after === 42 || after === 46 || monthFromAbbrev(line, sp + 1) > 0) {
          let ok = true;
          for (let k = i; k < sp - 1; k++) if (!isHostChar(line.charCodeAt(k))) ok = false;
          if (ok) {
            seqHost = line.slice(i, sp - 1);
            i = sp + 1;
          }
        }
      }
    }
  }

  let ts: TimeRead | undefined;
  const c0 = line.charCodeAt(i);
  const marked = c0 === 42 /* * */ || (c0 === 46 /* . */ && monthFromAbbrev(line, i + 1) > 0);
  const tAt = marked ? i + 1 : i;
  if (isDigit(line.charCodeAt(tAt))) {
    const iso = parseIsoAt(line, tAt, tz, true);
    if (iso) ts = { ms: iso.ms, end: iso.end };
  } else {
    ts = readBsdTime(line, tAt, tz, now);
  }
  if (ts) {
    out.time = ts.ms;
    if (marked) out.clockUnsynced = true;
    i = ts.end;
    if (line.charCodeAt(i) === 58) i++;
    while (line.charCodeAt(i) === 32) i++;
  }
  if (seqHost !== undefined) out.hostname = seqHost;

  // HOSTNAME: only after a timestamp, and only when the token cannot be the tag or the message.
  if (ts && out.hostname === undefined && i < n) {
    let sp = line.indexOf(' ', i);
    if (sp < 0) sp = n;
    const tok = line.slice(i, sp);
    let host = tok.length > 0 && tok.length <= 255;
    let skipColon = false;
    if (host) {
      const last = tok.charCodeAt(tok.length - 1);
      if (tok.charCodeAt(0) === 37 || last === 93) host = false;
      else if (last === 58) {
        // `router1: %SYS-5-...` names a host; `sshd: msg` is a tag.
        host = line.charCodeAt(sp + 1) === 37 && !/[[\]]/.test(tok);
        skipColon = host;
      } else {
        for (let k = 0; k < tok.length; k++) {
          if (!isHostChar(tok.charCodeAt(k))) {
            host = false;
            break;
          }
        }
      }
    }
    if (host && sp < n) {
      out.hostname = skipColon ? tok.slice(0, -1) : tok;
      i = sp + 1;
      // Cisco ASA: `asa01 : %ASA-6-...`
      if (line.charCodeAt(i) === 58 && line.charCodeAt(i + 1) === 32) i += 2;
      while (line.charCodeAt(i) === 32) i++;
    } else if (host && sp === n) {
      out.hostname = tok;
      i = n;
    }
  }

  // TAG
  if (i < n) {
    let sp = line.indexOf(' ', i);
    if (sp < 0) sp = n;
    const tag = readTag(line.slice(i, sp));
    if (tag) {
      out.tag = tag[0];
      if (tag[1] !== undefined && tag[1] !== '') out.pid = tag[1];
      i = sp < n ? sp + 1 : n;
    }
  }
  if (line.charCodeAt(i) === 0xfeff) i++;
  out.msg = line.slice(i);
  return out;
}
