import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, SEVERITIES, type SourceInput } from '../api';
import { Sparkline, StackedBars } from '../components/Charts';
import { ErrorState, Loading, PageHeader, Severity, StateBadge } from '../components/States';
import { ago, num, rate, Time } from '../format';
import { Link } from '../router';
import { useSession } from '../session';

const HOURS = 24;
const LEVEL_SERIES = SEVERITIES.map((s) => ({ key: s, className: `bar-${s}` }));

/** Events per second from successive snapshots of the inputs' received counters. */
function useEventRate(
  inputs: SourceInput[] | undefined,
  updatedAt: number,
): { now: number | undefined; history: number[] } {
  const last = useRef<{ at: number; total: number } | undefined>(undefined);
  const [state, setState] = useState<{ now: number | undefined; history: number[] }>({
    now: undefined,
    history: [],
  });
  useEffect(() => {
    if (!inputs) return;
    const total = inputs.reduce((a, i) => a + i.received, 0);
    const at = updatedAt;
    const prev = last.current;
    last.current = { at, total };
    if (!prev || at - prev.at < 500) return;
    const r = Math.max(0, (total - prev.total) / ((at - prev.at) / 1000));
    setState((s) => ({ now: r, history: [...s.history, r].slice(-60) }));
    // Keyed on the fetch time: an unchanged reply keeps its identity, but is still a new sample.
  }, [inputs, updatedAt]);
  return state;
}

