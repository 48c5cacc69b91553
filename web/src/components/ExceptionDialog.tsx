/**
 * "Create exception…" from an alert: pick the values that make this detection benign (host, user,
 * process, the fields the rule matched...), give a reason and an optional end; detections of the
 * rule whose event has all of them are then suppressed for the tenant.
 */
import { useMemo, useState } from 'react';
import { errorText } from './CaseUi';
import { Modal } from './Modal';
import { rulesApi } from './rulesApi';

/** Fields that usually tell a benign case apart, offered when the event has them. */
const CANDIDATES = [
  'host.name',
  'user.name',
  'source.ip',
  'destination.ip',
  'destination.port',
  'process.executable',
  'process.command_line',
  'process.parent.executable',
  'file.path',
  'url.domain',
  'dns.question.name',
  'event.action',
];

function valueAt(doc: unknown, path: string): unknown {
  if (doc && typeof doc === 'object' && path in doc) return (doc as Record<string, unknown>)[path];
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

export function ExceptionDialog({
  ruleId,
  event,
  matched,
  onClose,
  onDone,
}: {
  ruleId: string;
  event: Record<string, unknown> | undefined;
  /** Field → value pairs the rule matched on (Sigma names), from the detections. */
  matched: Array<{ field: string; value: string }>;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const options = useMemo(() => {
    const out: Array<{ field: string; value: string }> = [];
    for (const f of CANDIDATES) {
      const v = scalar(valueAt(event, f));
      if (v !== undefined && v.length <= 1000) out.push({ field: f, value: v });
    }
    for (const m of matched) if (!out.some((o) => o.field === m.field)) out.push(m);
    return out;
  }, [event, matched]);
  const [chosen, setChosen] = useState<ReadonlySet<number>>(new Set(options.length ? [0] : []));
  const [reason, setReason] = useState('');
  const [days, setDays] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <Modal title="Create exception" onClose={onClose} wide testId="exception-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const match = options.filter((_, i) => chosen.has(i));
          if (match.length === 0) return setError('Pick at least one value.');
          setBusy(true);
          setError(undefined);
          rulesApi
            .addException({
              ruleId,
              match,
              reason: reason.trim(),
              expiresAt: days ? new Date(Date.now() + Number(days) * 86_400_000).toISOString() : null,
            })
            .then(() => onDone(`Exception created: ${match.map((m) => `${m.field}=${m.value}`).join(', ')}`))
            .catch((err: unknown) => setError(errorText(err)))
            .finally(() => setBusy(false));
        }}
      >
        <h2>Create exception</h2>
        <p className="muted small">
          Detections of <span className="mono">{ruleId}</span> whose event has every value ticked below are
          suppressed in this tenant.
        </p>
        {options.length === 0 ? (
          <p className="warn">This alert has no event values to build an exception from.</p>
        ) : (
          <fieldset>
            <legend>When the event has</legend>
            {options.map((o, i) => (
              <label key={`${o.field}-${i}`} className="block">
                <input
                  type="checkbox"
                  checked={chosen.has(i)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.target.checked) next.add(i);
                    else next.delete(i);
                    setChosen(next);
                  }}
                />{' '}
                <span className="mono">{o.field}</span> = <span className="mono ellipsis">{o.value}</span>
              </label>
            ))}
          </fieldset>
        )}
        <label className="block">
          Reason
          <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={2000} />
        </label>
        <label className="block">
          Ends after (days, empty: never)
          <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
        {error && (
          <div className="form-error" role="alert">
            {error}
          </div>
        )}
        <div className="filters">
          <button type="submit" disabled={busy || options.length === 0} data-testid="exception-save">
            Create exception
          </button>
          <button type="button" className="ghost" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
