/**
 * Threat intelligence: feeds and their health (last pull, count, errors, "pull now"), indicator
 * search, one indicator with its provenance and sightings, and the context objects feeds brought
 * (reports, malware, threat actors). `#/intel/indicators/<id>` opens one indicator.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { socApi, type FeedRow } from '../api';
import { JsonView } from '../components/JsonView';
import { Empty, ErrorState, Loading, PageHeader, Severity } from '../components/States';
import { ago, num, Time } from '../format';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';

const TYPES = [
  'ipv4',
  'ipv6',
  'cidr',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'ssdeep',
  'email',
  'filename',
  'user-agent',
  'ja3',
  'ja3s',
  'ja4',
  'registry-key',
  'asn',
  'stix',
];
const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'];
/** The server filters by type, value, text and source; TLP and confidence narrow what came back. */
const SEARCH_LIMIT = 500;

export default function Intel({ segments }: { segments: string[] }) {
  if (segments[0] === 'indicators' && segments[1]) return <IndicatorDetail id={segments[1]} />;
  return <IntelHome />;
}

function IntelHome() {
  return (
    <>
      <PageHeader title="Threat intelligence" />
      <Feeds />
      <IndicatorSearch />
      <ContextObjects />
    </>
  );
}

function feedState(f: FeedRow): { label: string; cls: string } {
  if (!f.enabled) return { label: 'disabled', cls: 'state-never' };
  if (f.health.lastError) return { label: 'failing', cls: 'state-breached' };
  if (!f.health.lastPullAt) return { label: 'never pulled', cls: 'state-never' };
  return { label: 'healthy', cls: 'state-active' };
}

