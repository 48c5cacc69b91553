import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api';
import { JsonView } from '../components/JsonView';
import { ErrorState, Loading, PageHeader } from '../components/States';
import { num, text, Time } from '../format';
import { navigate, useLocation } from '../router';
import { API_PATHS } from '../api-paths';
import { useSelectedTenant } from '../tenant';

const PAGE = 200;

export default function Audit() {
  const loc = useLocation();
  const action = loc.query.get('action') ?? '';
  const actor = loc.query.get('actor') ?? '';
  const after = Number(loc.query.get('after') ?? 0);
  const [draft, setDraft] = useState({ action, actor });
  const [open, setOpen] = useState<number>();
  const list = useQuery({
    queryKey: ['audit', action, actor, after],
    queryFn: () =>
      api.audit({
        action: action || undefined,
        actor: actor || undefined,
        after: after || undefined,
        limit: PAGE,
      }),
  });
  const verify = useMutation({ mutationFn: api.auditVerify });
  const set = (p: Record<string, string | undefined>) =>
    navigate('/audit', { action, actor, after: undefined, ...p }, true);
  const records = list.data?.records ?? [];

  return (
    <>
      <PageHeader title="Audit trail">
        <ComplianceReportLinks />
        <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
          {verify.isPending ? 'Verifying…' : 'Verify hash chain'}
        </button>
      </PageHeader>
      {verify.data && (
        <div className={verify.data.ok ? 'banner ok' : 'banner bad'} role="status" data-testid="audit-verify">
          {verify.data.ok
            ? 'Chain intact: every record is where it was written, unedited.'
            : 'Chain broken: '}
          {!verify.data.ok && <span className="mono">{text(verify.data)}</span>}
        </div>
      )}
      {verify.error && <ErrorState error={verify.error} what="Verification" />}
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          set({ action: draft.action || undefined, actor: draft.actor || undefined });
        }}
      >
        <label>
          Action
          <input
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
            placeholder="auth.login"
            maxLength={100}
          />
        </label>
        <label>
          Actor
          <input
            value={draft.actor}
            onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
            maxLength={100}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} what="The audit trail" retry={() => void list.refetch()} />
      ) : records.length === 0 ? (
        <div className="state state-empty">No records{after ? ' after this point' : ''}.</div>
      ) : (
        <>
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>Time</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Target</th>
                <th>Tenant</th>
                <th>Address</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => [
                <tr
                  key={r.seq}
                  className="clickable"
                  onClick={() => setOpen(open === r.seq ? undefined : r.seq)}
                >
                  <td className="num">{r.seq}</td>
                  <td>
                    <Time iso={r.ts} />
                  </td>
                  <td>{r.actor}</td>
                  <td className="mono">{r.action}</td>
                  <td className="ellipsis mono">{r.target ?? '—'}</td>
                  <td>{r.tenant ?? '—'}</td>
                  <td className="mono">{r.ip ?? '—'}</td>
                </tr>,
                open === r.seq && (
                  <tr key={`${r.seq}-x`} className="json-row">
                    <td colSpan={7}>
                      <JsonView
                        value={{ before: r.before, after: r.after, hash: r.hash, prevHash: r.prevHash }}
                        open={2}
                      />
                    </td>
                  </tr>
                ),
              ])}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" disabled={!after} onClick={() => set({ after: undefined })}>
              ← From the start
            </button>
            <span className="muted">
              records {num(records[0]!.seq)}–{num(records[records.length - 1]!.seq)}
            </span>
            <button
              type="button"
              disabled={records.length < PAGE}
              onClick={() => set({ after: String(records[records.length - 1]!.seq) })}
            >
              Later →
            </button>
          </div>
        </>
      )}
    </>
  );
}

/**
 * The compliance report of a period (response times, access changes, data access, audit-chain
 * check) as a Markdown or JSON download, for the tenant the console works in.
 */
function ComplianceReportLinks() {
  const [period, setPeriod] = useState('30d');
  const tenant = useSelectedTenant();
  const href = (format: 'markdown' | 'json') => {
    const q = new URLSearchParams({ period, format });
    if (tenant) q.set('tenant', tenant);
    return `${API_PATHS.reportsCompliance}?${q.toString()}`;
  };
  return (
    <span className="report-links" data-testid="compliance-report">
      <label>
        Compliance report{' '}
        <select value={period} onChange={(e) => setPeriod(e.target.value)}>
          <option value="7d">last 7 days</option>
          <option value="30d">last 30 days</option>
          <option value="90d">last 90 days</option>
          <option value="365d">last year</option>
        </select>
      </label>{' '}
      <a className="button" href={href('markdown')} download>
        Markdown
      </a>{' '}
      <a className="button" href={href('json')} target="_blank" rel="noreferrer">
        JSON
      </a>
    </span>
  );
}
