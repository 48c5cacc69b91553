/** Alerts linked to a case: add more by id, split some out (into a new case or none). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { caseApi } from '../api';
import { num, Time } from '../format';
import { Link, navigate } from '../router';
import { errorText, splitList, useCaseMutation } from './CaseUi';
import { Empty, ErrorState, Loading, Severity, StateBadge } from './States';

export function CaseAlerts({ caseId, writable }: { caseId: string; writable: boolean }) {
  const q = useQuery({ queryKey: ['case', caseId, 'alerts'], queryFn: () => caseApi.alerts(caseId) });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [add, setAdd] = useState('');
  const [msg, setMsg] = useState<string>();
  const addAlerts = useCaseMutation(
    caseId,
    (ids: string[]) => caseApi.addAlerts(caseId, ids),
    () => {
      setAdd('');
      setMsg('Alerts added');
    },
  );
  const split = useCaseMutation(
    caseId,
    (to: 'new' | 'none') => caseApi.split(caseId, [...selected], to),
    (r) => {
      setSelected(new Set());
      if (r.created) navigate(`/cases/${r.created.id}`);
      else setMsg('Alerts taken out of the case');
    },
  );
  if (q.isPending) return <Loading what="Loading alerts" />;
  if (q.error) return <ErrorState error={q.error} what="Linked alerts" retry={() => void q.refetch()} />;
  const { alerts } = q.data;
  const toggle = (id: string) => {
    const n = new Set(selected);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    setSelected(n);
  };
  const err = addAlerts.error ?? split.error;
  return (
    <>
      {writable && (
        <div className="case-add-row">
          <form
            className="filters"
            aria-label="Link alerts"
            onSubmit={(e) => {
              e.preventDefault();
              const ids = splitList(add);
              if (ids.length > 0) addAlerts.mutate(ids);
            }}
          >
            <label className="grow">
              Link alerts (ids, comma separated)
              <input value={add} onChange={(e) => setAdd(e.target.value)} className="mono" />
            </label>
            <button type="submit" disabled={addAlerts.isPending || !add.trim()}>
              Link
            </button>
          </form>
          <div className="actions">
            <button
              type="button"
              disabled={selected.size === 0 || split.isPending}
              onClick={() => split.mutate('new')}
            >
              Split {selected.size || ''} into a new case
            </button>
            <button
              type="button"
              disabled={selected.size === 0 || split.isPending}
              onClick={() => split.mutate('none')}
            >
              Unlink {selected.size || ''}
            </button>
            <span className="status-msg" role="status" aria-live="polite">
              {err ? `Failed: ${errorText(err)}` : msg}
            </span>
          </div>
        </div>
      )}
      {alerts.length === 0 ? (
        <Empty>No alerts linked.</Empty>
      ) : (
        <table className="table compact" data-testid="case-alerts">
          <thead>
            <tr>
              {writable && <th />}
              <th>Severity</th>
              <th>Title</th>
              <th>Status</th>
              <th>Entity</th>
              <th className="num">Count</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id}>
                {writable && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select alert ${a.title}`}
                      checked={selected.has(a.id)}
                      onChange={() => toggle(a.id)}
                    />
                  </td>
                )}
                <td>
                  <Severity level={a.severity} />
                </td>
                <td className="ellipsis wide" title={a.title}>
                  <Link to={`/alerts/${a.id}`}>{a.title}</Link>
                </td>
                <td>
                  <StateBadge state={a.status} />
                </td>
                <td
                  className="mono ellipsis narrow"
                  title={a.entity ? `${a.entity.type}: ${a.entity.value}` : ''}
                >
                  {a.entity ? a.entity.value : '—'}
                </td>
                <td className="num">{num(a.count)}</td>
                <td>
                  <Time iso={a.lastSeen} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