function Feeds() {
  const { can } = useSession();
  const qc = useQueryClient();
  const feeds = useQuery({ queryKey: ['intel', 'feeds'], queryFn: socApi.feeds, refetchInterval: 30_000 });
  const stats = useQuery({
    queryKey: ['intel', 'stats'],
    queryFn: socApi.intelStats,
    refetchInterval: 30_000,
  });
  const [message, setMessage] = useState<string>();
  const pull = useMutation({
    mutationFn: (f: FeedRow) => socApi.pullFeed(f.id),
    onSuccess: (_r, f) => setMessage(`Pulled ${f.name}`),
    onError: (e, f) => setMessage(`Pull of ${f.name} failed: ${e instanceof Error ? e.message : String(e)}`),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['intel'] }),
  });
  return (
    <section className="panel" aria-labelledby="feeds-title">
      <h2 id="feeds-title">
        Feeds{' '}
        {stats.data && (
          <span className="muted small">
            {num(stats.data.liveIndicators)} live indicators in the match index
            {stats.data.unindexedPatterns
              ? `, ${num(stats.data.unindexedPatterns)} patterns checked on every event`
              : ''}
          </span>
        )}
      </h2>
      {message && (
        <div className="notice" role="status">
          {message}
        </div>
      )}
      {feeds.isPending ? (
        <Loading what="Loading feeds" />
      ) : feeds.error ? (
        <ErrorState error={feeds.error} what="Feeds" retry={() => void feeds.refetch()} />
      ) : feeds.data.feeds.length === 0 ? (
        <Empty>No feeds configured. Indicators can still be added or imported through the API.</Empty>
      ) : (
        <table className="table" data-testid="feeds-table">
          <thead>
            <tr>
              <th>Feed</th>
              <th>Kind</th>
              <th>Health</th>
              <th>Last pull</th>
              <th>Last success</th>
              <th className="num">Last count</th>
              <th>Every</th>
              <th>Error</th>
              {can('intel:manage') && <th />}
            </tr>
          </thead>
          <tbody>
            {feeds.data.feeds.map((f) => {
              const st = feedState(f);
              return (
                <tr key={f.id} className={f.health.lastError ? 'row-warn' : undefined}>
                  <td className="ellipsis" title={f.url}>
                    {f.name} {f.tenant === '*' && <span className="badge">global</span>}
                  </td>
                  <td>{f.kind}</td>
                  <td>
                    <span className={`badge ${st.cls}`}>{st.label}</span>
                    {f.health.consecutiveFailures > 1 && (
                      <span className="warn small"> ×{f.health.consecutiveFailures}</span>
                    )}
                  </td>
                  <td>
                    {f.health.lastPullAt ? <Time iso={f.health.lastPullAt} /> : '—'}{' '}
                    <span className="muted">{f.health.lastPullAt ? ago(f.health.lastPullAt) : ''}</span>
                  </td>
                  <td>{f.health.lastSuccessAt ? <Time iso={f.health.lastSuccessAt} /> : '—'}</td>
                  <td className="num">{num(f.health.lastCount)}</td>
                  <td>{f.scheduleMinutes ? `${f.scheduleMinutes} min` : 'by hand'}</td>
                  <td className="ellipsis warn" title={f.health.lastError ?? ''}>
                    {f.health.lastError ?? ''}
                  </td>
                  {can('intel:manage') && (
                    <td>
                      <button
                        type="button"
                        className="tiny"
                        disabled={pull.isPending}
                        onClick={() => pull.mutate(f)}
                      >
                        Pull now
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function IndicatorSearch() {
  const loc = useLocation();
  const q = loc.query;
  const [draft, setDraft] = useState({
    type: q.get('type') ?? '',
    value: q.get('value') ?? '',
    q: q.get('q') ?? '',
    source: q.get('source') ?? '',
    tlp: q.get('tlp') ?? '',
    minConfidence: q.get('minConfidence') ?? '',
    expired: q.get('expired') === '1',
  });
  const params = {
    type: q.get('type') ?? undefined,
    value: q.get('value') ?? undefined,
    q: q.get('q') ?? undefined,
    source: q.get('source') ?? undefined,
    includeExpired: q.get('expired') === '1',
  };
  const tlp = q.get('tlp') ?? '';
  const minConfidence = Number(q.get('minConfidence') ?? 0) || 0;
  const found = useQuery({
    queryKey: ['intel', 'indicators', params],
    queryFn: () => socApi.indicators({ ...params, limit: SEARCH_LIMIT }),
  });
  const shown = (found.data?.indicators ?? []).filter(
    (i) => (!tlp || i.tlp === tlp) && i.confidence >= minConfidence,
  );
  const narrowed = Boolean(tlp || minConfidence);
  const set = <K extends keyof typeof draft>(k: K, v: (typeof draft)[K]) =>
    setDraft((d) => ({ ...d, [k]: v }));

  return (
    <section className="panel" aria-labelledby="ind-title">
      <h2 id="ind-title">Indicators</h2>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(
            '/intel',
            {
              type: draft.type || undefined,
              value: draft.value.trim() || undefined,
              q: draft.q.trim() || undefined,
              source: draft.source.trim() || undefined,
              tlp: draft.tlp || undefined,
              minConfidence: draft.minConfidence || undefined,
              expired: draft.expired ? '1' : undefined,
            },
            true,
          );
        }}
      >
        <label>
          Type
          <select value={draft.type} onChange={(e) => set('type', e.target.value)}>
            <option value="">any</option>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          Value (exact)
          <input value={draft.value} onChange={(e) => set('value', e.target.value)} maxLength={8192} />
        </label>
        <label className="grow">
          Text
          <input
            value={draft.q}
            onChange={(e) => set('q', e.target.value)}
            maxLength={200}
            placeholder="value, name or description contains"
          />
        </label>
        <label>
          Source
          <input value={draft.source} onChange={(e) => set('source', e.target.value)} maxLength={200} />
        </label>
        <label>
          TLP
          <select value={draft.tlp} onChange={(e) => set('tlp', e.target.value)}>
            <option value="">any</option>
            {TLPS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Min. confidence
          <input
            type="number"
            min={0}
            max={100}
            value={draft.minConfidence}
            onChange={(e) => set('minConfidence', e.target.value)}
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={draft.expired} onChange={(e) => set('expired', e.target.checked)} />{' '}
          expired too
        </label>
        <button type="submit">Search</button>
      </form>
      {found.isPending ? (
        <Loading what="Searching" />
      ) : found.error ? (
        <ErrorState error={found.error} what="Indicators" retry={() => void found.refetch()} />
      ) : shown.length === 0 ? (
        <Empty>No indicator matches.</Empty>
      ) : (
        <>
          <div className="muted small" data-testid="indicator-total">
            {num(shown.length)} shown of {num(found.data.total)} found
            {narrowed ? ` (TLP and confidence narrow the first ${num(SEARCH_LIMIT)})` : ''}
          </div>
          <table className="table" data-testid="indicators-table">
            <thead>
              <tr>
                <th>Type</th>
                <th>Value</th>
                <th>Name</th>
                <th>Severity</th>
                <th className="num">Confidence</th>
                <th>TLP</th>
                <th>Sources</th>
                <th>Last seen</th>
                <th>Valid until</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((i) => (
                <tr key={i.id} data-indicator-id={i.id}>
                  <td>{i.type}</td>
                  <td className="mono ellipsis" title={i.value}>
                    <Link to={`/intel/indicators/${i.id}`}>{i.value}</Link>
                  </td>
                  <td className="ellipsis" title={i.name ?? ''}>
                    {i.name ?? ''}
                  </td>
                  <td>
                    <Severity level={i.severity} />
                  </td>
                  <td className="num">{i.confidence}</td>
                  <td>
                    <span className={`badge tlp-${i.tlp.replace('+', '-')}`}>TLP:{i.tlp.toUpperCase()}</span>
                  </td>
                  <td className="ellipsis" title={i.sources.join(', ')}>
                    {i.sources.join(', ')}
                  </td>
                  <td>
                    <Time iso={i.lastSeen} />
                  </td>
                  <td>{i.validUntil ? <Time iso={i.validUntil} /> : 'no end'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function IndicatorDetail({ id }: { id: string }) {
  const ind = useQuery({ queryKey: ['intel', 'indicator', id], queryFn: () => socApi.indicator(id) });
  const sightings = useQuery({
    queryKey: ['intel', 'sightings', id],
    queryFn: () => socApi.sightings(id),
    refetchInterval: 15_000,
  });
  if (ind.isPending) return <Loading what="Loading indicator" />;
  if (ind.error) return <ErrorState error={ind.error} what="Indicator" retry={() => void ind.refetch()} />;
  const i = ind.data;
  const expired = i.validUntil !== null && Date.parse(i.validUntil) <= Date.now();
  return (
    <>
      <PageHeader title={`Indicator ${i.type}`}>
        <Link to="/intel">all intel</Link>
      </PageHeader>
      <section className="panel">
        <div className="mono wrap big-value" data-testid="indicator-value">
          {i.value}
        </div>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{i.name ?? '—'}</dd>
          <dt>Severity</dt>
          <dd>
            <Severity level={i.severity} />
          </dd>
          <dt>Confidence</dt>
          <dd>{i.confidence}</dd>
          <dt>TLP</dt>
          <dd>
            <span className={`badge tlp-${i.tlp.replace('+', '-')}`}>TLP:{i.tlp.toUpperCase()}</span>
          </dd>
          <dt>First seen</dt>
          <dd>
            <Time iso={i.firstSeen} />
          </dd>
          <dt>Last seen</dt>
          <dd>
            <Time iso={i.lastSeen} />
          </dd>
          <dt>Valid until</dt>
          <dd className={expired ? 'warn' : undefined}>
            {i.validUntil ? <Time iso={i.validUntil} /> : 'no end'} {expired && '(expired)'}
          </dd>
          <dt>Tenant</dt>
          <dd>{i.tenant === '*' ? 'global' : i.tenant}</dd>
          <dt>ATT&amp;CK</dt>
          <dd>{i.attack.length ? i.attack.join(', ') : '—'}</dd>
          <dt>Tags</dt>
          <dd>
            <span className="chips">
              {i.tags.map((t) => (
                <span key={t} className="chip">
                  {t}
                </span>
              ))}
            </span>
          </dd>
        </dl>
        {i.description && <p className="wrap pre">{i.description}</p>}
      </section>
      <section className="panel" aria-labelledby="prov-title">
        <h2 id="prov-title">Provenance</h2>
        <table className="table" data-testid="provenance-table">
          <thead>
            <tr>
              <th>Source</th>
              <th>Seen</th>
              <th className="num">Confidence</th>
              <th>Severity</th>
              <th>External id</th>
              <th>Reference</th>
            </tr>
          </thead>
          <tbody>
            {i.provenance.map((p, k) => (
              <tr key={k}>
                <td>
                  {p.source} {p.feedId && <span className="muted small">({p.feedId})</span>}
                </td>
                <td>
                  <Time iso={p.seenAt} />
                </td>
                <td className="num">{p.confidence ?? '—'}</td>
                <td>{p.severity ? <Severity level={p.severity} /> : '—'}</td>
                <td className="mono ellipsis">{p.externalId ?? '—'}</td>
                {/* A reference is shown as text, never followed as a link: feeds are not trusted. */}
                <td className="mono ellipsis" title={p.reference ?? ''}>
                  {p.reference ?? '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" aria-labelledby="sight-title">
        <h2 id="sight-title">Sightings</h2>
        {sightings.isPending ? (
          <Loading />
        ) : sightings.error ? (
          <ErrorState error={sightings.error} what="Sightings" />
        ) : sightings.data.detections.length === 0 ? (
          <Empty>Not seen in any event yet.</Empty>
        ) : (
          <table className="table" data-testid="sightings-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Level</th>
                <th>Title</th>
                <th className="num">Events</th>
                <th>Search</th>
              </tr>
            </thead>
            <tbody>
              {sightings.data.detections.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Time iso={d.ts} />
                  </td>
                  <td>
                    <Severity level={d.level} />
                  </td>
                  <td className="ellipsis">{d.title}</td>
                  <td className="num">{d.eventIds.length}</td>
                  <td>
                    {d.eventIds[0] && (
                      <Link to="/search" query={{ q: `event.id:"${d.eventIds[0]}"`, range: 'all' }}>
                        event
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {sightings.data && sightings.data.total > sightings.data.detections.length && (
          <div className="muted small">
            newest {sightings.data.detections.length} of {num(sightings.data.total)}
          </div>
        )}
      </section>
    </>
  );
}

function ContextObjects() {
  const [type, setType] = useState('');
  const objects = useQuery({
    queryKey: ['intel', 'objects', type],
    queryFn: () => socApi.intelObjects({ type: type || undefined, limit: 100 }),
  });
  const [open, setOpen] = useState<string>();
  return (
    <section className="panel" aria-labelledby="obj-title">
      <h2 id="obj-title">Reports and context</h2>
      <div className="filters">
        <label>
          Kind
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">any</option>
            {[
              'report',
              'malware',
              'threat-actor',
              'intrusion-set',
              'campaign',
              'tool',
              'vulnerability',
              'misp-event',
            ].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
      </div>
      {objects.isPending ? (
        <Loading />
      ) : objects.error ? (
        <ErrorState error={objects.error} what="Context objects" />
      ) : objects.data.objects.length === 0 ? (
        <Empty>No reports or context objects from feeds.</Empty>
      ) : (
        <table className="table" data-testid="objects-table">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Name</th>
              <th>Modified</th>
              <th>Feed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {objects.data.objects.map((o) => (
              <Fragment key={o.id}>
                <tr>
                  <td>{o.type}</td>
                  <td className="ellipsis">{o.name ?? o.id}</td>
                  <td>{o.modified ? <Time iso={o.modified} /> : '—'}</td>
                  <td className="mono small">{o.feedId ?? '—'}</td>
                  <td>
                    <button
                      type="button"
                      className="tiny"
                      aria-expanded={open === o.id}
                      onClick={() => setOpen(open === o.id ? undefined : o.id)}
                    >
                      {open === o.id ? 'Hide' : 'Details'}
                    </button>
                  </td>
                </tr>
                {open === o.id && (
                  <tr>
                    <td colSpan={5}>
                      <JsonView value={o.doc} open={1} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
