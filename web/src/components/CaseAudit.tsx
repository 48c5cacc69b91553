/** The audit records of one case (and its tasks, comments, evidence), with what changed in each. */
import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { caseApi, type AuditRecord } from '../api';
import { text, Time } from '../format';
import { JsonView } from './JsonView';
import { Empty, ErrorState, Loading } from './States';

/** The top-level fields whose value differs between before and after. */
function changedKeys(r: AuditRecord): string[] {
  const b = (r.before && typeof r.before === 'object' ? r.before : {}) as Record<string, unknown>;
  const a = (r.after && typeof r.after === 'object' ? r.after : {}) as Record<string, unknown>;
  if (r.before === null || r.after === null) return [];
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (k) => k !== 'updatedAt' && text(b[k]) !== text(a[k]),
  );
}

export function CaseAudit({ caseId }: { caseId: string }) {
  const q = useQuery({ queryKey: ['case', caseId, 'audit'], queryFn: () => caseApi.audit(caseId) });
  const [open, setOpen] = useState<number>();
  if (q.isPending) return <Loading what="Loading audit history" />;
  if (q.error) return <ErrorState error={q.error} what="Audit history" retry={() => void q.refetch()} />;
  const records = [...q.data.records].reverse();
  if (records.length === 0) return <Empty>No audit records for this case.</Empty>;
  return (
    <table className="table compact" data-testid="case-audit">
      <thead>
        <tr>
          <th className="num">Seq</th>
          <th>When</th>
          <th>Actor</th>
          <th>Action</th>
          <th>Changed</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {records.map((r) => {
          const keys = changedKeys(r);
          return (
            <Fragment key={r.seq}>
              <tr>
                <td className="num">{r.seq}</td>
                <td>
                  <Time iso={r.ts} />
                </td>
                <td>
                  {r.actor} {r.ip && <span className="muted small">{r.ip}</span>}
                </td>
                <td className="mono">{r.action}</td>
                <td className="ellipsis wide" title={keys.join(', ')}>
                  {r.before === null ? 'created' : r.after === null ? 'removed' : keys.join(', ') || '—'}
                </td>
                <td>
                  <button
                    type="button"
                    className="tiny"
                    aria-expanded={open === r.seq}
                    onClick={() => setOpen(open === r.seq ? undefined : r.seq)}
                  >
                    Details
                  </button>
                </td>
              </tr>
              {open === r.seq && (
                <tr>
                  <td colSpan={6} className="wrap">
                    <div className="audit-diff">
                      <div>
                        <div className="muted small">Before</div>
                        <JsonView value={r.before} />
                      </div>
                      <div>
                        <div className="muted small">After</div>
                        <JsonView value={r.after} />
                      </div>
                    </div>
                    <div className="muted small mono">hash {r.hash}</div>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
