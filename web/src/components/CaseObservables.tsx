/** Observables of a case: IOC flag, where else they were seen (sightings), pivot to search. */
import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { caseApi, OBSERVABLE_TYPES, type CaseObservable } from '../api';
import { Time } from '../format';
import { useSession } from '../session';
import { EnrichmentBadges, enrichmentOf, useEnrichment, type Enriched } from './Enrichment';
import { Link, navigate } from '../router';
import { errorText, useCaseMutation } from './CaseUi';
import { Empty, ErrorState, Loading, Severity, StateBadge } from './States';

export function CaseObservables({ caseId, writable }: { caseId: string; writable: boolean }) {
  const obs = useQuery({
    queryKey: ['case', caseId, 'observables'],
    queryFn: () => caseApi.observables(caseId),
  });
  const [open, setOpen] = useState<string>();
  const { can } = useSession();
  const enrichment = useEnrichment(obs.data?.observables ?? [], can('intel:read'));
  if (obs.isPending) return <Loading what="Loading observables" />;
  if (obs.error) return <ErrorState error={obs.error} what="Observables" retry={() => void obs.refetch()} />;
  const list = obs.data.observables;
  return (
    <>
      {writable && <AddObservable caseId={caseId} />}
      {list.length === 0 ? (
        <Empty>No observables.</Empty>
      ) : (
        <table className="table compact" data-testid="case-observables">
          <thead>
            <tr>
              <th>IOC</th>
              <th>Type</th>
              <th>Value</th>
              <th>Intel / network</th>
              <th className="num">Sightings</th>
              <th>Source</th>
              <th>Added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((o) => (
              <Fragment key={o.id}>
                <ObservableRow
                  caseId={caseId}
                  o={o}
                  enrichment={enrichmentOf(enrichment, o)}
                  writable={writable}
                  expanded={open === o.id}
                  onToggle={() => setOpen(open === o.id ? undefined : o.id)}
                />
                {open === o.id && (
                  <tr>
                    <td colSpan={8} className="wrap">
                      <Sightings caseId={caseId} observableId={o.id} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ObservableRow({
  caseId,
  o,
  enrichment,
  writable,
  expanded,
  onToggle,
}: {
  caseId: string;
  o: CaseObservable;
  enrichment: Enriched | undefined;
  writable: boolean;
  expanded: boolean;
  onToggle: () => void;
}) {
  const flag = useCaseMutation(caseId, (ioc: boolean) => caseApi.patchObservable(caseId, o.id, { ioc }));
  const remove = useCaseMutation(caseId, () => caseApi.removeObservable(caseId, o.id));
  return (
    <tr className={o.ioc ? 'row-ioc' : undefined}>
      <td>
        <input
          type="checkbox"
          checked={o.ioc}
          disabled={!writable || flag.isPending}
          aria-label={`${o.value} is an IOC`}
          onChange={(e) => flag.mutate(e.target.checked)}
        />
      </td>
      <td className="muted">{o.type}</td>
      <td className="mono ellipsis wide" title={o.description ? `${o.value}\n${o.description}` : o.value}>
        <button
          type="button"
          className="link"
          title="Search events with this value"
          onClick={() => navigate('/search', { q: JSON.stringify(o.value) })}
        >
          {o.value}
        </button>
        {(flag.error ?? remove.error) && (
          <div className="form-error">{errorText(flag.error ?? remove.error)}</div>
        )}
      </td>
      <td>
        <EnrichmentBadges e={enrichment} />
      </td>
      <td className="num">
        <button type="button" className="tiny" aria-expanded={expanded} onClick={onToggle}>
          {o.sightings ?? '?'}
        </button>
      </td>
      <td className="muted">
        {o.manual ? 'by hand' : `${o.alertIds.length} alert${o.alertIds.length === 1 ? '' : 's'}`}
      </td>
      <td>
        <Time iso={o.createdAt} />
      </td>
      <td>
        {writable && (
          <button
            type="button"
            className="ghost tiny"
            aria-label={`Remove observable ${o.value}`}
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Remove ${o.type} ${o.value} from this case?`)) remove.mutate(undefined);
            }}
          >
            ✕
          </button>
        )}
      </td>
    </tr>
  );
}

function Sightings({ caseId, observableId }: { caseId: string; observableId: string }) {
  const s = useQuery({
    queryKey: ['case', caseId, 'sightings', observableId],
    queryFn: () => caseApi.sightings(caseId, observableId),
  });
  if (s.isPending) return <Loading what="Loading sightings" />;
  if (s.error) return <ErrorState error={s.error} what="Sightings" />;
  const { cases, alerts } = s.data;
  if (cases.length === 0 && alerts.length === 0)
    return <span className="muted">Not seen in any other case or alert.</span>;
  return (
    <div className="sightings">
      {cases.length > 0 && (
        <div>
          <strong>Other cases:</strong>{' '}
          {cases.map((c) => (
            <Link key={c.caseId} to={`/cases/${c.caseId}`} className="tag">
              #{c.caseNumber} {c.caseTitle} <StateBadge state={c.caseStatus} />
              {c.ioc && ' · IOC'}
            </Link>
          ))}
        </div>
      )}
      {alerts.length > 0 && (
        <div>
          <strong>Alerts:</strong>{' '}
          {alerts.slice(0, 20).map((a) => (
            <Link key={a.id} to={`/alerts/${a.id}`} className="tag">
              <Severity level={a.severity} /> {a.title}
            </Link>
          ))}
          {alerts.length > 20 && <span className="muted"> and {alerts.length - 20} more</span>}
        </div>
      )}
    </div>
  );
}

function AddObservable({ caseId }: { caseId: string }) {
  const [type, setType] = useState<string>('ip');
  const [value, setValue] = useState('');
  const [ioc, setIoc] = useState(false);
  const add = useCaseMutation(
    caseId,
    (b: { type: string; value: string; ioc: boolean }) => caseApi.addObservable(caseId, b),
    () => setValue(''),
  );
  return (
    <form
      className="filters case-add-row"
      aria-label="Add an observable"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) add.mutate({ type, value: value.trim(), ioc });
      }}
    >
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.target.value)}>
          {OBSERVABLE_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label className="grow">
        Value
        <input value={value} onChange={(e) => setValue(e.target.value)} maxLength={2048} />
      </label>
      <label className="check">
        <input type="checkbox" checked={ioc} onChange={(e) => setIoc(e.target.checked)} /> IOC
      </label>
      <button type="submit" disabled={add.isPending || !value.trim()}>
        Add observable
      </button>
      {add.error && <span className="form-error">{errorText(add.error)}</span>}
    </form>
  );
}
