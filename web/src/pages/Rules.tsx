import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, SEVERITIES } from '../api';
import { ErrorState, Loading, PageHeader, Severity } from '../components/States';
import { num } from '../format';
import { Link, navigate, useLocation } from '../router';
import RuleDetail from './RuleDetail';

export default function Rules({ segments = [] }: { segments?: string[] }) {
  if (segments[0]) return <RuleDetail id={decodeURIComponent(segments[0])} />;
  return <RuleList />;
}

function RuleList() {
  const loc = useLocation();
  const level = loc.query.get('level') ?? '';
  const tag = loc.query.get('tag') ?? '';
  const text = loc.query.get('q') ?? '';
  const set = (patch: Record<string, string | undefined>) =>
    navigate('/rules', { level, tag, q: text, ...patch }, true);
  const rules = useQuery({ queryKey: ['rules'], queryFn: api.rules, refetchInterval: 30_000 });

  const tags = useMemo(
    () => [...new Set((rules.data?.rules ?? []).flatMap((r) => r.tags ?? []))].sort(),
    [rules.data],
  );
  const shown = useMemo(() => {
    const t = text.toLowerCase();
    return (rules.data?.rules ?? []).filter(
      (r) =>
        (!level || r.level === level) &&
        (!tag || (r.tags ?? []).includes(tag)) &&
        (!t ||
          r.title.toLowerCase().includes(t) ||
          r.id.toLowerCase().includes(t) ||
          r.file.toLowerCase().includes(t)),
    );
  }, [rules.data, level, tag, text]);

  if (rules.isPending) return <Loading what="Loading rules" />;
  if (rules.error) return <ErrorState error={rules.error} what="Rules" retry={() => void rules.refetch()} />;
  const { rejected } = rules.data;

  return (
    <>
      <PageHeader title="Rules">
        <span className="muted">
          {num(rules.data.total)} loaded ·{' '}
          <span className={rejected.length ? 'warn' : undefined}>{num(rejected.length)} rejected</span>
        </span>
      </PageHeader>
      {rejected.length > 0 && (
        <section className="panel panel-warn" aria-labelledby="rejected-title">
          <h2 id="rejected-title">Rejected rules</h2>
          <table className="table compact" data-testid="rejected-rules">
            <thead>
              <tr>
                <th>File</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {rejected.map((r, i) => (
                <tr key={i}>
                  <td className="mono ellipsis" title={r.file}>
                    {r.file}
                    {r.line !== undefined ? `:${r.line}` : ''}
                  </td>
                  <td className="wrap">{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <div className="filters">
        <label>
          Level
          <select value={level} onChange={(e) => set({ level: e.target.value || undefined })}>
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <select value={tag} onChange={(e) => set({ tag: e.target.value || undefined })}>
            <option value="">any</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Filter
          <input
            value={text}
            onChange={(e) => set({ q: e.target.value || undefined })}
            placeholder="title, id or file"
          />
        </label>
        <span className="muted">{num(shown.length)} shown</span>
      </div>
      {shown.length === 0 ? (
        <div className="state state-empty">No rules match.</div>
      ) : (
        <table className="table" data-testid="rules-table">
          <thead>
            <tr>
              <th>Title</th>
              <th>Level</th>
              <th>Kind</th>
              <th>Tags</th>
              <th>Source</th>
              <th>Enabled</th>
              <th aria-label="Retro-hunt" />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} className={r.enabled ? undefined : 'row-muted'}>
                <td className="ellipsis" title={`${r.id}\n${r.file}`}>
                  <Link to={`/rules/${encodeURIComponent(r.id)}`}>{r.title}</Link>
                </td>
                <td>{r.level ? <Severity level={r.level} /> : '—'}</td>
                <td>
                  {r.kind}
                  {r.type ? ` (${r.type})` : ''}
                </td>
                <td className="ellipsis">
                  {(r.tags ?? []).map((t) => (
                    <button key={t} type="button" className="tag" onClick={() => set({ tag: t })}>
                      {t}
                    </button>
                  ))}
                </td>
                <td>
                  {r.source}
                  {r.tenant ? ` · ${r.tenant}` : ''}
                </td>
                <td>{r.enabled ? 'yes' : <span className="warn">no</span>}</td>
                <td>
                  {r.kind === 'rule' && (
                    <Link
                      to="/search"
                      query={{ tab: 'hunt', rule: r.id }}
                      className="button-link"
                      aria-label={`Retro-hunt with ${r.title}`}
                      title="Run this rule over stored events (Sigma retro-hunt)"
                    >
                      Retro-hunt
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
