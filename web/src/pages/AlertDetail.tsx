/** One alert: what fired and why (matched fields highlighted in its events), and the triage actions. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, type AlertAction } from '../api';
import { ExceptionDialog } from '../components/ExceptionDialog';
import { EnrichmentBadges, enrichmentOf, useEnrichment } from '../components/Enrichment';
import { JsonView } from '../components/JsonView';
import { ErrorState, Loading, PageHeader, Severity, StateBadge } from '../components/States';
import { num, term, text, Time } from '../format';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { AssignDialog, describeAction, useAlertAction, VerdictDialog } from './Alerts';

/** Field names a Sigma match recorded (`details.matchedFields: [{field: value}]`). */
function matchedFieldNames(detections: Array<{ details?: Record<string, unknown> }>): Set<string> {
  const out = new Set<string>();
  for (const d of detections) {
    const mf = d.details?.matchedFields;
    if (!Array.isArray(mf)) continue;
    for (const m of mf) if (m && typeof m === 'object') for (const k of Object.keys(m as object)) out.add(k);
  }
  return out;
}

/** Field/value pairs the rule matched, for an exception: scalars only. */
function matchedValues(
  detections: Array<{ details?: Record<string, unknown> }>,
): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = [];
  for (const d of detections) {
    const mf = d.details?.matchedFields;
    if (!Array.isArray(mf)) continue;
    for (const m of mf)
      if (m && typeof m === 'object')
        for (const [field, v] of Object.entries(m as Record<string, unknown>))
          if ((typeof v === 'string' || typeof v === 'number') && !out.some((o) => o.field === field))
            out.push({ field, value: String(v) });
  }
  return out;
}

const pivot = (f: string, v: string) => navigate('/search', { q: term(f, v) });

