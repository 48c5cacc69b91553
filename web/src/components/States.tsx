import type { ReactNode } from 'react';
import { ApiError } from '../api';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function NotAvailable({ what }: { what: string }) {
  return (
    <div className="state state-na" data-testid="not-available">
      <strong>{what} is not available on this server.</strong>
      <div className="muted">
        This Vigil build does not offer the API yet; nothing is shown rather than made-up data.
      </div>
    </div>
  );
}

/** An error from a query: "not available" when the route does not exist, else the server's message. */
export function ErrorState({ error, what, retry }: { error: unknown; what: string; retry?: () => void }) {
  if (error instanceof ApiError && error.notAvailable) return <NotAvailable what={what} />;
  const msg =
    error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div className="state state-error" role="alert">
      <strong>
        {forbidden
          ? `Your role may not view ${what.toLowerCase()}.`
          : `Could not load ${what.toLowerCase()}.`}
      </strong>
      <div className="mono">{msg}</div>
      {retry && !forbidden && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

const LEVEL_CLASS: Record<string, string> = {
  informational: 'sev-info',
  info: 'sev-info',
  low: 'sev-low',
  medium: 'sev-medium',
  high: 'sev-high',
  critical: 'sev-critical',
};

export function Severity({ level }: { level: string | undefined }) {
  const l = level ?? 'unknown';
  return <span className={`badge ${LEVEL_CLASS[l] ?? 'sev-info'}`}>{l}</span>;
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state.replace(/[^a-z_]/gi, '')}`}>{state.replace(/_/g, ' ')}</span>;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      <div className="page-tools">{children}</div>
    </header>
  );
}
