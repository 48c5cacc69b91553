import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, SEVERITIES, socApi, type SourceInput } from '../api';
import { AttackHeatmap } from '../components/AttackHeatmap';
import { Sparkline, StackedBars } from '../components/Charts';
import { useLiveEvents, type LiveAlert } from '../components/live';
import { TrendChart } from '../components/TrendChart';
import { ErrorState, Loading, PageHeader, Severity, StateBadge } from '../components/States';
import { ago, num, rate, Time } from '../format';
import { Link } from '../router';
import { useSession } from '../session';

const HOURS = 24;
const TREND_DAYS = 14;
const TREND_SERIES = [
  { key: 'mttd', label: 'MTTD (event → alert)', className: 'trend-mttd' },
  { key: 'mtta', label: 'MTTA (alert → acknowledged)', className: 'trend-mtta' },
  { key: 'mttr', label: 'MTTR (alert → closed)', className: 'trend-mttr' },
] as const;

const dur = (s: number): string =>
  s >= 86400
    ? `${(s / 86400).toFixed(1)} d`
    : s >= 3600
      ? `${(s / 3600).toFixed(1)} h`
      : s >= 60
        ? `${(s / 60).toFixed(1)} min`
        : `${s.toFixed(0)} s`;

/** MTTD/MTTA/MTTR per day (mean over the alerts created that day), from the SOC metrics route. */
function SocTrends() {
  const day = Math.floor(Date.now() / 86400_000);
  const days = Array.from({ length: TREND_DAYS }, (_, i) => day - TREND_DAYS + 1 + i);
  const results = useQueries({
    queries: days.map((d) => ({
      queryKey: ['metrics', 'soc', 'day', d],
      queryFn: () =>
        socApi.socMetrics({
          from: new Date(d * 86400_000).toISOString(),
          to: new Date((d + 1) * 86400_000).toISOString(),
        }),
      // Past days do not change much; today does.
      refetchInterval: d === day ? 60_000 : false,
      staleTime: d === day ? 0 : 600_000,
    })),
  });
  const failed = results.find((r) => r.error)?.error;
  if (failed) return <ErrorState error={failed} what="SOC metrics" />;
  if (results.some((r) => r.isPending)) return <Loading what="Loading SOC metrics" />;
  const data = results.map((r) => r.data!);
  const latest = data[data.length - 1]!;
  const series = TREND_SERIES.map((s) => ({ ...s, values: data.map((m) => m[s.key].all.meanSeconds) }));
  const any = series.some((s) => s.values.some((v) => v !== null));
  return (
    <>
      <div className="trend-figures" data-testid="soc-trends">
        {TREND_SERIES.map((s) => {
          const v = series.find((x) => x.key === s.key)!.values.filter((x): x is number => x !== null);
          return (
            <span key={s.key} className="legend-item">
              <span className={`swatch ${s.className}`} aria-hidden="true" /> {s.label}:{' '}
              <strong>{v.length ? dur(v[v.length - 1]!) : '—'}</strong>
            </span>
          );
        })}
        <span className="muted">
          today: {num(latest.alerts.created)} created, {num(latest.alerts.closed)} closed
        </span>
      </div>
      {any ? (
        <TrendChart
          series={series}
          bucketLabels={days.map((d) => new Date(d * 86400_000).toLocaleDateString())}
          format={dur}
          label={`mean MTTD, MTTA and MTTR per day, last ${TREND_DAYS} days`}
        />
      ) : (
        <p className="muted">No alert was acknowledged or closed in the last {TREND_DAYS} days yet.</p>
      )}
    </>
  );
}

/** The newest alerts as the stream announces them (the tile above counts them all). */
function LiveAlerts() {
  const [items, setItems] = useState<Array<LiveAlert & { tenant?: string }>>([]);
  const qc = useQueryClient();
  useLiveEvents((name, data) => {
    if (name === 'alert.created' && data.alerts)
      setItems((cur) => [...data.alerts!.map((a) => ({ ...a, tenant: data.tenant })), ...cur].slice(0, 8));
    if (name === 'alert.created' || name === 'alert.updated' || name === 'resync') {
      void qc.invalidateQueries({ queryKey: ['alerts', 'open-count'] });
      // Today's MTTx bucket moves with every new, acknowledged or closed alert.
      void qc.invalidateQueries({ queryKey: ['metrics', 'soc', 'day', Math.floor(Date.now() / 86400_000)] });
    }
    if (name === 'case.created' || name === 'case.status' || name === 'resync')
      void qc.invalidateQueries({ queryKey: ['cases'] });
  });
  return (
    <section className="panel" aria-labelledby="live-title">
      <h2 id="live-title">Arriving now</h2>
      {items.length === 0 ? (
        <p className="muted">New alerts appear here as they open.</p>
      ) : (
        <ul className="live-list" data-testid="live-alerts" aria-live="polite">
          {items.map((a) => (
            <li key={a.id}>
              <Severity level={a.severity} />{' '}
              <Link to={`/alerts/${a.id}`} className="clip">
                {a.title}
              </Link>{' '}
              <span className="muted mono">{a.entity?.value ?? ''}</span> <Time iso={a.createdAt} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
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
  const coverage = useQuery({
    queryKey: ['attack', 'coverage'],
    queryFn: socApi.coverage,
    refetchInterval: 120_000,
    enabled: can('rules:read'),
  });

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

      {can('alerts:read') && <LiveAlerts />}

      {can('metrics:read') && !alertsUnavailable && (
        <section className="panel" aria-labelledby="trend-title">
          <h2 id="trend-title">MTTD / MTTA / MTTR, last {TREND_DAYS} days</h2>
          <SocTrends />
        </section>
      )}

      {can('rules:read') && (
        <section className="panel" aria-labelledby="attack-title">
          <h2 id="attack-title">
            ATT&amp;CK coverage{' '}
            <Link to="/rules" className="small">
              rules
            </Link>
          </h2>
          {coverage.isPending ? (
            <Loading what="Mapping rules to ATT&CK" />
          ) : coverage.error ? (
            <ErrorState error={coverage.error} what="ATT&CK coverage" retry={() => void coverage.refetch()} />
          ) : (
            <AttackHeatmap coverage={coverage.data} />
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
