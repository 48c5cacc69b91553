/**
 * Sigma retro-hunts: run Sigma rules over stored events of a past range as a background job,
 * follow its progress (polled every 2 s while a job is queued or running), cancel it, and read its
 * hits; an event id pivots to a search for that event.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSession } from '../session';
import { num, Time } from '../format';
import { navigate } from '../router';
import { CodeEditor } from './CodeEditor';
import { ErrorState, Loading, Severity } from './States';
import { errorText, HUNT_ACTIVE, huntingApi, type SigmaHunt } from './huntingApi';

const KEY = ['sigma-hunts'];

/** `datetime-local` speaks local wall time without a zone; the API wants ISO instants. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
const toIso = (v: string): string | undefined => (v ? new Date(v).toISOString() : undefined);

function HuntForm({ ruleId }: { ruleId: string | undefined }) {
  const qc = useQueryClient();
  const { can } = useSession();
  const [yaml, setYaml] = useState('');
  const [from, setFrom] = useState(() => localInput(Date.now() - 7 * 86_400_000));
  const [to, setTo] = useState('');
  const [raise, setRaise] = useState(false);
  // A rule picked on the Rules page arrives as ?rule=<id>: its YAML prefills the editor once.
  const prefill = useQuery({
    queryKey: ['rule-yaml', ruleId],
    queryFn: () => huntingApi.rule(ruleId!),
    enabled: Boolean(ruleId),
    retry: false,
  });
  useEffect(() => {
    if (prefill.data?.yaml) setYaml(prefill.data.yaml);
  }, [prefill.data]);
  const start = useMutation({
    mutationFn: () => {
      const f = toIso(from);
      if (!f) throw new Error('pick the start of the range');
      const t = toIso(to);
      return huntingApi.startHunt({ rule: yaml, from: f, ...(t ? { to: t } : {}), raise_alerts: raise });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: KEY }),
  });
  return (
    <form
      className="panel hunt-form"
      aria-label="Start a Sigma retro-hunt"
      onSubmit={(e) => {
        e.preventDefault();
        start.mutate();
      }}
    >
      {prefill.isFetching && <Loading what="Loading the rule" />}
      {prefill.error && (
        <p className="form-error hunt-wrap" role="alert">
          Could not load rule {ruleId}: {errorText(prefill.error)}
        </p>
      )}
      {prefill.data && !prefill.data.yaml && (
        <p className="notice">Rule {prefill.data.title} has no YAML the server can show; paste it below.</p>
      )}
      <CodeEditor label="Sigma rule YAML" value={yaml} onChange={setYaml} rows={12} />
      <div className="filters">
        <label>
          From
          <input type="datetime-local" required value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To (empty: now)
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        {can('alerts:write') && (
          <label className="check">
            <input type="checkbox" checked={raise} onChange={(e) => setRaise(e.target.checked)} />
            Raise alerts
          </label>
        )}
        <button type="submit" className="primary" disabled={!yaml.trim() || start.isPending}>
          {start.isPending ? 'Starting…' : 'Start hunt'}
        </button>
      </div>
      {start.error && (
        <p className="form-error hunt-wrap" role="alert" data-testid="hunt-error">
          {errorText(start.error)}
        </p>
      )}
    </form>
  );
}

function Progress({ h }: { h: SigmaHunt }) {
  const pct = Math.round(Math.max(0, Math.min(1, h.progress)) * 100);
  return (
    <div className="hunt-progress-cell">
      <div
        className="hunt-progress"
        role="progressbar"
        aria-label={`Progress of ${h.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div className={`hunt-progress-bar hunt-${h.status}`} style={{ width: `${pct}%` }} />
      </div>
      <span className="small muted">
        {num(h.scanned)} / {num(h.total)}
      </span>
    </div>
  );
}

/** `count` is the job's hit count: a running job's list reloads as it finds more. */
function HuntHits({ id, count }: { id: string; count: number }) {
  const hits = useQuery({ queryKey: ['sigma-hunt-hits', id, count], queryFn: () => huntingApi.huntHits(id) });
  if (hits.isPending) return <Loading what="Loading hits" />;
  if (hits.error) return <ErrorState error={hits.error} what="Hunt hits" retry={() => void hits.refetch()} />;
  if (hits.data.hits.length === 0) return <div className="state state-empty">No hits.</div>;
  return (
    <>
      <table className="table compact hunt-fixed" data-testid="hunt-hits">
        <thead>
          <tr>
            <th>Event</th>
            <th>Rule</th>
            <th>Level</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody>
          {hits.data.hits.map((x) => (
            <tr key={`${x.eventId}-${x.ruleId}`}>
              <td className="ellipsis mono">
                {correlationGroup(x.eventId) ?? (
                  <button
                    type="button"
                    className="pivot"
                    title={`Search for event ${x.eventId}`}
                    onClick={() => navigate('/search', { q: `event.id:"${x.eventId}"`, range: 'all' })}
                  >
                    {x.eventId}
                  </button>
                )}
              </td>
              <td className="ellipsis" title={`${x.title} (${x.ruleId})`}>
                {x.title}
              </td>
              <td>
                <Severity level={x.level} />
              </td>
              <td>
                <Time iso={x.ts} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {hits.data.total > hits.data.hits.length && (
        <div className="muted small">
          Showing {num(hits.data.hits.length)} of {num(hits.data.total)} hits.
        </div>
      )}
    </>
  );
}

function HuntRow({ h }: { h: SigmaHunt }) {
  const qc = useQueryClient();
  const [showHits, setShowHits] = useState(false);
  const cancel = useMutation({
    mutationFn: () => huntingApi.cancelHunt(h.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: KEY }),
  });
  const rules = h.rules.map((r) => r.title).join(', ');
  return (
    <li className="hunt-row" data-testid="hunt-job" data-status={h.status}>
      <div className="hunt-head">
        <span className={`badge hunt-status state-${h.status}`} data-testid="hunt-status">
          {h.status}
          {h.cancelRequested && HUNT_ACTIVE.has(h.status) ? ' (cancelling)' : ''}
        </span>
        <span className="hunt-clip hunt-rules" title={rules}>
          {rules}
        </span>
        <span className="small muted">
          <Time iso={h.from} /> – <Time iso={h.to} />
        </span>
        <span data-testid="hunt-hits-count">
          {num(h.hits)} hit{h.hits === 1 ? '' : 's'}
        </span>
        {h.raiseAlerts && <span className="badge">raises alerts</span>}
        <span className="small muted hunt-clip hunt-by" title={h.requestedBy}>
          by {h.requestedBy}
        </span>
      </div>
      <Progress h={h} />
      {h.error && <p className="form-error hunt-wrap small">{h.error}</p>}
      <div className="actions">
        {HUNT_ACTIVE.has(h.status) && (
          <button
            type="button"
            className="tiny"
            disabled={cancel.isPending || h.cancelRequested}
            onClick={() => cancel.mutate()}
          >
            Cancel
          </button>
        )}
        <button
          type="button"
          className="tiny"
          aria-expanded={showHits}
          onClick={() => setShowHits((s) => !s)}
        >
          {showHits ? 'Hide hits' : 'View hits'}
        </button>
        {cancel.error && (
          <span className="form-error small" role="alert">
            {errorText(cancel.error)}
          </span>
        )}
      </div>
      {showHits && <HuntHits id={h.id} count={h.hits} />}
    </li>
  );
}

function HuntList() {
  const list = useQuery({
    queryKey: KEY,
    queryFn: huntingApi.hunts,
    refetchInterval: (q) => (q.state.data?.hunts.some((h) => HUNT_ACTIVE.has(h.status)) ? 2000 : false),
  });
  if (list.isPending) return <Loading what="Loading retro-hunts" />;
  if (list.error)
    return <ErrorState error={list.error} what="Retro-hunts" retry={() => void list.refetch()} />;
  if (list.data.hunts.length === 0) return <div className="state state-empty">No retro-hunts yet.</div>;
  return (
    <ul className="hunt-list-jobs" aria-label="Retro-hunt jobs">
      {list.data.hunts.map((h) => (
        <HuntRow key={h.id} h={h} />
      ))}
    </ul>
  );
}

export function RetroHunts({ ruleId }: { ruleId?: string }) {
  return (
    <div className="retro-hunts">
      <p className="muted small">
        Runs Sigma rules over events already stored in a past range. Paste one rule or several (separated by{' '}
        <code>---</code>). Jobs run in the background; this list refreshes while any is running.
      </p>
      <HuntForm ruleId={ruleId} />
      <h2>Jobs</h2>
      <HuntList />
    </div>
  );
}

/**
 * A fired correlation's hit has no one event: its key (`corr:<window start>:<group as JSON>`)
 * is shown as the group it fired for. Group fields are Sigma names, so there is no search pivot.
 */
function correlationGroup(key: string) {
  const m = /^corr:[^:]+:\d\d:\d\d\.\d{3}Z:(.*)$/.exec(key);
  if (!m) return undefined;
  let group: Record<string, unknown> = {};
  try {
    group = JSON.parse(m[1]!) as Record<string, unknown>;
  } catch {
    // shown as the bare key below
  }
  const text = Object.entries(group)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return <span title={key}>correlation{text ? `: ${text}` : ''}</span>;
}
