/**
 * Streaming export of search results as CSV or NDJSON. Event results are read page by page
 * newest first with a time cursor (the next page ends at the oldest time of the previous one, the
 * events already written at that instant skipped), so a million-row export never pages by offset.
 * A query that sorts or transforms is read in one search of at most MAX_ONE_SHOT rows.
 */
import { getField } from '../schema/fields.js';
import type { Query } from './ast.js';
import { printQuery } from './print.js';
import type { EventSearch } from './ports.js';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const PAGE = 1000;
const MAX_ONE_SHOT = 10_000;

/** Columns of an event CSV when the query names none (`| fields`). */
export const DEFAULT_CSV_FIELDS = [
  '@timestamp',
  'event.dataset',
  'host.name',
  'user.name',
  'source.ip',
  'destination.ip',
  'event.action',
  'event.outcome',
  'message',
];

/**
 * One CSV cell: quoted when needed, and a leading = + - @ (or tab/CR) defused with a quote mark so
 * a spreadsheet never runs an attacker's log line as a formula.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s =
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvRow = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

interface ExportRequest {
  tenants: string[];
  query: Query;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  format: ExportFormat;
  /** CSV columns for events; default: the query's `| fields`, else DEFAULT_CSV_FIELDS. */
  fields?: string[] | undefined;
}

/** Yields the export chunk by chunk (header first for CSV); counts rows in `stats.rows`. */
export async function* exportResults(
  search: EventSearch,
  req: ExportRequest,
  stats: { rows: number } = { rows: 0 },
): AsyncGenerator<string> {
  const fieldsPipe = req.query.pipes.find((p) => p.cmd === 'fields');
  const keyset = req.query.pipes.every((p) => p.cmd === 'fields');
  if (!keyset) {
    const r = await search.search(req.tenants, printQuery(req.query), {
      from: req.from,
      to: req.to,
      limit: Math.min(req.limit, MAX_ONE_SHOT),
    });
    if (r.kind === 'table') {
      if (req.format === 'csv') yield csvRow(r.columns);
      for (const row of r.rows) {
        stats.rows++;
        yield req.format === 'csv'
          ? csvRow(row)
          : `${JSON.stringify(Object.fromEntries(r.columns.map((c, i) => [c, row[i]])))}\n`;
      }
      return;
    }
    const columns = req.fields ?? (fieldsPipe?.cmd === 'fields' ? fieldsPipe.fields : DEFAULT_CSV_FIELDS);
    if (req.format === 'csv') yield csvRow(columns);
    for (const e of r.events) {
      stats.rows++;
      yield req.format === 'csv' ? csvRow(columns.map((f) => getField(e, f))) : `${JSON.stringify(e)}\n`;
    }
    return;
  }
  // Filter only (with at most `| fields`): page by time, the projection applied here.
  const text = printQuery({ ...req.query, pipes: [] });
  const columns = req.fields ?? (fieldsPipe?.cmd === 'fields' ? fieldsPipe.fields : DEFAULT_CSV_FIELDS);
  const project = (e: Record<string, unknown>) =>
    fieldsPipe?.cmd === 'fields'
      ? Object.fromEntries(fieldsPipe.fields.map((f) => [f, getField(e, f) ?? null]))
      : e;
  if (req.format === 'csv') yield csvRow(columns);
  let to = req.to;
  let edge: string | undefined;
  let seenAtEdge = new Set<string>();
  while (stats.rows < req.limit) {
    const r = await search.search(req.tenants, text, { from: req.from, to, limit: PAGE + seenAtEdge.size });
    if (r.kind !== 'events') return;
    const fresh = r.events.filter((e) => !seenAtEdge.has(idOf(e)));
    if (fresh.length === 0) return;
    for (const e of fresh) {
      if (stats.rows >= req.limit) return;
      stats.rows++;
      yield req.format === 'csv'
        ? csvRow(columns.map((f) => getField(e, f)))
        : `${JSON.stringify(project(e))}\n`;
    }
    if (r.events.length < PAGE + seenAtEdge.size) return; // the range is exhausted
    const oldest = String(fresh.at(-1)!['@timestamp']);
    if (oldest !== edge) {
      edge = oldest;
      seenAtEdge = new Set();
    }
    for (const e of fresh) if (String(e['@timestamp']) === edge) seenAtEdge.add(idOf(e));
    // `to` is exclusive: end just after the oldest instant, whose events already written are skipped.
    to = new Date(Date.parse(edge) + 1);
  }
}

const idOf = (e: Record<string, unknown>): string => {
  const id = (e['event'] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : JSON.stringify(e);
};
