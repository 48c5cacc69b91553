/** The frame around every page: navigation, who is signed in, theme, keyboard shortcuts. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Permission } from './permissions';
import { Link, navigate, useLocation } from './router';
import { useSession } from './session';
import { applyTheme, currentTheme } from './theme';
import { Modal } from './components/Modal';
import { adminApi } from './api';
import { selectTenant, useSelectedTenant } from './tenant';

export interface NavItem {
  path: string;
  label: string;
  key: string;
  needs: Permission;
}

export const NAV: NavItem[] = [
  { path: '/', label: 'Overview', key: 'o', needs: 'metrics:read' },
  { path: '/alerts', label: 'Alerts', key: 'a', needs: 'alerts:read' },
  { path: '/cases', label: 'Cases', key: 'c', needs: 'cases:read' },
  { path: '/search', label: 'Search', key: 's', needs: 'events:read' },
  { path: '/detections', label: 'Detections', key: 'd', needs: 'detections:read' },
  { path: '/rules', label: 'Rules', key: 'r', needs: 'rules:read' },
  { path: '/sources', label: 'Sources', key: 'i', needs: 'metrics:read' },
  { path: '/deadletters', label: 'Dead letters', key: 'l', needs: 'deadletters:read' },
  { path: '/audit', label: 'Audit', key: 'u', needs: 'audit:read' },
  { path: '/playbooks', label: 'Playbooks', key: 'p', needs: 'playbooks:read' },
  { path: '/intel', label: 'Intel', key: 't', needs: 'intel:read' },
  { path: '/admin', label: 'Admin', key: 'm', needs: 'users:read' },
];

const typing = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function Shell({ children }: { children: ReactNode }) {
  const { me, signOut, can } = useSession();
  const loc = useLocation();
  const [theme, setTheme] = useState(currentTheme());
  const [help, setHelp] = useState(false);
  const pendingG = useRef(0);
  const items = NAV.filter((n) => can(n.needs));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (e.key === '?') {
        setHelp((h) => !h);
        return;
      }
      if (e.key === 'Escape') setHelp(false);
      if (e.key === 'g') {
        pendingG.current = Date.now();
        e.stopImmediatePropagation();
        return;
      }
      if (Date.now() - pendingG.current < 1500) {
        pendingG.current = 0;
        const target = items.find((n) => n.key === e.key);
        if (target) {
          // "g a" goes to Alerts; the page's own "a" (acknowledge) must not see this key.
          e.preventDefault();
          e.stopImmediatePropagation();
          navigate(target.path);
        }
      }
    };
    // Capture phase: the shell sees "g x" before any page's single-key shortcuts do.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [items]);

  const active = (p: string) =>
    p === '/' ? loc.path === '/' : loc.path === p || loc.path.startsWith(p + '/');
  const toggleTheme = () => {
    const t = theme === 'dark' ? 'light' : 'dark';
    applyTheme(t);
    setTheme(t);
  };

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <nav className="nav" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>{' '}
          Vigil
        </div>
        <ul>
          {items.map((n) => (
            <li key={n.path}>
              <Link
                to={n.path}
                className={active(n.path) ? 'active' : undefined}
                aria-current={active(n.path) ? 'page' : undefined}
                title={`g ${n.key}`}
              >
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="nav-foot">
          <button type="button" className="ghost" onClick={() => setHelp(true)}>
            Shortcuts <kbd>?</kbd>
          </button>
        </div>
      </nav>
      <div className="main-col">
        <header className="topbar">
          <div className="who" data-testid="whoami">
            <span className="who-name">{me?.name}</span>
            <span className="badge role">{me?.role}</span>
            <TenantPicker />
          </div>
          <div className="topbar-tools">
            <button
              type="button"
              className="ghost"
              onClick={toggleTheme}
              aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            >
              {theme === 'dark' ? 'Light' : 'Dark'} theme
            </button>
            <button type="button" className="ghost" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </header>
        <main id="main" className="page" tabIndex={-1}>
          {children}
        </main>
      </div>
      {help && <ShortcutsDialog items={items} onClose={() => setHelp(false)} />}
    </div>
  );
}

function ShortcutsDialog({
  items,
  onClose,
}: {
  items: ReadonlyArray<{ key: string; label: string }>;
  onClose: () => void;
}) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="table compact">
        <tbody>
          {items.map((n) => (
            <tr key={n.key}>
              <td>
                <kbd>g</kbd> <kbd>{n.key}</kbd>
              </td>
              <td>{n.label}</td>
            </tr>
          ))}
          <tr>
            <td>
              <kbd>j</kbd> / <kbd>k</kbd>
            </td>
            <td>Alert queue: next / previous</td>
          </tr>
          <tr>
            <td>
              <kbd>x</kbd>
            </td>
            <td>Alert queue: select</td>
          </tr>
          <tr>
            <td>
              <kbd>Enter</kbd>
            </td>
            <td>Alert queue: open</td>
          </tr>
          <tr>
            <td>
              <kbd>a</kbd> <kbd>c</kbd> <kbd>e</kbd>
            </td>
            <td>Acknowledge, close with verdict, assign (selection or current)</td>
          </tr>
          <tr>
            <td>
              <kbd>/</kbd>
            </td>
            <td>Focus the filter or query box</td>
          </tr>
        </tbody>
      </table>
      <button type="button" onClick={onClose} autoFocus>
        Close
      </button>
    </Modal>
  );
}

/**
 * Users of several tenants work in one at a time or in all (the default); the choice travels with
 * every request (see tenant.ts). Users of one tenant just see its name.
 */
function TenantPicker() {
  const { me } = useSession();
  const qc = useQueryClient();
  const selected = useSelectedTenant();
  const listed = useQuery({
    queryKey: ['tenants', 'mine'],
    queryFn: () => adminApi.tenants(),
    staleTime: 60_000,
  });
  const options = listed.data?.tenants ?? [];
  useEffect(() => {
    // A choice this user may not make (left by another user, or a tenant that is gone) is dropped.
    if (selected && listed.data && !options.some((t) => t.id === selected)) {
      selectTenant(undefined);
      void qc.invalidateQueries();
    }
  }, [selected, listed.data, options, qc]);
  if (options.length < 2)
    return (
      <span className="muted" title="Tenants">
        {me?.tenants.join(', ')}
      </span>
    );
  return (
    <label className="tenant-picker">
      <span className="sr-only">Tenant</span>
      <select
        value={selected ?? ''}
        data-testid="tenant-picker"
        title="The tenant lists show and new items go to"
        onChange={(e) => {
          selectTenant(e.target.value || undefined);
          void qc.invalidateQueries();
        }}
      >
        <option value="">all tenants</option>
        {options.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name === t.id ? t.id : `${t.name} (${t.id})`}
          </option>
        ))}
      </select>
    </label>
  );
}
