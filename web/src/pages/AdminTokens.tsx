/** API and ingest tokens: create (the secret is shown once, here), list, revoke. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { adminApi, TOKEN_ROLES } from '../api';
import { errorText } from '../components/CaseUi';
import { Empty, ErrorState, Loading } from '../components/States';
import { Time } from '../format';
import { useSession } from '../session';
import { useAdminWrite, useTenantIds } from './AdminUsers';

export function AdminTokens() {
  const { me } = useSession();
  const tokens = useQuery({ queryKey: ['admin', 'tokens'], queryFn: () => adminApi.tokens() });
  const [secret, setSecret] = useState<{ name: string; token: string }>();
  const [showRevoked, setShowRevoked] = useState(false);
  const tenantIds = useTenantIds();
  const list = (tokens.data?.tokens ?? []).filter((t) => showRevoked || !t.revokedAt);
  return (
    <>
      <CreateToken isAdmin={me?.role === 'admin'} tenants={tenantIds} onCreated={setSecret} />
      {secret && (
        <div className="panel panel-warn" role="alert" data-testid="token-secret">
          <strong>Token {secret.name} created.</strong> Copy the secret now: it is not stored and will not be
          shown again.
          <div className="secret-row">
            <input
              className="mono grow"
              readOnly
              value={secret.token}
              aria-label="Token secret"
              onFocus={(e) => e.target.select()}
            />
            <button type="button" onClick={() => void navigator.clipboard?.writeText(secret.token)}>
              Copy
            </button>
            <button type="button" onClick={() => setSecret(undefined)}>
              Done
            </button>
          </div>
        </div>
      )}
      <section className="panel">
        <h2>
          Tokens{' '}
          <label className="check inline">
            <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />{' '}
            show revoked
          </label>
        </h2>
        {tokens.isPending ? (
          <Loading what="Loading tokens" />
        ) : tokens.error ? (
          <ErrorState error={tokens.error} what="Tokens" retry={() => void tokens.refetch()} />
        ) : list.length === 0 ? (
          <Empty>No tokens.</Empty>
        ) : (
          <table className="table compact" data-testid="tokens-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Id</th>
                <th>Role</th>
                <th>Tenant</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <TokenRow key={t.id} t={t} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function TokenRow({
  t,
}: {
  t: {
    id: string;
    name: string;
    role: string;
    tenant: string;
    createdBy: string;
    createdAt: string;
    revokedAt: string | null;
    lastUsedAt: string | null;
  };
}) {
  const revoke = useAdminWrite(() => adminApi.revokeToken(t.id));
  return (
    <tr className={t.revokedAt ? 'row-muted' : undefined} data-token-id={t.id}>
      <td>{t.name}</td>
      <td className="mono">{t.id}</td>
      <td>
        <span className="badge role">{t.role}</span>
      </td>
      <td>{t.tenant}</td>
      <td>
        <Time iso={t.createdAt} /> <span className="muted">{t.createdBy}</span>
      </td>
      <td>{t.lastUsedAt ? <Time iso={t.lastUsedAt} /> : <span className="muted">never</span>}</td>
      <td>
        {t.revokedAt ? (
          <span className="muted">
            revoked <Time iso={t.revokedAt} />
          </span>
        ) : (
          <button
            type="button"
            className="tiny"
            disabled={revoke.isPending}
            onClick={() => {
              if (window.confirm(`Revoke token ${t.name}? Whatever uses it stops working.`))
                revoke.mutate(undefined);
            }}
          >
            Revoke
          </button>
        )}
        {revoke.error && <span className="form-error">{errorText(revoke.error)}</span>}
      </td>
    </tr>
  );
}

function CreateToken({
  isAdmin,
  tenants,
  onCreated,
}: {
  isAdmin: boolean;
  tenants: string[];
  onCreated: (s: { name: string; token: string }) => void;
}) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('ingest');
  const [picked, setTenant] = useState('');
  // Tenants arrive after the first render: until one is picked, the default tenant (or the first) is.
  const tenant = picked || (tenants.includes('default') ? 'default' : (tenants[0] ?? ''));
  const create = useAdminWrite(
    () => adminApi.createToken({ name: name.trim(), role, tenant: tenant || undefined }),
    (r) => {
      setName('');
      onCreated({ name: r.name, token: r.token });
    },
  );
  return (
    <form
      className="panel filters"
      aria-label="Create a token"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) create.mutate(undefined);
      }}
    >
      <label className="grow">
        Token name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          placeholder="e.g. fluent-bit on web-01"
        />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value)}>
          {TOKEN_ROLES.filter((r) => isAdmin || r !== 'admin').map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        Tenant
        <select value={tenant} onChange={(e) => setTenant(e.target.value)}>
          {tenants.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={create.isPending || !name.trim()}>
        Create token
      </button>
      {create.error && <span className="form-error">{errorText(create.error)}</span>}
    </form>
  );
}
