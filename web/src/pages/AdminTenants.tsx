/** Tenants the caller belongs to; an admin creates new ones. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { adminApi } from '../api';
import { errorText } from '../components/CaseUi';
import { Empty, ErrorState, Loading } from '../components/States';
import { Time } from '../format';
import { useSession } from '../session';
import { useAdminWrite } from './AdminUsers';

export function AdminTenants() {
  const { can } = useSession();
  const tenants = useQuery({ queryKey: ['admin', 'tenants'], queryFn: () => adminApi.tenants() });
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const create = useAdminWrite(
    () => adminApi.createTenant({ id: id.trim(), name: name.trim() }),
    () => {
      setId('');
      setName('');
    },
  );
  return (
    <>
      {can('tenants:manage') && (
        <form
          className="panel filters"
          aria-label="Create a tenant"
          onSubmit={(e) => {
            e.preventDefault();
            if (id.trim() && name.trim()) create.mutate(undefined);
          }}
        >
          <label>
            Tenant id
            <input
              value={id}
              onChange={(e) => setId(e.target.value)}
              maxLength={63}
              pattern="[a-z0-9][a-z0-9_\-]*"
              title="lower-case letters, digits, - and _"
              className="mono"
            />
          </label>
          <label className="grow">
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
          </label>
          <button type="submit" className="primary" disabled={create.isPending || !id.trim() || !name.trim()}>
            Create tenant
          </button>
          {create.error && <span className="form-error">{errorText(create.error)}</span>}
        </form>
      )}
      <section className="panel">
        <h2>Tenants</h2>
        {tenants.isPending ? (
          <Loading what="Loading tenants" />
        ) : tenants.error ? (
          <ErrorState error={tenants.error} what="Tenants" retry={() => void tenants.refetch()} />
        ) : tenants.data.tenants.length === 0 ? (
          <Empty>No tenants.</Empty>
        ) : (
          <table className="table compact" data-testid="tenants-table">
            <thead>
              <tr>
                <th>Id</th>
                <th>Name</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {tenants.data.tenants.map((t) => (
                <tr key={t.id}>
                  <td className="mono">{t.id}</td>
                  <td>{t.name}</td>
                  <td>{t.createdAt ? <Time iso={t.createdAt} /> : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
