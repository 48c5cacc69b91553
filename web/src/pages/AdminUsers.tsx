/** Users: create, change role and tenants, disable, reset the password. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { adminApi, ROLES, type UserRow } from '../api';
import { errorText, splitList } from '../components/CaseUi';
import { Empty, ErrorState, Loading } from '../components/States';
import { Time } from '../format';
import { useSession } from '../session';
import { Modal } from '../components/Modal';

function useAdminWrite<V, R>(fn: (v: V) => Promise<R>, onDone?: (r: R) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (r) => {
      onDone?.(r);
      void qc.invalidateQueries({ queryKey: ['admin'] });
    },
  });
}

/**
 * The tenants the caller may hand out. From the server, not the login reply: an admin's login says
 * `*`, the tenants route lists the real ones.
 */
export function useTenantIds(): string[] {
  const q = useQuery({ queryKey: ['admin', 'tenants'], queryFn: () => adminApi.tenants() });
  return (q.data?.tenants ?? []).map((t) => t.id);
}

export function AdminUsers() {
  const { can, me } = useSession();
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: () => adminApi.users() });
  const manage = can('users:manage');
  // A non-admin may grant only the tenants it holds; the server enforces the same rule.
  const roles = me?.role === 'admin' ? ROLES : ROLES.filter((r) => r !== 'admin');
  const tenantIds = useTenantIds();
  return (
    <>
      {manage && <CreateUser roles={roles} tenants={tenantIds} />}
      <section className="panel">
        <h2>Users</h2>
        {users.isPending ? (
          <Loading what="Loading users" />
        ) : users.error ? (
          <ErrorState error={users.error} what="Users" retry={() => void users.refetch()} />
        ) : users.data.users.length === 0 ? (
          <Empty>No users visible to you.</Empty>
        ) : (
          <table className="table compact" data-testid="users-table">
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th>Tenants</th>
                <th>State</th>
                <th>Created</th>
                {manage && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <UserRowView
                  key={u.username}
                  u={u}
                  manage={manage}
                  roles={roles}
                  self={u.username === me?.name}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function UserRowView({
  u,
  manage,
  roles,
  self,
}: {
  u: UserRow;
  manage: boolean;
  roles: readonly string[];
  self: boolean;
}) {
  const [tenants, setTenants] = useState(u.tenants.join(', '));
  const [resetting, setResetting] = useState(false);
  const [msg, setMsg] = useState<string>();
  const patch = useAdminWrite(
    (b: Parameters<typeof adminApi.patchUser>[1]) => adminApi.patchUser(u.username, b),
    () => setMsg('Saved'),
  );
  const locked = u.lockedUntil && Date.parse(u.lockedUntil) > Date.now();
  return (
    <tr data-username={u.username} className={u.disabled ? 'row-muted' : undefined}>
      <td className="mono">
        {u.username}
        {self && <span className="muted"> (you)</span>}
      </td>
      <td>
        {manage && !self && (roles.includes(u.role) || u.role !== 'admin') ? (
          <select
            aria-label={`Role of ${u.username}`}
            value={u.role}
            disabled={patch.isPending}
            onChange={(e) => patch.mutate({ role: e.target.value })}
          >
            {[...new Set([...roles, u.role])].map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        ) : (
          <span className="badge role">{u.role}</span>
        )}
      </td>
      <td>
        {manage && !self ? (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const list = splitList(tenants);
              if (list.length > 0) patch.mutate({ tenants: list });
            }}
          >
            <input
              aria-label={`Tenants of ${u.username}`}
              value={tenants}
              onChange={(e) => setTenants(e.target.value)}
              title="Comma separated; Enter saves"
              size={16}
            />
          </form>
        ) : u.tenants.includes('*') ? (
          <span className="muted">all tenants</span>
        ) : (
          u.tenants.join(', ')
        )}
      </td>
      <td>
        {u.disabled ? (
          <span className="badge state-closed">disabled</span>
        ) : locked ? (
          <span className="badge state-at_risk" title={`until ${u.lockedUntil}`}>
            locked
          </span>
        ) : (
          <span className="badge state-ok">active</span>
        )}
      </td>
      <td>
        <Time iso={u.createdAt} />
      </td>
      {manage && (
        <td className="nowrap">
          {!self && (
            <button
              type="button"
              className="tiny"
              disabled={patch.isPending}
              onClick={() => patch.mutate({ disabled: !u.disabled })}
            >
              {u.disabled ? 'Enable' : 'Disable'}
            </button>
          )}{' '}
          <button type="button" className="tiny" onClick={() => setResetting(true)}>
            Reset password
          </button>{' '}
          <span className="status-msg small" role="status">
            {patch.error ? `Failed: ${errorText(patch.error)}` : msg}
          </span>
          {resetting && (
            <ResetPassword
              username={u.username}
              onClose={() => setResetting(false)}
              onDone={() => {
                setResetting(false);
                setMsg('Password reset');
              }}
            />
          )}
        </td>
      )}
    </tr>
  );
}

function ResetPassword({
  username,
  onClose,
  onDone,
}: {
  username: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const [pw, setPw] = useState('');
  const reset = useAdminWrite((password: string) => adminApi.patchUser(username, { password }), onDone);
  return (
    <Modal title={`Reset password of ${username}`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (pw) reset.mutate(pw);
        }}
      >
        <label>
          New password
          <input
            type="password"
            value={pw}
            onChange={(e) => setPw(e.target.value)}
            autoFocus
            autoComplete="new-password"
          />
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={!pw || reset.isPending}>
            Set password
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {reset.error && <span className="form-error">{errorText(reset.error)}</span>}
        </div>
      </form>
    </Modal>
  );
}

function CreateUser({ roles, tenants }: { roles: readonly string[]; tenants: string[] }) {
  const [f, setF] = useState({
    username: '',
    password: '',
    role: 'analyst',
    tenants: '',
  });
  // Left empty, the user gets the default tenant (or the caller's first): tenants load after render.
  const fallback = tenants.includes('default') ? 'default' : (tenants[0] ?? '');
  const [msg, setMsg] = useState<string>();
  const create = useAdminWrite(
    () =>
      adminApi.createUser({
        username: f.username.trim(),
        password: f.password,
        role: f.role,
        tenants: splitList(f.tenants).length > 0 ? splitList(f.tenants) : [fallback],
      }),
    (u) => {
      setMsg(`Created ${u.username}`);
      setF({ ...f, username: '', password: '' });
    },
  );
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  return (
    <form
      className="panel filters"
      aria-label="Create a user"
      onSubmit={(e) => {
        e.preventDefault();
        setMsg(undefined);
        create.mutate(undefined);
      }}
    >
      <label>
        User name
        <input value={f.username} onChange={set('username')} required maxLength={64} autoComplete="off" />
      </label>
      <label>
        Initial password
        <input
          type="password"
          value={f.password}
          onChange={set('password')}
          required
          autoComplete="new-password"
        />
      </label>
      <label>
        Role
        <select value={f.role} onChange={set('role')}>
          {roles.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label className="grow">
        Tenants (comma separated)
        <input value={f.tenants} onChange={set('tenants')} placeholder={fallback} list="admin-tenant-ids" />
      </label>
      <datalist id="admin-tenant-ids">
        {tenants.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <button type="submit" className="primary" disabled={create.isPending}>
        Create user
      </button>
      <span className="status-msg" role="status" aria-live="polite" data-testid="create-user-msg">
        {create.error ? `Failed: ${errorText(create.error)}` : msg}
      </span>
    </form>
  );
}

export { useAdminWrite };
