/**
 * A run as it happens: each step's input, output, duration, status and error, refreshed every
 * second while the run is going; steps waiting for approval get Approve/Deny for roles that may
 * decide (the server also checks the step's own role).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { socApi, type RunStep } from '../api';
import { JsonView } from '../components/JsonView';
import { useLiveEvents } from '../components/live';
import { ErrorState, Loading, PageHeader, StateBadge } from '../components/States';
import { Time } from '../format';
import { Link, navigate } from '../router';
import { useSession } from '../session';

const duration = (ms: number | null): string =>
  ms === null
    ? '…'
    : ms >= 60_000
      ? `${(ms / 60_000).toFixed(1)} min`
      : ms >= 1000
        ? `${(ms / 1000).toFixed(2)} s`
        : `${ms} ms`;

export default function PlaybooksRun({ id }: { id: string }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const detail = useQuery({
    queryKey: ['playbooks', 'run', id],
    queryFn: () => socApi.runDetail(id),
    refetchInterval: (q) => {
      const s = q.state.data?.run.status;
      return s === 'running' ? 1_000 : s === 'waiting' ? 2_000 : false;
    },
  });
  // Pushed progress refreshes at once; the polling above stays as the fallback.
  useLiveEvents((name, e) => {
    if ((name === 'playbook.run' && e.run === id) || name === 'resync')
      void qc.invalidateQueries({ queryKey: ['playbooks', 'run', id] });
  });
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<string>();
  const decide = useMutation({
    mutationFn: (d: { path: string; approved: boolean; reason?: string }) =>
      socApi.decide(id, d.path, d.approved, d.reason),
    onSuccess: (r, d) => {
      setMessage(`${d.approved ? 'Approved' : 'Denied'} ${d.path}; the run is ${r.run.status}`);
      void qc.invalidateQueries({ queryKey: ['playbooks'] });
    },
    onError: (e) => setMessage(`Decision refused: ${e instanceof Error ? e.message : String(e)}`),
  });
  const replay = useMutation({
    mutationFn: () => socApi.replay(id),
    onSuccess: (r) => navigate(`/playbooks/runs/${r.run.id}`),
    onError: (e) => setMessage(`Replay failed: ${e instanceof Error ? e.message : String(e)}`),
  });

  if (detail.isPending) return <Loading what="Loading run" />;
  if (detail.error) return <ErrorState error={detail.error} what="Run" retry={() => void detail.refetch()} />;
  const { run, steps } = detail.data;
  const toggle = (path: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(path)) n.delete(path);
      else n.add(path);
      return n;
    });
  const live = run.status === 'running' || run.status === 'waiting';

  return (
    <>
      <PageHeader title={`Run of ${run.playbookId}`}>
        <Link to={`/playbooks/${run.playbookId}`}>the playbook</Link>
        {live && <span className="spinner small" aria-label="live" />}
        {can('playbooks:run') && !live && (
          <button type="button" onClick={() => replay.mutate()} disabled={replay.isPending}>
            Replay as dry run
          </button>
        )}
      </PageHeader>
      <section className="panel">
        <dl className="facts">
          <dt>Status</dt>
          <dd data-testid="run-status">
            <StateBadge state={run.status} /> {run.dryRun && <span className="badge">dry run</span>}
          </dd>
          <dt>Trigger</dt>
          <dd>
            {run.trigger.type}
            {run.trigger.by ? ` by ${run.trigger.by}` : ''}
          </dd>
          <dt>Started</dt>
          <dd>
            <Time iso={run.startedAt} />
          </dd>
          <dt>Ended</dt>
          <dd>{run.endedAt ? <Time iso={run.endedAt} /> : '—'}</dd>
          <dt>Version</dt>
          <dd>v{run.playbookVersion}</dd>
          <dt>Run id</dt>
          <dd className="mono wrap">{run.id}</dd>
        </dl>
        {run.error && (
          <div className="state state-error" role="alert" data-testid="run-error">
            <span className="mono">{run.error}</span>
          </div>
        )}
        {message && (
          <div className="notice" role="status" data-testid="decision-message">
            {message}
          </div>
        )}
      </section>

      <section className="panel" aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        {steps.length === 0 ? (
          <div className="muted">No step has started yet.</div>
        ) : (
          <table className="table" data-testid="run-steps">
            <thead>
              <tr>
                <th>Step</th>
                <th>Action</th>
                <th>Status</th>
                <th className="num">Attempts</th>
                <th className="num">Duration</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {steps.map((s) => (
                <Fragment key={s.path}>
                  <tr data-step={s.path} className={s.status === 'failed' ? 'row-warn' : undefined}>
                    <td className="mono ellipsis" title={s.path}>
                      {s.path}
                    </td>
                    <td>{s.action ?? (s.status === 'waiting' || s.decision ? 'approval' : '—')}</td>
                    <td>
                      <StateBadge state={s.status} />
                    </td>
                    <td className="num">{s.attempts}</td>
                    <td className="num">{duration(s.durationMs)}</td>
                    <td>
                      <button
                        type="button"
                        className="tiny"
                        aria-expanded={open.has(s.path)}
                        onClick={() => toggle(s.path)}
                      >
                        {open.has(s.path) ? 'Hide' : 'Input / output'}
                      </button>
                    </td>
                  </tr>
                  {s.status === 'waiting' && (
                    <tr>
                      <td colSpan={6}>
                        <Approval
                          step={s}
                          allowed={can('tasks:write')}
                          busy={decide.isPending}
                          onDecide={(approved, reason) => decide.mutate({ path: s.path, approved, reason })}
                        />
                      </td>
                    </tr>
                  )}
                  {s.error && (
                    <tr>
                      <td colSpan={6} className="warn mono wrap">
                        {s.error}
                      </td>
                    </tr>
                  )}
                  {s.decision && (
                    <tr>
                      <td colSpan={6} className="muted">
                        {s.decision.approved ? 'Approved' : 'Rejected'} by {s.decision.by}{' '}
                        <Time iso={s.decision.at} />
                        {s.decision.reason ? `: ${s.decision.reason}` : ''}
                      </td>
                    </tr>
                  )}
                  {open.has(s.path) && (
                    <tr>
                      <td colSpan={6}>
                        <div className="io">
                          <div>
                            <h3>Input</h3>
                            <JsonView value={s.input} open={2} />
                          </div>
                          <div>
                            <h3>Output</h3>
                            <JsonView value={s.output} open={2} />
                          </div>
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {run.outputs && Object.keys(run.outputs).length > 0 && (
        <section className="panel" aria-labelledby="out-title">
          <h2 id="out-title">Outputs</h2>
          <JsonView value={run.outputs} />
        </section>
      )}
    </>
  );
}

function Approval({
  step,
  allowed,
  busy,
  onDecide,
}: {
  step: RunStep;
  allowed: boolean;
  busy: boolean;
  onDecide: (approved: boolean, reason?: string) => void;
}) {
  const [reason, setReason] = useState('');
  const input = (step.input ?? {}) as { role?: string; message?: string; default?: string };
  return (
    <div className="approval" data-testid="approval">
      <div>
        <strong>Waiting for approval</strong> by role{' '}
        <span className="badge role">{input.role ?? 'admin'}</span>
        {step.deadline && (
          <span className="muted">
            {' '}
            — {input.default ?? 'reject'} by default at <Time iso={step.deadline} />
          </span>
        )}
      </div>
      {input.message && <p className="approval-message">{input.message}</p>}
      {allowed ? (
        <div className="actions">
          <input
            aria-label="Reason (optional)"
            placeholder="reason (optional)"
            value={reason}
            maxLength={2000}
            onChange={(e) => setReason(e.target.value)}
          />
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => onDecide(true, reason || undefined)}
          >
            Approve
          </button>
          <button type="button" disabled={busy} onClick={() => onDecide(false, reason || undefined)}>
            Deny
          </button>
        </div>
      ) : (
        <div className="muted">Your role may not decide approvals.</div>
      )}
    </div>
  );
}
