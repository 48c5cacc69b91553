/**
 * Open a case, usually from alerts: `#/cases/new?alerts=a,b` preselects them (the alert queue can
 * link here), and open alerts not yet in a case can be ticked. Left empty, the server takes the
 * title and severity from the alerts.
 */
import { useQuery } from '@tanstack/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, caseApi, SEVERITIES } from '../api';
import { num, Time } from '../format';
import { Link, navigate, useLocation } from '../router';
import { errorText, splitList } from './CaseUi';
import { ErrorState, Loading, PageHeader, Severity, StateBadge } from './States';

export function CaseNew() {
  const loc = useLocation();
  const qc = useQueryClient();
  const [picked, setPicked] = useState<ReadonlySet<string>>(
    () => new Set(splitList(loc.query.get('alerts') ?? '')),
  );
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState('');
  const [template, setTemplate] = useState('');
  const [description, setDescription] = useState('');
  const [filter, setFilter] = useState('');
  const templates = useQuery({
    queryKey: ['case-templates'],
    queryFn: () => caseApi.templates(),
    staleTime: 60_000,
  });
  const alerts = useQuery({
    queryKey: ['alerts', 'for-new-case', filter],
    queryFn: () =>
      api.alerts({
        status: ['new', 'acknowledged', 'in_progress'],
        q: filter || undefined,
        sort: '-lastSeen',
        limit: 200,
      }),
  });
  const create = useMutation({
    mutationFn: () =>
      caseApi.create({
        title: title.trim() || undefined,
        severity: severity || undefined,
        description: description || undefined,
        template: template || undefined,
        alertIds: picked.size > 0 ? [...picked] : undefined,
      }),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['cases'] });
      void qc.invalidateQueries({ queryKey: ['alerts'] });
      navigate(`/cases/${c.id}`);
    },
  });
  const toggle = (id: string) => {
    const n = new Set(picked);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    setPicked(n);
  };
  const free = (alerts.data?.alerts ?? []).filter((a) => !a.caseId || picked.has(a.id));
  const needsTitle = picked.size === 0 && !title.trim();

  return (
    <>
      <PageHeader title="New case">
        <Link to="/cases">← Cases</Link>
      </PageHeader>
      <form
        className="panel case-edit"
        aria-label="New case"
        onSubmit={(e) => {
          e.preventDefault();
          if (!needsTitle) create.mutate();
        }}
      >
        <label className="span-all">
          Title {picked.size > 0 && <span className="muted">(empty: taken from the alerts)</span>}
          <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={500} autoFocus />
        </label>
        <label>
          Severity
          <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
            <option value="">{picked.size > 0 ? 'highest of the alerts' : 'medium'}</option>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Template
          <select value={template} onChange={(e) => setTemplate(e.target.value)}>
            <option value="">— none —</option>
            {(templates.data?.templates ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.tasks.length} tasks)
              </option>
            ))}
          </select>
        </label>
        <label className="span-all">
          Description (Markdown)
          <textarea
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            rows={3}
            maxLength={100_000}
          />
        </label>
        <div className="actions span-all">
          <button type="submit" className="primary" disabled={create.isPending || needsTitle}>
            Create case
            {picked.size > 0 ? ` from ${num(picked.size)} alert${picked.size === 1 ? '' : 's'}` : ''}
          </button>
          {needsTitle && <span className="muted small">Give a title or pick alerts.</span>}
          {create.error && (
            <span className="form-error" role="alert">
              {errorText(create.error)}
            </span>
          )}
        </div>
      </form>
      <section className="panel">
        <h2>Alerts to link</h2>
        <div className="filters">
          <label className="grow">
            Filter open alerts
            <input
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder="title or entity"
              maxLength={500}
            />
          </label>
        </div>
        {alerts.isPending ? (
          <Loading what="Loading alerts" />
        ) : alerts.error ? (
          <ErrorState error={alerts.error} what="Alerts" />
        ) : free.length === 0 ? (
          <p className="muted">No open alerts outside a case.</p>
        ) : (
          <table className="table compact" data-testid="new-case-alerts">
            <tbody>
              {free.map((a) => (
                <tr key={a.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Link alert ${a.title} (${a.entity?.value ?? a.id})`}
                      checked={picked.has(a.id)}
                      onChange={() => toggle(a.id)}
                    />
                  </td>
                  <td>
                    <Severity level={a.severity} />
                  </td>
                  <td className="ellipsis wide" title={a.title}>
                    {a.title}
                  </td>
                  <td className="mono ellipsis narrow">{a.entity?.value ?? ''}</td>
                  <td>
                    <StateBadge state={a.status} />
                  </td>
                  <td className="num">{num(a.count)}</td>
                  <td>
                    <Time iso={a.lastSeen} />
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
