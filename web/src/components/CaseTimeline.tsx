/** Everything that happened to a case in time order, and the events pinned to it. */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { caseApi } from '../api';
import { Time } from '../format';
import { Link } from '../router';
import { errorText, useCaseMutation } from './CaseUi';
import { Empty, ErrorState, Loading } from './States';

const KIND_LABEL: Record<string, string> = {
  alert: 'Alert',
  comment: 'Comment',
  event: 'Pinned event',
};

export function CaseTimeline({ caseId, writable }: { caseId: string; writable: boolean }) {
  const tl = useQuery({ queryKey: ['case', caseId, 'timeline'], queryFn: () => caseApi.timeline(caseId) });
  const pins = useQuery({ queryKey: ['case', caseId, 'pins'], queryFn: () => caseApi.pins(caseId) });
  const [kinds, setKinds] = useState<ReadonlySet<string>>(new Set());
  const all = useMemo(() => [...new Set((tl.data?.timeline ?? []).map((x) => x.kind))].sort(), [tl.data]);
  if (tl.isPending) return <Loading what="Loading timeline" />;
  if (tl.error) return <ErrorState error={tl.error} what="Timeline" retry={() => void tl.refetch()} />;
  const items = tl.data.timeline.filter((x) => kinds.size === 0 || kinds.has(x.kind));
  return (
    <>
      <div className="chips" role="group" aria-label="Show only">
        {all.map((k) => (
          <button
            key={k}
            type="button"
            className={`chip${kinds.has(k) ? ' chip-on' : ''}`}
            aria-pressed={kinds.has(k)}
            onClick={() => {
              const n = new Set(kinds);
              if (n.has(k)) n.delete(k);
              else n.add(k);
              setKinds(n);
            }}
          >
            {KIND_LABEL[k] ?? k.replace(/[._]/g, ' ')}
          </button>
        ))}
      </div>
      {items.length === 0 ? (
        <Empty>Nothing on the timeline yet.</Empty>
      ) : (
        <ol className="case-timeline" data-testid="case-timeline">
          {items.map((x, i) => (
            <li key={`${x.at}-${i}`} className={`tl-${x.kind.replace(/[^a-z]/gi, '')}`}>
              <Time iso={x.at} />
              <span className="tl-kind">{KIND_LABEL[x.kind] ?? x.kind.replace(/[._]/g, ' ')}</span>
              <span className="tl-summary">
                {x.ref?.type === 'alert' ? <Link to={`/alerts/${x.ref.id}`}>{x.summary}</Link> : x.summary}
              </span>
              {x.actor && <span className="muted tl-actor">{x.actor}</span>}
            </li>
          ))}
        </ol>
      )}
      <h3>Pinned events</h3>
      {pins.error ? (
        <ErrorState error={pins.error} what="Pinned events" />
      ) : (pins.data?.pins.length ?? 0) === 0 ? (
        <p className="muted small">No events pinned. Pin one by its id (from Search) below.</p>
      ) : (
        <table className="table compact">
          <tbody>
            {pins.data!.pins.map((p) => (
              <PinRow key={p.id} caseId={caseId} pin={p} writable={writable} />
            ))}
          </tbody>
        </table>
      )}
      {writable && <PinForm caseId={caseId} />}
    </>
  );
}

function PinRow({
  caseId,
  pin,
  writable,
}: {
  caseId: string;
  pin: { id: string; eventId: string; eventTime: string; summary: string; note: string; pinnedBy: string };
  writable: boolean;
}) {
  const unpin = useCaseMutation(caseId, () => caseApi.unpin(caseId, pin.id));
  return (
    <tr>
      <td>
        <Time iso={pin.eventTime} />
      </td>
      <td className="mono ellipsis wide" title={pin.summary}>
        {pin.summary}
      </td>
      <td className="wrap">{pin.note}</td>
      <td className="muted">{pin.pinnedBy}</td>
      <td>
        {writable && (
          <button
            type="button"
            className="ghost tiny"
            disabled={unpin.isPending}
            onClick={() => unpin.mutate(undefined)}
          >
            Unpin
          </button>
        )}
      </td>
    </tr>
  );
}

function PinForm({ caseId }: { caseId: string }) {
  const [eventId, setEventId] = useState('');
  const [note, setNote] = useState('');
  const pin = useCaseMutation(
    caseId,
    (v: { eventId: string; note: string }) => caseApi.pin(caseId, v.eventId, v.note),
    () => {
      setEventId('');
      setNote('');
    },
  );
  return (
    <form
      className="filters"
      aria-label="Pin an event"
      onSubmit={(e) => {
        e.preventDefault();
        if (eventId.trim()) pin.mutate({ eventId: eventId.trim(), note });
      }}
    >
      <label>
        Event id
        <input
          value={eventId}
          onChange={(e) => setEventId(e.target.value)}
          maxLength={128}
          className="mono"
        />
      </label>
      <label className="grow">
        Note
        <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={10_000} />
      </label>
      <button type="submit" disabled={pin.isPending || !eventId.trim()}>
        Pin event
      </button>
      {pin.error && <span className="form-error">{errorText(pin.error)}</span>}
    </form>
  );
}
