import type { ComponentType } from 'react';
import { Loading } from './components/States';
import { Lazy, lazyComponent, type LazyComponent } from './lazy';
import Login from './pages/Login';
import { parseHash, useLocation } from './router';
import { useSession } from './session';
import { NAV, Shell } from './Shell';

type PageProps = { segments: string[] };
const page = (load: () => Promise<{ default: ComponentType<PageProps> }>) => lazyComponent<PageProps>(load);

// One chunk per page: the first load fetches only the shell and the page in view.
const pages: Record<string, LazyComponent<PageProps>> = {
  '': page(() => import('./pages/Overview')),
  alerts: page(() => import('./pages/Alerts')),
  cases: page(() => import('./pages/Cases')),
  search: page(() => import('./pages/Search')),
  detections: page(() => import('./pages/Detections')),
  rules: page(() => import('./pages/Rules')),
  sources: page(() => import('./pages/Sources')),
  deadletters: page(() => import('./pages/DeadLetters')),
  audit: page(() => import('./pages/Audit')),
  playbooks: page(() => import('./pages/Playbooks')),
  intel: page(() => import('./pages/Intel')),
  admin: page(() => import('./pages/Admin')),
};

/** Starts fetching the page a URL opens, in parallel with the session check. */
export function preloadPage(hash: string): void {
  pages[parseHash(hash).segments[0] ?? '']?.preload().catch(() => undefined);
}

export function App() {
  const { me, checking, can } = useSession();
  const loc = useLocation();
  if (checking) return <Loading what="Starting" />;
  if (!me) return <Login />;
  const section = loc.segments[0] ?? '';
  const Page = pages[section];
  const nav = NAV.find((n) => n.path === `/${section}`);
  return (
    <Shell>
      {!Page ? (
        <div className="state state-empty">No page here. Use the navigation on the left.</div>
      ) : nav && !can(nav.needs) ? (
        <div className="state state-error" role="alert">
          Your role ({me.role}) may not open {nav.label}.
        </div>
      ) : (
        <Lazy of={Page} render={(P) => <P segments={loc.segments.slice(1)} />} />
      )}
    </Shell>
  );
}