export default function Overview() {
  const { can } = useSession();
  const sources = useQuery({ queryKey: ['sources'], queryFn: api.sources, refetchInterval: 5_000 });
  // The window moves on the hour, so a console left open all shift keeps showing the last day.
  const hour = Math.floor(Date.now() / 3600_000);
  const since = new Date((hour - HOURS + 1) * 3600_000).toISOString();
  const detections = useQuery({
    queryKey: ['detections', 'overview', since],
    queryFn: () => api.detections({ since, limit: 1000 }),
    refetchInterval: 15_000,
    enabled: can('detections:read'),
  });
  const dead = useQuery({
    queryKey: ['deadletters', 'count'],
    queryFn: () => api.deadLetters({ limit: 1 }),
    refetchInterval: 15_000,
    enabled: can('deadletters:read'),
  });
  const openAlerts = useQuery({
    queryKey: ['alerts', 'open-count'],
    queryFn: () => api.alerts({ status: ['new', 'acknowledged', 'in_progress'], limit: 1 }),
    refetchInterval: 10_000,
    enabled: can('alerts:read'),
  });
  const failedNotes = useQuery({
    queryKey: ['deliveries', 'failed'],
    queryFn: () => api.deliveries({ status: 'failed', limit: 1000 }),
    refetchInterval: 30_000,
    enabled: can('reports:read'),
  });
  const eps = useEventRate(sources.data?.inputs, sources.dataUpdatedAt);

  const buckets = useMemo(() => {
    const start = Date.parse(since);
    const b: Array<Record<string, number>> = Array.from({ length: HOURS }, () => ({}));
    for (const d of detections.data?.detections ?? []) {
      const i = Math.floor((Date.parse(d.ts) - start) / 3600_000);
      if (i < 0 || i >= HOURS) continue;
      const lv = (SEVERITIES as readonly string[]).includes(d.level) ? d.level : 'informational';
      b[i]![lv] = (b[i]![lv] ?? 0) + 1;
    }
    return b;
  }, [detections.data, since]);

  const byLevel = useMemo(() => {
    const c: Record<string, number> = {};
    for (const d of detections.data?.detections ?? []) c[d.level] = (c[d.level] ?? 0) + 1;
    return c;
  }, [detections.data]);

  const inputs = sources.data?.inputs ?? [];
  const silent = inputs.filter((i) => i.state === 'silent').length;
  const alertsUnavailable = openAlerts.error instanceof ApiError && openAlerts.error.notAvailable;

  return (
    <>
      <PageHeader title="Overview" />
      <section className="tiles" aria-label="Key figures">
        <div className="tile" data-testid="tile-eps">
          <div className="tile-label">Events / s</div>
          <div className="tile-value">{eps.now === undefined ? '…' : rate(eps.now)}</div>
          <Sparkline values={eps.history} label="events per second, last minutes" />
        </div>
        <div className="tile">
          <div className="tile-label">Inputs</div>
          <div className="tile-value">{sources.data ? num(inputs.length) : '…'}</div>
          <div className={silent ? 'tile-sub warn' : 'tile-sub muted'}>
            {silent ? `${silent} silent` : 'none silent'}
          </div>
        </div>
        {can('detections:read') && (
          <div className="tile">
            <div className="tile-label">Detections, {HOURS} h</div>
            <div className="tile-value">{detections.data ? num(detections.data.total) : '…'}</div>
            <div className="tile-sub">
              {SEVERITIES.filter((s) => byLevel[s]).map((s) => (
                <span key={s} className="tile-chip">
                  <Severity level={s} /> {byLevel[s]}
                </span>
              ))}
            </div>
          </div>
        )}
        {can('alerts:read') && (
          <div className="tile">
            <div className="tile-label">Open alerts</div>
            <div className="tile-value">
              {alertsUnavailable ? 'n/a' : openAlerts.data ? num(openAlerts.data.total) : '…'}
            </div>
            <div className="tile-sub muted">
              {alertsUnavailable ? 'alerts API not available' : <Link to="/alerts">to the queue</Link>}
            </div>
          </div>
        )}
        {can('deadletters:read') && (
          <div className="tile" data-testid="tile-deadletters">
            <div className="tile-label">Dead letters</div>
            <div className={`tile-value${dead.data?.total ? ' warn' : ''}`}>
              {dead.data ? num(dead.data.total) : '…'}
            </div>
            <div className="tile-sub muted">
              <Link to="/deadletters">records that failed to ingest</Link>
            </div>
          </div>
        )}
        {can('reports:read') &&
          !(failedNotes.error instanceof ApiError && failedNotes.error.notAvailable) && (
            <div className="tile">
              <div className="tile-label">Failed notifications</div>
              <div className={`tile-value${failedNotes.data?.deliveries.length ? ' warn' : ''}`}>
                {failedNotes.data
                  ? failedNotes.data.deliveries.length >= 1000
                    ? '1000+'
                    : num(failedNotes.data.deliveries.length)
                  : failedNotes.error
                    ? 'n/a'
                    : '…'}
              </div>
              <div
                className="tile-sub muted one-line"
                title={failedNotes.data?.deliveries[0]?.lastError ?? undefined}
              >
                {failedNotes.data?.deliveries[0]?.lastError ?? 'deliveries given up after retries'}
              </div>
            </div>
          )}
      </section>

      {can('detections:read') && (
        <section className="panel" aria-labelledby="det-title">
          <h2 id="det-title">Detections by level, last {HOURS} hours</h2>
          {detections.isPending ? (
            <Loading />
          ) : detections.error ? (
            <ErrorState error={detections.error} what="Detections" retry={() => void detections.refetch()} />
          ) : (
            <>
              <StackedBars
                buckets={buckets}
                series={LEVEL_SERIES}
                label="detections per hour by level"
                bucketLabel={(i) => new Date(Date.parse(since) + i * 3600_000).toLocaleString()}
              />
              <div className="legend">
                {SEVERITIES.map((s) => (
                  <span key={s} className="legend-item">
                    <span className={`swatch bar-${s}`} aria-hidden="true" /> {s}
                  </span>
                ))}
                {detections.data.total > detections.data.detections.length && (
                  <span className="muted">
                    charting the newest {num(detections.data.detections.length)} of{' '}
                    {num(detections.data.total)}
                  </span>
                )}
              </div>
            </>
          )}
        </section>
      )}

      <section className="panel" aria-labelledby="src-title">
        <h2 id="src-title">
          Sources{' '}
          <Link to="/sources" className="small">
            all hosts
          </Link>
        </h2>
        {sources.isPending ? (
          <Loading />
        ) : sources.error ? (
          <ErrorState error={sources.error} what="Sources" retry={() => void sources.refetch()} />
        ) : inputs.length === 0 ? (
          <p className="muted">No inputs yet.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Input</th>
                <th>Kind</th>
                <th>State</th>
                <th className="num">Hosts</th>
                <th className="num">Received</th>
                <th className="num">Failed</th>
                <th>Last seen</th>
              </tr>
            </thead>
            <tbody>
              {inputs.map((i) => (
                <tr key={`${i.input}/${i.tenant}`} className={i.state === 'silent' ? 'row-warn' : undefined}>
                  <td className="mono">{i.input}</td>
                  <td>{i.kind}</td>
                  <td>
                    <StateBadge state={i.state} />
                  </td>
                  <td className="num">{num(i.hostCount)}</td>
                  <td className="num">{num(i.received)}</td>
                  <td className={`num${i.failed ? ' warn' : ''}`}>{num(i.failed)}</td>
                  <td>
                    {i.lastSeen ? <Time iso={i.lastSeen} /> : '—'}{' '}
                    <span className="muted">{i.lastSeen ? ago(i.lastSeen) : ''}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
