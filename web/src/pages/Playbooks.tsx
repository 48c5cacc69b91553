/**
 * Playbooks: the list (triggers, enabled state, version), metrics, recent runs, import/export, and
 * running one by hand — on an alert, a case or an observable when the link carries one
 * (`#/playbooks?alert=<id>`, `?case=<id>`, `?obsType=ip&obsValue=1.2.3.4`).
 * Sub-pages: `new` and `<id>` (editor), `runs/<id>` (live run view).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Lazy, lazyComponent } from '../lazy';
import { socApi, type PlaybookRun, type PlaybookSummary, type RunRequest } from '../api';
import { Empty, ErrorState, Loading, PageHeader, StateBadge } from '../components/States';
import { useLiveEvents } from '../components/live';
import { ago, num, Time } from '../format';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';

const Editor = lazyComponent(() => import('./PlaybooksEditor'));
const RunView = lazyComponent(() => import('./PlaybooksRun'));

export default function Playbooks({ segments }: { segments: string[] }) {
  const [first, second] = segments;
  if (first === 'runs' && second) return <Lazy of={RunView} render={(C) => <C id={second} />} />;
  if (segments[0])
    return <Lazy of={Editor} render={(C) => <C id={segments[0] === 'new' ? undefined : segments[0]} />} />;
  return <PlaybookList />;
}

/** The run context a link carries (alert, case or observable). */
export function runContext(q: URLSearchParams): { request: RunRequest; label: string } | undefined {
  const alert = q.get('alert');
  const kase = q.get('case');
  const obsType = q.get('obsType');
  const obsValue = q.get('obsValue');
  if (alert) return { request: { alertId: alert }, label: `alert ${alert}` };
  if (kase) return { request: { caseId: kase }, label: `case ${kase}` };
  if (obsType && obsValue)
    return { request: { observable: { type: obsType, value: obsValue } }, label: `${obsType} ${obsValue}` };
  return undefined;
}

const minutes = (m: number): string => (m >= 120 ? `${(m / 60).toFixed(1)} h` : `${Math.round(m)} min`);
const seconds = (s: number | null): string =>
  s === null
    ? '—'
    : s >= 3600
      ? `${(s / 3600).toFixed(1)} h`
      : s >= 60
        ? `${(s / 60).toFixed(1)} min`
        : `${s.toFixed(1)} s`;

