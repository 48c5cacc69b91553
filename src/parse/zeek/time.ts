/**
 * Zeek times are epoch seconds with microseconds (TSV, default JSON) or ISO 8601 (JSON with
 * `use_json_iso8601`). Both become the same ISO string with six fractional digits, computed from the
 * decimal text so that a float round-trip cannot shift the last microsecond.
 */

const EPOCH_RE = /^(-?\d{1,15})(?:\.(\d{1,9}))?$/;
const ISO_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch seconds (number or decimal text) → ISO 8601 UTC with microseconds; undefined if not a time. */
export function epochToIso(value: number | string): string | undefined {
  let text = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(6) : '') : value.trim();
  // Zeek's TSV writer switches to exponent notation for large times (e.g. `2.385616957e+09`).
  if (typeof value === 'string' && /^[\d.]+e\+\d+$/i.test(text)) text = Number(text).toFixed(6);
  const m = EPOCH_RE.exec(text);
  if (!m) return undefined;
  const secs = Number(m[1]);
  const date = new Date(secs * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  const frac = ((m[2] ?? '') + '000000').slice(0, 6);
  return `${date.toISOString().slice(0, 19)}.${frac}Z`;
}

/** Any Zeek/ISO/epoch time value → ISO 8601 UTC with microseconds, or undefined. */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value === 'number') return epochToIso(value);
  if (typeof value !== 'string') return undefined;
  const epoch = epochToIso(value);
  if (epoch) return epoch;
  const m = ISO_RE.exec(value.trim());
  if (!m) return undefined;
  const zone = m[4] ?? 'Z';
  const frac = ((m[3] ?? '') + '000000').slice(0, 6);
  if (zone === 'Z' || zone === '+00:00' || zone === '+0000') return `${m[1]}T${m[2]}.${frac}Z`;
  const ms = Date.parse(`${m[1]}T${m[2]}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}
