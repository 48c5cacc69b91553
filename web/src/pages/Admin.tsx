/**
 * Administration: users, API tokens, tenants, and a read-only view of inputs and notification
 * channels (both are configured in the server's config file). Each section shows only to roles the
 * server would answer; buttons show only for what the role may change.
 */
import type { Permission } from '../permissions';
import { PageHeader } from '../components/States';
import { Link } from '../router';
import { useSession } from '../session';
import { AdminCases } from './AdminCases';
import { AdminChannels, AdminInputs } from './AdminConfig';
import { AdminTenants } from './AdminTenants';
import { AdminTokens } from './AdminTokens';
import { AdminUsers } from './AdminUsers';

const SECTIONS: Array<{ id: string; label: string; needs: Permission }> = [
  { id: 'users', label: 'Users', needs: 'users:read' },
  { id: 'tokens', label: 'API tokens', needs: 'tokens:manage' },
  { id: 'tenants', label: 'Tenants', needs: 'users:read' },
  { id: 'inputs', label: 'Inputs', needs: 'metrics:read' },
  { id: 'channels', label: 'Notification channels', needs: 'reports:read' },
  { id: 'cases', label: 'Case templates & SLA', needs: 'cases:read' },
];

export default function Admin({ segments }: { segments: string[] }) {
  const { can } = useSession();
  const visible = SECTIONS.filter((s) => can(s.needs));
  const current = visible.find((s) => s.id === segments[0]) ?? visible[0];
  return (
    <>
      <PageHeader title="Admin">
        <nav aria-label="Admin sections" className="admin-nav">
          {visible.map((s) => (
            <Link
              key={s.id}
              to={`/admin/${s.id}`}
              className={s.id === current?.id ? 'active' : undefined}
              aria-current={s.id === current?.id ? 'page' : undefined}
            >
              {s.label}
            </Link>
          ))}
        </nav>
      </PageHeader>
      {!current ? (
        <div className="state state-error" role="alert">
          Your role has no administration rights.
        </div>
      ) : current.id === 'users' ? (
        <AdminUsers />
      ) : current.id === 'tokens' ? (
        <AdminTokens />
      ) : current.id === 'tenants' ? (
        <AdminTenants />
      ) : current.id === 'inputs' ? (
        <AdminInputs />
      ) : current.id === 'cases' ? (
        <AdminCases />
      ) : (
        <AdminChannels />
      )}
    </>
  );
}
