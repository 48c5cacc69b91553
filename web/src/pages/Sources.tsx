import { useQuery } from '@tanstack/react-query';
import { Fragment } from 'react';
import { api } from '../api';
import { ErrorState, Loading, PageHeader, StateBadge } from '../components/States';
import { ago, num, Time } from '../format';

export default function Sources() {
  const sources = useQuery({ queryKey: ['sources'], queryFn: api.sources, refetchInterval: 5_000 });
  if (sources.isPending) return <Loading what="Loading sources" />;
  if (sources.error)
    return <ErrorState error={sources.error} what="Sources" retry={() => void sources.refetch()} />;
  const inputs = sources.data.inputs;
  const silentHosts = inputs.reduce((a, i) => a + i.hosts.filter((h) => h.state === 'silent').length, 0);
  return (
    <>
      <PageHeader title="Sources">
        <span className={silentHosts ? 'warn' : 'muted'}>
          {silentHosts ? `${num(silentHosts)} silent host${silentHosts === 1 ? '' : 's'}` : 'no silent hosts'}
        </span>
      </PageHeader>
      {inputs.length === 0 ? (
        <div className="state state-empty">No inputs configured or seen yet.</div>
      ) : (
        <table className="table" data-testid="sources-table">
          <thead>
            <tr>
              <th>Input / host</th>
              <th>Kind</th>
              <th>Tenant</th>
              <th>State</th>
              <th className="num">Received</th>
              <th className="num">Parsed</th>
              <th className="num">Failed</th>
              <th>Last seen</th>
              <th className="num">Silent after</th>
            </tr>
          </thead>
          <tbody>
            {inputs.map((i) => (
              <Fragment key={`${i.input}/${i.tenant}`}>
                <tr className={`group-row${i.state === 'silent' ? ' row-warn' : ''}`}>
                  <td className="mono">{i.input}</td>
                  <td>{i.kind}</td>
                  <td>{i.tenant}</td>
                  <td>
                    <StateBadge state={i.state} />
                  </td>
                  <td className="num">{num(i.received)}</td>
                  <td className="num">{num(i.parsed)}</td>
                  <td className={`num${i.failed ? ' warn' : ''}`}>{num(i.failed)}</td>
                  <td>
                    {i.lastSeen ? <Time iso={i.lastSeen} /> : '—'}{' '}
                    <span className="muted">{i.lastSeen ? ago(i.lastSeen) : ''}</span>
                  </td>
                  <td className="num">{i.silentAfterMinutes} min</td>
                </tr>
                {i.hosts.map((h) => (
                  <tr
                    key={`${i.input}/${h.tenant}/${h.host}`}
                    className={h.state === 'silent' ? 'row-warn' : undefined}
                  >
                    <td className="mono indent ellipsis" title={h.host}>
                      {h.host}
                    </td>
                    <td />
                    <td>{h.tenant}</td>
                    <td>
                      <StateBadge state={h.state} />
                    </td>
                    <td className="num">{num(h.received)}</td>
                    <td className="num">{num(h.parsed)}</td>
                    <td className={`num${h.failed ? ' warn' : ''}`}>{num(h.failed)}</td>
                    <td>
                      <Time iso={h.lastSeen} /> <span className="muted">{ago(h.lastSeen)}</span>
                    </td>
                    <td />
                  </tr>
                ))}
                {i.evictedHosts > 0 && (
                  <tr>
                    <td colSpan={9} className="muted indent">
                      {num(i.evictedHosts)} older hosts no longer tracked
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
