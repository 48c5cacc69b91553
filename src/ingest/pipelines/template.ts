import { isObj, type IngestDoc } from './document.js';

/**
 * The part of Mustache that ingest pipelines use: `{{field.path}}` and `{{{field.path}}}`
 * (including `{{_ingest.timestamp}}` and `{{_ingest.on_failure_message}}`). Sections, partials
 * and lambdas are not rendered; a missing field renders as the empty string, as in Elasticsearch.
 */
const TAG = /\{\{\{\s*([^{}]+?)\s*\}\}\}|\{\{\s*([^{}#^/!>&=][^{}]*?)\s*\}\}/g;

export function isTemplate(s: string): boolean {
  return s.includes('{{');
}

function render(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) || isObj(v)) return JSON.stringify(v);
  return '';
}

export function renderTemplate(template: string, doc: IngestDoc): string {
  if (!isTemplate(template)) return template;
  return template.replace(TAG, (_m, triple: string | undefined, double: string | undefined) => {
    const path = (triple ?? double ?? '').trim();
    if (path === '') return '';
    const r = doc.lookup(path);
    return r.found ? render(r.value) : '';
  });
}

/** Renders strings inside a value (set/append values may be lists or objects of templates). */
export function renderValue(v: unknown, doc: IngestDoc): unknown {
  if (typeof v === 'string') return renderTemplate(v, doc);
  if (Array.isArray(v)) return v.map((x) => renderValue(x, doc));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderValue(x, doc)]));
  return v;
}
