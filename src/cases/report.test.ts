/* eslint-disable @typescript-eslint/no-explicit-any -- JSON replies are asserted field by field */
import { describe, expect, it } from 'vitest';
import type { CaseReport } from './case-service.js';
import { caseToOcsf } from './ocsf.js';
import { caseReportHtml, caseReportMarkdown, mdText } from './report.js';

const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>';
const T = '2026-11-01T10:00:00.000Z';

function report(): CaseReport {
  return {
    case: {
      id: 'c1',
      tenant: 't',
      number: 7,
      title: `Phish ${EVIL}`,
      description: `# Summary\n\n${EVIL}\n\n[x](javascript:alert(3))`,
      severity: 'high',
      status: 'closed',
      resolution: 'true_positive',
      tlp: 'amber',
      pap: 'green',
      tags: ['phishing'],
      customFields: { [`k`]: EVIL },
      assignee: 'alice',
      dueAt: T,
      dueSource: 'sla',
      attack: { techniques: ['T1566.001'], tactics: ['initial_access'] },
      members: [],
      template: 'phishing',
      mergedInto: null,
      createdBy: 'alice',
      createdAt: T,
      updatedAt: T,
      resolvedAt: T,
      closedAt: T,
      sla: { state: 'ok', dueAt: T, remainingSeconds: 0 },
    },
    alerts: [],
    alertLinks: [],
    tasks: [
      {
        id: 'k',
        tenant: 't',
        caseId: 'c1',
        title: EVIL,
        description: '',
        group: null,
        order: 0,
        assignee: null,
        status: 'done',
        dueAt: null,
        createdBy: 'a',
        createdAt: T,
        updatedAt: T,
        completedAt: T,
      },
    ],
    observables: [
      {
        id: 'o',
        tenant: 't',
        caseId: 'c1',
        type: 'url',
        value: `https://e.example/"${EVIL}`,
        ioc: true,
        description: EVIL,
        tags: [],
        manual: true,
        alertIds: [],
        createdBy: 'a',
        createdAt: T,
        updatedAt: T,
      },
    ],
    comments: [
      {
        id: 'm',
        tenant: 't',
        caseId: 'c1',
        author: `<b>x</b>`,
        body: `**ok** ${EVIL}`,
        createdAt: T,
        editedAt: null,
      },
    ],
    evidence: [
      {
        id: 'e',
        tenant: 't',
        caseId: 'c1',
        sha256: 'a'.repeat(64),
        size: 1,
        name: `${EVIL}.eml`,
        contentType: 'message/rfc822',
        description: '',
        addedBy: 'a',
        addedAt: T,
        integrity: 'ok',
        lastVerifiedAt: T,
        custody: [
          {
            seq: 1,
            tenant: 't',
            evidenceId: 'e',
            caseId: 'c1',
            action: 'added',
            actor: 'a',
            ip: '1.2.3.4',
            at: T,
            sha256: 'a'.repeat(64),
            detail: EVIL,
          },
        ],
      },
    ],
    timeline: [{ at: T, kind: 'comment', actor: 'a', summary: EVIL }],
    generatedAt: T,
    generatedBy: EVIL,
  };
}

describe('case reports', () => {
  it('HTML escapes everything that came from users: no tag but its own', () => {
    const html = caseReportHtml(report());
    expect(html).not.toMatch(/<script|<img|onerror=alert\(2\)>|href="javascript/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<h1>Summary</h1>');
    expect(html).toContain('<strong>ok</strong>');
    expect(html).toContain('Content-Security-Policy');
    const tags = new Set(
      (html.match(/<\/?([a-z0-9]+)/gi) ?? []).map((t) => t.replace(/[</]/g, '').toLowerCase()),
    );
    for (const t of tags)
      expect([
        'html',
        'head',
        'meta',
        'title',
        'style',
        'body',
        'p',
        'span',
        'h1',
        'h2',
        'h3',
        'table',
        'thead',
        'tbody',
        'tr',
        'th',
        'td',
        'div',
        'code',
        'b',
        'strong',
        'em',
        'a',
        'pre',
        'ul',
        'ol',
        'li',
        'blockquote',
        'hr',
        'br',
        '!doctype',
      ]).toContain(t);
  });

  it('Markdown neutralizes raw HTML and escapes inline values', () => {
    const md = caseReportMarkdown(report());
    expect(md).not.toMatch(/<script|<img|<b>/i);
    expect(md).toContain('# Case #7: Phish');
    expect(md).toContain('| Status | closed \\(true\\_positive\\) |');
    expect(md).toContain('# Summary');
    expect(mdText('a|b*c<d')).toBe('a\\|b\\*c&lt;d');
  });

  it('exports an OCSF Incident Finding', () => {
    const o = caseToOcsf(report(), '0.1.0') as Record<string, any>;
    expect(o).toMatchObject({
      class_uid: 2005,
      category_uid: 2,
      activity_id: 3,
      type_uid: 200503,
      severity_id: 4,
      status_id: 5,
      verdict_id: 2,
    });
    expect(o.finding_info_list[0]).toMatchObject({ uid: 'c1', types: ['phishing'] });
    expect(o.attacks[0]).toMatchObject({ technique: { uid: 'T1566.001' } });
    expect(o.observables[0]).toMatchObject({ type_id: 6, reputation: { score: 'Malicious' } });
    expect(o.metadata).toMatchObject({ version: '1.3.0', product: { name: 'Vigil' } });
  });
});
