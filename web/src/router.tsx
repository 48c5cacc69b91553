/**
 * A hash router: `#/alerts/abc?status=new`. Hash URLs need no server-side routes, so the server
 * serves one HTML shell and every deep link still works after a reload.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type ReactNode } from 'react';

export interface Location {
  path: string;
  segments: string[];
  query: URLSearchParams;
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}
const snapshot = (): string => window.location.hash;

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path, segments, query: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '') };
}

export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, snapshot);
  return parseHash(hash);
}

export function href(path: string, query?: Record<string, string | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) sp.set(k, v);
  const s = sp.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path: string, query?: Record<string, string | undefined>, replace = false): void {
  const to = href(path, query);
  if (replace) window.history.replaceState(null, '', to);
  else window.location.hash = to.slice(1);
  // replaceState fires no hashchange; tell the subscribers ourselves.
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function Link({
  to,
  query,
  children,
  ...rest
}: {
  to: string;
  query?: Record<string, string | undefined>;
  children: ReactNode;
} & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a href={href(to, query)} {...rest}>
      {children}
    </a>
  );
}
