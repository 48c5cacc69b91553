/** Times in the user's zone with UTC on hover; numbers compact but exact on hover. */

const dtf = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export function localTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dtf.format(d);
}

export function utcTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace('.000Z', 'Z') + ' (UTC)';
}

export function Time({ iso }: { iso: string | null | undefined }) {
  return (
    <time dateTime={iso ?? undefined} title={utcTime(iso)} className="nowrap">
      {localTime(iso)}
    </time>
  );
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return iso;
  if (s < 0) return 'in the future';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

const nf = new Intl.NumberFormat();
export const num = (n: number): string => nf.format(n);

export function rate(n: number): string {
  if (n >= 100) return nf.format(Math.round(n));
  return n.toFixed(n >= 10 ? 1 : 2);
}

/** Any value as one line of text (objects as JSON), for table cells. */
export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '[unprintable]';
  }
}

/** Dotted field access that reads nested objects and flat dotted keys alike (`host.name`). */
export function field(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const o = doc as Record<string, unknown>;
  if (path in o) return o[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  for (let i = dot; i >= 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (head in o) {
      const v = field(o[head], path.slice(i + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** `field:"value"` in the search syntax (quotes and backslashes escaped). */
export function term(f: string, v: string): string {
  return `${f}:"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
