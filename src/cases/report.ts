/**
 * Case reports: Markdown for tickets and wikis, and a self-contained printable HTML page. Every value
 * that came from a user or an event is escaped; descriptions and comments (Markdown) go through the
 * whitelist renderer in markdown.ts for HTML and have raw HTML neutralized for Markdown.
 */
import type { CaseReport } from './case-service.js';
import { escapeHtml, renderMarkdown } from './markdown.js';

/** Escapes a value for inline Markdown text: nothing in it can start a construct or open HTML. */
export function mdText(s: string): string {
  return s
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|~<>&]/g, (c) =>
      c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`,
    );
}

/** A table cell: inline-escaped, pipes kept out. */
const cell = (s: string | number | boolean | null | undefined): string => mdText(String(s ?? ''));

/**
 * User-written Markdown placed inside the report: kept as Markdown (it is the point), but raw HTML
 * is neutralized outside code, since whatever renders the report next may not sanitize it.
 */
export function mdBlock(md: string): string {
  let inFence = false;
  return md
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) {
        inFence = !inFence;
        return line;
      }
      return inFence
        ? line
        : line
            .replace(/&/g, '&amp;')
            .replace(/</g, '&lt;')
            .replace(/>/g, '&gt;')
            .replace(/^(\s*)&gt;/, '$1>');
    })
    .join('\n')
    .concat(inFence ? '\n```' : '');
}

export function caseReportMarkdown(r: CaseReport): string {
  const c = r.case;
  const out: string[] = [];
  out.push(`# Case #${c.number}: ${mdText(c.title)}`, '');
  out.push(`TLP:${c.tlp.toUpperCase()} · PAP:${c.pap.toUpperCase()}`, '');
  out.push('| Field | Value |', '|---|---|');
  const rows: Array<[string, string | number | boolean]> = [
    ['Id', c.id],
    ['Tenant', c.tenant],
    ['Status', c.status + (c.resolution ? ` (${c.resolution})` : '')],
    ['Severity', c.severity],
    ['Assignee', c.assignee ?? '—'],
    ['Created', `${c.createdAt} by ${c.createdBy}`],
    ['Due', c.dueAt ?? '—'],
    ['SLA', c.sla.state],
    ['Resolved', c.resolvedAt ?? '—'],
    ['Closed', c.closedAt ?? '—'],
    ['Tags', c.tags.join(', ') || '—'],
    ['ATT&CK techniques', c.attack.techniques.join(', ') || '—'],
    ['ATT&CK tactics', c.attack.tactics.join(', ') || '—'],
    ['Restricted to', c.members.join(', ') || '—'],
  ];
  for (const [k, v] of Object.entries(c.customFields)) rows.push([`Custom: ${k}`, v]);
  for (const [k, v] of rows) out.push(`| ${cell(k)} | ${cell(v)} |`);
  out.push('', '## Description', '', c.description.trim() ? mdBlock(c.description) : '_none_', '');

  out.push('## Alerts', '');
  if (r.alerts.length === 0 && r.alertLinks.length === 0) out.push('_none_');
  else {
    out.push('| Alert | Severity | Rule | Count | First seen | Last seen |', '|---|---|---|---|---|---|');
    for (const a of r.alerts)
      out.push(
        `| ${cell(a.title)} (${cell(a.id)}) | ${cell(a.severity)} | ${cell(a.ruleId)} | ${a.count} | ${cell(a.firstSeen)} | ${cell(a.lastSeen)} |`,
      );
    const shown = new Set(r.alerts.map((a) => a.id));
    for (const l of r.alertLinks) if (!shown.has(l.alertId)) out.push(`| ${cell(l.alertId)} | | | | | |`);
  }
  out.push('', '## Tasks', '');
  if (r.tasks.length === 0) out.push('_none_');
  else {
    out.push('| # | Task | Group | Status | Assignee | Due |', '|---|---|---|---|---|---|');
    r.tasks.forEach((t, i) =>
      out.push(
        `| ${i + 1} | ${cell(t.title)} | ${cell(t.group ?? '')} | ${cell(t.status)} | ${cell(t.assignee ?? '')} | ${cell(t.dueAt ?? '')} |`,
      ),
    );
  }
  out.push('', '## Observables', '');
  if (r.observables.length === 0) out.push('_none_');
  else {
    out.push('| Type | Value | IOC | Source | Description |', '|---|---|---|---|---|');
    for (const o of r.observables)
      out.push(
        `| ${cell(o.type)} | ${cell(o.value)} | ${o.ioc ? 'yes' : ''} | ${o.manual ? 'manual' : ''}${o.alertIds.length ? `${o.manual ? ', ' : ''}${o.alertIds.length} alert(s)` : ''} | ${cell(o.description)} |`,
      );
  }
  out.push('', '## Evidence', '');
  if (r.evidence.length === 0) out.push('_none_');
  for (const e of r.evidence) {
    out.push(
      `### ${mdText(e.name)}`,
      '',
      `- SHA-256: \`${e.sha256}\``,
      `- Size: ${e.size} bytes`,
      `- Added: ${cell(e.addedAt)} by ${cell(e.addedBy)}`,
      `- Integrity: ${e.integrity}`,
      '',
      '| When | Action | Who | From |',
      '|---|---|---|---|',
    );
    for (const x of e.custody)
      out.push(`| ${cell(x.at)} | ${cell(x.action)} | ${cell(x.actor)} | ${cell(x.ip ?? '')} |`);
    out.push('');
  }
  out.push('', '## Comments', '');
  if (r.comments.length === 0) out.push('_none_');
  for (const x of r.comments)
    out.push(
      `**${mdText(x.author)}** — ${cell(x.createdAt)}${x.editedAt ? ' (edited)' : ''}`,
      '',
      mdBlock(x.body),
      '',
    );
  out.push('', '## Timeline', '', '| When | What | Who | Details |', '|---|---|---|---|');
  for (const t of r.timeline)
    out.push(
      `| ${cell(t.at)} | ${cell(t.kind)} | ${cell(t.actor ?? '')} | ${cell(t.summary.slice(0, 500))} |`,
    );
  out.push('', `_Generated ${r.generatedAt} by ${mdText(r.generatedBy)}._`, '');
  return out.join('\n');
}

