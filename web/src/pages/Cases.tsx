import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Lazy, lazyComponent } from '../lazy';
import { api } from '../api';
import { CaseNew } from '../components/CaseNew';
import { Pager } from '../components/Pager';
import { ErrorState, Loading, PageHeader, Severity, StateBadge } from '../components/States';
import { num, Time } from '../format';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';

const CaseDetail = lazyComponent(() => import('./CaseDetail'));

const PAGE = 50;
const STATUS_SETS: Array<[string, string]> = [
  ['open,in_progress', 'active'],
  ['resolved', 'resolved'],
  ['closed', 'closed'],
  ['', 'any'],
];

export default function Cases({ segments = [] }: { segments?: string[] }) {
  if (segments[0] === 'new') return <CaseNew />;
  const id = segments[0];
  if (id) return <Lazy of={CaseDetail} render={(C) => <C key={id} id={id} />} />;
  return <CaseList />;
}

const SLA_STATES: Array<[string, string]> = [
  ['', 'any'],
  ['ok', 'ok'],
  ['at_risk', 'at risk'],
  ['breached', 'breached'],
];

function CaseList() {
  const { can } = useSession();
  const loc = useLocation();
  const status = loc.query.get('status') ?? 'open,in_progress';
  const q = loc.query.get('q') ?? '';
  const sla = loc.query.get('sla') ?? '';
  const offset = Number(loc.query.get('offset') ?? 0);
  const [draft, setDraft] = useState(q);
  const set = (p: Record<string, string | undefined>) =>
    navigate('/cases', { status, q, sla, offset: undefined, ...p }, true);
  const list = useQuery({
    queryKey: ['cases', status, q, sla, offset],
    queryFn: () =>
      api.cases({
        status: status ? status.split(',') : undefined,
        q: q || undefined,
        sla: sla || undefined,
        limit: PAGE,
        offset,
      }),
    refetchInterval: 15_000,
  });
  return (
    <>
      <PageHeader title="Cases">
        <span className="muted">{list.data ? `${num(list.data.total)} total` : ''}</span>
        {can('cases:write') && (
          <button type="button" className="primary" onClick={() => navigate('/cases/new')}>
            New case
          </button>
        )}
      </PageHeader>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: draft || undefined });
        }}
      >
        <label>
          Status
          <select value={status} onChange={(e) => set({ status: e.target.value })}>
            {STATUS_SETS.map(([v, l]) => (
              <option key={l} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          SLA
          <select value={sla} onChange={(e) => set({ sla: e.target.value || undefined })}>
            {SLA_STATES.map(([v, l]) => (
              <option key={l} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Filter
          <input
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="title or text"
            maxLength={500}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} what="Cases" retry={() => void list.refetch()} />
      ) : list.data.cases.length === 0 ? (
        <div className="state state-empty">No cases match.</div>
      ) : (
        <>
          <table className="table" data-testid="cases-table">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>Title</th>
                <th>Severity</th>
                <th>Status</th>
                <th>SLA</th>
                <th>Assignee</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.cases.map((c) => (
                <tr key={c.id} data-case-id={c.id}>
                  <td className="num">{c.number}</td>
                  <td className="ellipsis" title={c.title}>
                    <Link to={`/cases/${c.id}`}>{c.title}</Link>
                  </td>
                  <td>
                    <Severity level={c.severity} />
                  </td>
                  <td>
                    <StateBadge state={c.status} />
                  </td>
                  <td>
                    {c.sla && c.status !== 'resolved' && c.status !== 'closed' ? (
                      <span title={c.sla.dueAt ? `due ${c.sla.dueAt}` : undefined}>
                        <StateBadge state={c.sla.state} />
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{c.assignee ?? '—'}</td>
                  <td>
                    <Time iso={c.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            offset={offset}
            page={PAGE}
            total={list.data.total}
            onOffset={(o) => set({ offset: o ? String(o) : undefined })}
          />
        </>
      )}
    </>
  );
}
