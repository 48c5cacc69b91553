/**
 * ATT&CK coverage as a matrix: one column per tactic, one cell per technique, coloured by how many
 * enabled rules detect it; a technique that produced alerts recently is outlined, with its alert
 * count. Every cell is a focusable element with its counts and rule titles on hover.
 */
import { useState } from 'react';
import type { AttackCoverage } from '../api';

const level = (n: number): string =>
  n === 0 ? 'cov-0' : n === 1 ? 'cov-1' : n <= 3 ? 'cov-2' : n <= 9 ? 'cov-3' : 'cov-4';

export function AttackHeatmap({ coverage }: { coverage: AttackCoverage }) {
  const [coveredOnly, setCoveredOnly] = useState(false);
  return (
    <div className="heatmap-wrap">
      <div className="heatmap-tools">
        <span data-testid="coverage-total">
          {coverage.totals.covered} of {coverage.totals.techniques} techniques covered by{' '}
          {coverage.totals.rulesWithAttackTags} tagged rule
          {coverage.totals.rulesWithAttackTags === 1 ? '' : 's'}
          {coverage.alertsAvailable &&
            `; ${coverage.totals.alerted} produced alerts in the last ${coverage.alertDays} days`}
        </span>
        <label className="inline">
          <input type="checkbox" checked={coveredOnly} onChange={(e) => setCoveredOnly(e.target.checked)} />{' '}
          covered only
        </label>
        <span className="legend">
          {[
            ['cov-0', 'none'],
            ['cov-1', '1 rule'],
            ['cov-2', '2–3'],
            ['cov-3', '4–9'],
            ['cov-4', '10+'],
          ].map(([c, l]) => (
            <span key={c} className="legend-item">
              <span className={`swatch ${c}`} aria-hidden="true" /> {l}
            </span>
          ))}
        </span>
      </div>
      <div
        className="heatmap"
        role="table"
        aria-label="ATT&CK coverage by tactic and technique"
        data-testid="attack-heatmap"
      >
        {coverage.tactics.map((t) => {
          const cells = [...t.techniques]
            .filter((c) => !coveredOnly || c.rules > 0)
            .sort((a, b) => b.rules - a.rules || a.id.localeCompare(b.id));
          return (
            <div key={t.shortname} className="heatmap-col" role="rowgroup">
              <div className="heatmap-head" role="columnheader" title={`${t.id} ${t.name}`}>
                <span className="clip">{t.name}</span>
                <span className="muted small">
                  {t.covered}/{t.techniques.length}
                </span>
              </div>
              {cells.map((c) => (
                <div
                  key={c.id}
                  role="cell"
                  tabIndex={0}
                  className={`heatmap-cell ${level(c.rules)}${c.alerts > 0 ? ' alerted' : ''}`}
                  data-technique={c.id}
                  data-rules={c.rules}
                  data-alerts={c.alerts}
                  title={
                    `${c.id} ${c.name}: ${c.rules} enabled rule${c.rules === 1 ? '' : 's'}` +
                    (c.disabledRules ? `, ${c.disabledRules} disabled` : '') +
                    (c.alerts
                      ? `; ${c.alerts} alert${c.alerts === 1 ? '' : 's'} in ${coverage.alertDays} days`
                      : '') +
                    (c.titles.length ? `\n${c.titles.join('\n')}` : '')
                  }
                >
                  <span className="clip">{c.name}</span>
                  {c.rules > 0 && <span className="heatmap-n">{c.rules}</span>}
                  {c.alerts > 0 && (
                    <span className="heatmap-alerts" aria-label={`${c.alerts} alerts`}>
                      ⚑{c.alerts}
                    </span>
                  )}
                </div>
              ))}
            </div>
          );
        })}
      </div>
      {coverage.unknown.length > 0 && (
        <div className="muted small">
          Tags not in ATT&amp;CK v18.1: {coverage.unknown.map((u) => `${u.id} (${u.rules})`).join(', ')}
        </div>
      )}
      {!coverage.rulesAvailable && (
        <div className="muted small">This node runs no detection: no rules to map.</div>
      )}
    </div>
  );
}
