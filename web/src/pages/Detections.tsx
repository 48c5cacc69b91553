import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, SEVERITIES } from '../api';
import { JsonView } from '../components/JsonView';
import { Pager } from '../components/Pager';
import { ErrorState, Loading, PageHeader, Severity } from '../components/States';
import { num, term, Time } from '../format';
import { Link, navigate, useLocation } from '../router';

const PAGE = 100;

export default function Detections() {
  const loc = useLocation();
  const level = loc.query.get('level') ?? '';
  const rule = loc.query.get('rule') ?? '';
  const offset = Number(loc.query.get('offset') ?? 0);
  const [open, setOpen] = useState<string>();
  const set = (patch: Record<string, string | undefined>) =>
    navigate('/detections', { level, rule, offset: undefined, ...patch }, true);

  const list = useQuery({
    queryKey: ['detections', 'list', level, rule, offset],
    queryFn: () =>
      api.detections({ level: level || undefined, rule: rule || undefined, limit: PAGE, offset }),
    refetchInterval: 10_000,
  });

  return (
    <>
      <PageHeader title="Detections">
        <span className="muted">{list.data ? `${num(list.data.total)} total` : ''}</span>
      </PageHeader>
      <div className="filters">
        <label>
          Level at least
          <select value={level} onChange={(e) => set({ level: e.target.value || undefined })}>
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {rule && (
          <span className="chip">
            rule <span className="mono">{rule}</span>{' '}
            <button
              type="button"
              className="ghost tiny"
              aria-label="Remove rule filter"
              onClick={() => set({ rule: undefined })}
            >
              ×
            </button>
          </span>
        )}
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} what="Detections" retry={() => void list.refetch()} />
      ) : list.data.detections.length === 0 ? (
        <div className="state state-empty">No detections{level || rule ? ' match the filter' : ' yet'}.</div>
      ) : (
        <>
          <table className="table" data-testid="detections-table">
            <thead>
              <tr>
                <th>Event time</th>
                <th>Level</th>
                <th>Rule</th>
                <th>Kind</th>
                <th>ATT&amp;CK</th>
                <th>Events</th>
              </tr>
            </thead>
            <tbody>
              {list.data.detections.map((d) => [
                <tr
                  key={d.id}
                  className="clickable"
                  onClick={() => setOpen(open === d.id ? undefined : d.id)}
                >
                  <td>
                    <Time iso={d.ts} />
                  </td>
                  <td>
                    <Severity level={d.level} />
                  </td>
                  <td className="ellipsis">
                    <button
                      type="button"
                      className="pivot"
                      title="Only this rule"
                      onClick={(e) => (e.stopPropagation(), set({ rule: d.ruleId }))}
                    >
                      {d.title}
                    </button>
                  </td>
                  <td>{d.kind}</td>
                  <td className="ellipsis">{d.attack.techniques.join(', ')}</td>
                  <td>
                    {d.eventIds.slice(0, 3).map((id) => (
                      <Link
                        key={id}
                        to="/search"
                        query={{ q: term('event.id', id), range: 'all' }}
                        className="mono small"
                        onClick={(e) => e.stopPropagation()}
                      >
                        …{id.slice(-8)}{' '}
                      </Link>
                    ))}
                    {d.eventIds.length > 3 && <span className="muted">+{d.eventIds.length - 3}</span>}
                  </td>
                </tr>,
                open === d.id && (
                  <tr key={`${d.id}-x`} className="json-row">
                    <td colSpan={6}>
                      <JsonView value={d} open={2} />
                    </td>
                  </tr>
                ),
              ])}
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
