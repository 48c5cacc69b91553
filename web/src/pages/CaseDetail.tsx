/**
 * One case: summary and status at the top, then tabs for the timeline, linked alerts, tasks,
 * observables, comments, evidence and audit history. The tab is in the URL (`?tab=`), so a reload or
 * a shared link lands on the same view.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, caseApi, type CaseDetail as Case } from '../api';
import { CaseAlerts } from '../components/CaseAlerts';
import { CaseAudit } from '../components/CaseAudit';
import { CaseComments } from '../components/CaseComments';
import { CaseEvidence } from '../components/CaseEvidence';
import { CaseObservables } from '../components/CaseObservables';
import { CaseStatusControl, CaseSummary } from '../components/CaseSummary';
import { CaseTasks } from '../components/CaseTasks';
import { CaseTimeline } from '../components/CaseTimeline';
import { CaseTabs, errorText, useCaseMutation, type Tab } from '../components/CaseUi';
import { ErrorState, Loading, PageHeader } from '../components/States';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { Modal } from '../components/Modal';

export default function CaseDetail({ id }: { id: string }) {
  const { can } = useSession();
  const loc = useLocation();
  const tab = loc.query.get('tab') ?? 'timeline';
  const q = useQuery({ queryKey: ['case', id], queryFn: () => caseApi.get(id), refetchInterval: 15_000 });
  const [merging, setMerging] = useState(false);
  if (q.isPending) return <Loading what="Loading case" />;
  if (q.error) return <ErrorState error={q.error} what="Case" retry={() => void q.refetch()} />;
  const c = q.data;
  // The server refuses writes only to a merged case (its work lives on in the surviving one).
  const open = !c.mergedInto;
  const writable = can('cases:write') && open;
  const n = c.counts;
  const tabs: Tab[] = [
    { id: 'timeline', label: 'Timeline' },
    { id: 'alerts', label: 'Alerts', count: n.alerts },
    { id: 'tasks', label: 'Tasks', count: n.tasks },
    { id: 'observables', label: 'Observables', count: n.observables },
    { id: 'comments', label: 'Comments', count: n.comments },
    ...(can('evidence:read') ? [{ id: 'evidence', label: 'Evidence', count: n.evidence }] : []),
    ...(can('audit:read') ? [{ id: 'audit', label: 'Audit history' }] : []),
  ];
  const current = tabs.some((t) => t.id === tab) ? tab : 'timeline';

  return (
    <>
      <PageHeader title={`#${c.number} ${c.title}`}>
        <Link to="/cases">← Cases</Link>
        {can('reports:read') && (
          <a href={`/api/v1/cases/${encodeURIComponent(c.id)}/report?format=markdown`} download>
            Report (Markdown)
          </a>
        )}
        {writable && (
          <button type="button" onClick={() => setMerging(true)}>
            Merge into…
          </button>
        )}
      </PageHeader>
      {c.mergedInto && (
        <div className="banner" role="note">
          This case was merged. Its alerts, tasks and evidence now live in{' '}
          <Link to={`/cases/${c.mergedInto}`}>the surviving case</Link>.
        </div>
      )}
      <div className="case-head">
        <CaseSummary c={c} writable={writable} />
        <CaseStatusControl key={`${c.status}-${c.resolution ?? ''}`} c={c} writable={writable} />
      </div>
      <CaseTabs tabs={tabs} current={current} onSelect={(t) => navigate(`/cases/${id}`, { tab: t }, true)}>
        {current === 'timeline' && <CaseTimeline caseId={id} writable={writable} />}
        {current === 'alerts' && <CaseAlerts caseId={id} writable={writable} />}
        {current === 'tasks' && <CaseTasks caseId={id} writable={can('tasks:write') && open} />}
        {current === 'observables' && <CaseObservables caseId={id} writable={writable} />}
        {current === 'comments' && <CaseComments caseId={id} writable={writable} />}
        {current === 'evidence' && <CaseEvidence caseId={id} canWrite={can('evidence:write') && open} />}
        {current === 'audit' && <CaseAudit caseId={id} />}
      </CaseTabs>
      {merging && <MergeDialog c={c} onClose={() => setMerging(false)} />}
    </>
  );
}

/** Pick the case this one folds into; the server moves everything and closes this one as merged. */
function MergeDialog({ c, onClose }: { c: Case; onClose: () => void }) {
  const [into, setInto] = useState('');
  const [filter, setFilter] = useState('');
  const list = useQuery({
    queryKey: ['cases', 'merge-targets', filter],
    // Any status: folding a duplicate into a resolved case is as common as into an open one.
    queryFn: () => api.cases({ q: filter || undefined, limit: 50 }),
  });
  const merge = useCaseMutation(
    c.id,
    (target: string) => caseApi.merge(c.id, target),
    (r) => {
      onClose();
      navigate(`/cases/${r.id}`);
    },
  );
  const targets = (list.data?.cases ?? []).filter((x) => x.id !== c.id);
  return (
    <Modal title="Merge case" heading={`Merge #${c.number} into another case`} onClose={onClose}>
      <p className="muted small">
        Alerts, tasks, observables, comments, evidence and pins move to the chosen case; this one is closed as
        merged.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (into) merge.mutate(into);
        }}
      >
        <label>
          Find
          <input
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            autoFocus
            placeholder="title words"
          />
        </label>
        <label>
          Into
          <select value={into} onChange={(e) => setInto(e.target.value)} required size={6}>
            {targets.map((t) => (
              <option key={t.id} value={t.id}>
                #{t.number} {t.title} ({t.status.replace(/_/g, ' ')})
              </option>
            ))}
          </select>
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={!into || merge.isPending}>
            Merge
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {merge.error && <span className="form-error">{errorText(merge.error)}</span>}
        </div>
      </form>
    </Modal>
  );
}
