import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { Loading } from './components/States';
import Login from './pages/Login';
import { useLocation } from './router';
import { useSession } from './session';
import { NAV, Shell } from './Shell';

// One chunk per page: the first load fetches only the shell and the page in view.
const pages: Record<string, LazyExoticComponent<ComponentType<{ segments: string[] }>>> = {
  '': lazy(() => import('./pages/Overview')),
  alerts: lazy(() => import('./pages/Alerts')),
  cases: lazy(() => import('./pages/Cases')),
  search: lazy(() => import('./pages/Search')),
  detections: lazy(() => import('./pages/Detections')),
  rules: lazy(() => import('./pages/Rules')),
  sources: lazy(() => import('./pages/Sources')),
  deadletters: lazy(() => import('./pages/DeadLetters')),
  audit: lazy(() => import('./pages/Audit')),
  playbooks: lazy(() => import('./pages/Playbooks')),
  intel: lazy(() => import('./pages/Intel')),
  admin: lazy(() => import('./pages/Admin')),
};

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
        <Suspense fallback={<Loading />}>
          <Page segments={loc.segments.slice(1)} />
        </Suspense>
      )}
    </Shell>
  );
}