const h = escapeHtml;

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((x) => `<td>${h(x)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A complete HTML document; the only markup in it is written here or by the Markdown whitelist. */
export function caseReportHtml(r: CaseReport): string {
  const c = r.case;
  const fields: string[][] = [
    ['Id', c.id],
    ['Tenant', c.tenant],
    ['Status', c.status + (c.resolution ? ` (${c.resolution})` : '')],
    ['Severity', c.severity],
    ['Assignee', c.assignee ?? '—'],
    ['Created', `${c.createdAt} by ${c.createdBy}`],
    ['Due', c.dueAt ?? '—'],
    ['SLA', c.sla.state],
    ['Resolved', c.resolvedAt ?? '—'],
    ['Closed', c.closedAt ?? '—'],
    ['Tags', c.tags.join(', ') || '—'],
    ['ATT&CK techniques', c.attack.techniques.join(', ') || '—'],
    ['ATT&CK tactics', c.attack.tactics.join(', ') || '—'],
    ['Restricted to', c.members.join(', ') || '—'],
    ...Object.entries(c.customFields).map(([k, v]) => [`Custom: ${k}`, String(v)]),
  ];
  const evidence = r.evidence
    .map(
      (e) =>
        `<h3>${h(e.name)}</h3><p>SHA-256 <code>${h(e.sha256)}</code> · ${e.size} bytes · added ${h(e.addedAt)} by ${h(e.addedBy)} · integrity <b>${h(e.integrity)}</b></p>` +
        table(
          ['When', 'Action', 'Who', 'From', 'Detail'],
          e.custody.map((x) => [x.at, x.action, x.actor, x.ip ?? '', x.detail ?? '']),
        ),
    )
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Case #${c.number}: ${h(c.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#111}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top;word-break:break-word}
th{background:#eee}.tlp{font-weight:bold;padding:.2em .6em;border:1px solid #000;display:inline-block}
.md{border-left:3px solid #ccc;padding-left:1em}.none{color:#777}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}table{page-break-inside:auto}tr{page-break-inside:avoid}}
</style></head><body>
<p><span class="tlp">TLP:${h(c.tlp.toUpperCase())}</span> <span class="tlp">PAP:${h(c.pap.toUpperCase())}</span></p>
<h1>Case #${c.number}: ${h(c.title)}</h1>
${table(['Field', 'Value'], fields)}
<h2>Description</h2><div class="md">${c.description.trim() ? renderMarkdown(c.description) : '<p class="none">none</p>'}</div>
<h2>Alerts</h2>${table(
    ['Alert', 'Id', 'Severity', 'Rule', 'Count', 'First seen', 'Last seen'],
    r.alerts.map((a) => [a.title, a.id, a.severity, a.ruleId, String(a.count), a.firstSeen, a.lastSeen]),
  )}
<h2>Tasks</h2>${table(
    ['Task', 'Group', 'Status', 'Assignee', 'Due'],
    r.tasks.map((t) => [t.title, t.group ?? '', t.status, t.assignee ?? '', t.dueAt ?? '']),
  )}
<h2>Observables</h2>${table(
    ['Type', 'Value', 'IOC', 'Description'],
    r.observables.map((o) => [o.type, o.value, o.ioc ? 'yes' : '', o.description]),
  )}
<h2>Evidence</h2>${evidence || '<p class="none">none</p>'}
<h2>Comments</h2>${r.comments.map((x) => `<h3>${h(x.author)} — ${h(x.createdAt)}${x.editedAt ? ' (edited)' : ''}</h3><div class="md">${renderMarkdown(x.body)}</div>`).join('') || '<p class="none">none</p>'}
<h2>Timeline</h2>${table(
    ['When', 'What', 'Who', 'Details'],
    r.timeline.map((t) => [t.at, t.kind, t.actor ?? '', t.summary]),
  )}
<p class="none">Generated ${h(r.generatedAt)} by ${h(r.generatedBy)}.</p>
</body></html>
`;
}
