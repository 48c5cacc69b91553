import { getField } from '../schema/fields.js';
import type { HuntHit, HuntSummary } from './hunt.js';

export type HuntFormat = 'table' | 'jsonl' | 'csv';

/** Log content is attacker-controlled: control characters would let it drive the terminal. */
export function terminalSafe(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\t' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

function fit(s: string, width: number): string {
  const t = terminalSafe(s);
  return t.length > width ? `${t.slice(0, width - 1)}…` : t.padEnd(width);
}

function hostOf(e: Record<string, unknown>): string {
  for (const f of ['host.name', 'winlog.computer_name', 'Hostname', 'Computer']) {
    const v = getField(e, f);
    if (typeof v === 'string' && v !== '') return v;
  }
  return '-';
}

function fieldsOf(hit: HuntHit): string {
  const parts: string[] = [];
  for (const m of hit.matchedFields) for (const [k, v] of Object.entries(m)) parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.join(' ');
}

/** CSV cell: RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_HEADER = 'timestamp,level,rule_id,rule_title,host,file,matched_fields';
export const TABLE_HEADER = `${'time (UTC)'.padEnd(24)} ${'level'.padEnd(13)} ${'rule'.padEnd(50)} ${'host'.padEnd(20)} matched`;

export function formatHit(hit: HuntHit, format: HuntFormat): string {
  switch (format) {
    case 'jsonl':
      return JSON.stringify({
        rule: hit.rule,
        timestamp: hit.timestamp,
        event: hit.event,
        matched: { selections: hit.matchedSelections, fields: hit.matchedFields },
        file: hit.file,
      });
    case 'csv':
      return [hit.timestamp, hit.rule.level, hit.rule.id, hit.rule.title, hostOf(hit.event), hit.file, JSON.stringify(hit.matchedFields)].map(csvCell).join(',');
    case 'table':
      return `${fit(hit.timestamp, 24)} ${fit(hit.rule.level, 13)} ${fit(hit.rule.title, 50)} ${fit(hostOf(hit.event), 20)} ${terminalSafe(fieldsOf(hit)).slice(0, 200)}`;
  }
}

export function formatSummary(s: HuntSummary): string {
  const lines = [
    `${s.hits} detection(s) in ${s.events} event(s) from ${s.files} file(s)${s.unreadable ? `; ${s.unreadable} record(s) unreadable` : ''}`,
    `by level: ${['critical', 'high', 'medium', 'low', 'informational'].map((l) => `${l} ${s.byLevel[l] ?? 0}`).join(', ')}`,
  ];
  if (s.byRule.length > 0) {
    lines.push('by rule:');
    for (const r of s.byRule) lines.push(`  ${String(r.count).padStart(7)}  ${r.level.padEnd(13)} ${terminalSafe(r.title)} (${r.id})`);
  }
  for (const c of s.correlations) {
    lines.push(`correlation ${c.level} ${terminalSafe(c.title)}: ${c.type} = ${c.value} for ${terminalSafe(JSON.stringify(c.group))} between ${new Date(c.windowStart).toISOString()} and ${new Date(c.windowEnd).toISOString()}`);
  }
  return lines.join('\n');
}
