import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api';
import { ErrorState, Loading, PageHeader } from '../components/States';
import { num, Time } from '../format';
import { navigate, useLocation } from '../router';

export default function DeadLetters() {
  const loc = useLocation();
  const input = loc.query.get('input') ?? '';
  const [draft, setDraft] = useState(input);
  const [open, setOpen] = useState<number>();
  const list = useQuery({
    queryKey: ['deadletters', 'list', input],
    queryFn: () => api.deadLetters({ limit: 500, input: input || undefined }),
    refetchInterval: 15_000,
  });
  return (
    <>
      <PageHeader title="Dead letters">
        <span className="muted">{list.data ? `${num(list.data.total)} total` : ''}</span>
      </PageHeader>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/deadletters', { input: draft || undefined }, true);
        }}
      >
        <label>
          Input
          <input
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="syslog, http…"
            maxLength={100}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} what="Dead letters" retry={() => void list.refetch()} />
      ) : list.data.deadLetters.length === 0 ? (
        <div className="state state-empty">No dead letters: everything received was ingested.</div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Received</th>
              <th>Input</th>
              <th>Tenant</th>
              <th>Reason</th>
              <th>Raw</th>
            </tr>
          </thead>
          <tbody>
            {list.data.deadLetters.map((d) => (
              <tr key={d.id} className="clickable" onClick={() => setOpen(open === d.id ? undefined : d.id)}>
                <td>
                  <Time iso={d.receivedAt} />
                </td>
                <td className="mono">{d.input}</td>
                <td>{d.tenant}</td>
                <td className="wrap">{d.reason}</td>
                <td
                  className={`mono ${open === d.id ? 'pre' : 'ellipsis wide'}`}
                  title={open === d.id ? undefined : 'click to show all'}
                >
                  {d.encoding === 'base64' ? <span className="muted">(base64) </span> : null}
                  {d.raw}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
