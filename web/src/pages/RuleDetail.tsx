/**
 * One rule: its metadata and YAML, enable/disable for the tenant, how often its alerts were false
 * positives, its exceptions (tuning), and a test bench: paste sample events, see whether the rule
 * matches each and why, selection by selection and field by field.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { socApi } from '../api';
import { errorText } from '../components/CaseUi';
import { CodeEditor } from '../components/CodeEditor';
import { rulesApi, type Explanation, type RuleException } from '../components/rulesApi';
import { Empty, ErrorState, Loading, PageHeader, Severity } from '../components/States';
import { Time } from '../format';
import { Link } from '../router';
import { useSession } from '../session';

const SAMPLE = `[
  {"@timestamp": "2026-11-28T09:00:00Z", "message": "an event to test", "host": {"name": "web-1"}}
]`;

export default function RuleDetail({ id }: { id: string }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const rule = useQuery({ queryKey: ['rule', id], queryFn: () => rulesApi.get(id) });
  const metrics = useQuery({
    queryKey: ['soc-metrics', '30d'],
    queryFn: () => socApi.socMetrics({ period: '30d' }),
  });
  const [msg, setMsg] = useState<string>();
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => rulesApi.setEnabled(id, enabled),
    onSuccess: (r) => {
      setMsg(r.enabled ? 'Enabled for your tenant' : 'Disabled for your tenant');
      void qc.invalidateQueries({ queryKey: ['rule', id] });
      void qc.invalidateQueries({ queryKey: ['rules'] });
    },
    onError: (e) => setMsg(`Failed: ${errorText(e)}`),
  });
  if (rule.isPending) return <Loading what="Loading the rule" />;
  if (rule.error) return <ErrorState error={rule.error} what="Rule" retry={() => void rule.refetch()} />;
  const r = rule.data;
  const stats = metrics.data?.rules.find((x) => x.ruleId === id);
  return (
    <>
      <PageHeader title={r.title}>
        <Link to="/rules">All rules</Link>
      </PageHeader>
      <section className="panel" aria-label="Rule">
        <dl className="facts">
          <dt>Level</dt>
          <dd>{r.level ? <Severity level={r.level} /> : '—'}</dd>
          <dt>Kind / status</dt>
          <dd>
            {r.kind}
            {r.status ? ` · ${r.status}` : ''}
          </dd>
          <dt>Id</dt>
          <dd className="mono">{r.id}</dd>
          <dt>Source</dt>
          <dd className="ellipsis" title={r.file}>
            {r.source}
            {r.upload ? ` (uploaded by ${r.upload.createdBy})` : ''}
          </dd>
          <dt>Tags</dt>
          <dd>
            {(r.tags ?? []).map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
          </dd>
          <dt>Alerts (30 days)</dt>
          <dd data-testid="rule-fp-rate">
            {stats ? (
              <>
                {stats.alerts} alert{stats.alerts === 1 ? '' : 's'}
                {stats.falsePositiveRate !== null &&
                  ` · ${Math.round(stats.falsePositiveRate * 100)} % closed as false positive`}
              </>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
          <dt>Enabled</dt>
          <dd data-testid="rule-enabled">
            {r.enabled ? 'yes' : <span className="warn">no</span>}{' '}
            {can('rules:manage') && r.kind === 'rule' && (
              <button
                type="button"
                className="tiny"
                disabled={toggle.isPending}
                onClick={() => toggle.mutate(!r.enabled)}
              >
                {r.enabled ? 'Disable' : 'Enable'}
              </button>
            )}{' '}
            <span className="status-msg" role="status" aria-live="polite">
              {msg}
            </span>
          </dd>
        </dl>
        <div className="filters">
          <Link to="/detections" query={{ rule: r.id }}>
            Its detections
          </Link>
          <Link to="/alerts" query={{ q: r.id }}>
            Its alerts
          </Link>
        </div>
      </section>
      {r.yaml !== null && (
        <section className="panel" aria-labelledby="yaml-title">
          <h2 id="yaml-title">YAML</h2>
          <CodeEditor
            value={r.yaml}
            label="Rule YAML"
            readOnly
            rows={Math.min(30, r.yaml.split('\n').length + 1)}
          />
        </section>
      )}
      {r.kind === 'rule' && <RuleTest id={id} />}
      <Exceptions id={id} writable={can('exceptions:manage')} />
    </>
  );
}

function RuleTest({ id }: { id: string }) {
  const [events, setEvents] = useState(SAMPLE);
  const [error, setError] = useState<string>();
  const run = useMutation({ mutationFn: (evs: unknown[]) => rulesApi.test({ ruleId: id, events: evs }) });
  return (
    <section className="panel" aria-labelledby="test-title">
      <h2 id="test-title">Test against sample events</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          let parsed: unknown;
          try {
            parsed = JSON.parse(events);
          } catch (err) {
            setError(`Not JSON: ${(err as Error).message}`);
            return;
          }
          run.mutate(Array.isArray(parsed) ? parsed : [parsed], {
            onError: (err) => setError(errorText(err)),
          });
        }}
      >
        <CodeEditor
          value={events}
          onChange={setEvents}
          label="Events (a JSON array, or one object)"
          rows={8}
        />
        <button type="submit" disabled={run.isPending} data-testid="rule-test-run">
          Test
        </button>
        {error && (
          <div className="form-error" role="alert">
            {error}
          </div>
        )}
      </form>
      {run.data &&
        run.data.results.map((res) => (
          <ExplanationView key={res.index} index={res.index} x={res.explanations[0]!} />
        ))}
    </section>
  );
}

const show = (v: unknown): string =>
  v === undefined ? '(absent)' : typeof v === 'string' ? v : (JSON.stringify(v) ?? typeof v);

function ExplanationView({ index, x }: { index: number; x: Explanation }) {
  return (
    <div className="explanation" data-testid="rule-test-result" data-matched={x.matched}>
      <h3>
        Event {index + 1}:{' '}
        {x.matched ? <span className="ok">matches</span> : <span className="warn">no match</span>}
      </h3>
      <p className="muted small">
        Log source {x.logsource.matched ? 'matches' : 'does not match'} ({x.logsource.rule}); condition{' '}
        <code>{show(x.condition)}</code> {x.conditionMatched ? 'holds' : 'does not hold'}.
      </p>
      <table className="table compact">
        <thead>
          <tr>
            <th>Selection</th>
            <th>Field</th>
            <th>Expected</th>
            <th>Event has</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {x.selections.flatMap((s) =>
            s.alternatives.flatMap((a, ai) =>
              a.fields.map((f, fi) => (
                <tr key={`${s.name}-${ai}-${fi}`} className={f.matched ? undefined : 'row-muted'}>
                  <td>{fi === 0 ? `${s.name}${s.alternatives.length > 1 ? ` #${ai + 1}` : ''}` : ''}</td>
                  <td className="mono">
                    {f.field ?? '(keywords)'}
                    {f.modifiers.length ? `|${f.modifiers.join('|')}` : ''}
                  </td>
                  <td className="mono ellipsis" title={f.expected.map(show).join('\n')}>
                    {f.expected.map(show).join(' · ')}
                  </td>
                  <td className="mono ellipsis" title={show(f.actual)}>
                    {show(f.actual)}
                  </td>
                  <td>{f.matched ? '✓' : '✗'}</td>
                </tr>
              )),
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

function Exceptions({ id, writable }: { id: string; writable: boolean }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['rule-exceptions', id], queryFn: () => rulesApi.exceptions(id) });
  const remove = useMutation({
    mutationFn: (e: RuleException) => rulesApi.removeException(e.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['rule-exceptions', id] }),
  });
  return (
    <section className="panel" aria-labelledby="exceptions-title">
      <h2 id="exceptions-title">Exceptions</h2>
      <p className="muted small">
        Detections of this rule whose event has every listed value are suppressed (and counted). Create one
        from an alert: its page has “Create exception…”.
      </p>
      {list.isPending ? (
        <Loading what="Loading exceptions" />
      ) : list.error ? (
        <ErrorState error={list.error} what="Exceptions" retry={() => void list.refetch()} />
      ) : list.data.exceptions.length === 0 ? (
        <Empty>No exceptions.</Empty>
      ) : (
        <table className="table compact" data-testid="rule-exceptions">
          <thead>
            <tr>
              <th>When the event has</th>
              <th>Reason</th>
              <th>By</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.exceptions.map((e) => (
              <tr key={e.id}>
                <td className="mono ellipsis wide">
                  {e.match.map((m) => `${m.field} = ${m.value}`).join(' and ')}
                </td>
                <td className="ellipsis">{e.reason}</td>
                <td>
                  {e.createdBy} <Time iso={e.createdAt} />
                </td>
                <td>{e.expiresAt ? <Time iso={e.expiresAt} /> : 'never'}</td>
                <td>
                  {writable && (
                    <button
                      type="button"
                      className="ghost tiny"
                      aria-label={`Remove the exception ${e.reason}`}
                      disabled={remove.isPending}
                      onClick={() => {
                        if (window.confirm('Remove this exception? Its detections will alert again.'))
                          remove.mutate(e);
                      }}
                    >
                      ✕
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