function PlaybookList() {
  const { can } = useSession();
  const loc = useLocation();
  const qc = useQueryClient();
  const context = runContext(loc.query);
  const [dryRun, setDryRun] = useState(true);
  const [message, setMessage] = useState<string>();
  const fileRef = useRef<HTMLInputElement>(null);
  const list = useQuery({ queryKey: ['playbooks'], queryFn: socApi.playbooks });
  const metrics = useQuery({
    queryKey: ['playbooks', 'metrics'],
    queryFn: socApi.playbookMetrics,
    refetchInterval: 15_000,
  });
  const manage = can('playbooks:manage');
  const runnable = can('playbooks:run');

  const run = useMutation({
    mutationFn: (id: string) => socApi.run(id, { ...context?.request, dryRun, wait: false }),
    onSuccess: (r) => navigate(`/playbooks/runs/${r.run.id}`),
    onError: (e) => setMessage(`Run failed: ${e instanceof Error ? e.message : String(e)}`),
  });
  const examples = useMutation({
    mutationFn: socApi.installExamples,
    onSuccess: (r) => {
      setMessage(r.installed.length ? `Installed ${r.installed.join(', ')}` : 'All examples are installed');
      void qc.invalidateQueries({ queryKey: ['playbooks'] });
    },
    onError: (e) => setMessage(`Failed: ${e instanceof Error ? e.message : String(e)}`),
  });
  const importFile = useMutation({
    mutationFn: async (f: File) => socApi.importPlaybooks(await f.text()),
    onSuccess: (r) => {
      setMessage(`Imported ${r.imported.map((i) => `${i.id} v${i.version}`).join(', ')}`);
      void qc.invalidateQueries({ queryKey: ['playbooks'] });
    },
    onError: (e) => setMessage(`Import refused: ${e instanceof Error ? e.message : String(e)}`),
  });
  const exportAll = async () => {
    try {
      const text = await socApi.exportPlaybooks();
      const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'playbooks.yaml';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setMessage(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const m = metrics.data;
  return (
    <>
      <PageHeader title="Playbooks">
        {manage && (
          <>
            <Link to="/playbooks/new" className="button primary">
              New playbook
            </Link>
            <button type="button" onClick={() => fileRef.current?.click()} disabled={importFile.isPending}>
              Import YAML
            </button>
            <input
              ref={fileRef}
              type="file"
              accept=".yaml,.yml,text/yaml,application/yaml"
              hidden
              aria-label="Playbook YAML file to import"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) importFile.mutate(f);
                e.target.value = '';
              }}
            />
            <button type="button" onClick={() => examples.mutate()} disabled={examples.isPending}>
              Install examples
            </button>
          </>
        )}
        <button type="button" onClick={() => void exportAll()}>
          Export all
        </button>
      </PageHeader>
      {message && (
        <div className="notice" role="status" data-testid="playbooks-message">
          {message}
        </div>
      )}

      <section className="tiles" aria-label="Playbook metrics">
        <div className="tile">
          <div className="tile-label">Runs</div>
          <div className="tile-value">{m ? num(m.runs) : '…'}</div>
          <div className="tile-sub muted">
            {m
              ? Object.entries(m.byStatus)
                  .map(([s, n]) => `${n} ${s}`)
                  .join(', ') || 'none yet'
              : ''}
          </div>
        </div>
        <div className="tile">
          <div className="tile-label">Failures</div>
          <div className={`tile-value${m?.failures ? ' warn' : ''}`}>{m ? num(m.failures) : '…'}</div>
          <div className="tile-sub muted">dry runs not counted</div>
        </div>
        <div className="tile">
          <div className="tile-label">Time saved</div>
          <div className="tile-value">{m ? minutes(m.timeSavedMinutes) : '…'}</div>
          <div className="tile-sub muted">estimated per action</div>
        </div>
        <div className="tile">
          <div className="tile-label">Mean time to contain</div>
          <div className="tile-value">{m ? seconds(m.meanTimeToContainSeconds) : '…'}</div>
          <div className="tile-sub muted">alert → first containment</div>
        </div>
        <div className="tile">
          <div className="tile-label">Mean run time</div>
          <div className="tile-value">{m ? seconds(m.meanDurationSeconds) : '…'}</div>
        </div>
      </section>

      <section className="panel" aria-labelledby="pb-title">
        <h2 id="pb-title">Definitions</h2>
        {context && runnable && (
          <div className="banner" data-testid="run-context">
            Run a playbook on <strong className="mono">{context.label}</strong>{' '}
            <Link to="/playbooks">cancel</Link>
          </div>
        )}
        {runnable && (
          <label className="inline">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Run
            buttons make a dry run (no side effects)
          </label>
        )}
        {list.isPending ? (
          <Loading what="Loading playbooks" />
        ) : list.error ? (
          <ErrorState error={list.error} what="Playbooks" retry={() => void list.refetch()} />
        ) : list.data.playbooks.length === 0 ? (
          <Empty>
            No playbooks yet.{' '}
            {manage
              ? 'Create one, import YAML, or install the shipped examples.'
              : 'Ask a manager to add some.'}
          </Empty>
        ) : (
          <table className="table" data-testid="playbooks-table">
            <thead>
              <tr>
                <th>Playbook</th>
                <th>Triggers</th>
                <th>State</th>
                <th className="num">Version</th>
                <th>Saved</th>
                {runnable && <th>Run</th>}
              </tr>
            </thead>
            <tbody>
              {list.data.playbooks.map((p) => (
                <PlaybookRow
                  key={p.id}
                  p={p}
                  runnable={runnable}
                  busy={run.isPending}
                  onRun={() => run.mutate(p.id)}
                  withContext={Boolean(context)}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>

      <RunList title="Recent runs" />
    </>
  );
}

function PlaybookRow({
  p,
  runnable,
  busy,
  onRun,
  withContext,
}: {
  p: PlaybookSummary;
  runnable: boolean;
  busy: boolean;
  onRun: () => void;
  withContext: boolean;
}) {
  return (
    <tr data-playbook-id={p.id}>
      <td className="ellipsis">
        <Link to={`/playbooks/${p.id}`} title={p.id}>
          {p.name ?? p.id}
        </Link>{' '}
        <span className="muted mono small">{p.id}</span>
      </td>
      <td>
        {p.triggers.length ? (
          <span className="chips">
            {p.triggers.map((t, i) => (
              <span key={i} className="chip">
                {t}
              </span>
            ))}
          </span>
        ) : (
          '—'
        )}
      </td>
      <td>
        {!p.valid ? (
          <span className="badge state-breached">invalid</span>
        ) : (
          <span className={`badge ${p.enabled ? 'state-active' : 'state-never'}`}>
            {p.enabled ? 'enabled' : 'disabled'}
          </span>
        )}
      </td>
      <td className="num">{p.version}</td>
      <td>
        <Time iso={p.updatedAt} /> <span className="muted">{ago(p.updatedAt)}</span>
      </td>
      {runnable && (
        <td>
          <button type="button" disabled={busy || !p.valid} onClick={onRun}>
            {withContext ? 'Run on context' : 'Run'}
          </button>
        </td>
      )}
    </tr>
  );
}

/** Runs, newest first, refreshed while any is still going. */
export function RunList({ title, playbook }: { title: string; playbook?: string }) {
  const runs = useQuery({
    queryKey: ['playbooks', 'runs', playbook ?? ''],
    queryFn: () => socApi.runs({ playbook, limit: 50 }),
    refetchInterval: (q) =>
      q.state.data?.runs.some((r) => r.status === 'running' || r.status === 'waiting') ? 2_000 : 10_000,
  });
  const qc = useQueryClient();
  useLiveEvents((name, e) => {
    if ((name === 'playbook.run' && (!playbook || e.playbook === playbook)) || name === 'resync')
      void qc.invalidateQueries({ queryKey: ['playbooks', 'runs', playbook ?? ''] });
  });
  return (
    <section className="panel" aria-labelledby="runs-title">
      <h2 id="runs-title">{title}</h2>
      {runs.isPending ? (
        <Loading what="Loading runs" />
      ) : runs.error ? (
        <ErrorState error={runs.error} what="Runs" retry={() => void runs.refetch()} />
      ) : runs.data.runs.length === 0 ? (
        <Empty>No runs yet.</Empty>
      ) : (
        <table className="table" data-testid="runs-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Playbook</th>
              <th>Trigger</th>
              <th>Status</th>
              <th>Started</th>
              <th className="num">Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.runs.map((r) => (
              <RunRow key={r.id} r={r} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RunRow({ r }: { r: PlaybookRun }) {
  const ms = r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : null;
  return (
    <tr data-run-id={r.id}>
      <td className="mono ellipsis">
        <Link to={`/playbooks/runs/${r.id}`}>{r.id.slice(0, 12)}</Link>
      </td>
      <td className="ellipsis">
        {r.playbookId} <span className="muted">v{r.playbookVersion}</span>
      </td>
      <td>
        {r.trigger.type}
        {r.trigger.by ? <span className="muted"> by {r.trigger.by}</span> : null}
      </td>
      <td>
        <StateBadge state={r.status} /> {r.dryRun && <span className="badge">dry run</span>}
      </td>
      <td>
        <Time iso={r.startedAt} />
      </td>
      <td className="num">{ms === null ? '…' : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`}</td>
    </tr>
  );
}
