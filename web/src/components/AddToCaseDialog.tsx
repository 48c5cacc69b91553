/** "Add to case…": find an open case by number or title and attach the selected alerts to it. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, caseApi } from '../api';
import { errorText } from './CaseUi';
import { Modal } from './Modal';
import { Severity } from './States';

export function AddToCaseDialog({
  alertIds,
  onClose,
  onDone,
}: {
  alertIds: string[];
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const cases = useQuery({
    queryKey: ['cases', 'pick', text],
    queryFn: () => api.cases({ status: ['open', 'in_progress'], q: text || undefined, limit: 20 }),
  });
  return (
    <Modal title="Add to case" onClose={onClose} wide testId="add-to-case">
      <h2>
        Add {alertIds.length} alert{alertIds.length === 1 ? '' : 's'} to a case
      </h2>
      <label className="block">
        Find an open case
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder="title, tag or #number" />
      </label>
      {cases.isPending ? (
        <p className="muted">Loading cases…</p>
      ) : cases.error ? (
        <p className="form-error">{errorText(cases.error)}</p>
      ) : cases.data.cases.length === 0 ? (
        <p className="muted">No open case matches.</p>
      ) : (
        <ul className="pick-list">
          {cases.data.cases.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                disabled={busy}
                onClick={() => {
                  setBusy(true);
                  setError(undefined);
                  caseApi
                    .addAlerts(c.id, alertIds)
                    .then(() =>
                      onDone(
                        `Added ${alertIds.length} alert${alertIds.length === 1 ? '' : 's'} to case #${c.number}`,
                      ),
                    )
                    .catch((err: unknown) => setError(errorText(err)))
                    .finally(() => setBusy(false));
                }}
              >
                <span className="mono">#{c.number}</span> <Severity level={c.severity} />{' '}
                <span className="ellipsis">{c.title}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <button type="button" className="ghost" onClick={onClose}>
        Cancel
      </button>
    </Modal>
  );
}