export default function AlertDetail({ id }: { id: string }) {
  const { me, can } = useSession();
  const detail = useQuery({
    queryKey: ['alerts', 'detail', id],
    queryFn: () => api.alert(id),
    refetchInterval: 10_000,
  });
  const comments = useQuery({ queryKey: ['alerts', 'comments', id], queryFn: () => api.alertComments(id) });
  const act = useAlertAction();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<'close' | 'assign'>();
  const [exceptionOpen, setExceptionOpen] = useState(false);
  const [message, setMessage] = useState<string>();
  const [comment, setComment] = useState('');
  const addComment = useMutation({
    mutationFn: (body: string) => api.addAlertComment(id, body),
    onSuccess: () => {
      setComment('');
      void qc.invalidateQueries({ queryKey: ['alerts', 'comments', id] });
    },
  });
  const highlight = useMemo(() => matchedFieldNames(detail.data?.detections ?? []), [detail.data]);
  // Hooks run on every render, so the enrichment is asked before the loading states return.
  const enrichment = useEnrichment(detail.data?.alert.observables ?? [], can('intel:read'));

  if (detail.isPending) return <Loading what="Loading alert" />;
  if (detail.error)
    return <ErrorState error={detail.error} what="Alert" retry={() => void detail.refetch()} />;
  const { alert, detections, events } = detail.data;
  const writable = can('alerts:write');
  const run = (action: AlertAction) =>
    act.mutate(
      { ids: [alert.id], action },
      {
        onSuccess: () => setMessage(describeAction(action, 1)),
        onError: (e) => setMessage(`Failed: ${e instanceof Error ? e.message : String(e)}`),
      },
    );

  return (
    <>
      <PageHeader title={alert.title}>
        <Link to="/alerts">← Queue</Link>
      </PageHeader>
      <section className="panel detail-head">
        <dl className="facts">
          <dt>Severity</dt>
          <dd>
            <Severity level={alert.severity} />
          </dd>
          <dt>Status</dt>
          <dd>
            <StateBadge state={alert.status} />{' '}
            {alert.verdict && <span className="muted">{alert.verdict.replace(/_/g, ' ')}</span>}
          </dd>
          <dt>Assignee</dt>
          <dd>{alert.assignee ?? '—'}</dd>
          <dt>Entity</dt>
          <dd className="mono">{alert.entity ? `${alert.entity.type}: ${alert.entity.value}` : '—'}</dd>
          <dt>Rule</dt>
          <dd className="mono">
            <Link to={`/rules/${encodeURIComponent(alert.ruleId)}`}>{alert.ruleId}</Link>
          </dd>
          <dt>Detections</dt>
          <dd>{num(alert.count)}</dd>
          <dt>First / last seen</dt>
          <dd>
            <Time iso={alert.firstSeen} /> / <Time iso={alert.lastSeen} />
          </dd>
          <dt>ATT&amp;CK</dt>
          <dd>{[...alert.attack.tactics, ...alert.attack.techniques].join(', ') || '—'}</dd>
          <dt>Tenant</dt>
          <dd>{alert.tenant}</dd>
          {alert.caseId && (
            <>
              <dt>Case</dt>
              <dd className="mono">
                <Link to={`/cases/${encodeURIComponent(alert.caseId)}`}>{alert.caseId}</Link>
              </dd>
            </>
          )}
        </dl>
        {writable && (
          <div className="actions">
            <button
              type="button"
              disabled={act.isPending || alert.status !== 'new'}
              onClick={() => run({ action: 'ack' })}
            >
              Acknowledge
            </button>
            <button type="button" disabled={act.isPending} onClick={() => setDialog('assign')}>
              Assign
            </button>
            <button
              type="button"
              disabled={act.isPending || alert.status === 'closed'}
              onClick={() => setDialog('close')}
            >
              Close…
            </button>
            {!alert.caseId && can('cases:write') && (
              <button type="button" onClick={() => navigate('/cases/new', { alerts: alert.id })}>
                Open case…
              </button>
            )}
            {can('playbooks:run') && (
              <button type="button" onClick={() => navigate('/playbooks', { alert: alert.id })}>
                Run playbook…
              </button>
            )}
            {can('exceptions:manage') && (
              <button type="button" onClick={() => setExceptionOpen(true)}>
                Create exception…
              </button>
            )}
            <span className="status-msg" role="status" aria-live="polite">
              {message}
            </span>
          </div>
        )}
      </section>

      {exceptionOpen && (
        <ExceptionDialog
          ruleId={alert.ruleId}
          event={events[0]}
          matched={matchedValues(detections)}
          onClose={() => setExceptionOpen(false)}
          onDone={(m) => {
            setExceptionOpen(false);
            setMessage(m);
          }}
        />
      )}

      {alert.observables.length > 0 && (
        <section className="panel">
          <h2>Observables</h2>
          <ul className="chips">
            {alert.observables.map((o) => (
              <li key={`${o.type}:${o.value}`}>
                <button
                  type="button"
                  className="chip"
                  title="Search events with this value"
                  onClick={() => navigate('/search', { q: JSON.stringify(o.value) })}
                >
                  <span className="muted">{o.type}</span> {o.value}
                </button>{' '}
                <EnrichmentBadges e={enrichmentOf(enrichment, o)} />
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="panel">
        <h2>
          Matched events <span className="muted">({num(events.length)})</span>
        </h2>
        {highlight.size > 0 && (
          <p className="muted small">
            Fields that matched are marked: <span className="json-hit">{[...highlight].join(', ')}</span>
          </p>
        )}
        {events.length === 0 ? (
          <p className="muted">
            No stored events behind this alert (correlation and source-health alerts have none).
          </p>
        ) : (
          events.map((e, i) => (
            <details
              key={text((e as { event?: { id?: string } }).event?.id) || i}
              className="event-card"
              open={i < 3}
            >
              <summary>
                <Time iso={text(e['@timestamp'])} />{' '}
                <span className="mono ellipsis">
                  {text(e.message ?? (e.event as { original?: string } | undefined)?.original)}
                </span>
              </summary>
              <JsonView value={e} highlight={highlight} onPivot={pivot} />
            </details>
          ))
        )}
      </section>

      <section className="panel">
        <h2>Detections</h2>
        <table className="table compact">
          <thead>
            <tr>
              <th>Time</th>
              <th>Kind</th>
              <th>Level</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {detections.map((d, i) => (
              <tr key={d.id ?? i}>
                <td>
                  <Time iso={d.ts} />
                </td>
                <td>{d.kind}</td>
                <td>
                  <Severity level={d.level} />
                </td>
                <td className="mono ellipsis wide" title={text(d.details)}>
                  {text(d.details)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel">
        <h2>Comments</h2>
        {comments.error ? (
          <ErrorState error={comments.error} what="Comments" />
        ) : (
          <ul className="comments">
            {(comments.data?.comments ?? []).map((c) => (
              <li key={c.id}>
                <div className="muted small">
                  {c.author} · <Time iso={c.createdAt} />
                </div>
                <div className="comment-body">{c.body}</div>
              </li>
            ))}
            {comments.data?.comments.length === 0 && <li className="muted">No comments yet.</li>}
          </ul>
        )}
        {writable && (
          <form
            className="comment-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (comment.trim()) addComment.mutate(comment.trim());
            }}
          >
            <label className="grow">
              Add a comment
              <textarea
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                rows={3}
                maxLength={10_000}
              />
            </label>
            <button type="submit" disabled={addComment.isPending || !comment.trim()}>
              Comment
            </button>
            {addComment.error && <span className="form-error">{addComment.error.message}</span>}
          </form>
        )}
      </section>

      {dialog === 'close' && (
        <VerdictDialog
          count={1}
          onCancel={() => setDialog(undefined)}
          onPick={(verdict) => {
            setDialog(undefined);
            run({ action: 'close', verdict });
          }}
        />
      )}
      {dialog === 'assign' && (
        <AssignDialog
          count={1}
          initial={alert.assignee ?? me?.name ?? ''}
          onCancel={() => setDialog(undefined)}
          onAssign={(assignee) => {
            setDialog(undefined);
            run({ action: 'assign', assignee });
          }}
        />
      )}
    </>
  );
}
