/**
 * Read-only views of what the server's config file sets up: inputs (with their live state) and
 * notification channels. Changing them means editing the config; the console says so.
 */
import { useQuery } from '@tanstack/react-query';
import { adminApi, api } from '../api';
import { Empty, ErrorState, Loading, StateBadge } from '../components/States';
import { ago, num } from '../format';
import { Link } from '../router';

export function AdminInputs() {
  const q = useQuery({ queryKey: ['admin', 'inputs'], queryFn: () => api.sources() });
  return (
    <section className="panel">
      <h2>Inputs</h2>
      <p className="muted small">
        Inputs are configured in the server's config file. Per-host health is on{' '}
        <Link to="/sources">Sources</Link>.
      </p>
      {q.isPending ? (
        <Loading what="Loading inputs" />
      ) : q.error ? (
        <ErrorState error={q.error} what="Inputs" retry={() => void q.refetch()} />
      ) : q.data.inputs.length === 0 ? (
        <Empty>No inputs configured.</Empty>
      ) : (
        <table className="table compact" data-testid="inputs-table">
          <thead>
            <tr>
              <th>Input</th>
              <th>Kind</th>
              <th>Tenant</th>
              <th>State</th>
              <th className="num">Silent after</th>
              <th className="num">Hosts</th>
              <th className="num">Received</th>
              <th className="num">Failed</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {q.data.inputs.map((i) => (
              <tr key={`${i.tenant}/${i.input}`}>
                <td className="mono">{i.input}</td>
                <td>{i.kind}</td>
                <td>{i.tenant}</td>
                <td>
                  <StateBadge state={i.state} />
                </td>
                <td className="num">{i.silentAfterMinutes} min</td>
                <td className="num">{num(i.hostCount)}</td>
                <td className="num">{num(i.received)}</td>
                <td className="num">{num(i.failed)}</td>
                <td title={i.lastSeen ?? undefined}>{ago(i.lastSeen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function AdminChannels() {
  const q = useQuery({ queryKey: ['admin', 'channels'], queryFn: () => adminApi.channels() });
  return (
    <section className="panel">
      <h2>Notification channels</h2>
      <p className="muted small">
        Channels are configured in the server's config file; their secrets are never shown here.
      </p>
      {q.isPending ? (
        <Loading what="Loading channels" />
      ) : q.error ? (
        <ErrorState error={q.error} what="Notification channels" retry={() => void q.refetch()} />
      ) : q.data.channels.length === 0 ? (
        <Empty>No notification channels configured.</Empty>
      ) : (
        <table className="table compact" data-testid="channels-table">
          <thead>
            <tr>
              <th>Id</th>
              <th>Type</th>
              <th>On</th>
              <th>Min severity</th>
              <th>Tenants</th>
            </tr>
          </thead>
          <tbody>
            {q.data.channels.map((c) => (
              <tr key={c.id}>
                <td className="mono">{c.id}</td>
                <td>{c.type}</td>
                <td className="wrap">{c.on.join(', ')}</td>
                <td>{c.minSeverity}</td>
                <td>{c.tenants ? c.tenants.join(', ') : 'all'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
