import { abbrevOffsetMinutes, numericOffsetMinutes, resolveYearless, validDay, wallToUtcMs } from '../syslog/time.js';

type Token = { field: string; count: number } | { lit: string };

const tokenCache = new Map<string, Token[]>();

function tokenize(format: string): Token[] {
  const cached = tokenCache.get(format);
  if (cached) return cached;
  const out: Token[] = [];
  let i = 0;
  while (i < format.length && out.length < 64) {
    const c = format[i]!;
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < format.length && format[j] === c) j++;
      out.push({ field: c, count: j - i });
      i = j;
    } else if (c === "'") {
      const j = format.indexOf("'", i + 1);
      if (j === i + 1) out.push({ lit: "'" });
      else out.push({ lit: format.slice(i + 1, j < 0 ? format.length : j) });
      i = j < 0 ? format.length : j + 1;
    } else {
      out.push({ lit: c });
      i++;
    }
  }
  if (tokenCache.size > 256) tokenCache.clear();
  tokenCache.set(format, out);
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Reads `value` with a Java SimpleDateFormat pattern, as LEEF `devTimeFormat` gives it
 * (`MMM dd yyyy HH:mm:ss.SSS z`, `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, ...). Only the letters devices use
 * are understood; anything else returns undefined. Returns epoch ms.
 */
export function parseJavaDate(value: string, format: string, tz: string, now: Date): number | undefined {
  const tokens = tokenize(format);
  let i = 0;
  let y: number | undefined;
  let mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0;
  let pm: boolean | undefined;
  let off: number | undefined;
  const num = (max: number): number | undefined => {
    let j = i;
    while (j < value.length && j - i < max && value.charCodeAt(j) >= 48 && value.charCodeAt(j) <= 57) j++;
    if (j === i) return undefined;
    const n = Number(value.slice(i, j));
    i = j;
    return n;
  };
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    if ('lit' in tok) {
      if (value.startsWith(tok.lit, i)) i += tok.lit.length;
      else if (tok.lit.trim() === '') continue;
      else return undefined;
      continue;
    }
    const nextIsNum = (() => {
      const nx = tokens[t + 1];
      return nx !== undefined && 'field' in nx && 'yMdHhmsSkK'.includes(nx.field);
    })();
    const width = (dflt: number) => (nextIsNum && tok.count >= 2 ? tok.count : dflt);
    let n: number | undefined;
    switch (tok.field) {
      case 'y':
        n = num(tok.count === 2 ? 2 : width(4));
        if (n === undefined) return undefined;
        y = tok.count === 2 ? 2000 + n : n;
        break;
      case 'M':
        if (tok.count >= 3) {
          const idx = MONTHS.indexOf(value.slice(i, i + 3).toLowerCase());
          if (idx < 0) return undefined;
          mo = idx + 1;
          i += 3;
          while (i < value.length && /[A-Za-z.]/.test(value[i]!)) i++;
        } else {
          n = num(width(2));
          if (n === undefined) return undefined;
          mo = n;
        }
        break;
      case 'd': n = num(width(2)); if (n === undefined) return undefined; d = n; break;
      case 'H': case 'k': n = num(width(2)); if (n === undefined) return undefined; h = n % 24; break;
      case 'h': case 'K': n = num(width(2)); if (n === undefined) return undefined; h = n % 12; break;
      case 'm': n = num(width(2)); if (n === undefined) return undefined; mi = n; break;
      case 's': n = num(width(2)); if (n === undefined) return undefined; s = n; break;
      case 'S': {
        const start = i;
        n = num(nextIsNum ? tok.count : 9);
        if (n === undefined) return undefined;
        ms = Math.floor(Number('0.' + value.slice(start, i)) * 1000);
        break;
      }
      case 'a': {
        const ap = value.slice(i, i + 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') return undefined;
        pm = ap === 'PM';
        i += 2;
        break;
      }
      case 'E':
        while (i < value.length && /[A-Za-z]/.test(value[i]!)) i++;
        break;
      case 'z': case 'Z': case 'X': {
        const m = /^(?:Z|[A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}(?::?\d{2})?)/.exec(value.slice(i, i + 16));
        if (!m) return undefined;
        const z = m[0];
        i += z.length;
        const gmt = /^(?:GMT|UTC)([+-].*)$/.exec(z);
        off = gmt ? numericOffsetMinutes(gmt[1]!.length === 2 ? `${gmt[1]![0]}0${gmt[1]![1]}` : gmt[1]!) : abbrevOffsetMinutes(z);
        if (off === undefined) return undefined;
        break;
      }
      default:
        return undefined;
    }
  }
  if (pm !== undefined) h = (h % 12) + (pm ? 12 : 0);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  s = Math.min(s, 59);
  if (off !== undefined) {
    if (y === undefined) return resolveYearless('UTC', new Date(now.getTime() + off * 60_000), mo, d, h, mi, s, ms) - off * 60_000;
    if (!validDay(y, mo, d)) return undefined;
    return Date.UTC(y, mo - 1, d, h, mi, s, ms) - off * 60_000;
  }
  if (y === undefined) return resolveYearless(tz, now, mo, d, h, mi, s, ms);
  if (!validDay(y, mo, d)) return undefined;
  return wallToUtcMs(tz, y, mo, d, h, mi, s, ms);
}
